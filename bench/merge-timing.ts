// Profiling aid: Django mode's merge of Django's last answer into a newer static index (what the scan worker does
// after every edit in Django mode), on the benchmark generator's project, timed per edit kind.
// Usage: node --import tsx bench/merge-timing.ts [--apps 150] [--kind KIND] [--edits 40] [--whole] (--whole: the routing and migrations
// sections made whole, not patched from the last merge)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scanner, withDjango } from '../src/core/scan';
import { MERGE_STATS, mergeDjangoAnswer, splitDjangoReport } from '../src/core/django';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { EDIT_KINDS, editTargets, makeEdit, prng, type EditKind } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-merge-'));
  execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, arg('apps', '150'), '10', '20'], { stdio: 'ignore' });
  setTrusted(true);
  const python = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'python-env.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const opts = { root, allowPython: true, python, includeEnvironment: true, runWorkspaceInterpreter: true, mode: 'django' as const };
  const scanner = new Scanner(opts);
  const first = await scanner.index();
  const { report } = splitDjangoReport(await withDjango(first, opts));
  if (!report) throw new Error('no Django report');
  const targets = editTargets(root);
  const rnd = prng(3);
  mergeDjangoAnswer(first, report);
  const by: Record<string, number[]> = {};
  const kinds = process.argv.includes('--kind') ? [arg('kind', '') as EditKind] : EDIT_KINDS;
  const whole = process.argv.includes('--whole');
  for (let i = 0; i < Number(arg('edits', '40')); i++) {
    const kind = kinds[i % kinds.length]!;
    const edit = makeEdit(kind, targets, rnd, readText);
    if (!edit) continue;
    setOverlay(edit.file, edit.text);
    const index = await scanner.index();
    const t = performance.now();
    mergeDjangoAnswer(index, report, { whole });
    (by[kind] ??= []).push(performance.now() - t);
  }
  for (const [k, xs] of Object.entries(by)) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(`${k.padEnd(15)} merge p50 ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms  mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1)} ms  max ${s[s.length - 1]!.toFixed(1)} ms (${s.length} edits)`);
  }
  console.log(`sections computed: ${JSON.stringify(MERGE_STATS.sections)}; routing rows patched ${MERGE_STATS.routingRowsPatched}, migration rows ${MERGE_STATS.migrationRowsPatched}`);
  fs.rmSync(root, { recursive: true, force: true });
}
void main();
