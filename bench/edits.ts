// Edits of the kinds issue 11 measures, on a project made by bench/generate.mjs (or the example project):
// a field's FK target, a router's return value, a migration's dependencies, a DATABASES entry, a new model.
// Each edit is text → text of one file, so it can be applied as an unsaved buffer (vfs overlay) or saved.
// Shared by bench/incremental.ts (timings) and test/unit/incremental.test.ts (incremental == from scratch).
import * as fs from 'fs';
import * as path from 'path';

export type EditKind = 'fk-target' | 'router-return' | 'migration-deps' | 'databases' | 'new-model';
export const EDIT_KINDS: EditKind[] = ['fk-target', 'router-return', 'migration-deps', 'databases', 'new-model'];

export interface Edit { kind: EditKind; file: string; text: string }

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(xs: T[], rnd: () => number): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** The project's files an edit of each kind may touch. */
export interface EditTargets {
  models: string[];
  routers: string[];
  migrations: string[];
  settings: string;
}

export function editTargets(root: string): EditTargets {
  const models: string[] = [];
  const migrations: string[] = [];
  const routers: string[] = [];
  let settings = '';
  const walk = (dir: string, depth: number): void => {
    if (depth > 4) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (!e.name.startsWith('.') && e.name !== '__pycache__') walk(p, depth + 1); continue; }
      if (!e.name.endsWith('.py')) continue;
      if (e.name === 'models.py') models.push(p);
      else if (e.name === 'routers.py') routers.push(p);
      else if (e.name === 'settings.py') settings = p;
      else if (path.basename(dir) === 'migrations' && /^\d{4}_/.test(e.name)) migrations.push(p);
    }
  };
  walk(root, 0);
  return { models: models.sort(), routers: routers.sort(), migrations: migrations.sort(), settings };
}

/** One edit of `kind`, made from the file's current text (`read` sees unsaved buffers when the caller has them). */
export function makeEdit(kind: EditKind, t: EditTargets, rnd: () => number, read: (f: string) => string): Edit | null {
  switch (kind) {
    case 'fk-target': {
      const file = pick(t.models, rnd);
      const text = read(file);
      // retarget one ForeignKey("X") to another model of the project (same app or another app)
      const m = /ForeignKey\("([A-Za-z0-9_.]+)"/.exec(text);
      if (!m) return { kind, file, text: text + `\n\nclass FkEdit${Math.floor(rnd() * 1e6)}(models.Model):\n    other = models.ForeignKey("${pickModelRef(t, rnd)}", on_delete=models.CASCADE)\n` };
      return { kind, file, text: text.slice(0, m.index) + `ForeignKey("${pickModelRef(t, rnd)}"` + text.slice(m.index + m[0].length) };
    }
    case 'router-return': {
      const file = pick(t.routers, rnd);
      const text = read(file);
      // flip one `return None` / `return False` / `db == "x"` answer
      const swaps: [RegExp, string][] = [[/return None/, 'return False'], [/return False/, 'return None'], [/db == "legacy"/, 'db == "default"'], [/db == "default"/, 'db == "legacy"'], [/return db != "legacy"/, 'return None']];
      const usable = swaps.filter(([re]) => re.test(text));
      if (!usable.length) return null;
      const [re, by] = pick(usable, rnd);
      return { kind, file, text: text.replace(re, by) };
    }
    case 'migration-deps': {
      const file = pick(t.migrations.filter(f => !/0001_/.test(f)), rnd);
      if (!file) return null;
      const text = read(file);
      const m = /dependencies = \[\n([\s\S]*?)\n {4}\]/.exec(text);
      if (!m) return null;
      // add (or drop again) a dependency on another app's first migration
      const extra = `        ("${path.basename(path.dirname(path.dirname(pick(t.migrations, rnd))))}", "0001_initial"),`;
      const body = m[1]!.includes(extra) ? m[1]!.replace('\n' + extra, '') : `${m[1]}\n${extra}`;
      return { kind, file, text: text.slice(0, m.index) + `dependencies = [\n${body}\n    ]` + text.slice(m.index + m[0].length) };
    }
    case 'databases': {
      const file = t.settings;
      const text = read(file);
      const m = /DATABASES = \{\n/.exec(text);
      if (!m) return null;
      const entry = '    "reporting": {"ENGINE": "django.db.backends.sqlite3", "NAME": "reporting.sqlite3"},\n';
      const next = text.includes(entry) ? text.replace(entry, '') : text.slice(0, m.index + m[0].length) + entry + text.slice(m.index + m[0].length);
      return { kind, file, text: next };
    }
    case 'new-model': {
      const file = pick(t.models, rnd);
      const text = read(file);
      const n = Math.floor(rnd() * 1e6);
      return { kind, file, text: `${text}\n\nclass Added${n}(models.Model):\n    title = models.CharField(max_length=20)\n    owner = models.ForeignKey("${pickModelRef(t, rnd)}", on_delete=models.CASCADE)\n` };
    }
  }
}

/** "appNNN.ThingNxM" style reference to a model that exists (the first class of some models file). */
function pickModelRef(t: EditTargets, rnd: () => number): string {
  const file = pick(t.models, rnd);
  const app = path.basename(path.dirname(file));
  const m = /^class (\w+)\(models\.Model\)/m.exec(fs.readFileSync(file, 'utf8'));
  return m ? `${app}.${m[1]}` : 'auth.User';
}
