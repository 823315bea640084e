// Issue 11's figures for the core's incremental index, on the benchmark project (bench/generate.mjs):
//   - first static answer: cold (empty on-disk cache) and warm (a new Scanner over the cache an earlier one wrote);
//   - edit → updated index (settings, apps, models, routing, migrations, every finding): p50/p95 per edit kind and
//     overall, half of the edits as unsaved buffers (vfs overlays, as the extension sends while typing) and half
//     saved to disk (file written, the watcher's invalidate);
//   - the heap and RSS of this process after the edits.
// The core runs here as in the extension's scan worker (vfs trusted, caches written later), without VS Code.
// Usage: npm run bench:incremental -- [--apps 150] [--edits 40] [--seed 1] [--project DIR]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scanner } from '../src/core/scan';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { EDIT_KINDS, editTargets, makeEdit, prng, type EditKind } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
const APPS = Number(arg('apps', '150'));
const EDITS = Number(arg('edits', '40'));
const SEED = Number(arg('seed', '1'));
const repo = path.resolve(__dirname, '..');
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!; };
const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  let root = arg('project', '');
  const made = !root;
  if (!root) {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-incr-'));
    execFileSync(process.execPath, [path.join(repo, 'bench/generate.mjs'), root, String(APPS), '10', '20'], { stdio: 'ignore' });
  }
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-incr-cache-'));
  setTrusted(true);
  const opts = { root, allowPython: false, cacheDir, cacheWriteDelayMs: 60_000 };
  let t = performance.now();
  const cold = new Scanner(opts);
  const first = await cold.index();
  const coldMs = performance.now() - t;
  cold.flushCaches();
  t = performance.now();
  const warmScanner = new Scanner(opts);
  await warmScanner.index();
  const warmMs = performance.now() - t;
  console.log(`${root}: ${first.apps.length} apps, ${first.models.length} models, ${first.migrations.length} migrations, ${first.findings.length} findings`);
  console.log(`first static answer: cold ${ms(coldMs)}, warm (on-disk cache, new Scanner in this process) ${ms(warmMs)}`);

  // as the extension's scan worker does: after an answer from the snapshot, the in-memory state is built behind it
  t = performance.now();
  if (warmScanner.answeredFromSnapshot) await warmScanner.index();
  console.log(`  then the in-memory state behind the warm answer (as the scan worker builds it): ${ms(performance.now() - t)}`);
  const scanner = warmScanner;
  const targets = editTargets(root);
  const rnd = prng(SEED);
  const saved = new Map<string, string>();
  const byKind = new Map<EditKind, number[]>();
  const all: number[] = [];
  const typed: number[] = [];
  const savedMs: number[] = [];
  const cpu: number[] = [];
  /** per kind, per phase of the index (Scanner timings): where an edit's time goes */
  const phases = new Map<EditKind, Map<string, number[]>>();
  for (let i = 0; i < EDITS; i++) {
    const kind = EDIT_KINDS[i % EDIT_KINDS.length]!;
    const edit = makeEdit(kind, targets, rnd, readText);
    if (!edit) continue;
    const asBuffer = i % 2 === 0;
    if (!saved.has(edit.file)) saved.set(edit.file, fs.readFileSync(edit.file, 'utf8'));
    t = performance.now();
    const c0 = process.cpuUsage();
    if (asBuffer) setOverlay(edit.file, edit.text);
    else {
      setOverlay(edit.file, null);
      fs.writeFileSync(edit.file, edit.text);
      scanner.invalidate(edit.file);
    }
    const index = await scanner.index();
    const took = performance.now() - t;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (!index.models.length) throw new Error('the edit emptied the index');
    all.push(took);
    (asBuffer ? typed : savedMs).push(took);
    byKind.set(kind, [...(byKind.get(kind) ?? []), took]);
    const per = phases.get(kind) ?? new Map<string, number[]>();
    phases.set(kind, per);
    for (const [k, v] of Object.entries(index.timings ?? {})) if (typeof v === 'number' && k !== 'total') per.set(k, [...(per.get(k) ?? []), v]);
  }
  console.log(`edit → updated index and findings, ${all.length} edits: p50 ${ms(pct(all, 0.5))}, p95 ${ms(pct(all, 0.95))}, max ${ms(Math.max(...all))}`);
  // the two goals: ≤ 100 ms p95 for edits of models, routers and migration files; ≤ 500 ms for settings
  const code = [...byKind].filter(([k]) => k !== 'databases').flatMap(([, xs]) => xs);
  const settingsEdits = byKind.get('databases') ?? [];
  console.log(`  models, routers, migration files (${code.length} edits): p50 ${ms(pct(code, 0.5))}, p95 ${ms(pct(code, 0.95))}; settings DATABASES (${settingsEdits.length}): p50 ${ms(pct(settingsEdits, 0.5))}, p95 ${ms(pct(settingsEdits, 0.95))}`);
  console.log(`  unsaved buffer (typing): p50 ${ms(pct(typed, 0.5))}, p95 ${ms(pct(typed, 0.95))}; saved: p50 ${ms(pct(savedMs, 0.5))}, p95 ${ms(pct(savedMs, 0.95))}`);
  console.log(`  CPU time of this process per edit (less sensitive to a loaded machine): p50 ${ms(pct(cpu, 0.5))}, p95 ${ms(pct(cpu, 0.95))}`);
  for (const [k, xs] of byKind) {
    // the phases that took ≥ 2 ms at p95, p50/p95
    const slow = [...phases.get(k) ?? []].filter(([, ys]) => pct(ys, 0.95) >= 2).map(([p, ys]) => `${p} ${pct(ys, 0.5).toFixed(0)}/${pct(ys, 0.95).toFixed(0)}`);
    console.log(`  ${k.padEnd(15)} n=${xs.length}  p50 ${ms(pct(xs, 0.5))}  p95 ${ms(pct(xs, 0.95))}  (${slow.join(', ')})`);
  }
  const mem = process.memoryUsage();
  console.log(`memory after the edits: heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);

  for (const [f, text] of saved) { setOverlay(f, null); fs.writeFileSync(f, text); }
  fs.rmSync(cacheDir, { recursive: true, force: true });
  if (made) fs.rmSync(root, { recursive: true, force: true });
}

main().catch(e => { console.error(e); process.exit(1); });
