// Shared by the integration suites (bundled into each of them by scripts/build.mjs; never loaded on its own).
//
// What the tests rely on from the extension, in one place:
//   - extension id `django-multidb.django-multidb`, activation on the fixture's manage.py;
//   - command `djangoMultiDb.getState` (test hook, hidden from the palette) returning a plain snapshot: `trusted`,
//     `projects[0].aliases`, the `databases` tree (label/description per node), `webview` and, when the extension
//     adds it, `activationMs`; getState() below turns it into TestState;
//   - `djangoMultiDb.migrateDatabase` with an alias string runs without a quick pick or confirmation (prompts are
//     for the palette, which the UI test covers);
//   - `djangoMultiDb.showPendingMigrations` opening the webview panel.
// The runner (test/integration/run.js) passes what Django itself says about the fixture in a JSON file, so the
// tests compare the extension with Django, not with numbers written down here.
import * as assert from 'assert';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from 'perf_hooks';
import * as url from 'url';
import * as vscode from 'vscode';
import { execFileSync } from 'child_process';

export const EXT_ID = 'django-multidb.django-multidb';

export interface AliasState {
  alias: string;
  engine?: string | null;
  reachable?: boolean | null;
  error?: string | null;
  /** migrations `migrate --database=<alias>` would apply; null when unknown (untrusted, unreachable) */
  pending: number | null;
}
export interface TestState {
  trusted: boolean;
  /** ms spent in activate() (the extension measures it itself) */
  activationMs?: number;
  aliases: AliasState[];
  /** the pending-migrations panel: whether it is open and the last model posted to it */
  webview?: { open: boolean; lastModel?: unknown; lastPosted?: unknown };
  [k: string]: unknown;
}

export interface Expected {
  projectDir: string;
  managePy: string;
  python: string;
  /** per alias, Django's own plan (MigrationExecutor.migration_plan over the leaf nodes): "app.name" keys */
  plans: Record<string, string[]>;
  /** the cross-database foreign key the fixture must report */
  crossDbFk: { file: string; line: number; column: number; field: string; target: string };
  /** the workspace folder (a copy of exampleDir, whose files are the originals) */
  workspaceDir?: string;
  exampleDir?: string;
}

export function expected(): Expected {
  const f = process.env.DJANGO_MULTIDB_TEST_EXPECTED;
  if (!f) throw new Error('DJANGO_MULTIDB_TEST_EXPECTED is not set: run the suite through test/integration/run.js');
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

/** Django's plan for an alias right now (the same script the runner used), to check a migration really ran. */
export function djangoPlan(alias: string): string[] {
  const e = expected();
  const out = execFileSync(e.python, [process.env.DJANGO_MULTIDB_TEST_PLAN_SCRIPT!, e.managePy, alias], { encoding: 'utf8' });
  return (JSON.parse(out).plans as Record<string, string[]>)[alias]!;
}

export async function activate(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXT_ID);
  if (!ext) throw new Error(`extension ${EXT_ID} is not loaded`);
  await ext.activate();
  return ext;
}

export async function getState(): Promise<TestState> {
  const raw = await vscode.commands.executeCommand<any>('djangoMultiDb.getState');
  if (!raw || typeof raw !== 'object') throw new Error(`djangoMultiDb.getState returned ${JSON.stringify(raw)}`);
  return normalize(raw);
}

export interface TreeNode { label: string; description?: string; contextValue?: string; tooltip?: string; children?: TreeNode[] }
export const flatten = (ns: TreeNode[] = []): TreeNode[] => ns.flatMap(n => [n, ...flatten(n.children)]);

/** Per alias what the databases tree shows: "<engine> · <N pending | up to date | unreachable | not read | restricted>". */
export function normalize(raw: any): TestState {
  if (Array.isArray(raw.aliases) && raw.aliases.every((a: unknown) => typeof a === 'object')) return raw as TestState;
  const project = raw.projects?.[0];
  const names: string[] = project?.aliases ?? [];
  const nodes = flatten(raw.databases);
  const aliases = names.map((name): AliasState => {
    const node = nodes.find(n => n.label === name && (!n.contextValue || /alias|database/i.test(n.contextValue)));
    const [engine, status = ''] = (node?.description ?? '').split(' · ');
    const m = /(\d+) pending/.exec(status);
    const pending = m ? +m[1]! : /up to date/.test(status) ? 0 : null;
    return { alias: name, engine: engine || null, reachable: pending !== null ? true : /unreachable/.test(status) ? false : null, error: null, pending, status } as AliasState;
  });
  return { ...raw, trusted: !!raw.trusted, activationMs: raw.activationMs, aliases, webview: raw.webview };
}

export function alias(s: TestState, name: string): AliasState {
  const a = s.aliases.find(x => x.alias === name);
  if (!a) throw new Error(`alias ${name} not in state: ${s.aliases.map(x => x.alias).join(', ')}`);
  return a;
}

/** Poll until fn returns a truthy value; the last error or value goes into the timeout message. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20000, everyMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > end) {
      // what the extension did meanwhile: a CI failure is read from its output alone
      await printExtensionLog(`waiting for ${what}`);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise(r => setTimeout(r, everyMs));
  }
}

/** The extension's last log lines on stdout (every level, redacted), for a failure read from CI's output. */
export async function printExtensionLog(why: string, lines = 80): Promise<void> {
  try {
    const st = await vscode.commands.executeCommand<{ log?: string[] }>('djangoMultiDb.getState', { wait: false, views: false, log: true });
    const log = (st?.log ?? []).slice(-lines);
    console.log(`--- the extension's last ${log.length} log lines (${why}) ---\n${log.join('\n')}\n--- end of the extension's log ---`);
  } catch (e) {
    console.log(`(the extension's log could not be read: ${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Figures for test-results/vscode-metrics.json (merged across suites and runs by the runner). */
export function recordMetric(name: string, value: unknown): void {
  const f = process.env.DJANGO_MULTIDB_TEST_METRICS;
  console.log(`metric ${name} = ${JSON.stringify(value)}`);
  if (!f) return;
  const cur = fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {};
  cur[name] = value;
  fs.writeFileSync(f, JSON.stringify(cur, null, 2));
}

export function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap(h => h.contents.map(c => typeof c === 'string' ? c : (c as vscode.MarkdownString).value)).join('\n');
}

/** Reverts `file` in VS Code (an unsaved edit would otherwise make closeAllEditors ask to save) and puts the
 *  example's original text back on disk when a test left it changed: later suites run manage.py, which imports it. */
export async function restoreFixtureFile(file: string, original?: string): Promise<void> {
  const e = expected();
  if (original === undefined && e.exampleDir && e.workspaceDir && file.startsWith(e.workspaceDir + path.sep)) {
    const src = path.join(e.exampleDir, path.relative(e.workspaceDir, file));
    if (fs.existsSync(src)) original = fs.readFileSync(src, 'utf8');
  }
  const open = () => vscode.workspace.textDocuments.find(d => d.uri.fsPath === file);
  if (open()?.isDirty) {
    await vscode.window.showTextDocument(open()!);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  if (original === undefined) return;
  if (fs.readFileSync(file, 'utf8') !== original) fs.writeFileSync(file, original);
  const doc = open();
  if (doc && doc.getText() !== original) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}

/** End line (0-based) of the Python statement starting at `line`: a field call may span several lines. */
function statementEnd(doc: vscode.TextDocument, line: number): number {
  let depth = 0;
  for (let l = line; l < doc.lineCount; l++) {
    // good enough for a models file: brackets inside string literals are balanced or absent
    for (const ch of doc.lineAt(l).text.replace(/#.*$/, '')) {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
    }
    if (depth <= 0) return l;
  }
  throw new Error(`unbalanced brackets from line ${line + 1} of ${doc.uri.fsPath}`);
}

/**
 * Adds a complete one-line field `timing_probe = <fieldExpr>` right after the cross-database foreign key of
 * expected().crossDbFk (same class, same indentation, after the field's whole statement), saves through VS Code and
 * polls until the extension's diagnostics include the new line. Always puts the original text back (and saves it),
 * then waits until the probe's diagnostic is gone. saveToDiagnosticsMs counts from the save request.
 */
export async function timeSaveToDiagnostics(doc: vscode.TextDocument, fieldExpr: string): Promise<{ saveToDiagnosticsMs: number; saveMs: number }> {
  const { line } = expected().crossDbFk;
  const ours = (d: vscode.Diagnostic) => d.source === 'django-multidb';
  const probeLine = statementEnd(doc, line) + 1;
  const indent = /^\s*/.exec(doc.lineAt(line).text)![0];
  const original = doc.getText();
  assert.ok(!doc.isDirty, 'the models file has no unsaved changes before the test');
  // the diagnostics of the unchanged file first, so that the poll below cannot see a stale state
  await waitFor('the diagnostic on the original field', () => vscode.languages.getDiagnostics(doc.uri).some(d => ours(d) && d.range.start.line === line), 30000);
  const probeOn = (l: number) => vscode.languages.getDiagnostics(doc.uri).some(d => ours(d) && d.range.start.line === l && /timing_probe/.test(d.message));
  let result: { saveToDiagnosticsMs: number; saveMs: number };
  try {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(probeLine, 0), `${indent}timing_probe = ${fieldExpr}\n`);
    assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit');
    const t0 = Date.now();
    // a save can come back false when VS Code's will-save participants time out (1750 ms) while the extension host
    // is busy, e.g. still indexing: then save again, and count the whole time
    for (let attempt = 1; !(await doc.save()) || doc.isDirty; attempt++) {
      if (attempt === 3) throw new Error(`the models file could not be saved (dirty: ${doc.isDirty})`);
      console.log(`save attempt ${attempt} returned false after ${Date.now() - t0} ms; saving again`);
    }
    const saveMs = Date.now() - t0;
    await waitFor(`a diagnostic for timing_probe on line ${probeLine + 1}`, () => probeOn(probeLine), 30000, 10);
    result = { saveToDiagnosticsMs: Date.now() - t0, saveMs };
  } finally {
    // back to the original text through VS Code (what the watcher sees when a user undoes an edit); if that fails,
    // straight to the disk
    try {
      if (doc.getText() !== original) {
        const undo = new vscode.WorkspaceEdit();
        undo.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
        await vscode.workspace.applyEdit(undo);
      }
      if (doc.isDirty) await doc.save();
    } finally {
      await restoreFixtureFile(doc.uri.fsPath, original);
    }
  }
  await waitFor('the probe\'s diagnostic gone after restoring the file', () =>
    !vscode.languages.getDiagnostics(doc.uri).some(d => ours(d) && /timing_probe/.test(d.message)) &&
    vscode.languages.getDiagnostics(doc.uri).some(d => ours(d) && d.range.start.line === line), 30000, 20);
  return result;
}

/** A V8 CPU profile (what `Profiler.stop` returns). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * This extension's code (its bundle, by full path: VS Code's own extensions are `dist/extension.js` too, the TypeScript
 * one among them), and Node reading the scan worker's messages (no other IPC channel of the host uses it).
 */
const BUNDLE_URL = url.pathToFileURL(path.resolve(__dirname, '..', '..', 'dist', 'extension.js')).href;
const isOursUrl = (u: string) => u === BUNDLE_URL || u.includes('child_process/serialization');

/**
 * The event loop's long pauses from now: a 5 ms timer that notes every gap between two of its runs longer than
 * `minMs` (a pause: nothing else could run then either), as [start, end] in the monotonic clock's microseconds, the
 * clock of V8's CPU profiles.
 */
export function pauseRecorder(minMs = 20): { stop(): [number, number][] } {
  const windows: [number, number][] = [];
  let last = process.hrtime.bigint();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    if (Number(now - last) / 1e6 > minMs) windows.push([Number(last / 1000n), Number(now / 1000n)]);
    last = now;
  }, 5);
  return { stop: () => { clearInterval(timer); return windows; } };
}

/** perf_hooks' names for the kinds of V8 collection a 'gc' entry reports */
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};
export interface GcEntry { startUs: number; ms: number; kind: string }

/**
 * V8's collections in this process from now (perf_hooks 'gc' entries: minor = a scavenge of the young generation,
 * major = mark-compact), placed in pauseRecorder's clock (µs), to tell which of the event loop's pauses they were.
 */
export function gcRecorder(): { stop(): GcEntry[] } {
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  const out: GcEntry[] = [];
  const obs = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      out.push({ startUs: offsetUs + e.startTime * 1000, ms: e.duration, kind: kind === undefined ? '?' : GC_KINDS[kind] ?? String(kind) });
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return { stop: () => { obs.disconnect(); return out; } };
}

/**
 * The `n` longest pauses (pauseRecorder windows), each with the time V8's collections took inside it (gcRecorder) and
 * the edit it came in (its number, from `editStartsUs`, and how long after the edit began).
 */
export function longestPauses(pauses: readonly [number, number][], gcs: readonly GcEntry[], editStartsUs: readonly number[], n = 3): {
  ms: number; gcMs: number; gc: string[]; edit: number | null; afterEditStartMs: number | null;
}[] {
  const r1 = (x: number) => +x.toFixed(1);
  return [...pauses].sort((a, b) => (b[1] - b[0]) - (a[1] - a[0])).slice(0, n).map(([s, e]) => {
    const inside = gcs.filter(g => g.startUs < e && g.startUs + g.ms * 1000 > s);
    const gcUs = inside.reduce((t, g) => t + Math.min(e, g.startUs + g.ms * 1000) - Math.max(s, g.startUs), 0);
    const edit = editStartsUs.filter(t => t <= s).length - 1;
    return { ms: r1((e - s) / 1000), gcMs: r1(gcUs / 1000), gc: inside.map(g => `${g.kind} ${g.ms.toFixed(1)} ms`), edit: edit >= 0 ? edit : null, afterEditStartMs: edit >= 0 ? r1((s - editStartsUs[edit]!) / 1000) : null };
  });
}

/**
 * This extension's share of the host's pauses (`pauseRecorder`), from a CPU profile of the same time: the most time
 * its code ran within one pause, and that pause's length. The event-loop monitor's longest pause is the host's,
 * whoever caused it (VS Code's port scan, its log compression, garbage collection); this is the part that is this
 * extension's. (A loop that yields every few milliseconds, src/extension/slice.ts, makes no pause however long it runs.)
 */
export function ourLongestPause(p: CpuProfile, pauses: readonly [number, number][]): { oursMs: number; pauseMs: number; uncappedMs: number; lateSamples: number } {
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const oursCache = new Map<number, boolean>();
  const isOurs = (id: number): boolean => {
    let v = oursCache.get(id);
    if (v === undefined) {
      const pid = parent.get(id);
      v = isOursUrl(byId.get(id)!.callFrame.url) || (pid !== undefined && isOurs(pid));
      oursCache.set(id, v);
    }
    return v;
  };
  // A sample's time is the delta to the next one: about the sampling interval (1 ms), unless the profiler's thread
  // was not scheduled (a loaded machine), when one sample stands for the whole gap (47–78 ms were seen). Each sample
  // counts for at most SAMPLE_CAP_MS in `oursMs`; `uncappedMs` counts the gaps whole, `lateSamples` says how many
  // of this pause's samples of ours were late.
  const ours = new Array<number>(pauses.length).fill(0);
  const uncapped = new Array<number>(pauses.length).fill(0);
  const late = new Array<number>(pauses.length).fill(0);
  let t = p.startTime;
  let w = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    while (w < pauses.length && pauses[w]![1] < t) w++;
    if (w === pauses.length) break;
    if (t < pauses[w]![0] || !isOurs(p.samples[i]!)) continue;
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    ours[w]! += Math.min(ms, SAMPLE_CAP_MS);
    uncapped[w]! += ms;
    if (ms > SAMPLE_CAP_MS) late[w]!++;
  }
  // the first index of the largest value (-1 for none)
  const argmax = (xs: number[]) => xs.reduce((b, x, i) => (b < 0 || x > xs[b]! ? i : b), -1);
  const best = argmax(ours);
  const bestUncapped = argmax(uncapped);
  if (best < 0) return { oursMs: 0, pauseMs: 0, uncappedMs: 0, lateSamples: 0 };
  return {
    oursMs: +ours[best]!.toFixed(1), pauseMs: +((pauses[best]![1] - pauses[best]![0]) / 1000).toFixed(1),
    uncappedMs: +uncapped[bestUncapped]!.toFixed(1), lateSamples: late[bestUncapped]!,
  };
}

/** The most time one sample counts for in `ourLongestPause` (4 × the profiler's default 1 ms interval). */
const SAMPLE_CAP_MS = 4;

/**
 * A CPU profile of the extension host from now, always taken (this extension's share of the pauses: `ourLongestPause`),
 * written to `cpuTo` when given (bench/profile-pauses.mjs reads it); and a sampling heap profile, garbage included
 * (`allocTo`: bench/alloc-top.mjs). `stopCpu` ends the first and returns it, `stop` both.
 * DJANGO_MULTIDB_BENCH_CPU_PROFILE=0: no CPU profile (`stopCpu` returns none). The profiler keeps its samples and
 * code events in the host's native memory: the host's RSS without it is what a user's host holds.
 */
export async function profile(cpuTo: string | undefined, allocTo: string | undefined): Promise<{ stopCpu(): Promise<CpuProfile | undefined>; stop(): Promise<void> }> {
  const session = new inspector.Session();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (e, res) => (e ? reject(e) : resolve(res as T))));
  session.connect();
  const cpuProfile = process.env.DJANGO_MULTIDB_BENCH_CPU_PROFILE !== '0';
  if (cpuProfile) {
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  if (allocTo) { await post('HeapProfiler.enable'); await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); }
  let cpu: Promise<CpuProfile> | undefined;
  const stopCpu = async () => {
    if (!cpuProfile) return undefined;
    cpu ??= post<{ profile: CpuProfile }>('Profiler.stop').then(r => {
      if (cpuTo) fs.writeFileSync(cpuTo, JSON.stringify(r.profile));
      return r.profile;
    });
    return cpu;
  };
  return {
    stopCpu,
    async stop() {
      await stopCpu();
      if (allocTo) fs.writeFileSync(allocTo, JSON.stringify((await post<{ profile: unknown }>('HeapProfiler.stopSampling')).profile));
      session.disconnect();
    },
  };
}
