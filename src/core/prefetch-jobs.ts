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
import { usesOf } from './lints/aliases';
import { seedFileCache } from './lints/file-cache';
import { lintKey } from './lints/runpython';
import { statFile } from './vfs';
import { Prefetch, type FileJob, type MigrationJob } from './prefetch';
import type { AliasResult, MigrationResult } from './prefetch-worker';
import { FILE_BUDGET_MS, SCAN_BUDGET_MS } from './python/parse';

export class IndexPrefetch {
  /** files whose reading the worker did */
  done = 0;

  private constructor(private readonly pool: Prefetch) {}

  /**
   * Start the worker on the files below `projectDir` (null: not asked for, or no worker). Only when asked for
   * (DJANGO_MULTIDB_PARALLEL: 1 shared with this thread, `worker` the worker alone; the tests compare both with
   * this thread alone): since ./python/fast-parser.ts reads a migration in a tenth of tree-sitter's time, what the
   * worker saves is less than what it costs (its start, every file read and stat'ed twice, its results copied
   * across). Cold scans without it / with it (2026-12-01, 2 cores): the benchmark project 1.33 / 1.44 s, NetBox
   * 1.10 / 1.41 s, Saleor 2.17 / 2.23 s.
   */
  static start(projectDir: string, budget?: { scan?: number; file?: number }): IndexPrefetch | null {
    const mode = process.env.DJANGO_MULTIDB_PARALLEL;
    if (mode !== '1' && mode !== 'worker') return null;
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
