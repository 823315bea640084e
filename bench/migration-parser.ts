// Compare ./src/core/python/migration-parser.ts with tree-sitter's migration-only reading on every migration file
// under the folders given: how many files the parser reads, whether each reading equals tree-sitter's (node for
// node, position for position), and the time each took.
//   node --import tsx bench/migration-parser.ts DIR… [--show N] [--rejected]
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { initPython, parsePython } from '../src/core/python/parse';
import { parseMigrationFile } from '../src/core/python/migration-parser';

export function migrationFilesUnder(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) migrationFilesUnder(p, out);
    } else if (e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py' && path.basename(dir) === 'migrations') out.push(p);
  }
  return out;
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const show = Number(args[args.indexOf('--show') + 1] ?? 5) || 5;
  const rejected = args.includes('--rejected');
  const dirs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--show');
  await initPython();
  let files = 0, read = 0, differ = 0, fastMs = 0, treeMs = 0, readChars = 0, chars = 0;
  const shown: string[] = [];
  const rejects: string[] = [];
  for (const dir of dirs) {
    for (const file of migrationFilesUnder(dir)) {
      const source = fs.readFileSync(file, 'utf8');
      files++;
      chars += source.length;
      let t = performance.now();
      const fast = parseMigrationFile(source);
      fastMs += performance.now() - t;
      t = performance.now();
      const tree = parsePython(source, file, { only: 'migration', treeSitter: true });
      const tms = performance.now() - t;
      if (!fast) {
        if (rejects.length < show) rejects.push(file);
        continue;
      }
      treeMs += tms;
      read++;
      readChars += source.length;
      const d = firstDifference(fast, tree.body) ?? (tree.problems.length || tree.limit ? 'tree-sitter found problems' : null);
      if (d) {
        differ++;
        if (shown.length < show) shown.push(`${file}\n    ${d}`);
      }
    }
  }
  console.log(`${files} migration files (${(chars / 1e6).toFixed(1)} MB); the parser read ${read} (${(100 * read / Math.max(1, files)).toFixed(1)} %, ${(readChars / 1e6).toFixed(1)} MB)`);
  console.log(`readings that differ from tree-sitter's: ${differ}`);
  for (const s of shown) console.log(`  ${s}`);
  console.log(`time on the files it read: parser ${treeMs ? fastMs.toFixed(0) : 0} ms (all files tried), tree-sitter ${treeMs.toFixed(0)} ms`);
  if (rejected) for (const r of rejects) console.log(`  not read: ${r}`);
  if (differ) process.exitCode = 1;
}

if (require.main === module) void main();
