// Profiling aid: Django mode's edit path through the extension's own scan worker, outside VS Code: an unsaved buffer
// sent, the index asked for, then Django's last answer merged into it (ScannerClient.mergeDjango), each step timed
// per edit kind. What the VS Code benchmark's `indexedAt → shownAt` is made of.
// Usage: node --import tsx bench/django-edits.ts [--apps 150] [--edits 25] [--idle MS] [--kind KIND] [--django-meanwhile [--through-answer N --gap MS]] [--separate]
//   [--no-sizes] (the replies' sizes not measured: measuring them serialises every reply again on this thread)
import { execFileSync } from 'child_process';
import * as v8 from 'v8';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ScanWorkerHost } from '../src/extension/scannerClient';
import { EDIT_KINDS, editTargets, makeEdit, prng, type EditKind } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!; };

/**
 * The reply's size, by its largest parts, as what it decodes to (tables made rows) would be serialised, and the
 * size of what crossed the channel (its messages, tables as they are: `wire`).
 */
function size(reply: unknown, wire: number): string {
  const r = reply as Record<string, unknown> | undefined;
  if (!r) return '?';
  const parts: string[] = [];
  let total = 0;
  for (const where of ['changed', 'patched', 'nested'] as const) {
    for (const [k, v] of Object.entries((r[where] ?? {}) as Record<string, unknown>)) {
      const n = v8.serialize(v).length;
      total += n;
      if (n > 5000) parts.push(`${where === 'changed' ? '' : `${where}:`}${k} ${(n / 1024).toFixed(0)}K`);
    }
  }
  return `${(total / 1024).toFixed(0)} KB${parts.length ? ` (${parts.join(', ')})` : ''} wire ${(wire / 1024).toFixed(0)} KB`;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-djedits-'));
  execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, arg('apps', '150'), '10', '20'], { stdio: 'ignore' });
  const python = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'python-env.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const quiet = { debug(m: string) { if (/warm-up/.test(m)) console.log(m); }, info() {}, warn() {}, error() {} };
  const host = new ScanWorkerHost({ workerFile: path.join(__dirname, '..', 'dist', 'scanWorker.js'), logger: quiet, keepReplies: !process.argv.includes('--no-sizes') });
  // the extension's options (project.ts createScanner), trusted
  const client = host.scanner({ root, allowPython: true, runWorkspaceInterpreter: true, readDatabases: false, includeEnvironment: true, python });
  const first = await client.index();
  const django = await client.withDjango(first, { mode: 'django', allowPython: true, readDatabases: false });
  if (django.mode?.used !== 'django') throw new Error(`Django did not answer: ${JSON.stringify(django.mode)}`);
  // --idle MS: a pause before the first edit, as a user reads the answer first (the worker's warm-up runs then)
  await new Promise(r => setTimeout(r, Number(arg('idle', '0'))));
  // --django-meanwhile: Django is asked again (as after a save) and the edits are made while its helper runs, as a
  // user typing right after saving does; DJANGO_MULTIDB_LOW_PRIORITY=0 runs the helper at normal CPU priority
  let djangoRunning = false;
  let answeredAt: number | undefined;
  let again: Promise<unknown> = Promise.resolve();
  if (process.argv.includes('--django-meanwhile')) {
    djangoRunning = true;
    again = client.withDjango(first, { mode: 'django', allowPython: true, readDatabases: false }).finally(() => { djangoRunning = false; answeredAt = performance.now(); });
    // (the helper started: Python importing the project)
    await new Promise(r => setTimeout(r, 500));
  }
  const targets = editTargets(root);
  const rnd = prng(Number(arg('seed', '11')));
  const rows: Record<string, { index: number[]; merge: number[] }> = {};
  // --through-answer N: (with --django-meanwhile) N edits more once Django's answer came, --gap MS apart, as a user
  // typing on while it lands: the edits made as it landed are printed apart
  const through = Number(arg('through-answer', '0'));
  const gap = Number(arg('gap', '0'));
  const timeline: { at: number; ms: number }[] = [];
  let after = 0;
  for (let i = 0; i < Number(arg('edits', '25')); i++) {
    const kind = (arg('kind', '') || EDIT_KINDS[i % EDIT_KINDS.length]!) as EditKind;
    const edit = makeEdit(kind, targets, rnd, f => fs.readFileSync(f, 'utf8'));
    if (!edit) continue;
    await client.setOverlay(edit.file, `${edit.text}\n\ndef _timing_probe_${i}(qs):\n    return qs.using("probe_${i}")\n`);
    const asked = performance.now();
    let t = asked;
    // as the extension asks (project.ts mergeBehind): the merge right behind the index; --separate: after it
    const index = await client.index(undefined, false, process.argv.includes('--separate') ? undefined : {});
    const ti = performance.now() - t;
    const t0 = performance.timeOrigin + asked;
    // (when the worker began the index and posted its reply, and when the reply was taken here, from the ask)
    const at = `began +${Math.round((client.indexStartedAt ?? NaN) - t0)}, posted +${Math.round((client.indexReplySentAt ?? NaN) - t0)}, taken +${Math.round((client.indexReplyAt ?? NaN) - t0)}`;
    const indexReply = host.lastReply ? size(host.lastReply, host.lastWireBytes) : '-';
    t = performance.now();
    const merged = await client.mergeDjango(index);
    const tm = performance.now() - t;
    const mergeReply = host.lastReply ? size(host.lastReply, host.lastWireBytes) : '-';
    if (!merged) throw new Error('no merge');
    timeline.push({ at: asked, ms: ti + tm });
    if (process.argv.includes('--django-meanwhile') && !djangoRunning && ++after > through) break;
    if (gap) await new Promise(r => setTimeout(r, gap));
    const r = (rows[kind] ??= { index: [], merge: [] });
    r.index.push(ti);
    r.merge.push(tm);
    // (the worker's own phases of the index, ≥ 5 ms)
    const phases = Object.entries(index.timings ?? {}).filter(([k, v]) => k !== 'total' && v >= 5).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
    console.log(`${kind.padEnd(15)} index ${ti.toFixed(0).padStart(4)} ms (in the worker ${Math.round(index.timings?.total ?? NaN)}${phases ? `: ${phases}` : ''}; ${at})  merge ${tm.toFixed(0).padStart(4)} ms  replies: index ${indexReply}, merge ${mergeReply}`);
  }
  if (answeredAt !== undefined && through) {
    // the edits begun from 300 ms before the answer was taken to 300 ms after (its merge in the worker comes first)
    const near = timeline.filter(e => e.at >= answeredAt! - 300 && e.at <= answeredAt! + 300).map(e => e.ms);
    const others = timeline.filter(e => e.at < answeredAt! - 300 || e.at > answeredAt! + 300).map(e => e.ms);
    if (near.length) console.log(`as Django's answer landed: ${near.length} edits, max ${Math.max(...near).toFixed(0)} ms (${near.map(x => x.toFixed(0)).join(' ')}); the other ${others.length}: p50 ${pct(others, 0.5).toFixed(0)}, max ${Math.max(...others).toFixed(0)} ms`);
  }
  const all = Object.values(rows).flatMap(r => r.index.map((x, i) => x + r.merge[i]!));
  console.log(`index + merge, ${all.length} edits${process.argv.includes('--django-meanwhile') ? ' while Django ran' : ''}: p50 ${pct(all, 0.5).toFixed(0)} ms, p95 ${pct(all, 0.95).toFixed(0)} ms`);
  await again;
  for (const [k, r] of Object.entries(rows)) console.log(`${k.padEnd(15)} index p50 ${pct(r.index, 0.5).toFixed(0)} / max ${Math.max(...r.index).toFixed(0)} ms, merge p50 ${pct(r.merge, 0.5).toFixed(0)} / max ${Math.max(...r.merge).toFixed(0)} ms`);
  await host.close();
  fs.rmSync(root, { recursive: true, force: true });
}

void main();
