// Profiling aid: how many bytes each property of the scan worker's reply takes, per edit kind, on the benchmark
// generator's project, through the extension's own worker (what the extension host reads and deserialises).
// Usage: node --import tsx bench/reply-sizes.ts [--edits 10] [--apps 150]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { ScanWorkerHost } from '../src/extension/scannerClient';
import { EDIT_KINDS, editTargets, makeEdit, prng } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-sizes-'));
  execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, arg('apps', '150'), '10', '20'], { stdio: 'ignore' });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const host = new ScanWorkerHost({ workerFile: path.join(__dirname, '..', 'dist', 'scanWorker.js'), logger: quiet, keepReplies: true });
  const client = host.scanner({ root, allowPython: false });
  const sizes = (label: string) => {
    const r = host.lastReply as Record<string, unknown> | undefined;
    if (!r) return;
    const parts: string[] = [];
    let total = 0;
    for (const where of ['changed', 'patched', 'nested'] as const) {
      for (const [k, v] of Object.entries((r[where] ?? {}) as Record<string, unknown>)) {
        const n = v8.serialize(v).length;
        total += n;
        if (n > 2000) parts.push(`${where === 'changed' ? '' : `${where}:`}${k} ${(n / 1024).toFixed(0)}K`);
      }
    }
    console.log(`${label.padEnd(16)} ${(total / 1024).toFixed(0).padStart(6)} KB  ${parts.join(', ')}`);
  };
  const first = await client.index();
  sizes('first index');
  // as the extension does next: the databases read (the generator's project has none: each alias unreachable)
  await client.readState(first);
  sizes('readState');
  const targets = editTargets(root);
  const rnd = prng(1);
  for (let i = 0; i < Number(arg('edits', '10')); i++) {
    const kind = EDIT_KINDS[i % EDIT_KINDS.length]!;
    const edit = makeEdit(kind, targets, rnd, f => fs.readFileSync(f, 'utf8'));
    if (!edit) continue;
    fs.writeFileSync(edit.file, edit.text);
    client.invalidate(edit.file);
    await client.index();
    sizes(kind);
  }
  await host.close();
  fs.rmSync(root, { recursive: true, force: true });
}

void main();
