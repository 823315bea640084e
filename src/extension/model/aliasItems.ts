// Pure (no `vscode`): the completion items of database alias names (completion.ts) — the aliases of DATABASES with
// what tells them apart (engine, NAME, same database / mirror, the apps that migrate there) — and which files get
// them: the project's own Python files, not a package's (a virtualenv, site-packages, an app outside the project).
import * as path from 'path';
import { indexDecisions } from '../../core/findings';
import type { ProjectIndex } from '../../core/scan';
import { shortEngine, twinText } from './routing';

export interface AliasItem {
  alias: string;
  /** "sqlite3 · db.sqlite3 · mirror of default" */
  detail: string;
  /** markdown */
  documentation: string;
  /** DATABASES order */
  sortText: string;
}

/** Path parts that mark a package's files, not the project's. */
const PACKAGE_DIRS = new Set(['site-packages', 'dist-packages', '.venv', 'venv', 'node_modules', '.tox', '.nox']);

/** Whether `file` is one of the project's own Python files (where an alias written by hand may be completed). */
export function isProjectPython(index: Pick<ProjectIndex, 'root' | 'apps'>, file: string, workspaceRoot = index.root): boolean {
  if (!file.endsWith('.py')) return false;
  const inside = (dir: string) => {
    const r = path.relative(dir, file);
    return !!r && !r.startsWith('..') && !path.isAbsolute(r);
  };
  if (!inside(workspaceRoot) && !inside(index.root)) return false;
  const rel = path.relative(inside(workspaceRoot) ? workspaceRoot : index.root, file);
  if (rel.split(path.sep).some(p => PACKAGE_DIRS.has(p))) return false;
  return !index.apps.some(a => a.external && a.dir && inside(a.dir));
}

/** NAME as it reads best: a file path relative to the project when it is inside it. */
function nameText(name: string | null, root: string): string | null {
  if (!name) return null;
  if (!path.isAbsolute(name)) return name;
  const r = path.relative(root, name);
  return r && !r.startsWith('..') ? r.split(path.sep).join('/') : name;
}

export function aliasItems(index: ProjectIndex): AliasItem[] {
  const dbs = index.settings?.databases ?? [];
  // (every model on every alias: the whole map)
  const decisions = indexDecisions(index.routing);
  const width = String(dbs.length).length;
  return dbs.map((d, i) => {
    const name = nameText(d.name, index.root);
    const twin = twinText(index, d.alias);
    const detail = [shortEngine(d.engine), name, twin].filter(Boolean).join(' · ');
    // the apps whose models `migrate --database=<alias>` creates: what the alias is for, in the project's terms
    const apps = new Map<string, number>();
    for (const m of index.models) {
      if (m.abstract || !m.managed || m.proxy) continue;
      if (decisions.get(d.alias, m.key)?.migrate === true) apps.set(m.app, (apps.get(m.app) ?? 0) + 1);
    }
    const doc = [`**${d.alias}** — \`${d.engine ?? 'unknown engine'}\``];
    if (name) doc.push(`NAME: \`${name}\``);
    if (twin) doc.push(`${twin[0]!.toUpperCase()}${twin.slice(1)}.`);
    doc.push(apps.size
      ? `Models migrated here: ${[...apps].map(([a, n]) => `${a} (${n})`).join(', ')}`
      : 'No model of the project is migrated here.');
    return { alias: d.alias, detail, documentation: doc.join('\n\n'), sortText: String(i).padStart(width, '0') };
  });
}
