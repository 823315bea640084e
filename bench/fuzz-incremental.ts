// A fuzzer for the incremental index (issue 11: after any sequence of edits, the incremental result equals a scan
// from scratch). Where bench/edits.ts makes the five edits the benchmark times, this makes what typing makes: random
// mutations of the project's Python files (a line deleted, doubled or swapped, the text cut short, a token or a
// snippet inserted, characters removed: half-typed code included), laid over the files as unsaved buffers or saved
// to disk, buffers closed and files reverted; after each, the index is compared with a new Scanner's.
// Seeded (bench/edits.ts prng): a failure names its seed and step, and its details go to --out (default a temporary
// folder). test/unit/incremental.test.ts runs a few seeds on the fixtures.
// Usage: node --import tsx bench/fuzz-incremental.ts [gen | DIR] [--seeds 10] [--steps 30] [--focus] [--python PY] [--worker]
//   gen: a project made by bench/generate.mjs (6 apps); DIR is copied first (never changed). --focus: settings,
//   routers, models and apps modules and a sample of the migrations only (a real project's thousands of files).
//   --worker: through the extension's scan worker (dist/scanWorker.js, `npm run build` first): the index compared is
//   the one the extension host rebuilds from the worker's differences (scannerClient.ts), buffers and saves sent as
//   the extension sends them. --django (with --python, a Django that imports the project): Django's answer, asked once
//   before the edits, merged into each index (core/django mergeDjangoAnswer, whose memo keeps what earlier merges
//   computed) compared with the same merge made with a new memo; with --worker too, the merge the worker makes and
//   sends as a difference from its last (the host's copy) compared with it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Scanner, withDjango, type ProjectIndex, type ScanOptions } from '../src/core/scan';
import { PATCH_STATS } from '../src/core/models';
import { MERGE_STATS, mergeDjangoAnswer, splitDjangoReport } from '../src/core/django';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { prng } from './edits';
import { ScanWorkerHost } from '../src/extension/scannerClient';
import { WORKER_ONLY } from '../src/extension/scanWorkerProtocol';

/** What must agree: everything but the timings. */
export function facts(index: ProjectIndex): Record<string, unknown> {
  const { timings: _t, ...rest } = index;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** A scan from scratch: a new Scanner, and no stat or listing kept from before (vfs trust off for it). */
export async function fromScratch(opts: ScanOptions): Promise<ProjectIndex> {
  setTrusted(false);
  try {
    return await new Scanner(opts).index();
  } finally {
    setTrusted(true);
  }
}

function pyFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (!e.name.startsWith('.') && e.name !== '__pycache__' && e.name !== 'node_modules') walk(p); }
      else if (e.name.endsWith('.py')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** Tokens and snippets typed into a file: punctuation, a model, Meta options, router returns, imports. */
const TOKENS = ['(', ')', ':', ',', 'models.', '\n', '#', "'", '"', '    ', '\\', '[', ']', '{', '}', 'def ', 'lambda', 'None',
  'class Extra(models.Model):\n    name = models.CharField(max_length=5)\n', '    class Meta:\n        managed = False\n',
  "        app_label = 'app001'\n", 'return None', 'return False', "return 'default'", "return db == 'legacy'", 'import ',
  'from . import models\n', 'if ', 'else:', 'pass', 'abstract = True', 'proxy = True', "db_table = 'x'",
  'ForeignKey("auth.User", on_delete=models.CASCADE)', '"default"', '"analytics"'];

/** Class body lines a model (or a router class) is given: Meta options, attributes routers read, a manager. */
const BODY_LINES = ['class Meta:\n{i}    managed = False', 'class Meta:\n{i}    abstract = True', 'class Meta:\n{i}    proxy = True',
  'class Meta:\n{i}    app_label = "catalog"', 'class Meta:\n{i}    db_table = "renamed"', '_db_group = "archive"', 'read_only = True',
  'objects = models.Manager()', 'route_app_labels = {"reports"}', 'database = "legacy"'];

/** One random mutation of `text`: most are typing's (any text), some keep the file valid Python (a class body line, a literal swapped, a base changed). */
export function mutate(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const li = Math.floor(rnd() * lines.length);
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = Math.floor(rnd() * 9);
  if (kind >= 6) {
    const classes = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*class \w+\(.*\):\s*$/.test(l));
    const literals = [...new Set(text.match(/"[A-Za-z_][\w.]*"|'[A-Za-z_][\w.]*'/g) ?? [])];
    if (kind === 6 && classes.length) {
      // a line at the top of a class body
      const [l, i] = classes[Math.floor(rnd() * classes.length)]!;
      const ind = `${/^\s*/.exec(l)![0]}    `;
      lines.splice(i + 1, 0, ind + BODY_LINES[Math.floor(rnd() * BODY_LINES.length)]!.replace('{i}', ind));
      return lines.join('\n');
    }
    if (kind === 7 && literals.length > 1) {
      // one string literal where another of the file's stood (an alias, an app label, a model name)
      const from = literals[Math.floor(rnd() * literals.length)]!, to = literals[Math.floor(rnd() * literals.length)]!;
      const hits = [...text.matchAll(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))];
      const h = hits[Math.floor(rnd() * hits.length)]!;
      return text.slice(0, h.index) + to + text.slice(h.index! + from.length);
    }
    if (kind === 8 && classes.length > 1) {
      // a class's bases: another class of the file, or models.Model
      const [l, i] = classes[Math.floor(rnd() * classes.length)]!;
      const other = /class (\w+)/.exec(classes[Math.floor(rnd() * classes.length)]![0])![1]!;
      lines[i] = l.replace(/\(.*\)/, `(${rnd() < 0.5 ? other : 'models.Model'})`);
      return lines.join('\n');
    }
  }
  switch (kind % 6) {
    case 0: lines.splice(li, 1); return lines.join('\n');
    case 1: return text.slice(0, at);
    case 2: return text.slice(0, at) + TOKENS[Math.floor(rnd() * TOKENS.length)]! + text.slice(at);
    case 3: lines.splice(li, 0, lines[li] ?? ''); return lines.join('\n');
    case 4: { const lj = Math.floor(rnd() * lines.length); [lines[li], lines[lj]] = [lines[lj]!, lines[li]!]; return lines.join('\n'); }
    default: return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 20));
  }
}

/** The file's text as the index sees it (its buffer, else the disk's), '' for a file deleted. */
function textOf(file: string): string {
  try {
    return readText(file) ?? '';
  } catch {
    return '';
  }
}

export interface FuzzFailure { seed: number; step: number; what: string; differs: string[]; incremental: Record<string, unknown>; scratch: Record<string, unknown>; log: string[] }

/**
 * `steps` random mutations of `root`'s files (which it changes, and puts back at the end), each index compared with a
 * scan from scratch; the first difference, or null.
 */
export async function fuzz(root: string, seed: number, steps: number, opts: { focus?: boolean; python?: string; worker?: boolean; django?: boolean; restart?: boolean; files?: boolean } = {}): Promise<FuzzFailure | null> {
  const scanOpts: ScanOptions = { root, allowPython: false, ...(opts.python ? { python: opts.python } : {}) };
  setTrusted(true);
  // the incremental index: a Scanner here, or the scan worker's (a process of its own) as the extension host has it
  const host = opts.worker ? new ScanWorkerHost({ workerFile: path.join(__dirname, '..', 'dist', 'scanWorker.js') }) : null;
  const client = host?.scanner({ ...scanOpts, readDatabases: false });
  const cacheDir = opts.restart ? fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-fuzz-cache-')) : undefined;
  let local = host ? null : new Scanner({ ...scanOpts, cacheWriteDelayMs: 60_000, ...(cacheDir ? { cacheDir } : {}) });
  const scanner = {
    index: () => (client ? client.index() : local!.index()),
    overlay: async (file: string, text: string | null) => { setOverlay(file, text); if (client) await client.setOverlay(file, text); },
    invalidate: (file: string) => (client ? client.invalidate(file) : local!.invalidate(file)),
  };
  const first = await scanner.index();
  // --django: Django's answer about the files as they are now, merged first into the index it was asked about (as
  // the extension does: what the static index read then is what later merges tell edited files by)
  let report: ReturnType<typeof splitDjangoReport>['report'];
  if (opts.django) {
    report = splitDjangoReport(await withDjango(first, { ...scanOpts, allowPython: true, runWorkspaceInterpreter: true, mode: 'django' })).report;
    if (!report) throw new Error('Django did not answer (--python: an interpreter with Django that imports the project)');
    mergeDjangoAnswer(first, report);
    // through the worker: Django asked there too (the worker keeps its answer), each edit's merge asked of the worker
    // as the extension asks it (a difference from the last merge, patches of the host's arrays)
    if (client) await client.withDjango(first, { mode: 'django', allowPython: true, readDatabases: false });
  }
  let files = pyFiles(root).filter(f => !/(^|\/)tests?\b|manage\.py$/.test(path.relative(root, f)));
  if (opts.focus) {
    const relevant = (f: string) => /(^|\/)(models|routers?|db_?routers?|apps|settings|base|local|production|dev|conf)\.py$|\/settings\/|\/models\/|router/.test(path.relative(root, f));
    const migrations = files.filter(f => /\/migrations\/\d/.test(f));
    files = [...files.filter(relevant), ...migrations.filter((_, i) => i % Math.max(1, Math.floor(migrations.length / 30)) === 0)];
  }
  const originals = new Map(files.map(f => [f, fs.readFileSync(f, 'utf8')]));
  /** files the fuzzing created (deleted at the end) */
  const created = new Set<string>();
  const rnd = prng(seed);
  const overlaid = new Set<string>();
  const log: string[] = [];
  const rel = (f: string) => path.relative(root, f);
  try {
    for (let step = 0; step < steps; step++) {
      // half of the edits in the files that are not migrations (settings, routers, models): there are fewer of them
      const pool = rnd() < 0.5 ? files.filter(f => !/\/migrations\//.test(f)) : files;
      const file = pool[Math.floor(rnd() * pool.length)]!;
      const r = rnd();
      let what: string;
      if (cacheDir && local && rnd() < 0.1) {
        // the caches written, and a new Scanner from them (the window opened again, the next CLI run)
        local.flushCaches();
        local = new Scanner({ ...scanOpts, cacheWriteDelayMs: 60_000, cacheDir });
        log.push('a new Scanner from the caches');
      }
      if (r < 0.1 && overlaid.size) {
        const f = [...overlaid][Math.floor(rnd() * overlaid.size)]!;
        await scanner.overlay(f, null);
        overlaid.delete(f);
        what = `buffer of ${rel(f)} closed`;
      } else if (opts.files && r < 0.22) {
        // a file created or deleted (what the watcher reports as a change of that file)
        const k = Math.floor(rnd() * 3);
        const dir = path.dirname(file);
        if (k === 2 && fs.existsSync(file)) {
          fs.rmSync(file);
          what = `${rel(file)} deleted`;
          scanner.invalidate(file);
        } else {
          const name = /\/migrations\/\d/.test(file) ? `${String(9000 + step)}_fuzz.py` : k === 0 ? `fuzz_${step}.py` : path.basename(file).replace(/\.py$/, `_copy${step}.py`);
          const to = path.join(dir, name);
          const text = k === 0 && !/\/migrations\//.test(file) ? 'from django.db import models\n\n\nclass Fuzzed(models.Model):\n    name = models.CharField(max_length=5)\n' : textOf(file);
          fs.writeFileSync(to, text);
          created.add(to);
          files.push(to);
          what = `${rel(to)} created`;
          scanner.invalidate(to);
        }
      } else if (r < 0.15 || (opts.files && r < 0.25)) {
        if (!originals.has(file)) continue;
        fs.writeFileSync(file, originals.get(file)!);
        await scanner.overlay(file, null);
        overlaid.delete(file);
        scanner.invalidate(file);
        what = `${rel(file)} reverted`;
      } else {
        const next = mutate(textOf(file), rnd);
        if (r < 0.8) {
          await scanner.overlay(file, next);
          overlaid.add(file);
          what = `${rel(file)} typed`;
        } else {
          fs.writeFileSync(file, next);
          scanner.invalidate(file);
          what = `${rel(file)} saved`;
        }
        log.push(`${what}: ${JSON.stringify(next.slice(0, 600))}`);
      }
      const now = await scanner.index();
      const a = facts(now);
      const b = facts(await fromScratch(scanOpts));
      if (report && isDeepStrictEqual(a, b)) {
        // the merge with the memo of every merge before, and with a new one (a copy of the report, merged first into
        // the index Django was asked about)
        const again = structuredClone(report);
        mergeDjangoAnswer(first, again);
        const viaWorker = client ? await client.mergeDjango(now) : null;
        if (client && !viaWorker) throw new Error('the worker holds no Django answer to merge');
        const m = facts(viaWorker ?? mergeDjangoAnswer(now, report).index), n = facts(mergeDjangoAnswer(now, again).index);
        if (host) for (const k of WORKER_ONLY) { delete m[k]; delete n[k]; }
        if (!isDeepStrictEqual(m, n)) {
          const differs = Object.keys({ ...m, ...n }).filter(k => !isDeepStrictEqual(m[k], n[k]));
          return { seed, step, what: `${what} (Django's answer merged)`, differs, incremental: Object.fromEntries(differs.map(k => [k, m[k]])), scratch: Object.fromEntries(differs.map(k => [k, n[k]])), log };
        }
      }
      // (what the worker keeps to itself, never sent to the host)
      if (host) for (const k of WORKER_ONLY) { delete a[k]; delete b[k]; }
      if (!isDeepStrictEqual(a, b)) {
        const differs = Object.keys({ ...a, ...b }).filter(k => !isDeepStrictEqual(a[k], b[k]));
        return { seed, step, what, differs, incremental: Object.fromEntries(differs.map(k => [k, a[k]])), scratch: Object.fromEntries(differs.map(k => [k, b[k]])), log };
      }
    }
  } finally {
    for (const f of overlaid) setOverlay(f, null);
    for (const [f, t] of originals) if (!fs.existsSync(f) || fs.readFileSync(f, 'utf8') !== t) fs.writeFileSync(f, t);
    for (const f of created) fs.rmSync(f, { force: true });
    setTrusted(false);
    await host?.close();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  return null;
}

async function main(): Promise<void> {
  const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
  const which = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'gen';
  const seeds = Number(arg('seeds', '10')), steps = Number(arg('steps', '30'));
  const out = arg('out', fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-fuzz-out-')));
  let failed = 0;
  // --first S: begin at the S-th seed (replays one failure: --first 6 --seeds 1 is seed 6 × 7919)
  const firstSeed = Number(arg('first', '1'));
  for (let s = firstSeed; s < firstSeed + seeds; s++) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-fuzz-'));
    if (which === 'gen') execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, '6', '4', '4'], { stdio: 'ignore' });
    else fs.cpSync(path.resolve(which), root, { recursive: true });
    const f = await fuzz(root, s * 7919, steps, { focus: process.argv.includes('--focus'), python: arg('python', '') || undefined, worker: process.argv.includes('--worker'), django: process.argv.includes('--django'), restart: process.argv.includes('--restart'), files: process.argv.includes('--files') });
    if (f) {
      failed++;
      const file = path.join(out, `seed-${f.seed}-step-${f.step}.json`);
      fs.writeFileSync(file, JSON.stringify(f, null, 1));
      console.log(`seed ${f.seed}, step ${f.step} (${f.what}): ${f.differs.join(', ')} differ from a scan from scratch (${file})`);
    } else console.log(`seed ${s * 7919}: ${steps} steps as from scratch`);
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`${failed} of ${seeds} seeds differ (models memo patched ${PATCH_STATS.patched} times, run whole ${PATCH_STATS.declined} times after an edit; Django's routing rows merged again by a patch ${MERGE_STATS.routingRowsPatched}, migration rows ${MERGE_STATS.migrationRowsPatched}; in this process)`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();
