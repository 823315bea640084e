// Findings → Problems panel. The same Finding is a CLI line (formatFinding) and a JSON object (toReport);
// here it is a Diagnostic on the line the core reported, with links to the model/router that explain it.
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { Finding } from '../core/types';
import { FINDING_RULES, isFindingCode, type FindingCode } from '../core/finding-codes';
import { findingDocUri, initFindingDocs } from './findingDocs';
import type { ProjectIndex } from '../core/scan';
import type { CrossDbSeverity } from './config';
import { RELATED_CODES, relatedWithText, type RelatedPlace } from './model/related';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';
import { slicer } from './slice';

export const DIAGNOSTIC_SOURCE = 'django-multidb';

/** The finding code of one of our diagnostics (its `code` is `{ value, target }`: the code links to its docs). */
export function findingCodeOf(d: vscode.Diagnostic): FindingCode | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const c = typeof d.code === 'object' ? d.code.value : d.code;
  return typeof c === 'string' && isFindingCode(c) ? c : undefined;
}

// the enum's values, read once: the `vscode` namespace is an API object whose members cost a lookup each (a
// first answer asks for a severity per finding, tens of thousands)
const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
} as const;

function severityOf(f: Finding, crossDb: CrossDbSeverity, unknownRouting: boolean): vscode.DiagnosticSeverity | undefined {
  if (f.code === 'cross-db-foreign-key') {
    switch (crossDb) {
      case 'off':
        return undefined;
      case 'error':
        return SEVERITY.error;
      case 'information':
        return SEVERITY.information;
      case 'hint':
        return SEVERITY.hint;
      default:
        return SEVERITY.warning;
    }
  }
  if (f.code === 'unknown-routing') return unknownRouting ? SEVERITY.information : undefined;
  // migration lints as infos (single-database project, irreversible operations): hundreds in a large project's
  // history; a hint marks the line and offers the quick fix without filling the Problems panel
  if (f.severity === 'info' && FINDING_RULES[f.code].area === 'authoring') return SEVERITY.hint;
  return f.severity === 'error' ? SEVERITY.error : f.severity === 'warning' ? SEVERITY.warning : SEVERITY.information;
}

/** Lines of a file on disk, kept while its mtime and size stay (every update of the diagnostics asks again). */
const diskLines = new Map<string, { mtimeMs: number; size: number; lines: string[] }>();

/**
 * Lines of files, read once per update (open documents win: they may hold unsaved text, and give a line without the
 * whole text: the file being typed in is read after every edit).
 */
class LineSource {
  private readonly cache = new Map<string, string[] | vscode.TextDocument | null>();
  private docs: Map<string, vscode.TextDocument> | undefined;
  async line(file: string, line1: number): Promise<string | undefined> {
    let lines = this.cache.get(file);
    if (lines === undefined) {
      this.docs ??= new Map(vscode.workspace.textDocuments.map(d => [d.uri.fsPath, d]));
      lines = this.docs.get(file) ?? await readLines(file);
      this.cache.set(file, lines);
    }
    if (!lines) return undefined;
    if (Array.isArray(lines)) return lines[line1 - 1];
    return line1 >= 1 && line1 <= lines.lineCount ? lines.lineAt(line1 - 1).text : undefined;
  }
}

async function readLines(file: string): Promise<string[] | null> {
  try {
    const st = await fs.promises.stat(file);
    const hit = diskLines.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.lines;
    const lines = (await fs.promises.readFile(file, 'utf8')).split(/\r?\n/);
    diskLines.set(file, { mtimeMs: st.mtimeMs, size: st.size, lines });
    return lines;
  } catch {
    return null;
  }
}

function toRelated(places: readonly RelatedPlace[]): vscode.DiagnosticRelatedInformation[] {
  return places.map(r => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.path), new vscode.Position(Math.max(0, r.line - 1), 0)), r.message));
}

/**
 * The core reports a cross-database relation once per (model, field, alias), as docs/scan-json.md says; the editor
 * shows one diagnostic per field, naming the aliases, so the hover leads with the verdict rather than a list.
 */
export function groupCrossDb(findings: readonly Finding[]): Finding[] {
  // (per findings array: an update makes the files in the editors first, then all of them, from the same array)
  let out = groupedLists.get(findings);
  if (!out) groupedLists.set(findings, (out = groupCrossDbNow(findings)));
  return out;
}

const groupedLists = new WeakMap<readonly Finding[], Finding[]>();

function groupCrossDbNow(findings: readonly Finding[]): Finding[] {
  // (the groups in the places of their first findings; a field's key made once per finding object: an edit makes a
  // new findings array of mostly the same objects, hundreds of them cross-database relations)
  const out: (Finding | FieldGroup)[] = [];
  const byField = new Map<string, FieldGroup>();
  for (const f of findings) {
    if (f.code !== 'cross-db-foreign-key') { out.push(f); continue; }
    let key = fieldKeys.get(f);
    if (key === undefined) fieldKeys.set(f, (key = `${f.path}:${f.line}:${f.model}.${f.field}`));
    const g = byField.get(key);
    if (g) { if (f.alias) g.aliases.push(f.alias); continue; }
    const entry: FieldGroup = { group: f, aliases: f.alias ? [f.alias] : [] };
    byField.set(key, entry);
    out.push(entry);
  }
  return out.map(x => {
    if (!('group' in x)) return x;
    const f = x.group;
    const where = x.aliases.map(a => `'${a}'`).join(', ');
    // the same finding grouped the same way is the same object as last time (the diagnostics' cache compares them)
    const kept = grouped.get(f);
    if (kept && kept.where === where) return kept.finding;
    const finding = { ...f, message: `${f.model}.${f.field} → ${f.target}: the relation crosses databases on ${where}, where ${f.target} does not live.` };
    grouped.set(f, { where, finding });
    return finding;
  });
}

/** A cross-database relation's findings of one field (one per alias), shown as one diagnostic. */
interface FieldGroup { group: Finding; aliases: string[] }

const fieldKeys = new WeakMap<Finding, string>();

const grouped = new WeakMap<Finding, { where: string; finding: Finding }>();

/**
 * Diagnostics of one file, kept while its findings (and, for an open document, its version) are the same: an
 * edit changes the findings of a few files, and the others keep their Diagnostic objects, so neither their lines
 * are read again nor are they sent to VS Code again (issue 11: a large project has thousands of findings).
 */
const byFileCache = new Map<string, { root: string; version: number | undefined; items: DiagnosticItem[]; list: vscode.Diagnostic[]; related: RelatedBasis }>();

/**
 * What the related information of a file's diagnostics was made from (`related`: the deciding routers' lines, the
 * target models' and leaf migrations' places), and that information as text: the same findings after a router edit
 * may have other routers' lines to point at.
 */
interface RelatedBasis { routing: ProjectIndex['routing']; models: ProjectIndex['models']; migrations: ProjectIndex['migrations']; text: string }

function relatedText(index: ProjectIndex, items: readonly DiagnosticItem[]): string {
  let out = '';
  for (const { f } of items) if (RELATED_CODES.has(f.code)) out += relatedWithText(index, f).text;
  return out;
}

/** The related information of `items` as it was when `hit` was made, from `index` (computed again only when what it is made from changed). */
function sameRelated(index: ProjectIndex, items: readonly DiagnosticItem[], hit: RelatedBasis): boolean {
  if (hit.routing === index.routing && hit.models === index.models && hit.migrations === index.migrations) return true;
  // (a file whose findings have no related information, the most: nothing to compare)
  if ((hit.text !== '' || items.some(x => RELATED_CODES.has(x.f.code))) && relatedText(index, items) !== hit.text) return false;
  hit.routing = index.routing;
  hit.models = index.models;
  hit.migrations = index.migrations;
  return true;
}

interface DiagnosticItem { f: Finding; severity: vscode.DiagnosticSeverity; line: number }

/** A finding's content as a string, made once per finding object (an index keeps the objects of unchanged findings). */
const findingKeys = new WeakMap<Finding, string>();
function findingKey(f: Finding): string {
  let k = findingKeys.get(f);
  if (k === undefined) findingKeys.set(f, (k = JSON.stringify(f)));
  return k;
}

function sameItems(a: readonly DiagnosticItem[], b: readonly DiagnosticItem[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.severity !== y.severity || x.line !== y.line || (x.f !== y.f && findingKey(x.f) !== findingKey(y.f))) return false;
  }
  return true;
}

/** A diagnostic's code with the link to its documentation: one per finding code (a parsed Uri each was 60 ms of an update) */
const codes = new Map<string, { value: string; target: vscode.Uri }>();
function codeOf(code: FindingCode): { value: string; target: vscode.Uri } {
  let c = codes.get(code);
  if (!c) codes.set(code, (c = { value: code, target: findingDocUri(code) }));
  return c;
}

/** Per project: the last answer, with what it was computed from (most updates follow a change elsewhere). */
const lastAnswer = new WeakMap<DjangoProject, {
  findings: readonly Finding[]; root: string; crossDb: CrossDbSeverity; unknownRouting: boolean; versions: Map<string, number | undefined>; out: Map<string, vscode.Diagnostic[]>;
} & Pick<ProjectIndex, 'settings' | 'models' | 'routing' | 'migrations'>>();

/** A finding's file, line and severity in the Problems panel; undefined for one shown elsewhere or not at all. */
function place(index: ProjectIndex, f: Finding, crossDb: CrossDbSeverity, unknownRouting: boolean): { file: string; line: number; severity: vscode.DiagnosticSeverity } | undefined {
  // the others have their own UI (pending migrations: panel, tree and status bar; Django mode: the views' status)
  if (FINDING_RULES[f.code].shownIn !== 'problems') return undefined;
  // a package's migrations: the "Third-party migrations" node of the Databases view lists them (model/thirdParty.ts)
  if (f.environment) return undefined;
  const severity = severityOf(f, crossDb, unknownRouting);
  if (severity === undefined) return undefined;
  let file = f.path;
  let line = f.line;
  if (!file && f.code === 'database-unreachable' && index.settings) {
    const loc = index.settings.databases.find(d => d.alias === f.alias)?.loc;
    file = loc?.path ?? index.settings.path;
    line = loc?.line ?? null;
  }
  return file ? { file, line: Math.max(1, line ?? 1), severity } : undefined;
}

/** `place` of each finding object, with the configuration and settings it was placed with. */
const placedFindings = new WeakMap<Finding, { cfg: string; settings: ProjectIndex['settings']; at: ReturnType<typeof place> }>();

/**
 * The diagnostics of project `p`'s findings, per file; `only`: of these files alone (the files in the editors, made
 * first: what the user looks at shows before the rest of a large project's diagnostics are made).
 */
export async function diagnosticsFor(p: DjangoProject, crossDb: CrossDbSeverity, unknownRouting: boolean, only?: ReadonlySet<string>): Promise<Map<string, vscode.Diagnostic[]>> {
  const index = p.index;
  const out = new Map<string, vscode.Diagnostic[]>();
  if (!index) return out;
  const last = lastAnswer.get(p);
  const versions = new Map(vscode.workspace.textDocuments.map(d => [d.uri.fsPath, d.version]));
  // (the same findings, but other models, routing or migrations: their related links may point elsewhere, and where
  // a finding shows depends on the settings)
  if (last && last.findings === index.findings && last.root === p.root && last.crossDb === crossDb && last.unknownRouting === unknownRouting
    && last.settings === index.settings && last.models === index.models && last.routing === index.routing && last.migrations === index.migrations
    && [...last.versions].every(([f, v]) => versions.get(f) === v)) return only ? new Map([...last.out].filter(([f]) => only.has(f))) : last.out;
  const slice = slicer();
  const perFile = new Map<string, DiagnosticItem[]>();
  const cfg = `${crossDb}|${unknownRouting}`;
  for (const f of groupCrossDb(index.findings)) {
    const y = slice();
    if (y) await y;
    // where and how a finding shows, kept with the finding object (an index keeps the objects of unchanged findings)
    let placed = placedFindings.get(f);
    if (!placed || placed.cfg !== cfg || placed.settings !== index.settings) {
      placed = { cfg, settings: index.settings, at: place(index, f, crossDb, unknownRouting) };
      placedFindings.set(f, placed);
    }
    if (!placed.at || (only && !only.has(placed.at.file))) continue;
    const { file, line, severity } = placed.at;
    const list = perFile.get(file);
    if (list) list.push({ f, severity, line });
    else perFile.set(file, [{ f, severity, line }]);
  }
  const lines = new LineSource();
  const files: { file: string; items: DiagnosticItem[]; kept: ReturnType<typeof byFileCache.get> }[] = [];
  for (const [file, items] of perFile) {
    const y = slice();
    if (y) await y;
    const hit = byFileCache.get(file);
    files.push({ file, items, kept: hit && hit.root === p.root && hit.version === versions.get(file) && sameItems(hit.items, items) && sameRelated(index, items, hit.related) ? hit : undefined });
  }
  // the lines of the files whose diagnostics are made again, read at once rather than one file after another (a
  // settings edit changes the findings of a hundred files: a stat each, in turn, took 20-200 ms of a busy host)
  const toRead = files.filter(f => !f.kept).map(f => f.file);
  // (16 at a time: a first answer has findings in thousands of files, each an open file while it is read)
  await Promise.all(Array.from({ length: Math.min(16, toRead.length) }, async () => {
    for (let file = toRead.pop(); file !== undefined; file = toRead.pop()) {
      await lines.line(file, 1);
      const y = slice();
      if (y) await y;
    }
  }));
  for (const { file, items, kept } of files) {
    if (kept) { out.set(file, kept.list); continue; }
    const y = slice();
    if (y) await y;
    const version = versions.get(file);
    const list: vscode.Diagnostic[] = [];
    let relatedTextNow = '';
    for (const { f, severity, line: l1 } of items) {
      const text = (await lines.line(file, l1)) ?? '';
      const start = text.length - text.trimStart().length;
      const range = new vscode.Range(l1 - 1, start, l1 - 1, Math.max(start, text.trimEnd().length));
      const d = new vscode.Diagnostic(range, f.message, severity);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = codeOf(f.code);
      if (RELATED_CODES.has(f.code)) {
        const { places, text } = relatedWithText(index, f);
        if (places.length) d.relatedInformation = toRelated(places);
        relatedTextNow += text;
      }
      list.push(d);
    }
    byFileCache.set(file, { root: p.root, version, items, list, related: { routing: index.routing, models: index.models, migrations: index.migrations, text: relatedTextNow } });
    out.set(file, list);
  }
  if (!only) {
    // the files of this project without findings now: their entries would keep the index they were made from (its
    // routing, models and migrations, and all that is cached per array) alive for as long as the extension runs
    for (const [file, e] of byFileCache) if (e.root === p.root && !out.has(file)) byFileCache.delete(file);
    lastAnswer.set(p, {
      findings: index.findings, root: p.root, crossDb, unknownRouting, versions: new Map([...out.keys()].map(f => [f, versions.get(f)])), out,
      settings: index.settings, models: index.models, routing: index.routing, migrations: index.migrations,
    });
  }
  return out;
}

/**
 * The diagnostics one batch (one message to the window) carries at most. VS Code converts them on the host's thread
 * in one go: with 2,000, this extension's share of the host's longest pause while typing was 70 ms in one of five runs
 * alone and 119 ms in CI (beside the UI tests); with 250, 27-40 ms in three runs alone.
 */
const BATCH_DIAGNOSTICS = 250;

export const registerDiagnostics: Feature = (svc: Services) => {
  initFindingDocs(svc.context.extensionUri);
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  // One update at a time, and one more after it when something changed meanwhile. (An update that gave way to any
  // newer one could be given way forever while changes kept coming, a Django answer and a state read behind an
  // edit: the edit's diagnostics then waited for them all.)
  let running: Promise<void> | undefined;
  let again = false;
  const update = (): Promise<void> => {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        await updateOnce();
      } while (again);
    })().finally(() => { running = undefined; });
    return running;
  };
  const updateOnce = async () => {
    const started = Date.now();
    for (const p of svc.projects.projects) p.diagnosticsStartedAt = started;
    const projects = svc.projects.projects;
    // (taken once per project and update: the files in the editors and then all files are made with the same
    // settings. The project's kept settings, read again before a settings change reaches this listener: reading
    // VS Code's configuration here took 1-2 ms per keystroke, two readings of every key)
    const settings = new Map<DjangoProject, { crossDb: CrossDbSeverity; unknownRouting: boolean }>();
    const settingsOf = (p: DjangoProject) => {
      let c = settings.get(p);
      if (c === undefined) settings.set(p, (c = { crossDb: p.config.crossDatabaseForeignKeys, unknownRouting: p.config.unknownRouting }));
      return c;
    };
    const made = async (only?: ReadonlySet<string>) => {
      const all = new Map<string, vscode.Diagnostic[]>();
      for (const p of projects) {
        const c = settingsOf(p);
        for (const [file, list] of await diagnosticsFor(p, c.crossDb, c.unknownRouting, only)) {
          const had = all.get(file);
          all.set(file, had ? [...had, ...list] : list);
        }
      }
      return all;
    };
    // Only the files whose diagnostics changed go to VS Code, in batches: each set or delete of a collection is a
    // message to the window, whose Problems view, editor squiggles and file decorations update per message. A router
    // edit changes the cross-database findings of hundreds of files: one message per file kept the window busy, and
    // the next keystroke reached the extension late. A batch goes when the loop yields (SLICE_MS) or holds
    // BATCH_DIAGNOSTICS: VS Code converts a batch in one go, on this thread.
    let batch: [vscode.Uri, vscode.Diagnostic[] | undefined][] = [];
    let batched = 0;
    const flush = () => {
      if (!batch.length) return;
      collection.set(batch);
      batch = [];
      batched = 0;
    };
    const show = (file: string, list: vscode.Diagnostic[] | undefined) => {
      const before = shown.get(file);
      if (!list) {
        if (before) { batch.push([vscode.Uri.file(file), undefined]); shown.delete(file); }
        return;
      }
      if (before && before.length === list.length && before.every((d, i) => d === list[i])) return;
      batch.push([vscode.Uri.file(file), list]);
      shown.set(file, list);
      if ((batched += list.length) >= BATCH_DIAGNOSTICS) flush();
    };
    // the files in the editors first (the one being typed in): their diagnostics do not wait for the other files'
    // (the pass over all files below finds them made: kept per file, the same objects, not set again)
    const inEditors = new Set(vscode.window.visibleTextEditors.filter(e => e.document.uri.scheme === 'file').map(e => e.document.uri.fsPath));
    let editorsAt: number | undefined;
    if (inEditors.size) {
      const first = await made(inEditors);
      for (const file of inEditors) show(file, first.get(file));
      flush();
      const at = editorsAt = Date.now();
      for (const p of projects) p.editorDiagnosticsAt = at;
    }
    const all = await made();
    for (const file of [...shown.keys()]) if (!all.has(file)) show(file, undefined);
    const slice = slicer();
    for (const [file, list] of all) {
      show(file, list);
      // (a flush is part of the stretch it ends)
      const y = slice();
      if (y) { flush(); await y; }
    }
    flush();
    const now = Date.now();
    for (const p of projects) {
      p.diagnosticsAt = now;
      // (an edit counts once the index shown was asked for after it: an update of an older one does not read it)
      p.latencies.record(p.editSeenAt, p.indexAskedAt, editorsAt, now);
    }
  };
  const shown = new Map<string, vscode.Diagnostic[]>();
  svc.snapshots.set('diagnostics', () => {
    const out: Record<string, { code: string; line: number; severity: string; message: string }[]> = {};
    collection.forEach((uri, list) => {
      // (a batch's removal may leave a file with an empty list in the collection)
      if (!list.length) return;
      out[uri.fsPath] = list.map(d => ({ code: findingCodeOf(d) ?? String(d.code), line: d.range.start.line + 1, severity: vscode.DiagnosticSeverity[d.severity], message: d.message }));
    });
    return out;
  });
  // the files whose diagnostics are kept for the next update (tests: none for a file without findings)
  svc.snapshots.set('diagnosticsKept', () => [...byFileCache.keys()]);
  return [collection, svc.projects.onDidChange(() => void update().catch(e => svc.log.error(e instanceof Error ? e : String(e))))];
};
