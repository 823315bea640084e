// Compare ./src/core/python/fast-parser.ts with tree-sitter's reading (../src/core/python/parse.ts) on the Python
// files under the folders given: how many files the parser reads, whether each reading equals tree-sitter's (node
// for node, position for position), and the time of each. Migration files are compared in their migration-only
// reading (what the index asks for), the others whole; `--whole` reads migration files whole too.
//   node --import tsx bench/fast-parser.ts DIR… [--show N] [--rejected] [--whole]
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { initPython, parsePython } from '../src/core/python/parse';
import { parseMigrationFile, parseModuleFile } from '../src/core/python/fast-parser';

/** the `.py` files under `dir` (not in hidden folders or node_modules); `migrations` only: those in `migrations` folders */
export function pythonFilesUnder(dir: string, migrations = false, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) pythonFilesUnder(p, migrations, out);
    } else if (e.isFile() && e.name.endsWith('.py') && (!migrations || isMigrationFile(p))) out.push(p);
  }
  return out;
}

export function isMigrationFile(file: string): boolean {
  return path.basename(path.dirname(file)) === 'migrations' && path.basename(file) !== '__init__.py';
}

export function migrationFilesUnder(dir: string): string[] {
  return pythonFilesUnder(dir, true);
}

/** the first place where two values differ, as a path */
export function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 300);
  return `${at}: ${show(a)} ≠ ${show(b)}`;
}

interface Tally { files: number; read: number; differ: number; fastMs: number; treeMs: number; chars: number; readChars: number }

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const show = Number(args[args.indexOf('--show') + 1] ?? 5) || 5;
  const rejected = args.includes('--rejected');
  const whole = args.includes('--whole');
  const dirs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--show');
  await initPython();
  const tallies = { migration: blank(), module: blank() };
  const shown: string[] = [];
  const rejects: string[] = [];
  for (const dir of dirs) {
    for (const file of pythonFilesUnder(dir)) {
      let source: string;
      try {
        source = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (source.length > 1024 * 1024) continue; // over parse.ts's limit: tree-sitter reads its beginning
      const migration = !whole && isMigrationFile(file);
      const t = tallies[migration ? 'migration' : 'module'];
      t.files++;
      t.chars += source.length;
      let start = performance.now();
      const fast = migration ? parseMigrationFile(source) : parseModuleFile(source);
      t.fastMs += performance.now() - start;
      start = performance.now();
      const tree = parsePython(source, file, { only: migration ? 'migration' : undefined, treeSitter: true });
      const treeMs = performance.now() - start;
      if (!fast) {
        if (rejects.length < show) rejects.push(file);
        continue;
      }
      t.treeMs += treeMs;
      t.read++;
      t.readChars += source.length;
      const d = firstDifference(fast, tree.body) ?? (tree.problems.length || tree.limit ? 'tree-sitter found problems' : null);
      if (d) {
        t.differ++;
        if (shown.length < show) shown.push(`${file}\n    ${d}`);
      }
    }
  }
  for (const [kind, t] of Object.entries(tallies)) {
    if (!t.files) continue;
    console.log(`${kind} files: ${t.files} (${(t.chars / 1e6).toFixed(1)} MB); the parser read ${t.read} (${(100 * t.read / t.files).toFixed(1)} %, ${(t.readChars / 1e6).toFixed(1)} MB); readings that differ from tree-sitter's: ${t.differ}`);
    console.log(`  time: parser ${t.fastMs.toFixed(0)} ms (all files tried), tree-sitter ${t.treeMs.toFixed(0)} ms (the files the parser read)`);
  }
  for (const s of shown) console.log(`  ${s}`);
  if (rejected) for (const r of rejects) console.log(`  not read: ${r}`);
  if (tallies.migration.differ + tallies.module.differ) process.exitCode = 1;
}

function blank(): Tally {
  return { files: 0, read: 0, differ: 0, fastMs: 0, treeMs: 0, chars: 0, readChars: 0 };
}

if (require.main === module) void main();
