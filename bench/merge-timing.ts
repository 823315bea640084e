// Profiling aid: Django mode's merge of Django's last answer into a newer static index (what the scan worker does
// after every edit in Django mode), on the benchmark generator's project, timed per edit kind.
// Usage: node --import tsx bench/merge-timing.ts [--apps 150]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scanner, withDjango } from '../src/core/scan';
import { mergeDjangoAnswer, splitDjangoReport } from '../src/core/django';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { EDIT_KINDS, editTargets, makeEdit, prng } from './edits';

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
  for (let i = 0; i < 40; i++) {
    const kind = EDIT_KINDS[i % EDIT_KINDS.length]!;
    const edit = makeEdit(kind, targets, rnd, readText);
    if (!edit) continue;
    setOverlay(edit.file, edit.text);
    const index = await scanner.index();
    const t = performance.now();
    mergeDjangoAnswer(index, report);
    (by[kind] ??= []).push(performance.now() - t);
  }
  for (const [k, xs] of Object.entries(by)) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(`${k.padEnd(15)} merge p50 ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms  max ${s[s.length - 1]!.toFixed(1)} ms`);
  }
  fs.rmSync(root, { recursive: true, force: true });
}
void main();
