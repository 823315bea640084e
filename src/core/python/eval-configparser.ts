// The standard library's configparser for ./evaluate.ts: settings that read an INI file over defaults (pretalx and
// pretix: `config = RawConfigParser(); config.read_dict(defaults); config.read([...]); config.get("database",
// "backend")`). A parser is an obj 'configparser.Parser' holding its sections; the files it reads are read through
// the file system view when they are in the project, and taken as absent (said as an assumption) when they are not:
// a file outside the workspace (/etc/app/app.cfg, ~/.app.cfg) is where the project is deployed, as an environment
// variable not set here is.
//
// What is modelled follows CPython 3.12's configparser: option names lower-cased (optionxform), DEFAULT's options in
// every section, `key = value` and `key: value` lines, `#` and `;` comment lines, indented continuation lines,
// ConfigParser's %(name)s interpolation (RawConfigParser: none), get/getint/getfloat/getboolean with `fallback`,
// NoSectionError and NoOptionError. What is not known (a file name or a value not known statically) makes the parser
// inexact: what it holds and fallbacks are kept and said (an assumption), an option it does not hold is unknown
// rather than missing.
import * as path from 'path';
import type { Loc } from '../types';
import { type Evaluator, type KW, PyErr, kwarg, inProject } from './runtime';
import { type Value, type ObjV, NONE, TRUE, FALSE, str, num, list, tuple, dict, unknown, pyStr, repr, truthy } from './values';
import { readText, statFile } from '../vfs';

/** A parser's state (ObjV.data). */
export interface ParserState {
  /** RawConfigParser, or `interpolation=None`: no interpolation */
  raw: boolean;
  /** another interpolation than BasicInterpolation (ExtendedInterpolation's ${section:option}): a value with `$` is not known */
  otherInterpolation?: boolean;
  defaults: Map<string, string | null>;
  sections: Map<string, Map<string, string | null>>;
  /** why options it does not hold may be set (a file or value not known statically) */
  inexact?: { reason: string; loc?: Loc };
  /** a dialect or behaviour not modelled (inline comments, other delimiters, allow_no_value…): no value is known */
  unmodelled?: string;
}

const SECTION_TYPE = 'configparser.Section';
export const PARSER_TYPE = 'configparser.Parser';
const DEFAULTSECT = 'DEFAULT';
const BOOLEAN: Record<string, boolean> = { 1: true, yes: true, true: true, on: true, 0: false, no: false, false: false, off: false };
export const PARSER_METHODS = new Set([
  'read', 'read_file', 'read_string', 'read_dict', 'get', 'getint', 'getfloat', 'getboolean', 'has_section', 'has_option',
  'sections', 'options', 'items', 'set', 'add_section', 'remove_option', 'remove_section', 'defaults', '__getitem__', '__contains__',
  'optionxform', 'readfp',
]);
const SECTION_METHODS = new Set(['get', 'getint', 'getfloat', 'getboolean', '__getitem__', '__contains__', 'keys', 'items']);

const obj = (type: string, data: unknown): ObjV => ({ kind: 'obj', type, attrs: new Map(), missing: 'unknown', data });

export const INTERPOLATIONS = ['Interpolation', 'BasicInterpolation', 'ExtendedInterpolation', 'LegacyInterpolation'];
/** `configparser.BasicInterpolation()` and its siblings: what a parser's `interpolation=` is */
export function newInterpolation(name: string): Value {
  return obj(`configparser.${name}`, null);
}
/** constructor arguments of a dialect this model does not read */
const DIALECT = ['dict_type', 'allow_no_value', 'delimiters', 'comment_prefixes', 'inline_comment_prefixes', 'strict', 'empty_lines_in_values', 'default_section', 'converters'];

/** The members of the configparser module. */
export function configparserMembers(b: (name: string) => Value, exc: (name: string) => Value): [string, Value][] {
  return [
    ['ConfigParser', b('configparser.ConfigParser')], ['SafeConfigParser', b('configparser.ConfigParser')],
    ['RawConfigParser', b('configparser.RawConfigParser')], ['DEFAULTSECT', str(DEFAULTSECT)],
    ...INTERPOLATIONS.map(n => [n, b(`configparser.${n}`)] as [string, Value]),
    ...['Error', 'NoSectionError', 'NoOptionError', 'DuplicateSectionError', 'DuplicateOptionError', 'InterpolationError', 'ParsingError', 'MissingSectionHeaderError']
      .map(n => [n, exc(n === 'Error' ? 'configparser.Error' : n)] as [string, Value]),
  ];
}

/** `ConfigParser(defaults=None, …)` / `RawConfigParser(…)`. */
export function newParser(raw: boolean, args: Value[], kwargs: KW, loc: Loc): Value {
  const st: ParserState = { raw, defaults: new Map(), sections: new Map() };
  const interp = kwarg(kwargs, 'interpolation');
  // (None and Interpolation() do nothing; BasicInterpolation is ConfigParser's own, also given to a RawConfigParser)
  if (interp?.kind === 'none' || (interp?.kind === 'obj' && interp.type === 'configparser.Interpolation')) st.raw = true;
  else if (interp?.kind === 'obj' && interp.type === 'configparser.BasicInterpolation') st.raw = false;
  else if (interp) st.otherInterpolation = true;
  const dialect = [...kwargs.filter(([k]) => DIALECT.includes(k)).map(([k]) => k), ...(args.length > 1 ? ['positional arguments'] : [])];
  if (dialect.length) st.unmodelled = `a configparser with ${dialect.join(', ')}, which this reader does not model`;
  const defaults = args[0] ?? kwarg(kwargs, 'defaults');
  if (defaults && defaults.kind !== 'none') readDict(st, new Map([[DEFAULTSECT, defaults]]), loc);
  return obj(PARSER_TYPE, st);
}

export function parserAttr(o: ObjV, name: string, b: (name: string, self: Value) => Value): Value | undefined {
  if (o.type === PARSER_TYPE) return PARSER_METHODS.has(name) ? b(`${PARSER_TYPE}.${name}`, o) : undefined;
  if (o.type === SECTION_TYPE) {
    if (name === 'name') return str((o.data as { name: string }).name);
    return SECTION_METHODS.has(name) ? b(`${SECTION_TYPE}.${name}`, o) : undefined;
  }
  return undefined;
}

export function isConfigparserObj(o: ObjV): boolean {
  return o.type === PARSER_TYPE || o.type === SECTION_TYPE;
}

/** A method of a parser or of one of its sections (`config["site"].get("url")`). */
export function configparserCall(it: Evaluator, o: ObjV, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
  // a dialect not modelled, or an attribute of the parser set (`optionxform = str`): what it answers is not known
  const parser = o.type === SECTION_TYPE ? (o.data as { parser: ObjV }).parser : o;
  const pst = parser.data as ParserState;
  const why = pst.unmodelled ?? (parser.attrs.size ? `an attribute of a configparser set (${[...parser.attrs.keys()].join(', ')}), which this reader does not model` : undefined);
  if (why && !/^(read|read_file|readfp|read_string|read_dict|set|add_section|remove_option|remove_section)$/.test(method)) return unknown(`configparser ${method}(): ${why}`, loc);
  if (o.type === SECTION_TYPE) {
    const { name } = o.data as { parser: ObjV; name: string };
    const st = pst;
    switch (method) {
      case '__getitem__': {
        const opt = optionName(args[0]);
        if (opt === null) return unknown(`${name}[${args[0] ? repr(args[0]) : ''}] (an option name not known statically)`, loc);
        if (rawOf(st, name, opt) === MISSING) {
          if (st.inexact) return unknown(`configparser option ${name}.${opt} (${st.inexact.reason})`, st.inexact.loc ?? loc);
          throw new PyErr('KeyError', repr(str(opt)), loc);
        }
        return valueOf(st, name, opt, loc);
      }
      case '__contains__': {
        const opt = optionName(args[0]);
        if (opt === null) return unknown(`an option in section ${name}`, loc);
        return has(st, name, opt);
      }
      case 'keys': {
        if (st.inexact) return unknown(`the options of section ${name} (${st.inexact.reason})`, st.inexact.loc ?? loc);
        return list(optionsOf(st, name).map(str));
      }
      case 'items': {
        if (st.inexact) return unknown(`the options of section ${name} (${st.inexact.reason})`, st.inexact.loc ?? loc);
        return list(optionsOf(st, name).map(k => tuple([str(k), valueOf(st, name, k, loc)])));
      }
      default:
        // section.get(option, fallback=None, *, raw=False, vars=None)
        return typedGet(it, st, method, name, args[0], kwargs, args[1] ?? kwarg(kwargs, 'fallback') ?? NONE, loc);
    }
  }
  if (o.type !== PARSER_TYPE) return undefined;
  const st = o.data as ParserState;
  const a0 = args[0];
  switch (method) {
    case 'read': {
      const names = a0 ? filenames(it, a0) : [];
      if (names === null) { st.inexact = { reason: `configparser read(${a0 ? repr(a0) : ''}): files not known statically`, loc }; return unknown('the configuration files read', loc); }
      const read: Value[] = [];
      const away: string[] = [];
      for (const file of names) {
        // a name not known statically (Path.home() / ".app.cfg"): not a file of the project either
        if (typeof file !== 'string') { away.push(file.what); continue; }
        const abs = path.isAbsolute(file) ? file : it.workingDir(loc) ? path.join(it.workingDir(loc)!, file) : null;
        if (abs === null) { st.inexact = { reason: `configparser read(${JSON.stringify(file)}): a path relative to a working directory not known`, loc }; continue; }
        if (!inProject(it.index.roots, abs)) { away.push(abs); continue; }
        if (!statFile(abs)) continue;
        let text: string;
        try {
          text = readText(abs);
        } catch {
          continue;
        }
        readText_(st, text, abs, loc);
        read.push(str(file));
      }
      // (outside the project: where the project is deployed, as an environment variable not set here)
      if (away.length) it.noteAssumption(`configuration file${away.length === 1 ? '' : 's'} ${away.join(', ')}, outside the project, read as absent: where the project is deployed ${away.length === 1 ? 'it' : 'they'} may set other values`, loc);
      return list(read);
    }
    case 'read_file': case 'readfp': {
      const f = a0;
      if (f?.kind === 'obj' && f.type === 'file') {
        const d = f.data as { path: string; text: string; pos: number };
        readText_(st, d.text.slice(d.pos), d.path, loc);
        d.pos = d.text.length;
        return NONE;
      }
      if (f?.kind === 'list' && !f.more && f.items.every(x => x.kind === 'str')) { readText_(st, f.items.map(x => (x as { v: string }).v.replace(/\r?\n$/, '')).join('\n'), '<list>', loc); return NONE; }
      st.inexact = { reason: `configparser read_file(${f ? repr(f) : ''}): a file not known statically`, loc };
      return NONE;
    }
    case 'read_string': {
      if (a0?.kind === 'str') { readText_(st, a0.v, '<string>', loc); return NONE; }
      st.inexact = { reason: `configparser read_string(${a0 ? repr(a0) : ''}): text not known statically`, loc };
      return NONE;
    }
    case 'read_dict': {
      const entries = a0 ? mapEntries(a0) : null;
      if (!entries) { st.inexact = { reason: `configparser read_dict(${a0 ? repr(a0) : ''}): values not known statically`, loc }; return NONE; }
      readDict(st, entries, loc);
      return NONE;
    }
    case 'get': case 'getint': case 'getfloat': case 'getboolean': {
      const section = sectionName(a0);
      if (section === null) return unknown(`configparser ${method}(${a0 ? repr(a0) : ''}, …): a section not known statically`, loc);
      return typedGet(it, st, method, section, args[1], kwargs, kwarg(kwargs, 'fallback'), loc);
    }
    case 'has_section': {
      const section = sectionName(a0);
      if (section === null) return unknown('configparser has_section() of a name not known statically', loc);
      if (section !== DEFAULTSECT && st.sections.has(section)) return TRUE;
      return st.inexact ? unknown(`configparser has_section(${JSON.stringify(section)}) (${st.inexact.reason})`, st.inexact.loc ?? loc) : FALSE;
    }
    case 'has_option': {
      const section = sectionName(a0);
      const opt = optionName(args[1]);
      if (section === null || opt === null) return unknown('configparser has_option() of names not known statically', loc);
      if (section !== DEFAULTSECT && !st.sections.has(section)) return st.inexact ? unknown(`configparser has_option (${st.inexact.reason})`, st.inexact.loc ?? loc) : FALSE;
      return has(st, section, opt);
    }
    case 'sections':
      if (st.inexact) return unknown(`configparser sections() (${st.inexact.reason})`, st.inexact.loc ?? loc);
      return list([...st.sections.keys()].map(str));
    case 'options': case 'items': {
      if (method === 'items' && !a0) return unknown('configparser items() of every section', loc);
      const section = sectionName(a0);
      if (section === null) return unknown(`configparser ${method}() of a section not known statically`, loc);
      if (st.inexact) return unknown(`configparser ${method}(${JSON.stringify(section)}) (${st.inexact.reason})`, st.inexact.loc ?? loc);
      if ((section === DEFAULTSECT && method === 'options') || (section !== DEFAULTSECT && !st.sections.has(section))) throw new PyErr('NoSectionError', `No section: ${repr(str(section))}`, loc);
      const rawKw = kwarg(kwargs, 'raw') ?? args[1];
      const raw = rawKw ? truthy(rawKw) === true : false;
      return method === 'options' ? list(optionsOf(st, section).map(str)) : list(itemsOrder(st, section).map(k => tuple([str(k), valueOf(st, section, k, loc, raw)])));
    }
    case 'defaults':
      if (st.inexact) return unknown(`configparser defaults() (${st.inexact.reason})`, st.inexact.loc ?? loc);
      return dict([...st.defaults].map(([k, v]) => [str(k), v === null ? NONE : str(v)] as [Value, Value]));
    case 'set': {
      const section = sectionName(a0);
      const opt = optionName(args[1]);
      const v = args[2] ?? kwarg(kwargs, 'value') ?? NONE;
      if (section === null || opt === null) { st.inexact = { reason: 'configparser set() of names not known statically', loc }; return NONE; }
      const target = section === DEFAULTSECT ? st.defaults : st.sections.get(section);
      if (!target) throw new PyErr('NoSectionError', `No section: ${repr(str(section))}`, loc);
      const text = v.kind === 'none' ? null : v.kind === 'str' ? v.v : null;
      if (v.kind !== 'none' && v.kind !== 'str') {
        if (st.raw) { const t = pyStr(v); if (t !== null) { target.set(opt, t); return NONE; } }
        // ConfigParser.set() takes strings only
        if (!st.raw) throw new PyErr('TypeError', 'option values must be strings', loc);
        st.inexact = { reason: `configparser set(${JSON.stringify(section)}, ${JSON.stringify(opt)}, ${repr(v)})`, loc };
        return NONE;
      }
      target.set(opt, text);
      return NONE;
    }
    case 'add_section': {
      const section = sectionName(a0);
      if (section === null) { st.inexact = { reason: 'configparser add_section() of a name not known statically', loc }; return NONE; }
      if (section === DEFAULTSECT) throw new PyErr('ValueError', `Invalid section name: ${repr(str(section))}`, loc);
      if (st.sections.has(section)) throw new PyErr('DuplicateSectionError', `Section ${repr(str(section))} already exists`, loc);
      st.sections.set(section, new Map());
      return NONE;
    }
    case 'remove_section': {
      const section = sectionName(a0);
      if (section === null) { st.inexact = { reason: 'configparser remove_section() of a name not known statically', loc }; return unknown('remove_section()', loc); }
      return st.sections.delete(section) ? TRUE : FALSE;
    }
    case 'remove_option': {
      const section = sectionName(a0);
      const opt = optionName(args[1]);
      if (section === null || opt === null) { st.inexact = { reason: 'configparser remove_option() of names not known statically', loc }; return unknown('remove_option()', loc); }
      const target = section === DEFAULTSECT ? st.defaults : st.sections.get(section);
      if (!target) throw new PyErr('NoSectionError', `No section: ${repr(str(section))}`, loc);
      return target.delete(opt) ? TRUE : FALSE;
    }
    case 'optionxform':
      return a0?.kind === 'str' ? str(a0.v.toLowerCase()) : unknown('optionxform()', loc);
    case '__getitem__': {
      const section = sectionName(a0);
      if (section === null) return unknown(`configparser[${a0 ? repr(a0) : ''}]: a section not known statically`, loc);
      if (section !== DEFAULTSECT && !st.sections.has(section)) {
        if (st.inexact) return unknown(`configparser section ${section} (${st.inexact.reason})`, st.inexact.loc ?? loc);
        throw new PyErr('KeyError', repr(str(section)), loc);
      }
      return obj(SECTION_TYPE, { parser: o, name: section });
    }
    case '__contains__': {
      const section = sectionName(a0);
      if (section === null) return unknown('a section in a configparser', loc);
      if (section === DEFAULTSECT || st.sections.has(section)) return TRUE;
      return st.inexact ? unknown(`configparser section ${section} (${st.inexact.reason})`, st.inexact.loc ?? loc) : FALSE;
    }
    default:
      return undefined;
  }
}

const MISSING = Symbol('missing');

function sectionName(v: Value | undefined): string | null {
  return v?.kind === 'str' ? v.v : null;
}

function optionName(v: Value | undefined): string | null {
  return v?.kind === 'str' ? v.v.toLowerCase() : null;
}

function has(st: ParserState, section: string, opt: string): Value {
  const own = section === DEFAULTSECT ? undefined : st.sections.get(section);
  if (own?.has(opt) || st.defaults.has(opt)) return TRUE;
  return st.inexact ? unknown(`configparser option ${section}.${opt} (${st.inexact.reason})`, st.inexact.loc) : FALSE;
}

/** options(): the section's own names, then DEFAULT's (items() lists DEFAULT's first: itemsOrder) */
function optionsOf(st: ParserState, section: string): string[] {
  const own = section === DEFAULTSECT ? [] : [...(st.sections.get(section)?.keys() ?? [])];
  return [...new Set([...own, ...st.defaults.keys()])];
}

/** items(section): DEFAULT's names first, then the section's others (CPython copies the defaults, then updates) */
function itemsOrder(st: ParserState, section: string): string[] {
  const own = section === DEFAULTSECT ? [] : [...(st.sections.get(section)?.keys() ?? [])];
  return [...new Set([...st.defaults.keys(), ...own])];
}

/** The raw text of an option: its section's, else DEFAULT's; MISSING when neither has it. */
function rawOf(st: ParserState, section: string, opt: string): string | null | typeof MISSING {
  const own = section === DEFAULTSECT ? undefined : st.sections.get(section);
  if (own?.has(opt)) return own.get(opt)!;
  if (st.defaults.has(opt)) return st.defaults.get(opt)!;
  return MISSING;
}

function valueOf(st: ParserState, section: string, opt: string, loc: Loc, raw = false): Value {
  const v = rawOf(st, section, opt);
  if (v === MISSING) return unknown(`configparser option ${section}.${opt}`, loc);
  if (v === null) return NONE;
  return raw || st.raw ? str(v) : interpolate(st, section, opt, v, loc, 0);
}

/** BasicInterpolation: %(name)s from the same section (or DEFAULT), %% for a percent sign. */
function interpolate(st: ParserState, section: string, opt: string, v: string, loc: Loc, depth: number): Value {
  if (st.otherInterpolation) return /[$%]/.test(v) ? unknown(`configparser option ${section}.${opt}: ${JSON.stringify(v)} with an interpolation not modelled`, loc) : str(v);
  if (!v.includes('%')) return str(v);
  if (depth > 10) throw new PyErr('InterpolationError', `Recursion limit exceeded in value substitution: option ${repr(str(opt))} in section ${repr(str(section))}`, loc);
  let out = '';
  for (let i = 0; i < v.length;) {
    const p = v.indexOf('%', i);
    if (p < 0) { out += v.slice(i); break; }
    out += v.slice(i, p);
    if (v[p + 1] === '%') { out += '%'; i = p + 2; continue; }
    const m = /^%\(([^)]+)\)s/.exec(v.slice(p));
    if (!m) throw new PyErr('InterpolationError', `'%' must be followed by '%' or '(', found: ${repr(str(v.slice(p)))}`, loc);
    const ref = m[1]!.toLowerCase();
    const r = rawOf(st, section, ref);
    if (r === MISSING) {
      if (st.inexact) return unknown(`configparser option ${section}.${ref} (${st.inexact.reason})`, st.inexact.loc ?? loc);
      throw new PyErr('InterpolationError', `Bad value substitution: option ${repr(str(opt))} in section ${repr(str(section))} contains an interpolation key ${repr(str(ref))} which is not a valid option name.`, loc);
    }
    const sub = r === null ? null : interpolate(st, section, ref, r, loc, depth + 1);
    if (sub === null || sub.kind !== 'str') return sub ?? unknown(`configparser option ${section}.${ref}`, loc);
    out += sub.v;
    i = p + m[0].length;
  }
  return str(out);
}

/** get/getint/getfloat/getboolean of `section`: the option's value converted, else the fallback, else an error. */
function typedGet(it: Evaluator, st: ParserState, method: string, section: string, optV: Value | undefined, kwargs: KW, fallback: Value | undefined, loc: Loc): Value {
  const opt = optionName(optV);
  if (opt === null) return unknown(`configparser ${method}(${JSON.stringify(section)}, ${optV ? repr(optV) : ''}): an option not known statically`, loc);
  const rawKw = kwarg(kwargs, 'raw');
  const raw = rawKw ? truthy(rawKw) === true : false;
  const known = section === DEFAULTSECT || st.sections.has(section);
  const v = known ? rawOf(st, section, opt) : MISSING;
  // after a read of a file or values not known statically (inexact), what the parser holds is kept, as the names a
  // namespace holds are when unknown code may replace them, and said
  if (st.inexact && (v !== MISSING || fallback !== undefined)) it.noteAssumption(`configparser option ${section}.${opt} is read as ${v === MISSING ? 'not set (its fallback)' : 'set before'}: ${st.inexact.reason}, may set it`, loc);
  if (v === MISSING) {
    if (fallback !== undefined) return fallback;
    // an option a file or value not known statically may set: not an error Python would raise
    if (st.inexact) return unknown(`configparser option ${section}.${opt} (${st.inexact.reason})`, st.inexact.loc ?? loc);
    if (!known) throw new PyErr('NoSectionError', `No section: ${repr(str(section))}`, loc);
    throw new PyErr('NoOptionError', `No option ${repr(str(opt))} in section: ${repr(str(section))}`, loc);
  }
  const value = v === null ? NONE : raw || st.raw ? str(v) : interpolate(st, section, opt, v, loc, 0);
  if (method === 'get' || value.kind !== 'str') return value;
  if (method === 'getboolean') {
    // (RawConfigParser._convert_to_boolean: value.lower(), no strip)
    const b = Object.prototype.hasOwnProperty.call(BOOLEAN, value.v.toLowerCase()) ? BOOLEAN[value.v.toLowerCase()] : undefined;
    if (b === undefined) throw new PyErr('ValueError', `Not a boolean: ${value.v}`, loc);
    return b ? TRUE : FALSE;
  }
  // int() and float() of a str: surrounding whitespace, a sign, digits grouped by underscores; float() also takes
  // an exponent, inf and nan
  const text = value.v.trim();
  const digits = '\\d(?:_?\\d)*';
  const n = method === 'getint'
    ? (new RegExp(`^[-+]?${digits}$`).test(text) ? Number(text.replace(/_/g, '')) : NaN)
    : new RegExp(`^[-+]?(?:(?:${digits})?\\.?${digits}(?:[eE][-+]?${digits})?|${digits}\\.)$`).test(text) ? Number(text.replace(/_/g, ''))
      : /^[-+]?(inf|infinity)$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : /^[-+]?nan$/i.test(text) ? NaN : undefined;
  if (n === undefined || (method === 'getint' && Number.isNaN(n))) throw new PyErr('ValueError', method === 'getint' ? `invalid literal for int() with base 10: ${repr(str(value.v))}` : `could not convert string to float: ${repr(str(value.v))}`, loc);
  return num(n, method === 'getfloat');
}

/**
 * read()'s argument: one file name or a list of them (str or path), a name not known statically as what it is; null
 * when the list itself is not known.
 */
function filenames(it: Evaluator, v: Value): (string | { what: string })[] | null {
  if (v.kind === 'str') return [v.v];
  if (v.kind === 'path') return [v.p];
  if (v.kind === 'unknown') return null;
  const items = it.iter(v);
  if (!items || (v.kind === 'list' && v.more)) return null;
  return items.map(x => (x.kind === 'str' ? x.v : x.kind === 'path' ? x.p : { what: x.kind === 'unknown' ? `a file not known statically (${x.reason})` : repr(x) }));
}

/** A mapping's entries as [section, value] (read_dict): null when not known in full. */
function mapEntries(v: Value): Map<string, Value> | null {
  if (v.kind !== 'dict' || v.inexact) return null;
  const out = new Map<string, Value>();
  for (const e of v.map.values()) {
    const k = pyStr(e.k);
    if (k === null) return null;
    out.set(k, e.v);
  }
  return out;
}

/** read_dict: sections in order, keys lower-cased, values made strings (None kept, for allow_no_value). */
function readDict(st: ParserState, entries: Map<string, Value>, loc: Loc): void {
  for (const [section, body] of entries) {
    if (body.kind !== 'dict' || body.inexact) { st.inexact = { reason: `configparser section ${section}: options not known statically`, loc }; continue; }
    const target = section === DEFAULTSECT ? st.defaults : (st.sections.get(section) ?? st.sections.set(section, new Map()).get(section)!);
    for (const e of body.map.values()) {
      const k = pyStr(e.k);
      if (k === null) { st.inexact = { reason: `configparser section ${section}: an option name not known statically`, loc }; continue; }
      if (e.v.kind === 'none') { target.set(k.toLowerCase(), null); continue; }
      const text = pyStr(e.v);
      if (text === null) {
        st.inexact = { reason: `configparser option ${section}.${k.toLowerCase()}: ${e.v.kind === 'unknown' ? e.v.reason : repr(e.v)}`, loc: e.v.kind === 'unknown' ? e.v.loc ?? loc : loc };
        target.delete(k.toLowerCase());
        continue;
      }
      target.set(k.toLowerCase(), text);
    }
  }
}

/**
 * An INI text read into the parser as configparser's default dialect does: `[section]` headers, `key = value` or
 * `key: value` (the first delimiter), `#`/`;` comment lines, indented lines continuing the value before them, a key
 * alone (allow_no_value is off: a ParsingError, as CPython raises).
 */
function readText_(st: ParserState, text: string, file: string, loc: Loc): void {
  let section: Map<string, string | null> | null = null;
  let last: { map: Map<string, string | null>; key: string; indent: number } | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let blanks = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const stripped = line.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
    const indent = line.length - line.trimStart().length;
    if (!stripped) { if (last) blanks++; continue; }
    // a continuation: indented deeper than its option
    if (last && indent > last.indent) {
      const prev = last.map.get(last.key);
      last.map.set(last.key, `${prev ?? ''}${'\n'.repeat(blanks + 1)}${stripped}`);
      blanks = 0;
      continue;
    }
    blanks = 0;
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1]!;
      if (name === DEFAULTSECT) section = st.defaults;
      else section = st.sections.get(name) ?? st.sections.set(name, new Map()).get(name)!;
      last = null;
      continue;
    }
    if (!section) throw new PyErr('MissingSectionHeaderError', `File contains no section headers. file: ${repr(str(file))}, line: ${n + 1} ${repr(str(line))}`, loc);
    const m = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!m || !m[1]) throw new PyErr('ParsingError', `Source contains parsing errors: ${repr(str(file))} [line ${n + 1}]: ${repr(str(line))}`, loc);
    const key = m[1].toLowerCase();
    section.set(key, m[2]!);
    last = { map: section, key, indent };
  }
}

/** `parser["section"] = {...}` (the section replaced by those options) and `parser["section"]["option"] = "value"`. */
export function configparserSetItem(o: ObjV, k: Value, v: Value, loc: Loc): void {
  const parser = o.type === SECTION_TYPE ? (o.data as { parser: ObjV }).parser : o;
  const st = parser.data as ParserState;
  if (o.type === SECTION_TYPE) {
    const section = (o.data as { name: string }).name;
    const opt = optionName(k);
    const target = section === DEFAULTSECT ? st.defaults : st.sections.get(section);
    const text = v.kind === 'str' ? v.v : st.raw ? pyStr(v) : null;
    if (opt === null || !target || text === null) { st.inexact = { reason: `configparser ${section}[${repr(k)}] set to ${repr(v)}`, loc }; if (opt !== null) target?.delete(opt); return; }
    target.set(opt, text);
    return;
  }
  const section = sectionName(k);
  if (section === null) { st.inexact = { reason: `configparser[${repr(k)}] set`, loc }; return; }
  if (section === DEFAULTSECT) st.defaults.clear();
  else st.sections.get(section)?.clear();
  readDict(st, new Map([[section, v]]), loc);
}