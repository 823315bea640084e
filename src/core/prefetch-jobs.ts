// Where the results of the second thread of ./prefetch.ts go: the migration reader's per-file cache
// (migrations/files.ts), the RunPython lints' and the alias lint's (lints/file-cache.ts).
//
// The worker starts with the index, before the settings are evaluated, so what it reads is a guess made from the
// project's folders (./prefetch-worker.ts listJobs): every `migrations` package below the project directory (its
// app label guessed as the package's parent folder, its module from the path), and every other Python file (the
// alias lint's). A wrong guess costs nothing: a result is used only where the index, knowing the apps, would have
// computed the same (migrations/files.ts checks the stat, the app label and the settings a reading used; the lint
// cache the stat and the module, and here the app labels the lint looked up), and the index reads the rest itself
// (installed packages' migrations, a label set by an AppConfig, a custom AUTH_USER_MODEL in a swappable dependency).
import type { ModuleIndex } from './python/modules';
import type { AppInfo, SettingsInfo } from './types';
import { readMigrationJob, seedMigrationEntry } from './migrations/files';
import { NON_APP_DIRS, pythonFiles, usesOf } from './lints/aliases';
import { seedFileCache } from './lints/file-cache';
import { lintKey } from './lints/runpython';
import { statFile } from './vfs';
import { Prefetch, type FileJob, type MigrationJob } from './prefetch';
import type { AliasResult, MigrationResult } from './prefetch-worker';
import { FILE_BUDGET_MS, SCAN_BUDGET_MS } from './python/parse';

/** Whether there are `n` Python files below `dir` (the walk stops there: a large project answers at once). */
function atLeastFiles(dir: string, n: number): boolean {
  let count = 0;
  for (const _file of pythonFiles(dir, NON_APP_DIRS)) if (++count >= n) return true;
  return false;
}

/** Fewer Python files than this below the project folder are read on the index's thread alone (a worker costs
 * ~50 ms of the other core to start). */
const MIN_FILES = 150;

export class IndexPrefetch {
  /** files whose reading the worker did */
  done = 0;

  private constructor(private readonly pool: Prefetch) {}

  /** Start the worker on the files below `projectDir` (null: too few files, or no worker). */
  static start(projectDir: string, budget?: { scan?: number; file?: number }): IndexPrefetch | null {
    // DJANGO_MULTIDB_PARALLEL: 0 never; 1 whatever the count, `worker` the worker alone (tests)
    const mode = process.env.DJANGO_MULTIDB_PARALLEL;
    if (mode === '0' || (mode !== '1' && mode !== 'worker' && !atLeastFiles(projectDir, MIN_FILES))) return null;
    const pool = Prefetch.start(projectDir, { scanMs: budget?.scan ?? SCAN_BUDGET_MS, fileMs: budget?.file ?? FILE_BUDGET_MS });
    return pool ? new IndexPrefetch(pool) : null;
  }

  /** Before the migration files are read: this thread reads what is left, the worker's readings go in the caches. */
  migrations(modules: ModuleIndex, settings: SettingsInfo, apps: AppInfo[]): void {
    const results = this.pool.finish<MigrationJob>('migrations', job => {
      const st = statFile(job.file);
      if (st) readMigrationJob(modules, { ...job, ...st }, settings);
    }) as MigrationResult[];
    this.done += results.length;
    const appModules = new Map(apps.map(a => [a.module, a.label]));
    for (const r of results) {
      seedMigrationEntry(modules, r.file, r);
      const stat = { mtimeMs: r.mtimeMs, size: r.size };
      // the lints name historical models by app label: only where the worker's guess gave the installed apps' labels
      if (r.lints && r.lintModules!.every(([m, label]) => (appModules.get(m) ?? null) === label)) {
        seedFileCache('runpython', r.file, { ...stat, key: lintKey(r.ownModule, appModules), value: r.lints });
      }
      if (r.uses) seedFileCache('aliases', r.file, { ...stat, key: '', value: r.uses });
    }
  }

  /** Before the alias lint. */
  aliases(): void {
    const results = this.pool.finish<FileJob>('aliases', job => void usesOf(job.file)) as AliasResult[];
    this.done += results.length;
    for (const r of results) seedFileCache('aliases', r.file, { mtimeMs: r.mtimeMs, size: r.size, key: '', value: r.uses });
  }

  dispose(): void {
    this.pool.dispose();
  }
}
