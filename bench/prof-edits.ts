// Profiling aid (not a benchmark): N edits of one kind on the benchmark generator's project, as the scan worker
// runs them, with V8's CPU profiler on around the edits only. Writes the profile to --out.
// Usage: node --import tsx bench/prof-edits.ts --kind fk-target|--kinds fk-target,router-return,... --edits 30 --out /tmp/edits.cpuprofile [--as-extension] [--no-profile]
//          [--alloc /tmp/edits.heapprofile]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Session } from 'inspector/promises';
import { MEMO_STATS, Scanner } from '../src/core/scan';
import { RUN_STATS } from '../src/core/routers';
import { PATCH_STATS } from '../src/core/models';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { editTargets, makeEdit, prng, type EditKind } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-prof-'));
  execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, arg('apps', '150'), '10', '20'], { stdio: 'ignore' });
  setTrusted(true);
  // --as-extension: the options the extension's scan worker has (the project's interpreter read from disk, third-party
  // migrations linted too)
  const asExtension = process.argv.includes('--as-extension');
  const python = asExtension ? execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'python-env.sh')], { encoding: 'utf8' }).trim().split('\n').pop()! : undefined;
  const scanner = new Scanner({ root, allowPython: false, cacheWriteDelayMs: 60_000, ...(asExtension ? { python, includeEnvironment: true } : {}) });
  await scanner.index();
  const targets = editTargets(root);
  // --warm: the scan worker's warm-up after the first answer (Scanner.warmUp)
  if (process.argv.includes('--warm')) {
    const t = performance.now();
    const runs = await scanner.warmUp(await scanner.index(), () => false);
    console.log(`warm-up (Scanner.warmUp): ${runs} indexes in ${(performance.now() - t).toFixed(0)} ms`);
  }
  const rnd = prng(Number(arg('seed', '1')));
  // --no-profile: the figures without the profiler's overhead (no profile written)
  const profiling = !process.argv.includes('--no-profile');
  const session = new Session();
  session.connect();
  if (profiling) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  // --alloc FILE: what the edits allocate (a sampling heap profile, garbage included; bench/alloc-top.mjs FILE reads it)
  const allocTo = process.argv.includes('--alloc') ? arg('alloc', '/tmp/edits.heapprofile') : undefined;
  if (allocTo) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  for (const k of Object.keys(MEMO_STATS)) delete MEMO_STATS[k];
  const runsBefore = { ...RUN_STATS.byMethod };
  const times: number[] = [];
  const n0 = () => times.length;
  const phases = new Map<string, number[]>();
  // --kinds a,b,c: the kinds in turn (as the VS Code benchmark types them), else --kind's only
  const kinds = arg('kinds', arg('kind', 'fk-target')).split(',') as EditKind[];
  for (let i = 0; i < Number(arg('edits', '30')); i++) {
    const edit = makeEdit(kinds[i % kinds.length]!, targets, rnd, readText);
    if (!edit) continue;
    // --probe: as the VS Code benchmark types it (save.bench.test.ts): with a function naming an alias that does not exist
    const probe = `probe_${i}`;
    const text = !process.argv.includes('--probe') ? edit.text
      : /migrations/.test(edit.file) ? edit.text.replace('dependencies = [\n', `dependencies = [\n        ("app000", "9999_${probe}"),\n`)
        : `${edit.text}\n\ndef _timing_${probe}(qs):\n    return qs.using("${probe}")\n`;
    const memosBefore = Object.fromEntries(Object.entries(MEMO_STATS).map(([k, v]) => [k, v.ms]));
    const t = performance.now();
    setOverlay(edit.file, text);
    const index = await scanner.index();
    times.push(performance.now() - t);
    for (const [k, v] of Object.entries(index.timings)) phases.set(k, [...(phases.get(k) ?? []), v]);
    // --each: every edit's time, file and phases (≥ 1 ms)
    if (process.argv.includes('--each')) console.log(`edit ${i} (${kinds[i % kinds.length]}): ${times.at(-1)!.toFixed(1)} ms ${path.relative(root, edit.file)} ${Object.entries(index.timings).filter(([k, v]) => k !== 'total' && v >= 1).map(([k, v]) => `${k} ${v}`).join(', ')}; memos ≥ 1 ms: ${Object.entries(MEMO_STATS).map(([k, v]) => [k, v.ms - (memosBefore[k] ?? 0)] as const).filter(([, d]) => d >= 1).sort((a, b) => b[1] - a[1]).map(([k, d]) => `${k} ${d.toFixed(1)}`).join(', ')}`);
  }
  if (allocTo) fs.writeFileSync(allocTo, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
  if (profiling) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(arg('out', '/tmp/edits.cpuprofile'), JSON.stringify(profile));
  }
  { const mt = (globalThis as any).MT as number[][] | undefined; if (mt) { const tail = mt.slice(-n0()); const med = (i: number) => tail.map(r => r[i]!).sort((a, b) => a - b)[tail.length >> 1]!.toFixed(2); console.log(`models run: visits ${med(0)}, other modules ${med(1)}, registered ${med(2)} (history ${med(3)}), registeredHistories ${med(4)}`); } }
  console.log(`in order: ${times.map(x => x.toFixed(0)).join(" ")}`);
  times.sort((a, b) => a - b);
  console.log(`${times.length} edits: median ${times[times.length >> 1]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`phases (median ms, as index.timings report them): ${[...phases].map(([k, v]) => `${k} ${med(v).toFixed(1)}`).join(', ')}`);
  const n = times.length;
  console.log(`memos (ms per edit, hit checks included): ${Object.entries(MEMO_STATS).sort((a, b) => b[1].ms - a[1].ms).filter(([, v]) => v.ms / n >= 0.2).map(([k, v]) => `${k} ${(v.ms / n).toFixed(1)}`).join(', ')}`);
  console.log(`models patched (patchModels): ${PATCH_STATS.patched}, left to a whole run: ${PATCH_STATS.declined}`);
  console.log(`router methods run per edit: ${Object.entries(RUN_STATS.byMethod).map(([k, v]) => `${k} ${((v - (runsBefore[k] ?? 0)) / n).toFixed(1)}`).join(', ')}`);
  fs.rmSync(root, { recursive: true, force: true });
}
void main();
