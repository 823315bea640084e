// Profiling aid (not a benchmark): the first edits of each kind after the scan worker's warm-up (Scanner.warmUp),
// in the VS Code benchmark's order (save.bench.test.ts: rounds of fk-target, router-return, migration-deps,
// databases, new-model), as unsaved buffers; prints each edit's time and the phases of five ms or more, so that an
// edit kind whose first edit runs code the warm-up did not is seen.
// Usage: node --import tsx bench/first-edits.ts [--rounds 3] [--no-warm] [--apps 150]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scanner } from '../src/core/scan';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { editTargets, makeEdit, prng, type EditKind } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
const KINDS: EditKind[] = ['fk-target', 'router-return', 'migration-deps', 'databases', 'new-model'];

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-first-'));
  execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, arg('apps', '150'), '10', '20'], { stdio: 'ignore' });
  setTrusted(true);
  const python = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'python-env.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const scanner = new Scanner({ root, allowPython: false, cacheWriteDelayMs: 60_000, python, includeEnvironment: true });
  let t = performance.now();
  const first = await scanner.index();
  console.log(`first index ${(performance.now() - t).toFixed(0)} ms`);
  if (!process.argv.includes('--no-warm')) {
    t = performance.now();
    const runs = await scanner.warmUp(first, () => false);
    console.log(`warm-up: ${runs} indexes in ${(performance.now() - t).toFixed(0)} ms`);
  }
  const targets = editTargets(root);
  const rnd = prng(1);
  for (let r = 0; r < Number(arg('rounds', '3')); r++) {
    const row: string[] = [];
    for (const kind of KINDS) {
      const edit = makeEdit(kind, targets, rnd, readText);
      if (!edit) continue;
      t = performance.now();
      setOverlay(edit.file, edit.text);
      const index = await scanner.index();
      const ms = performance.now() - t;
      const phases = Object.entries(index.timings).filter(([k, v]) => k !== 'total' && v >= 5).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
      row.push(`${kind} ${ms.toFixed(0)} (${phases})`);
    }
    console.log(`round ${r + 1}: ${row.join('; ')}`);
  }
  fs.rmSync(root, { recursive: true, force: true });
}
void main();
