// The worker thread of ./prefetch.ts (bundled as dist/parse-worker.js): lists the project's files (listJobs),
// posts the lists, then claims files from the shared counters, queue after queue, and reads each exactly as the
// index would on its own thread.
import * as path from 'path';
import { workerData } from 'worker_threads';
import { initPython, ParseBudget, readPythonFile } from './python/parse';
import { lintedNext, modulesIn, readMigrationSource } from './migrations/files';
import { lintMigrationSource, mayHaveLints, type RawLint } from './lints/runpython';
import { aliasUses, NON_APP_DIRS, type AliasUse } from './lints/aliases';
import { readDir, readText, statFile, type FileStat } from './vfs';
import { DONE, LISTED, QUEUES, RUNNING, WAITING, type FileJob, type MigrationJob, type PrefetchInput, type PrefetchMessage } from './prefetch';

/** A migration job's result: the migration reader's cache entry, its RunPython lints and alias uses. */
export interface MigrationResult extends FileJob, FileStat {
  /** the RunPython lint cache's key */
  ownModule: string;
  used: Record<string, string | null>;
  info: unknown;
  problems: unknown[];
  timeLimited?: boolean | 'retry';
  /** lints/runpython.ts lintFile's value, and the app labels it looked up (module → label) */
  lints?: RawLint[];
  lintModules?: [string, string | null][];
  /** lints/aliases.ts usesOf's value */
  uses?: AliasUse[];
}

export interface AliasResult extends FileJob, FileStat { uses: AliasUse[] }

/** The settings a migration reading sees before the settings are known: a reading that read one is done again. */
const NO_SETTINGS = { authUserModel: '', values: {} };

/** The app labels of the migrations packages found, looked up as lints/runpython.ts does, each lookup recorded. */
class RecordingModules extends Map<string, string> {
  readonly asked = new Map<string, string | null>();
  override get(module: string): string | undefined {
    const v = super.get(module);
    this.asked.set(module, v ?? null);
    return v;
  }
}

function readMigration(job: MigrationJob, budget: ParseBudget): MigrationResult | null {
  const st = statFile(job.file);
  if (!st) return null;
  const read = readPythonFile(job.file, st);
  if ('error' in read) return null;
  const whole = lintedNext(job.external, read);
  const r = readMigrationSource(read.source, job.file, job.app, job.name, NO_SETTINGS, { budget, fileSize: read.fileSize, ...(whole ? { keep: true } : { only: 'migration' as const }) });
  // a file cut short: the index reads it again on its own thread, with the budget the scan has left there
  if (r.timeLimited) return null;
  const out: MigrationResult = { file: job.file, ...st, ownModule: job.ownModule, used: r.used, info: r.info, problems: r.problems };
  // (of a file over the parsing limit only the header was read here: the index lints the whole file)
  if (job.ownModule && read.fileSize === undefined) {
    const modules = new RecordingModules(appModules);
    out.lints = mayHaveLints(read.source) ? lintMigrationSource(read.source, job.file, modules, job.ownModule) : [];
    out.lintModules = [...modules.asked];
  }
  if (whole) out.uses = aliasUses(read.source, job.file);
  return out;
}

const appModules = new Map<string, string>();

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 8;

/**
 * The files below the project folder, guessed as an index would read them: the modules of every `migrations`
 * package (the app label guessed as the package's parent folder, the module from the path), and every other
 * Python file (the alias lint's).
 */
function listJobs(projectDir: string): { migrations: MigrationJob[]; aliases: FileJob[] } {
  const migrations: MigrationJob[] = [];
  const aliases: FileJob[] = [];
  const walk = (dir: string, parts: string[]) => {
    const entries = readDir(dir);
    if (!entries) return;
    const isMigrations = parts.length > 0 && parts[parts.length - 1] === 'migrations' && entries.some(e => e.name === '__init__.py');
    for (const e of entries) {
      if (e.isDirectory()) {
        // Django lists a migrations package's modules, not its sub-packages
        if (!isMigrations && parts.length < MAX_DEPTH && !NON_APP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), [...parts, e.name]);
      } else if (!isMigrations && e.name.endsWith('.py')) {
        aliases.push({ file: path.join(dir, e.name) });
      }
    }
    const app = parts[parts.length - 2];
    if (!isMigrations || !app) return;
    // the modules Django's loader lists (migrations/files.ts iterModules)
    for (const name of modulesIn(entries)) {
      const ownModule = parts.every(p => IDENTIFIER.test(p)) ? `${parts.join('.')}.${name}` : '';
      migrations.push({ file: path.join(dir, `${name}.py`), app, name, external: false, ownModule });
    }
  };
  walk(projectDir, []);
  return { migrations, aliases };
}

async function run(input: PrefetchInput): Promise<void> {
  const ctl = new Int32Array(input.control);
  const parser = initPython();
  const jobs = listJobs(input.projectDir);
  input.port.postMessage({ jobs } satisfies PrefetchMessage);
  // the index may have gone past the point where it needed them
  if (Atomics.compareExchange(ctl, LISTED, WAITING, DONE) !== WAITING) return;
  Atomics.notify(ctl, LISTED);
  try {
    await parser;
  } catch {
    return; // no parser: the index reads everything on its own thread
  }
  const budget = new ParseBudget(input.budget.scanMs, input.budget.fileMs);
  // module → label of the migrations packages found (the index checks each lookup against the installed apps)
  for (const j of jobs.migrations) {
    const pkg = j.ownModule.split('.').slice(0, -2).join('.');
    if (pkg) appModules.set(pkg, j.app);
  }
  for (const [q, queue] of QUEUES.entries()) {
    // the index may have read the whole queue itself meanwhile
    if (Atomics.compareExchange(ctl, 2 * q + 1, WAITING, RUNNING) !== WAITING) continue;
    const list = jobs[queue] as FileJob[];
    const results: unknown[] = [];
    try {
      for (let i = Atomics.add(ctl, 2 * q, 1); i < list.length; i = Atomics.add(ctl, 2 * q, 1)) {
        try {
          const r = queue === 'migrations' ? readMigration(list[i] as MigrationJob, budget) : readAliases(list[i]!);
          if (r) results.push(r);
        } catch {
          /* read on the index's thread */
        }
      }
    } finally {
      try {
        input.port.postMessage({ queue, results } satisfies PrefetchMessage);
      } finally {
        Atomics.store(ctl, 2 * q + 1, DONE);
        Atomics.notify(ctl, 2 * q + 1);
      }
    }
  }
  input.port.close();
}

function readAliases(job: FileJob): AliasResult | null {
  const st = statFile(job.file);
  if (!st) return null;
  let source: string;
  try {
    source = readText(job.file);
  } catch {
    return null;
  }
  return { file: job.file, ...st, uses: aliasUses(source, job.file) };
}

void run(workerData as PrefetchInput);
