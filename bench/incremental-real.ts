// Correctness aid (not a benchmark) for issue 11 on real projects: random edits of a project's own routers and models,
// each as an unsaved buffer (vfs overlay: nothing is written to the project), indexed incrementally and compared with a
// scan from scratch. The edits: a router's `return True/False/None` or alias string changed, a line added in a router
// method, a function appended to a router module (a new name, or one it binds already), a model's ForeignKey target
// changed, a model appended, a settings module's DATABASES given another alias, a True/False or string setting changed,
// a setting added, a line typed at the top of a models file (everything in it moves down). Prints one line per edit and
// exits 1 on a difference.
// --worker: the incremental index runs in the extension's scan worker (the built dist/scanWorker.js; `node
// scripts/build.mjs` first), the buffers sent to it and its answers read back as the extension host reads them
// (differences, tables, parts): what the host ends up with is compared.
// Usage: node --import tsx bench/incremental-real.ts ROOT [--edits 20] [--seed 1] [--worker]
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { Scanner, type ProjectIndex } from '../src/core/scan';
import { ScanWorkerHost } from '../src/extension/scannerClient';
import { readText, setOverlay, setTrusted } from '../src/core/vfs';
import { prng } from './edits';

const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
const root = path.resolve(process.argv[2] ?? '.');
const EDITS = Number(arg('edits', '20'));
const rnd = prng(Number(arg('seed', '1')));
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const inside = (f: string | undefined | null): f is string => !!f && f.startsWith(root + path.sep) && !f.includes(`${path.sep}site-packages${path.sep}`);

function facts(index: ProjectIndex): unknown {
  // (db_for_read/db_for_write routes stay in the scan worker: compared without them)
  const { timings: _t, dbRoutes: _r, ...rest } = index;
  return JSON.parse(JSON.stringify(rest));
}

async function scratch(): Promise<ProjectIndex> {
  setTrusted(false);
  try {
    return await new Scanner({ root, allowPython: false }).index();
  } finally {
    setTrusted(true);
  }
}

/** One edit of `text` (null: none of this kind applies). */
function routerEdit(text: string, aliases: string[]): string | null {
  const options: (() => string | null)[] = [
    () => {
      const all = [...text.matchAll(/return (True|False|None)\b/g)];
      if (!all.length) return null;
      const m = pick(all);
      const to = pick(['True', 'False', 'None'].filter(x => x !== m[1]));
      return text.slice(0, m.index) + `return ${to}` + text.slice(m.index! + m[0].length);
    },
    () => {
      const all = [...text.matchAll(/(["'])([A-Za-z_][\w-]*)\1/g)].filter(m => aliases.includes(m[2]!));
      if (!all.length || aliases.length < 2) return null;
      const m = pick(all);
      const to = pick(aliases.filter(a => a !== m[2]));
      return text.slice(0, m.index) + `${m[1]}${to}${m[1]}` + text.slice(m.index! + m[0].length);
    },
    () => {
      // a line added before some return, at its indentation
      const all = [...text.matchAll(/^( +)return\b/gm)];
      if (!all.length) return null;
      const m = pick(all);
      return text.slice(0, m.index) + `${m[1]}_edited = 1\n` + text.slice(m.index);
    },
    // a plain function appended: a new name, or one the module already binds (a redefinition)
    () => `${text}\n\ndef _edit_${Math.floor(rnd() * 1e6)}(qs):\n    return qs.using("edited")\n`,
    () => {
      const names = [...text.matchAll(/^(?:def |class )?([A-Za-z_]\w*)(?: *=|\()/gm)].map(m => m[1]!).filter(n => !n.startsWith('__'));
      return names.length ? `${text}\n\ndef ${pick(names)}(*args, **kwargs):\n    return None\n` : null;
    },
  ];
  for (let tries = 0; tries < 6; tries++) {
    const t = pick(options)();
    if (t !== null && t !== text) return t;
  }
  return null;
}

function modelEdit(text: string, models: string[]): string | null {
  const fks = [...text.matchAll(/ForeignKey\(\s*(["'])([\w.]+)\1/g)];
  if (fks.length && rnd() < 0.6) {
    const m = pick(fks);
    return text.slice(0, m.index) + `ForeignKey(${m[1]}${pick(models)}${m[1]}` + text.slice(m.index! + m[0].length);
  }
  // a line typed at the top: every model, field and finding of the file moves down a line
  if (rnd() < 0.3) return `# edited ${Math.floor(rnd() * 1e6)}\n${text}`;
  if (!/^from django\.db import models\b/m.test(text)) return null;
  return `${text}\n\nclass IncrementalEdit${Math.floor(rnd() * 1e6)}(models.Model):\n    other = models.ForeignKey("${pick(models)}", on_delete=models.CASCADE)\n`;
}

function settingsEdit(text: string): string | null {
  const options: (() => string | null)[] = [
    () => {
      // an alias added to (or, when added before, taken from) a literal DATABASES
      const entry = '    "edited_alias": {"ENGINE": "django.db.backends.sqlite3", "NAME": "edited.sqlite3"},\n';
      if (text.includes(entry)) return text.replace(entry, '');
      const m = /^DATABASES\s*=\s*\{\s*\n/m.exec(text);
      return m ? text.slice(0, m.index + m[0].length) + entry + text.slice(m.index + m[0].length) : null;
    },
    () => {
      const all = [...text.matchAll(/^([A-Z][A-Z0-9_]*)\s*=\s*(True|False)\s*$/gm)];
      if (!all.length) return null;
      const m = pick(all);
      return text.slice(0, m.index) + `${m[1]} = ${m[2] === 'True' ? 'False' : 'True'}` + text.slice(m.index! + m[0].length);
    },
    () => {
      const all = [...text.matchAll(/^([A-Z][A-Z0-9_]*)\s*=\s*(["'])([\w./-]*)\2\s*$/gm)];
      if (!all.length) return null;
      const m = pick(all);
      return text.slice(0, m.index) + `${m[1]} = ${m[2]}${m[3]}_edited${m[2]}` + text.slice(m.index! + m[0].length);
    },
    () => `${text}\n\nEDITED_SETTING_${Math.floor(rnd() * 1e6)} = "edited"\n`,
  ];
  for (let tries = 0; tries < 6; tries++) {
    const t = pick(options)();
    if (t !== null && t !== text) return t;
  }
  return null;
}

async function main(): Promise<void> {
  setTrusted(true);
  const host = process.argv.includes('--worker')
    ? new ScanWorkerHost({ workerFile: path.join(__dirname, '..', 'dist', 'scanWorker.js'), logger: { debug() {}, info() {}, warn: console.warn, error: console.error } })
    : null;
  const scanner = host ? host.scanner({ root, allowPython: false }) : new Scanner({ root, allowPython: false });
  const t0 = performance.now();
  const first = await scanner.index();
  console.log(`${root}: ${first.models.length} models, ${first.migrations.length} migrations, routers ${first.settings?.routers.length ?? 0}; first index ${(performance.now() - t0).toFixed(0)} ms`);
  const routerFiles = [...new Set(Object.values(first.routerLocs).flatMap(l => [l.cls?.path, l.allowMigrate?.path]).filter(inside))];
  const modelFiles = [...new Set(first.models.map(m => m.loc.path).filter(inside))].filter(f => !f.includes(`${path.sep}migrations${path.sep}`));
  const labels = first.models.filter(m => !m.abstract).map(m => m.key);
  const aliases = first.settings?.databases.map(d => d.alias) ?? [];
  const settingsFile = inside(first.settings?.path) ? first.settings!.path : null;
  console.log(`  router files ${routerFiles.length}, model files ${modelFiles.length}, settings ${settingsFile ? path.relative(root, settingsFile) : 'none in the project'}`);
  let bad = 0;
  const touched = new Set<string>();
  try {
    for (let i = 0; i < EDITS; i++) {
      const settings = !!settingsFile && rnd() < 0.25;
      const router = !settings && routerFiles.length && (rnd() < 0.6 || !modelFiles.length);
      const file = settings ? settingsFile : router ? pick(routerFiles) : modelFiles.length ? pick(modelFiles) : null;
      if (!file) break;
      const text = readText(file);
      const next = settings ? settingsEdit(text) : router ? routerEdit(text, aliases) : modelEdit(text, labels);
      if (next === null) continue;
      setOverlay(file, next);
      if (host) await (scanner as ReturnType<ScanWorkerHost['scanner']>).setOverlay(file, next);
      touched.add(file);
      const t = performance.now();
      const inc = await scanner.index();
      const took = performance.now() - t;
      const a = facts(inc) as Record<string, unknown>, b = facts(await scratch()) as Record<string, unknown>;
      const same = isDeepStrictEqual(a, b);
      if (!same) {
        bad++;
        // what differs, and the edit (the lines of the buffer that are not the file's)
        for (const k of Object.keys(b)) if (!isDeepStrictEqual(a[k], b[k])) console.log(`    differs: ${k}`);
        const before = new Set(text.split('\n'));
        console.log(`    edit: ${next.split('\n').filter(l => !before.has(l)).slice(0, 6).join(' | ')}`);
      }
      console.log(`  ${same ? 'same' : 'DIFFERENT'}  ${settings ? 'settings' : router ? 'router  ' : 'model   '} ${path.relative(root, file)}  incremental ${took.toFixed(0)} ms`);
    }
  } finally {
    for (const f of touched) setOverlay(f, null);
  }
  console.log(bad ? `${bad} edit(s) gave a different index` : 'every edit: the same as a scan from scratch');
  process.exitCode = bad ? 1 : 0;
  // (the worker's channel holds no reference of the event loop once idle: closed after the verdict is out)
  await host?.close();
}
void main();
