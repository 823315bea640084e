// The file system as the index sees it: disk files, with unsaved editor buffers laid over them, and the
// bookkeeping that makes re-indexing incremental.
//
// - Overlays: the extension sends the text of an unsaved buffer; every reader in the core (the parse cache,
//   migration facts, lint caches) sees that text instead of the disk file, under a pseudo-stat that never
//   equals a real one (mtimeMs < 0), so entries cached for the disk version are not reused for it.
// - Trust (`setTrusted`): while a file watcher reports every change (the extension), a file's stat and a
//   directory's listing are read once and kept until `invalidate(file)`; without it (the CLI, tests) every
//   read asks the disk, as before. Creating or deleting a file changes the *structure* (module resolution,
//   directory listings): `structure` counts such changes, and results that resolved names are redone.
// - Tracking (`track`): a derived result (settings, apps, models, routing) records the stat of every file it
//   read; it is reused while `unchanged(deps)` holds, i.e. the rust-analyzer/salsa "inputs unchanged" check.
import * as fs from 'fs';
import * as path from 'path';

export interface FileStat { mtimeMs: number; size: number }

/**
 * What a derived computation read: each file's stat (null: missing), each directory's listing (names and kinds,
 * null: unreadable) and the structure count it started at.
 */
export interface Deps {
  files: Map<string, string | null>;
  dirs: Map<string, string | null>;
  structure: number;
  /**
   * Files the computation only ran (Python code the evaluator executed, see `execReads`), with the functions it ran:
   * while nothing but the bodies of other functions changed, the file counts as unchanged for it (a router edit of
   * allow_migrate leaves what db_for_read answered as it was). A file read in any other way has no entry here.
   */
  shapes?: Map<string, ShapeDep>;
}

/**
 * A Python file's text as far as running it goes (python/shape.ts): `skeleton` stands for everything but the bodies of
 * its functions (their positions included), `bodies` for each function's body, by a key its line and name make.
 */
export interface FileShape { skeleton: string; bodies: ReadonlyMap<string, string> }
export interface ShapeDep { shape: FileShape; executed: Set<string> }

/** Set by python/shape.ts: a parsed module's shape, a file's shape as it is now, and the key of the function a def is. */
export interface ShapeProvider {
  ofModule(module: object): FileShape | null;
  current(file: string): FileShape | null;
  /**
   * The key of the body a function definition belongs to ('' = none: its code is in the skeleton) and the shape of
   * its file's parse; null = not known.
   */
  keyOf(def: object): { key: string; shape: FileShape } | null;
  /**
   * With another skeleton: whether `now` is `was` for a computation that ran `executed` of it all the same (plain
   * functions it never ran, whose names nothing it read mentions, added or dropped); `others`: the other files it ran.
   */
  sameBut(was: FileShape, now: FileShape, executed: ReadonlySet<string>, others: Iterable<{ shape: FileShape; executed: ReadonlySet<string> }>): boolean;
}
let shapes: ShapeProvider | null = null;
export function setShapeProvider(p: ShapeProvider): void {
  shapes = p;
}
/** > 0 while the evaluator runs Python code whose reads may be told apart by function (`execReads`) */
let execDepth = 0;

interface Overlay { text: string; version: number }

const overlays = new Map<string, Overlay>();
const stats = new Map<string, FileStat | null>();
const listings = new Map<string, fs.Dirent[] | null>();
interface Recorder {
  files: Map<string, string | null>;
  dirs: Map<string, string | null>;
  /** files read other than by running them: compared whole */
  statics: Set<string>;
  /** files read by running them (see Deps.shapes) */
  shapes: Map<string, ShapeDep>;
  /**
   * (a lazy recorder, `track(fn, true)`) the memoised results used inside it, noted as they are: their files are
   * merged in when its dependencies are read, not at each use (a whole index notes every memo's thousands of files)
   */
  parts?: Deps[];
}
const recorders: Recorder[] = [];
/** bumped when the recorders change: `noteExecuted` skips a function already noted for the same ones */
let recordersGen = 0;
let lastNoted: { def: object; gen: number } | null = null;
const signatures = new WeakMap<fs.Dirent[], string>();
let trusted = false;
let fixedViews = 0;
let structure = 0;
let overlayVersion = 0;

// While trusted, a file's stat changes only through `invalidate` or `setOverlay`: each counts one `epoch` and is
// logged, so a result found unchanged at an earlier epoch is checked against the files changed since (one lookup
// per change) rather than the thousands it read (issue 11: the models of a large project were checked model by
// model, file by file, after every keystroke).
let epoch = 0;
/** no check made before this epoch counts (trust turned on or off, everything forgotten) */
let floor = 0;
const changeLog: { epoch: number; file: string }[] = [];
const CHANGE_LOG_MAX = 4096;
/** the epoch and structure count at which each result's dependencies were last found unchanged (trusted only) */
const verified = new WeakMap<object, { epoch: number; structure: number }>();

function changed(file: string): void {
  epoch++;
  changeLog.push({ epoch, file });
  if (changeLog.length > CHANGE_LOG_MAX) changeLog.splice(0, CHANGE_LOG_MAX / 2);
}

/** The files the change log names since `since` (a file logged twice once). */
function loggedFilesSince(since: number): Set<string> {
  const out = new Set<string>();
  for (let i = changeLog.length - 1; i >= 0 && changeLog[i]!.epoch > since; i--) out.add(changeLog[i]!.file);
  return out;
}

/** Whether a result that read `read` read one of `files`. */
function someIn(files: ReadonlySet<string>, read: ReadonlyMap<string, unknown>): boolean {
  for (const f of files) if (read.has(f)) return true;
  return false;
}

/** Whether the change log holds every change since `since`: its first entry is the one right after it (not cut since). */
function loggedSince(since: number): boolean {
  return changeLog.length > 0 ? changeLog[0]!.epoch <= since + 1 : epoch === since;
}

/** The epoch at which `deps` were last found unchanged, while that still counts (trusted, same structure); else null. */
function verifiedAt(deps: object): number | null {
  const seen = trusted ? verified.get(deps) : undefined;
  return seen && seen.epoch >= floor && seen.structure === structure ? seen.epoch : null;
}

const statKeys = new WeakMap<FileStat, string>();

/** A stat as the comparable string the dependencies hold (made once per kept stat: memo checks ask thousands). */
function statKey(st: FileStat | null): string | null {
  if (!st) return null;
  let k = statKeys.get(st);
  if (k === undefined) statKeys.set(st, (k = keyOf(st)));
  return k;
}

function diskStat(file: string): FileStat | null {
  try {
    // most files asked for do not exist (module resolution tries several names): no exception for those
    const s = fs.statSync(file, { throwIfNoEntry: false });
    return s?.isFile() ? { mtimeMs: s.mtimeMs, size: s.size } : null;
  } catch {
    return null;
  }
}

/** `statKey(statFile(file))` without recording the read, and without keeping a stat nobody keeps. */
function currentStatKey(file: string): string | null {
  if (trusted || fixedViews > 0 || overlays.has(file)) return statKey(statFile(file));
  const st = diskStat(file);
  return st && keyOf(st);
}

function keyOf(st: FileStat): string {
  return `${st.mtimeMs}:${st.size}`;
}

/** `read()`, or while trusted or in a fixed view the value kept for `key` (kept at its first read). */
function kept<T>(cache: Map<string, T>, key: string, read: () => T): T {
  const keep = trusted || fixedViews > 0;
  if (keep && cache.has(key)) return cache.get(key)!;
  const value = read();
  if (keep) cache.set(key, value);
  return value;
}

/**
 * Run `fn` (one whole index) with the file system taken as fixed: each file is stat'ed and each directory
 * listed once (a large project's index asked the disk for the same 4,300 stats twice or three times). Without
 * trust, what was kept is forgotten when the last view ends; a file changed meanwhile is seen by the next index.
 */
export async function fixedView<T>(fn: () => Promise<T>): Promise<T> {
  fixedViews++;
  try {
    return await fn();
  } finally {
    if (--fixedViews === 0 && !trusted) { stats.clear(); listings.clear(); }
  }
}

/** The stat the core compares cache entries with: an overlay's pseudo-stat, the disk's, or null (missing). */
export function statFile(file: string): FileStat | null {
  const o = overlays.get(file);
  const st = o ? { mtimeMs: -o.version, size: o.text.length } : kept(stats, file, () => diskStat(file));
  if (recorders.length) {
    const k = statKey(st);
    for (const r of recorders) {
      r.files.set(file, k);
      if (!execDepth) r.statics.add(file);
    }
  }
  return st;
}

/**
 * Run `fn`, whose reads of Python files are by running them (the evaluator's imports and calls): a file it reads is
 * compared by its skeleton and the bodies of the functions run (`noteExecuted`), not by its stat (see Deps.shapes).
 * Whatever else reads such a file, or any other file, inside `fn` still counts in full (`statFile` outside
 * `noteExecModule`): only the evaluator's own reads may be told apart.
 */
export function execReads<T>(fn: () => T): T {
  execDepth++;
  try {
    return fn();
  } finally {
    execDepth--;
  }
}

/** The evaluator read `file`, parsed as `module`, to run it (inside `execReads`). */
export function noteExecModule(file: string, module: object): void {
  if (!execDepth || !recorders.length || !shapes) return;
  let shape: FileShape | null | undefined;
  for (const r of recorders) {
    if (r.statics.has(file) || r.shapes.has(file)) continue;
    shape ??= shapes.ofModule(module);
    if (!shape) { r.statics.add(file); continue; }
    r.shapes.set(file, { shape, executed: new Set() });
  }
}

/**
 * A name of `file`'s module was looked up by name (inside `execReads`): a function of that name added or dropped is not
 * left out of the comparison (`ShapeProvider.sameBut`). Kept with the functions run, as `name:<name>`.
 */
export function noteNameRead(file: string, name: string): void {
  if (!execDepth || !recorders.length) return;
  for (const r of recorders) {
    if (r.statics.has(file)) continue;
    const d = r.shapes.get(file);
    // (a module read before this recorder started: compared whole)
    if (!d) { r.statics.add(file); continue; }
    d.executed.add(`name:${name}`);
  }
}

/** The evaluator runs the function `def` of `file` (inside `execReads`): its body is an input now. */
export function noteExecuted(file: string, def: object): void {
  if (!execDepth || !recorders.length) return;
  if (lastNoted && lastNoted.def === def && lastNoted.gen === recordersGen) return;
  lastNoted = { def, gen: recordersGen };
  const info = shapes ? shapes.keyOf(def) : null;
  if (info?.key === '') return;
  for (const r of recorders) {
    if (r.statics.has(file)) continue;
    // a function not known: its file counts in full
    if (!info) { r.shapes.delete(file); r.statics.add(file); continue; }
    const d = r.shapes.get(file);
    // (a file read before this recorder started, by the context it runs in: what ran is recorded all the same, for
    // the context's own dependencies, `mergeDeps`)
    if (d) d.executed.add(info.key);
    else r.shapes.set(file, { shape: info.shape, executed: new Set([info.key]) });
  }
}

/** The overlay's text, or null when the disk file is the one to read. */
export function overlayText(file: string): string | null {
  return overlays.get(file)?.text ?? null;
}

/** Read a text file (overlay first). Throws like fs.readFileSync when neither exists. */
export function readText(file: string): string {
  return overlays.get(file)?.text ?? fs.readFileSync(file, 'utf8');
}

/** `fs.readdirSync(dir, { withFileTypes: true })`, kept while trusted; null when the directory cannot be read. */
export function readDir(dir: string): fs.Dirent[] | null {
  const entries = kept(listings, dir, () => {
    try {
      return fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
  });
  if (recorders.length) {
    const sig = listingSignature(entries);
    for (const r of recorders) r.dirs.set(dir, sig);
  }
  return entries;
}

/** A directory's listing as one comparable string (names and kinds), null when it cannot be read. */
export function listingSignature(entries: fs.Dirent[] | null): string | null {
  if (!entries) return null;
  let sig = signatures.get(entries);
  if (sig === undefined) {
    sig = entries.map(e => `${e.name}\u0000${e.isFile() ? 'f' : e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'o'}`).sort().join('\u0001');
    signatures.set(entries, sig);
  }
  return sig;
}

/** Lay an unsaved buffer over a file (text), or take it away (null: the disk file counts again). */
export function setOverlay(file: string, text: string | null): boolean {
  const f = path.resolve(file);
  const had = overlays.get(f);
  if (text === null) {
    if (!had) return false;
    overlays.delete(f);
  } else {
    if (had?.text === text) return false;
    overlays.set(f, { text, version: ++overlayVersion });
  }
  changed(f);
  // a buffer is laid over a file that exists on disk (an editor's new file is saved before it is a module), so
  // the structure (names resolving to files) stays
  return true;
}

/** The files an unsaved buffer is laid over now (resolved paths): what Django, reading the disk, does not see. */
export function overlaidFiles(): Set<string> {
  return new Set(overlays.keys());
}

/** Whether any unsaved buffer is laid over a file (the user is typing). */
export function hasOverlays(): boolean {
  return overlays.size > 0;
}

/**
 * Keep stats and listings until `invalidate` (a watcher reports every change). Turning it off forgets them.
 * Process-wide: the extension's scan worker turns it on; the CLI and tests leave it off.
 */
export function setTrusted(on: boolean): void {
  trusted = on;
  floor = ++epoch;
  if (!on) { stats.clear(); listings.clear(); }
}

/** A file changed, appeared or disappeared (a directory: everything below it). */
export function invalidate(file: string): void {
  const f = path.resolve(file);
  const had = stats.get(f);
  stats.delete(f);
  changed(f);
  let exists: boolean;
  try {
    exists = fs.statSync(f).isFile();
  } catch {
    exists = false;
  }
  // an edit keeps the structure; a file that appears or disappears (or one never seen) changes it
  if (had === undefined || !!had !== exists || !exists) {
    structure++;
    listings.delete(path.dirname(f));
    listings.delete(f);
    const below = f + path.sep;
    for (const k of [...stats.keys()]) if (k.startsWith(below)) stats.delete(k);
    for (const k of [...listings.keys()]) if (k.startsWith(below)) listings.delete(k);
  }
}

/** Forget every kept stat and listing (a reload). */
export function invalidateAll(): void {
  stats.clear();
  listings.clear();
  structure++;
  floor = ++epoch;
}

/** The count of structural changes (files created/deleted): results that resolved module names compare it. */
export function structureCount(): number {
  return structure;
}

/** Run `fn`, recording every file whose stat it read. */
export function track<T>(fn: () => T, lazy = false): { value: T; deps: Deps } {
  const rec: Recorder = { files: new Map(), dirs: new Map(), statics: new Set(), shapes: new Map(), ...(lazy ? { parts: [] } : {}) };
  const start = structure;
  recorders.push(rec);
  recordersGen++;
  try {
    const value = fn();
    if (!rec.parts) {
      const deps: Deps = { files: rec.files, dirs: rec.dirs, structure: start };
      const ran = shapesOf(rec);
      if (ran) deps.shapes = ran;
      return { value, deps };
    }
    // (lazy: the directories now, the files and what ran of them when first asked for)
    for (const d of rec.parts) for (const [dir, k] of d.dirs) rec.dirs.set(dir, k);
    let merged = false;
    const merge = () => {
      if (merged) return;
      merged = true;
      // as noteDeps outside execReads: each file of a result used counts in full. A file read here itself keeps the key
      // read (a result computed again from its earlier one notes the earlier files first: their keys are older)
      for (const d of rec.parts!) {
        for (const [f, k] of d.files) {
          if (!rec.files.has(f)) rec.files.set(f, k);
          rec.statics.add(f);
          rec.shapes.delete(f);
        }
      }
    };
    let ran: Map<string, ShapeDep> | undefined | null = null;
    const deps = {
      dirs: rec.dirs, structure: start,
      get files() { merge(); return rec.files; },
      get shapes() { merge(); if (ran === null) ran = shapesOf(rec); return ran; },
    } as Deps;
    return { value, deps };
  } finally {
    recorders.splice(recorders.lastIndexOf(rec), 1);
    recordersGen++;
  }
}

/** The recorder's files read only by running them (and read: a missing file has no shape). */
function shapesOf(rec: Recorder): Map<string, ShapeDep> | undefined {
  let out: Map<string, ShapeDep> | undefined;
  for (const [file, d] of rec.shapes) {
    // (a file ran but not read here stays too: `noteDeps`/`mergeDeps` pass on what ran of it)
    if (rec.statics.has(file) || rec.files.get(file) === null) continue;
    (out ??= new Map()).set(file, { shape: d.shape, executed: new Set(d.executed) });
  }
  return out;
}

/**
 * Add `deps` to the computations being recorded (a memoised result used inside a tracked one). Outside `execReads`,
 * what the result ran counts as read in full (its caller may read the same functions' code another way).
 */
export function noteDeps(deps: Deps): void {
  for (const r of recorders) {
    if (r.parts && !execDepth) {
      r.parts.push(deps);
      continue;
    }
    for (const [f, k] of deps.files) {
      r.files.set(f, k);
      const d = execDepth ? deps.shapes?.get(f) : undefined;
      if (!d) { r.statics.add(f); r.shapes.delete(f); continue; }
      if (!r.statics.has(f)) addRan(r.shapes, f, d);
    }
    // what ran of files the result did not read itself
    if (execDepth && deps.shapes) {
      for (const [f, d] of deps.shapes) if (!deps.files.has(f) && !r.statics.has(f)) addRan(r.shapes, f, d);
    }
    for (const [d, k] of deps.dirs) r.dirs.set(d, k);
  }
}

/** `d`'s functions run added to what `ran` holds of `file` (a copy of `d` when it holds nothing of it yet). */
function addRan(ran: Map<string, ShapeDep>, file: string, d: ShapeDep): void {
  const had = ran.get(file);
  if (had) for (const k of d.executed) had.executed.add(k);
  else ran.set(file, { shape: d.shape, executed: new Set(d.executed) });
}

/**
 * `from`'s dependencies added to `into` (a context that grows with each computation run in it): a file compared in
 * full by either is compared in full; one both only ran keeps the functions either ran.
 */
export function mergeDeps(into: Deps, from: Deps): void {
  // (a file `into` compares in full, read and not run, stays so)
  const ranOnly = (f: string) => !!into.shapes?.has(f) || !into.files.has(f);
  for (const [f, k] of from.files) {
    const d = from.shapes?.get(f);
    if (!d) into.shapes?.delete(f);
    else if (ranOnly(f)) addRan(into.shapes ??= new Map(), f, d);
    into.files.set(f, k);
  }
  // what ran of files `from` did not read: added where `into` only ran them too
  for (const [f, d] of from.shapes ?? []) if (!from.files.has(f) && ranOnly(f)) addRan(into.shapes ??= new Map(), f, d);
  for (const [d, k] of from.dirs) into.dirs.set(d, k);
}

/**
 * Is every file and directory a computation read still as it was (and, unless `ignoreStructure`, no file
 * created or deleted since, as the watcher reported)? A result from another process (an on-disk snapshot) has
 * no structure count to compare: its directory listings say whether files appeared or disappeared.
 */
export function unchanged(deps: Pick<Deps, 'files' | 'dirs' | 'shapes'> & { structure?: number }, ignoreStructure = false, strict = false): boolean {
  if (!ignoreStructure && deps.structure !== structure) return false;
  // trusted: found unchanged before, and the log holds every change since: only the files it names can differ (an
  // edit of one file looked at the stats of every file a result read, the models' or the migrations' hundreds)
  const at = verifiedAt(deps);
  const logged = at !== null && loggedSince(at) ? loggedFilesSince(at) : null;
  // none of its files changed since (nor, for a result that ignores the structure count, any file created or
  // deleted: its directory listings are compared then)
  if (logged && !someIn(logged, deps.files)) {
    verified.set(deps, { epoch, structure });
    return true;
  }
  // not recorded: checking is not reading
  const same = untracked(() => {
    const same = (file: string, key: string | null): boolean => {
      const now = currentStatKey(file);
      if (now === key) return true;
      // a file the result only ran: unchanged for it while only the bodies of functions it did not run changed
      // (`strict`: a result that keeps the parsed code itself, an evaluator's context, compares every file whole)
      const d = strict ? undefined : deps.shapes?.get(file);
      if (!d || now === null || !sameShape(file, d, deps)) return false;
      deps.files.set(file, now);
      return true;
    };
    if (logged) {
      for (const file of logged) if (deps.files.has(file) && !same(file, deps.files.get(file)!)) return false;
    } else for (const [file, key] of deps.files) if (!same(file, key)) return false;
    for (const [dir, sig] of deps.dirs) if (listingSignature(readDir(dir)) !== sig) return false;
    return true;
  });
  if (same && trusted) verified.set(deps, { epoch, structure });
  return same;
}

/**
 * The files `deps` read that changed since (their stat differs), when that is all that changed: no file created or
 * deleted, no directory listing different. Null otherwise, or when it is not known (a result to compute again whole).
 * Not recorded (checking is not reading).
 */
export function changedFiles(deps: Deps): string[] | null {
  if (deps.structure !== structure) return null;
  return untracked(() => {
    const out: string[] = [];
    const at = verifiedAt(deps);
    if (at !== null) {
      if (!loggedSince(at)) return null;
      // the log names the candidates
      for (const f of loggedFilesSince(at)) if (deps.files.has(f) && currentStatKey(f) !== deps.files.get(f)) out.push(f);
      return out;
    }
    for (const [file, key] of deps.files) if (currentStatKey(file) !== key) out.push(file);
    for (const [dir, sig] of deps.dirs) if (listingSignature(readDir(dir)) !== sig) return null;
    return out;
  });
}

/** Whether `file` now has the skeleton and, for each function `d` ran, the body `d` saw (then `d` takes the new shape). */
function sameShape(file: string, d: ShapeDep, deps: Pick<Deps, 'files' | 'shapes'>): boolean {
  const now = shapes?.current(file);
  if (!now) return false;
  for (const k of d.executed) if (now.bodies.get(k) !== d.shape.bodies.get(k)) return false;
  if (now.skeleton !== d.shape.skeleton) {
    // another skeleton: the same only when nothing else it read is Python read another way (that code may name anything),
    // and what changed is plain functions nothing it ran or read names
    for (const [f, k] of deps.files) if (k !== null && f.endsWith('.py') && !deps.shapes?.has(f)) return false;
    const others = [...deps.shapes ?? []].filter(([f]) => f !== file).map(([, o]) => o);
    if (!shapes!.sameBut(d.shape, now, d.executed, others)) return false;
  }
  d.shape = now;
  return true;
}

export function isTrusted(): boolean {
  return trusted;
}

/** Run `fn` without recording what it reads (a read whose result is not kept beyond the caller's call). */
export function untracked<T>(fn: () => T): T {
  const saved = recorders.splice(0);
  recordersGen++;
  try {
    return fn();
  } finally {
    recorders.push(...saved);
    recordersGen++;
  }
}

/** Record that the computations being tracked read `file` (a reader that keeps its own copy of its contents). */
export function noteRead(file: string): void {
  if (recorders.length) statFile(file);
}
