// Owns one Scanner per Django project (a workspace folder with a manage.py; multi-root aware), schedules
// re-indexing and database reads, and tells the views when something changed. Everything that shows project
// data listens to `onDidChange` and reads `project.index`.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ProjectIndex, ScanOptions } from '../core/scan';
import { orCancel } from './commands';
import { RESCAN_KEYS, SECTION, readConfig, type Config } from './config';
import type { Log } from './log';
import { carryState, stateOf } from './model/lastState';
import { openSnapshot } from './model/snapshot';
import { EditLatencies } from './model/latency';
import {
  djangoDatabases, failureOfMode, keepFreshState, failureSentence, initialStatus, isPersistentFailure, warnsInMode, type DjangoStatus, type FailureKind,
} from './model/django';
import { aliasesOf, dummyKind, pendingCount, shortEngine } from './model/routing';
import { resolveInterpreter } from './python';
import { ScanWorkerHost, type ScannerClient } from './scannerClient';
import type { WireDjangoOptions } from './scanWorkerProtocol';
import type { ConnectionSecrets } from './secrets';

export type Phase = 'idle' | 'indexing' | 'reading';

/** How a request for Django's answer came: `hard` always runs; `soft` (a saved file, a database file) is skipped
 *  while Django is known to be missing, so a project without Django does not spawn Python on every save. */
export type DjangoRequest = 'hard' | 'soft';

export class DjangoProject {
  /** Restart Analysis is replacing it: nothing new is asked of its scanner, its calls end quietly */
  retired = false;
  index: ProjectIndex | undefined;
  error: string | undefined;
  phase: Phase = 'idle';
  /** when the databases were last read (ms since epoch) */
  stateReadAt: number | undefined;
  /** when the last static index was asked for and when it arrived (Date.now(); getState reports them, benchmarks read them) */
  indexAskedAt: number | undefined;
  indexedAt: number | undefined;
  /** when the scan worker sent that index and when its reply arrived, before it was made into an index */
  replySentAt: number | undefined;
  replyAt: number | undefined;
  /** when the last session's answer (workspace storage) was shown, if it was */
  restoredAt: number | undefined;
  /** when the last re-index was shown (Django mode: after Django's last answer was merged into it), and when the
   *  diagnostics were last updated (getState reports them, benchmarks read them) */
  shownAt: number | undefined;
  diagnosticsAt: number | undefined;
  /** when the last diagnostics update began (after the ones running or asked for before it) */
  diagnosticsStartedAt: number | undefined;
  /** when that update had set the diagnostics of the files in the editors (made before the other files') */
  editorDiagnosticsAt: number | undefined;
  /** when an edit of one of its Python files was last seen, and when its buffer reached the scan worker */
  editSeenAt: number | undefined;
  bufferSentAt: number | undefined;
  /** how long this session's edits took to reach the diagnostics (the status document) */
  readonly latencies = new EditLatencies();
  /**
   * the first time each step of start-up happened (Date.now()): the first index asked for, the last session's answer
   * read and shown, the index's reply received and made into an index, the databases read (getState reports them
   * with the scan worker's start; benchmarks read them)
   */
  readonly startup: Record<string, number> = {};
  /** the properties the first index took from the last session's answer instead of receiving them (getState) */
  firstIndexFromLast: string[] | undefined;
  /** set while `index` is the last session's answer from the on-disk snapshot (its save time), until a fresh one */
  cachedAt: number | undefined;
  snapshotTimer: NodeJS.Timeout | undefined;
  /** a write of the shown answer for the next session under way (the worker serialises it: hundreds of ms) */
  snapshotSaving: Promise<void> | undefined;
  /** when the shown answer was last written for the next session */
  snapshotSavedAt: number | undefined;
  // scheduling
  needIndex = true;
  needState = true;
  /**
   * the pending re-index is for unsaved buffers only (typing): the databases did not change, so the last read
   * stays (shown with the new index) until a save or a database change reads them again
   */
  typingOnly = false;
  running: Promise<void> | undefined;
  /** the index asked for when the project was found, before its last answer was read from disk and shown */
  firstIndex: Promise<ProjectIndex> | undefined;
  /** a change was reported after `firstIndex` was asked for: the first run indexes again after taking it */
  firstIndexStale = false;
  timer: NodeJS.Timeout | undefined;
  // Django mode (djangoMultiDb.mode): the static index is shown first, Django's answer replaces it when it comes
  /** the newest static index (with database state): what Django's answer is merged into */
  staticIndex: ProjectIndex | undefined;
  /** the newest merged index when Django answered; kept on screen while a newer answer is being asked for */
  djangoIndex: ProjectIndex | undefined;
  /** the static index Django's answer was merged into */
  djangoBase?: ProjectIndex;
  django: DjangoStatus;
  needDjango: DjangoRequest | false = false;
  djangoDelayMs = 0;
  djangoRunning: Promise<void> | undefined;
  djangoTimer: NodeJS.Timeout | undefined;
  djangoAgain = false;
  /** failure kinds already shown as a warning; cleared when Django answers again */
  readonly warned = new Set<FailureKind>();
  /** the last warning shown (getState reports it) */
  lastWarning: string | undefined;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly managePy: string,
    /** the core's Scanner, run in the shared scan worker thread (scannerClient.ts) */
    public scanner: ScannerClient,
    public config: Config,
  ) {
    this.django = initialStatus(config.mode, vscode.workspace.isTrusted);
    this.root = path.dirname(managePy);
  }

  /**
   * folder of manage.py: Django's sys.path[0] and the cwd of manage.py commands (kept: the diagnostics update asks
   * for it per file, 93 ms of a CI benchmark's typing as a getter)
   */
  readonly root: string;

  get name(): string {
    const rel = path.relative(this.folder.uri.fsPath, this.root);
    return rel ? `${this.folder.name}/${rel.split(path.sep).join('/')}` : this.folder.name;
  }

  contains(file: string): boolean {
    const r = path.relative(this.folder.uri.fsPath, file);
    const r2 = path.relative(this.root, file);
    return (!r.startsWith('..') && !path.isAbsolute(r)) || (!r2.startsWith('..') && !path.isAbsolute(r2));
  }
}

const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**,**/.tox/**,**/.nox/**}';

/** A delay after which a run shows progress in the status bar; fast runs stay silent. */
const PROGRESS_AFTER_MS = 400;
/** how long things must be quiet before the shown answer is written to the on-disk snapshot */
const SNAPSHOT_DELAY_MS = 3000;

export class ProjectService implements vscode.Disposable {
  private list: DjangoProject[] = [];
  private readonly changed = new vscode.EventEmitter<DjangoProject | undefined>();
  /** fires after a project's index or state changed (undefined: the set of projects changed) */
  readonly onDidChange = this.changed.event;
  private readonly reloaded = new vscode.EventEmitter<void>();
  /** fires when projects were discovered again (folders, manage.py path, trust, settings changed) */
  readonly onDidReload = this.reloaded.event;
  private discovery: Promise<void> | undefined;
  private discovered = false;
  private generation = 0;
  /** one worker process indexes every project, off the extension host's thread and heap */
  private readonly workers: ScanWorkerHost;

  constructor(
    private readonly log: Log,
    private readonly secrets: ConnectionSecrets,
    /** where the last answer of each project is kept between sessions (workspace storage); null: nowhere */
    private readonly snapshotDir: string | null = null,
    private readonly version = '0',
  ) {
    this.workers = new ScanWorkerHost({ logger: log });
  }

  get projects(): readonly DjangoProject[] {
    return this.list;
  }

  get isDiscovered(): boolean {
    return this.discovered;
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** the process id of the scan worker, while it runs in a process of its own */
  get scanWorkerPid(): number | undefined {
    return this.workers.workerPid;
  }

  /** indexes asked again of a new scan worker because the one making them stopped (a crash, Restart Analysis) */
  get indexesAskedAgain(): number {
    return this.workers.indexesAskedAgain;
  }

  /** when the scan worker was started and said it was ready (Date.now()) */
  get scanWorkerStart(): { startedAt: number | null; readyAt: number | null } {
    return { startedAt: this.workers.startedAt ?? null, readyAt: this.workers.readyAt ?? null };
  }

  /** Find projects and index them; safe to call again (folders or settings changed). */
  reload(): Promise<void> {
    const gen = ++this.generation;
    this.discovery = this.discover(gen).catch(e => {
      this.log.error(e instanceof Error ? e : String(e));
    });
    return this.discovery;
  }

  /**
   * "Restart Analysis": a new scan worker process (the old one is stopped, with whatever it held: parse trees, Django's
   * answer), then every project found and indexed again as at start-up, the databases read and Django asked again.
   */
  async restart(): Promise<void> {
    this.log.info('restarting the analysis: a new scan worker');
    // the projects shown are retired first (still shown until the new ones replace them): nothing new is asked of
    // them, and the calls the old worker runs for them end quietly with it (their scanners disposed: not asked again
    // of the new worker); then the new worker, then the new projects, whose first indexes only the new worker makes
    for (const p of this.list) {
      p.retired = true;
      this.clearTimers(p);
      p.scanner.dispose();
    }
    await this.workers.restart();
    await this.reload();
  }

  /** Whether `p` is one of the projects shown and not being replaced (its work goes on). */
  private live(p: DjangoProject): boolean {
    return !p.retired && this.list.includes(p);
  }

  /** Resolves when discovery and every scheduled run have finished (tests, and commands that need data). */
  async whenIdle(): Promise<void> {
    await this.discovery;
    for (;;) {
      const busy = this.list.flatMap(p => [p.running, p.djangoRunning]).filter((r): r is Promise<void> => !!r);
      const waiting = this.list.some(p => p.timer || p.djangoTimer);
      if (!busy.length && !waiting) return;
      await Promise.all(busy);
      if (waiting) await new Promise(r => setTimeout(r, 50));
    }
  }

  private async discover(gen: number): Promise<void> {
    // the extension activates for a workspace with a manage.py: the worker that will index it starts meanwhile
    if (vscode.workspace.workspaceFolders?.length) this.workers.warmUp();
    // (context keys are not awaited here: each is a round trip to a window that is itself starting, and the
    // commands keep their order without it)
    void this.setContext('djangoMultiDb.scanState', 'searching');
    const found: DjangoProject[] = [];
    try {
      await this.findProjects(found);
    } catch (e) {
      for (const p of found) p.scanner.dispose();
      throw e;
    }
    if (gen !== this.generation) {
      for (const p of found) p.scanner.dispose();
      return; // a newer reload superseded this one
    }
    for (const p of this.list) {
      this.clearTimers(p);
      this.retire(p.scanner, p.running);
    }
    this.list = found;
    this.discovered = true;
    this.log.info(found.length ? `Django projects: ${found.map(p => `${p.name} (${p.managePy})`).join(', ')}` : 'no manage.py found in the workspace');
    void this.setContext('djangoMultiDb.hasProject', found.length > 0);
    void this.setContext('djangoMultiDb.scanState', found.length ? 'indexing' : 'none');
    this.reloaded.fire();
    this.changed.fire(undefined);
    for (const p of found) {
      if (p.restoredAt) p.startup.shownCached ??= Date.now();
      this.schedule(p, { index: true, state: true }, 0);
      // (what changes from now on is newer than the index asked for at discovery)
      p.firstIndexStale = false;
    }
  }

  /** The workspace's projects, each with its scanner asked for its first index and its last answer shown. */
  private async findProjects(found: DjangoProject[]): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const config = readConfig(folder);
      const managePy = await this.findManagePy(folder, config);
      if (!managePy) continue;
      const scanner = this.createScanner(folder, managePy, config);
      const p = new DjangoProject(folder, managePy, scanner, config);
      // the last session's answer (its header: which values it holds), then the fresh index, which starts now in the
      // worker while this thread reads and shows the last answer. What the fresh one has in common with it (all of
      // it when nothing changed) is taken from it rather than sent again.
      const saved = this.snapshotDir ? openSnapshot(this.snapshotDir, managePy, this.version) : null;
      // (with no answer to show meanwhile, the first one is what the tree shows, without the migrations and the
      // findings: it shows sooner, and the index that adds them is asked right after it, issue 11)
      p.firstIndex = scanner.index(saved ?? undefined, false, undefined, !saved);
      p.firstIndex.catch(() => undefined); // (its error is the first run's)
      p.indexAskedAt = p.startup.indexAsked = Date.now();
      const index = saved?.index();
      const snap = saved && index ? { index, savedAt: saved.savedAt } : null;
      p.startup.snapshotRead = Date.now();
      if (snap) {
        p.index = snap.index;
        p.cachedAt = snap.savedAt;
        p.restoredAt = Date.now();
        this.log.info(`${p.name}: showing the state saved ${new Date(snap.savedAt).toISOString()} while refreshing`);
      }
      found.push(p);
    }
  }

  private async findManagePy(folder: vscode.WorkspaceFolder, config: Config): Promise<string | undefined> {
    if (config.managePyPath) {
      if (fs.existsSync(config.managePyPath)) return config.managePyPath;
      this.log.warn(`djangoMultiDb.managePyPath: ${config.managePyPath} does not exist; searching ${folder.name}`);
    }
    const direct = path.join(folder.uri.fsPath, 'manage.py');
    if (fs.existsSync(direct)) return direct;
    const hits = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/manage.py'), EXCLUDE, 50);
    // the shallowest manage.py wins: nested ones are usually test fixtures or vendored projects
    const sorted = hits.map(u => u.fsPath).sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
    return sorted[0];
  }

  /**
   * The project's Scanner. In a trusted workspace its interpreter (the Python extension's, which may take seconds to
   * activate) and the saved database passwords are completed behind it: its calls wait for them, and the last
   * session's answer is shown meanwhile.
   */
  private createScanner(folder: vscode.WorkspaceFolder, managePy: string, config: Config): ScannerClient {
    const trusted = this.trusted;
    const root = path.dirname(managePy);
    const opts: ScanOptions = {
      root,
      workspaceRoot: folder.uri.fsPath,
      settingsModule: config.settingsModule,
      configuration: config.configuration,
      envFile: config.envFile ?? undefined,
      // Restricted Mode and static mode: no Python process at all (the environment is read from disk);
      // Restricted Mode also opens no database connection
      allowPython: trusted && config.mode !== 'static',
      // trusting the workspace is the user's permission to run its own .venv
      runWorkspaceInterpreter: trusted,
      readDatabases: trusted,
      dbTimeoutMs: config.databaseTimeoutMs,
      // third-party apps' migrations get the lints too: the "Third-party migrations" node lists them (never Problems)
      includeEnvironment: true,
      logger: this.log,
      // an interpreter named in the settings is read from disk even in Restricted Mode (VS Code then passes only
      // the user-level value of this restricted setting)
      python: config.pythonPath,
      // the parse caches and the index snapshot (core/index-snapshot.ts) in workspace storage: a later session's
      // first index answers from them when nothing changed, and re-reads only what did
      cacheDir: this.snapshotDir ? path.join(this.snapshotDir, 'index-cache') : null,
    };
    const completing = trusted
      ? (async () => {
        try {
          opts.python = (await resolveInterpreter(folder, root, config.pythonPath, this.log)).command;
        } catch (e) {
          this.log.warn(`the project's interpreter could not be found: ${(e as Error).message}`);
        }
        try {
          const overrides = await this.secrets.get(root);
          if (Object.keys(overrides).length) opts.connectionOverrides = overrides;
        } catch (e) {
          this.log.warn(`saved database passwords could not be read: ${(e as Error).message}`);
        }
      })()
      : undefined;
    return this.workers.scanner(opts, completing);
  }

  /** A replaced scanner frees its parse cache in the worker once the run using it is over. */
  private retire(scanner: ScannerClient, running: Promise<void> | undefined): void {
    void Promise.resolve(running)
      .catch(() => undefined)
      .then(() => scanner.dispose());
  }

  /** Rebuild one project's scanner (secrets or settings changed) and re-read everything. */
  async rebuild(root: string): Promise<void> {
    const p = this.list.find(x => x.root === root);
    if (!p) return;
    p.config = readConfig(p.folder);
    const old = p.scanner;
    p.scanner = this.createScanner(p.folder, p.managePy, p.config);
    p.firstIndex = undefined;
    this.retire(old, p.running);
    p.django = { ...initialStatus(p.config.mode, this.trusted), django: p.django.django, python: p.django.python };
    this.schedule(p, { index: true, state: true }, 0);
  }

  /**
   * Ask for a re-index and/or a database read. Requests within `delayMs` are merged; a request while a run
   * is in progress makes one more run afterwards (never two at once for one project).
   */
  schedule(p: DjangoProject, what: { index?: boolean; state?: boolean; django?: DjangoRequest | false; djangoDelayMs?: number; typing?: boolean }, delayMs = 300): void {
    if (p.retired) return;
    if (what.index) {
      if (p.firstIndex) p.firstIndexStale = true;
      // typing alone leaves the database state as it is; any other reason to re-index reads it again
      p.typingOnly = what.typing === true && (!p.needIndex || p.typingOnly);
      p.needIndex = true;
    }
    if (what.state) p.needState = true;
    // every re-index or database read is followed by Django's answer unless the caller says it cannot change it
    const dj = what.django === undefined ? (what.index || what.state ? 'hard' : false) : what.django;
    if (dj) {
      const first = !p.needDjango;
      p.needDjango = p.needDjango === 'hard' || dj === 'hard' ? 'hard' : 'soft';
      p.djangoDelayMs = first ? (what.djangoDelayMs ?? 0) : Math.min(p.djangoDelayMs, what.djangoDelayMs ?? 0);
    }
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.run(p);
    }, delayMs);
  }

  /** Schedule for every project (or the ones containing `file`). */
  scheduleAll(what: { index?: boolean; state?: boolean; django?: DjangoRequest | false; djangoDelayMs?: number }, delayMs = 300, file?: string): void {
    for (const p of this.list) if (!file || p.contains(file)) this.schedule(p, what, delayMs);
  }

  /** Re-index and re-read now and wait for it (Refresh command, after a migrate task). */
  async refreshNow(p?: DjangoProject, what: { index?: boolean; state?: boolean } = { index: true, state: true }): Promise<void> {
    await this.discovery;
    const targets = p ? [p] : this.list;
    for (const t of targets) this.schedule(t, what, 0);
    await this.whenIdle();
  }

  private run(p: DjangoProject): Promise<void> {
    if (p.running) return p.running; // `need*` flags are set: the loop below picks them up
    p.running = (async () => {
      while ((p.needIndex || p.needState || !p.index) && !p.retired) {
        const doIndex = p.needIndex || !p.index;
        let doState = (p.needState || (doIndex && !(p.typingOnly && p.staticIndex && Object.keys(p.staticIndex.applied).length))) && this.trusted;
        p.needIndex = false;
        p.needState = false;
        p.typingOnly = false;
        try {
          if (doIndex) {
            p.phase = 'indexing';
            const before = p.staticIndex;
            // the first run takes the index discovery asked for
            const first = p.firstIndex;
            p.firstIndex = undefined;
            if (first && p.firstIndexStale) p.needIndex = true;
            if (!first) p.indexAskedAt = Date.now();
            // Django mode: Django's last answer merged into the new index is asked for with it (shown() takes it)
            const merge = !first && !(p.cachedAt && doState) ? this.mergeBehind(p, before) : undefined;
            p.staticIndex = await this.withSlowProgress(`Indexing ${p.name}`, () => first ?? p.scanner.index(undefined, false, merge));
            p.indexedAt = Date.now();
            p.replySentAt = p.scanner.indexReplySentAt;
            p.replyAt = p.scanner.indexReplyAt;
            if (first) {
              p.startup.indexReply = p.scanner.indexReplyAt ?? p.indexedAt;
              // (in the worker: when it was ready, began the index and sent it; benchmarks)
              if (p.scanner.workerReadyAt !== undefined) p.startup.workerReady = p.scanner.workerReadyAt;
              if (p.scanner.indexStartedAt !== undefined) p.startup.indexStarted = p.scanner.indexStartedAt;
              if (p.scanner.indexReplySentAt !== undefined) p.startup.indexReplySent = p.scanner.indexReplySentAt;
              p.startup.indexed = p.indexedAt;
              p.firstIndexFromLast = p.scanner.lastFromKnown;
            }
            if (p.staticIndex.partial) {
              // shown now; the whole index next (the migrations and the findings), then the databases are read
              p.needIndex = true;
              if (doState) { p.needState = true; doState = false; }
            } else p.startup.whole ??= p.indexedAt;
            // the cached answer stays until the databases are read too: a fresh index alone has no pending counts
            if (!(p.cachedAt && doState && p.staticIndex)) {
              // an edit shows at once (diagnostics, tree) with the last database read; the read that follows
              // replaces it (issue 11: edit → diagnostics without waiting for the databases)
              // (typing: no read follows, and the last one stays with the new index)
              if (before && lastReadOf(before)) p.staticIndex = withLastState(p.staticIndex, before);
              p.index = await this.shown(p);
              p.shownAt = Date.now();
              if (doState && p.staticIndex !== staticOf(p.staticIndex)) this.changed.fire(p);
              p.cachedAt = undefined;
            }
            this.log.debug(`indexed ${p.name}: ${timingsText(p.staticIndex)}`);
          }
          if (doState && p.staticIndex) {
            p.phase = 'reading';
            // the worker's own index (not the one carrying the last state: it would be sent whole)
            const index = staticOf(p.staticIndex);
            p.staticIndex = await this.withSlowProgress(`Reading databases of ${p.name}`, () => p.scanner.readState(index));
            p.index = await this.shown(p);
            p.cachedAt = undefined;
            p.stateReadAt = Date.now();
            p.startup.stateRead ??= p.stateReadAt;
            this.logState(p);
          }
          p.error = undefined;
        } catch (e) {
          // (a project replaced meanwhile, Restart Analysis: its call ended with the worker it ran in)
          if (!this.live(p)) break;
          p.error = e instanceof Error ? e.message : String(e);
          this.log.error(`scan of ${p.name} failed: ${e instanceof Error && e.stack ? e.stack : p.error}`);
          if (!p.index) break;
        } finally {
          p.phase = 'idle';
        }
        this.changed.fire(p);
      }
      this.saveSnapshotSoon(p);
      // the static answer is on screen: now ask Django, off this loop (commands waiting for the index don't wait for it)
      if (p.needDjango && p.staticIndex) this.scheduleDjango(p);
      await this.setContext('djangoMultiDb.scanState', this.list.some(x => x.error && !x.index) ? 'error' : 'ready');
    })().finally(() => {
      p.running = undefined;
      // a request that came while the loop was past its last check (saving, asking Django, setContext) found
      // `running` set and left only its flag: run it now, or the read after a migrate is lost until the next change
      if ((p.needIndex || p.needState) && this.live(p)) void this.run(p);
    });
    return p.running;
  }

  /** Keep what is shown for the next session, once things settle (a burst of saves writes once). */
  private saveSnapshotSoon(p: DjangoProject): void {
    if (!this.snapshotDir || p.cachedAt) return;
    if (p.snapshotTimer) clearTimeout(p.snapshotTimer);
    p.snapshotTimer = setTimeout(() => {
      p.snapshotTimer = undefined;
      if (this.live(p)) void this.saveSnapshot(p);
    }, SNAPSHOT_DELAY_MS);
  }

  /**
   * The static answer with the last database read (Django mode too: Django is asked again at start-up). The scan
   * worker holds it and serialises it, off this thread (a large project's index takes hundreds of milliseconds to
   * serialise). Never fails: a snapshot not written is computed again by the next session.
   */
  private saveSnapshot(p: DjangoProject): Promise<void> {
    // (one after the other: a write asked for while one is under way follows it, so the last one written is the newest)
    const saving: Promise<void> = (p.snapshotSaving ?? Promise.resolve()).then(() => this.writeSnapshot(p))
      .catch(e => this.log.debug(`snapshot of ${p.name} not saved: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        if (p.snapshotSaving === saving) p.snapshotSaving = undefined;
      });
    p.snapshotSaving = saving;
    return saving;
  }

  private async writeSnapshot(p: DjangoProject): Promise<void> {
    if (!this.snapshotDir || !p.index || p.cachedAt || !p.staticIndex) return;
    const mode = p.index.mode ? { ...p.index.mode, used: 'static' as const } : undefined;
    // an index made since the last read (typing) carries that read's state: the worker keeps the index without it
    const own = staticOf(p.staticIndex);
    const last = own !== p.staticIndex ? p.staticIndex : undefined;
    const state = last ? stateOf(last) : undefined;
    const extras: Partial<ProjectIndex> = { ...(mode ? { mode } : {}), ...state?.props };
    const moreFindings = state?.findings;
    // (a failure is logged by saveSnapshot)
    await p.scanner.saveSnapshot(own, { dir: this.snapshotDir, managePy: p.managePy, version: this.version, extras, ...(moreFindings?.length ? { moreFindings } : {}) }, last && stateSourceOf(last));
    p.snapshotSavedAt = Date.now();
  }

  private logState(p: DjangoProject): void {
    const index = p.index;
    if (!index) return;
    const parts = aliasesOf(index).map(a => {
      const st = index.applied[a];
      if (!st) return `${a}: not read`;
      if (!st.reachable) return `${a}: unreachable (${st.error ?? 'unknown error'})`;
      return `${a}: ${st.applied} applied, ${pendingCount(index, a) ?? '?'} pending`;
    });
    this.log.info(`state of ${p.name}: ${parts.join('; ')}`);
  }

  private withSlowProgress<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const work = fn();
    let settled = false;
    void work.then(
      () => (settled = true),
      () => (settled = true),
    );
    const timer = setTimeout(() => {
      if (settled) return;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `$(database) Django Multi-DB: ${title}` }, () =>
        work.catch(() => undefined),
      );
    }, PROGRESS_AFTER_MS);
    return work.finally(() => clearTimeout(timer));
  }

  /** the context keys as last set: each set is a round trip to the workbench, which an index must not wait for */
  private readonly contextKeys = new Map<string, unknown>();

  private async setContext(key: string, value: unknown): Promise<void> {
    if (this.contextKeys.has(key) && this.contextKeys.get(key) === value) return;
    this.contextKeys.set(key, value);
    try {
      await vscode.commands.executeCommand('setContext', key, value);
    } catch (e) {
      this.log.debug(`context ${key} not set: ${(e as Error).message}`);
    }
  }

  /** Views re-render (a display setting changed); nothing is re-read. */
  refreshViews(): void {
    for (const p of this.list) p.config = readConfig(p.folder);
    this.changed.fire(undefined);
  }

  /** The project a file belongs to. */
  projectFor(file: string): DjangoProject | undefined {
    return this.list.find(p => p.contains(file));
  }

  /** The project a command is about: by root, by a file, the only one, or a quick pick. */
  async pick(rootOrArg?: unknown): Promise<DjangoProject> {
    await this.discovery;
    const root = typeof rootOrArg === 'string' ? rootOrArg : undefined;
    if (root) {
      const hit = this.list.find(p => p.root === root) ?? this.projectFor(root);
      if (hit) return hit;
    }
    if (this.list.length === 0) throw new Error('No Django project (manage.py) found in this workspace.');
    if (this.list.length === 1) return this.list[0]!;
    const active = vscode.window.activeTextEditor?.document.uri.fsPath;
    const pick = await vscode.window.showQuickPick(
      this.list.map(p => ({ label: p.name, description: path.relative(p.folder.uri.fsPath, p.managePy) || 'manage.py', project: p, picked: !!active && p.contains(active) })),
      { title: 'Django project', placeHolder: 'Which Django project?', ignoreFocusOut: true },
    );
    return orCancel(pick).project;
  }

  /** Quick pick of the project's aliases with engine and pending counts. */
  async pickAlias(p: DjangoProject, title: string, filter?: (alias: string) => boolean): Promise<string> {
    const index = await this.ensureIndex(p);
    const aliases = aliasesOf(index).filter(a => !filter || filter(a));
    if (!aliases.length) throw new Error(`No database in settings.DATABASES of ${p.name} could be read.`);
    const items = aliases.map(alias => {
      const db = index.settings?.databases.find(d => d.alias === alias);
      return { label: alias, description: shortEngine(db?.engine), detail: aliasStatusText(index, alias), alias };
    });
    // the first step of a multi-step flow, as the app and target picks after it: a view refreshing beside it (the
    // pending webview taking the focus back as the command palette closes) must not cancel it. A clean-clone CI once
    // saw "cancelled at the alias pick" with nobody pressing a key
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Database alias (settings.DATABASES)', matchOnDescription: true, ignoreFocusOut: true });
    return orCancel(pick, 'the alias pick').alias;
  }

  async ensureIndex(p: DjangoProject): Promise<ProjectIndex> {
    // the static index is enough for a command: don't wait for Django's answer (it may take seconds)
    await this.discovery;
    while (p.running || p.timer) await (p.running ?? new Promise(r => setTimeout(r, 50)));
    if (!p.index) throw new Error(p.error ? `Could not index ${p.name}: ${p.error}` : `${p.name} is not indexed yet.`);
    return p.index;
  }

  dispose(): void {
    for (const p of this.list) this.clearTimers(p);
    void this.workers.close();
    this.changed.dispose();
    this.reloaded.dispose();
  }

  /** Waits for runs in progress: database reads hold connections until they finish. */
  async close(): Promise<void> {
    // the last answer shown, when it changed since the last snapshot (edits until the window closed, or a run that
    // ends while closing)
    const unsaved = new Set(this.list.filter(p => p.snapshotTimer));
    for (const p of this.list) this.clearTimers(p);
    await Promise.all(this.list.map(p => p.running?.catch(() => undefined)));
    for (const p of this.list) if (p.snapshotTimer) unsaved.add(p);
    for (const p of this.list) this.clearTimers(p);
    // (a write under way when the window closed: waited for, not cut off with the worker, or the next session would
    // start from the one before it)
    const saving = this.list.map(p => p.snapshotSaving).filter((w): w is Promise<void> => !!w);
    // what the scan worker has not written yet (it writes after edits pause): the next session's warm start. A
    // large project's caches take about a second; the worker is stopped after 3 s whatever happens (each file is
    // written to a temporary name and renamed, so a write cut short leaves the last one)
    const flushed = Promise.all([
      ...saving,
      ...[...unsaved].map(p => this.saveSnapshot(p)),
      ...this.list.map(p => p.scanner.flushCaches().catch(e => this.log.debug(`caches of ${p.name} not written: ${(e as Error).message}`))),
    ]);
    await Promise.race([flushed, new Promise(r => setTimeout(r, 3000))]);
    await this.workers.close();
    // a Django helper in progress cannot be cancelled (the core takes no AbortSignal): don't hold the host for it
    const django = this.list.map(p => p.djangoRunning).filter((r): r is Promise<void> => !!r);
    if (django.length) await Promise.race([Promise.all(django), new Promise(r => setTimeout(r, 2000))]);
  }

  private clearTimers(p: DjangoProject): void {
    if (p.timer) clearTimeout(p.timer);
    if (p.djangoTimer) clearTimeout(p.djangoTimer);
    if (p.snapshotTimer) clearTimeout(p.snapshotTimer);
    p.timer = undefined;
    p.djangoTimer = undefined;
    p.snapshotTimer = undefined;
  }

  // -----------------------------------------------------------------------------------------------
  // Django mode

  /** What the views show: Django's last answer while a newer one is coming, else the static index. */
  private async shown(p: DjangoProject): Promise<ProjectIndex | undefined> {
    if (p.django.used === 'django' && p.djangoIndex) {
      // a change Django's answer does not depend on (a view, a test file) leaves it current
      if (p.needDjango) p.django.stale = true;
      // a newer static index (an edit): merge Django's last answer into it, so the edit shows now (relations,
      // cross-database findings) with Django's last routing and plans, until Django answers again. The scan
      // worker holds Django's report and merges it (off this thread); null when it has no answer to merge.
      const base = p.staticIndex;
      if (base && base !== p.djangoBase) {
        const merged = await p.scanner.mergeDjango(base, staticOf(base), stateSourceOf(base));
        if (merged) {
          // a database read since Django answered (after a migrate) wins for that alias: nothing older is shown
          const fresh = p.djangoBase ? keepFreshState(merged, base, p.djangoBase) : merged;
          return { ...fresh, mode: p.djangoIndex.mode };
        }
        // Django's answer is gone with the worker that held it (it stopped, or was stopped): the edit shows as the
        // static index reads it, never Django's answer about the files before it, and Django is asked again (after
        // a pause: the user may be typing)
        p.django.stale = true;
        if (!p.needDjango) { p.needDjango = 'soft'; p.djangoDelayMs = DJANGO_AGAIN_MS; }
        return { ...base, mode: { requested: p.django.effective, used: 'static', reason: 'Django\'s last answer is no longer held by the scan worker; it is asked again' } };
      }
      return p.djangoIndex;
    }
    const s = p.staticIndex;
    return s && { ...s, mode: { requested: p.django.effective, used: 'static', reason: p.django.reason } };
  }

  /**
   * What `shown(p)` will merge Django's last answer into once the index asked for now arrives (Django mode): that index
   * with the state of the last database read `before` holds, if any (see run()). Undefined: no merge will be asked.
   */
  private mergeBehind(p: DjangoProject, before: ProjectIndex | undefined): { stateFrom?: ProjectIndex } | undefined {
    if (p.django.used !== 'django' || !p.djangoIndex) return undefined;
    const stateFrom = lastReadOf(before);
    return stateFrom ? { stateFrom } : {};
  }

  private djangoWanted(p: DjangoProject): boolean {
    return this.trusted && p.django.effective !== 'static';
  }

  /** Ask Django after `p.djangoDelayMs` (debounce of saves); a request while a run is in progress makes one more. */
  private scheduleDjango(p: DjangoProject): void {
    const req = p.needDjango;
    p.needDjango = false;
    if (!req || !this.djangoWanted(p)) return;
    // Django is known to be missing for this project: only Refresh, a migrate task or a reload asks again
    if (req === 'soft' && p.django.used === 'static' && p.django.failure && isPersistentFailure(p.django.failure)) return;
    if (p.djangoTimer) clearTimeout(p.djangoTimer);
    const wasRunning = p.django.running;
    p.django.running = true;
    if (!wasRunning) this.changed.fire(p);
    p.djangoTimer = setTimeout(() => {
      p.djangoTimer = undefined;
      void this.runDjango(p);
    }, p.djangoDelayMs);
  }

  private runDjango(p: DjangoProject): Promise<void> {
    if (p.djangoRunning) {
      p.djangoAgain = true;
      return p.djangoRunning;
    }
    p.djangoRunning = (async () => {
      do {
        p.djangoAgain = false;
        // Django's answer is merged into the newest static index: let a static run in progress finish first
        while (p.running) await p.running;
        const base = p.staticIndex;
        if (!base || !this.live(p) || !this.djangoWanted(p)) break;
        const t0 = Date.now();
        let result: ProjectIndex;
        try {
          // in the scan worker: the helper's answer is parsed and merged there (megabytes on a large project)
          result = await this.withSlowProgress(`Asking Django about ${p.name}`, () => p.scanner.withDjango(base, this.djangoOptions(p, base), staticOf(base), stateSourceOf(base)));
        } catch (e) {
          // (a project replaced meanwhile, Restart Analysis: its call ended with the worker it ran in)
          if (!this.live(p)) break;
          // withDjango is documented never to throw; a bug there must not leave the views without an answer
          this.log.error(`Django mode for ${p.name} failed: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
          result = { ...base, mode: { requested: p.django.effective, used: 'static', reason: `internal: ${e instanceof Error ? e.message : String(e)}` } };
        }
        if (!this.live(p)) break; // a reload replaced this project meanwhile
        const durationMs = Date.now() - t0;
        if (result.mode?.used === 'django') {
          p.djangoIndex = result;
          p.djangoBase = base;
          p.django = {
            ...p.django, used: 'django', reason: null, failure: null, stale: false, durationMs,
            django: result.django?.django ?? null, python: result.django?.python ?? null,
          };
          p.warned.clear();
          const dis = result.django?.disagreements ?? [];
          this.log.info(`Django ${p.django.django ?? ''} answered for ${p.name} in ${durationMs} ms: ${dis.length} disagreement${dis.length === 1 ? '' : 's'} with the static analysis${dis.length ? ` (${summarize(dis.map(d => d.kind))})` : ''}`);
        } else {
          const reason = result.mode?.reason ?? null;
          const failure = failureOfMode(result.mode) ?? 'other';
          p.djangoIndex = undefined;
          p.django = { ...p.django, used: 'static', reason, failure, stale: false, durationMs };
          this.warnDjango(p, failure, reason);
        }
        // a newer static index came while Django ran: shown() merges this answer into it; the queued run
        // brings Django's side up to date
        p.index = result.mode?.used === 'django' ? await this.shown(p) : result;
        p.cachedAt = undefined;
        this.saveSnapshotSoon(p);
        if (p.djangoAgain) p.django.stale = true;
        else p.django.running = false;
        this.changed.fire(p);
      } while (p.djangoAgain);
    })().finally(() => {
      p.djangoRunning = undefined;
      if (!p.djangoTimer) p.django.running = false;
    });
    return p.djangoRunning;
  }

  private djangoOptions(p: DjangoProject, base: ProjectIndex): WireDjangoOptions {
    const trusted = this.trusted;
    const overrides = new Set(Object.keys(p.scanner.opts.connectionOverrides ?? {}));
    const dbs = djangoDatabases(aliasesOf(base), overrides);
    // with the Scanner's own options (the core gives the helper what manage.py tasks get: the process environment
    // over the project's env file)
    return {
      mode: p.django.effective,
      djangoTimeoutMs: p.config.djangoTimeoutMs,
      allowPython: trusted,
      readDatabases: trusted && dbs.readDatabases,
      databases: dbs.databases,
    };
  }

  /** A non-modal warning, once per failure kind and project; the traceback is already in the log (withDjango). */
  private warnDjango(p: DjangoProject, kind: FailureKind, reason: string | null): void {
    const sentence = failureSentence(kind, reason, Math.round(p.config.djangoTimeoutMs / 1000));
    this.log.info(`${p.name}: showing the static analysis — ${sentence}`);
    if (!warnsInMode(kind, p.django.effective) || p.warned.has(kind)) return;
    p.warned.add(kind);
    const where = this.list.length > 1 ? ` (${p.name})` : '';
    const msg = `Django Multi-DB${where}: ${sentence}. Showing the static analysis.`;
    p.lastWarning = msg;
    void vscode.window.showWarningMessage(msg, 'Show log').then(pick => {
      if (pick) this.log.show(false);
    });
  }
}

export function aliasStatusText(index: ProjectIndex, alias: string): string {
  const st = index.applied[alias];
  const dummy = dummyKind(index, alias);
  if (dummy) return dummy === 'no-databases' ? 'not configured: the settings module in use sets no DATABASES (Django\'s dummy database)' : 'no ENGINE: Django\'s dummy backend, nothing to read or migrate';
  if (!st) return 'database state not read';
  if (!st.reachable) return `unreachable: ${st.error ?? 'unknown error'}`;
  const n = pendingCount(index, alias);
  if (n === null) return 'plan unknown';
  return n === 0 ? 'up to date' : `${n} pending migration${n === 1 ? '' : 's'}`;
}

function summarize(kinds: string[]): string {
  const n = new Map<string, number>();
  for (const k of kinds) n.set(k, (n.get(k) ?? 0) + 1);
  return [...n].map(([k, c]) => `${c} ${k}`).join(', ');
}

function timingsText(index: ProjectIndex): string {
  return Object.entries(index.timings)
    .map(([k, v]) => `${k} ${Math.round(v)} ms`)
    .join(', ');
}


/** Keeps the project set current: folders, trust, settings that change the Scanner, stored credentials. */
export function registerProjectLifecycle(svc: {
  projects: ProjectService;
  secrets: ConnectionSecrets;
  log: Log;
}): vscode.Disposable[] {
  const { projects, secrets, log } = svc;
  return [
    vscode.workspace.onDidChangeWorkspaceFolders(() => void projects.reload()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('workspace trusted: reading database state');
      void projects.reload();
    }),
    vscode.workspace.onDidChangeConfiguration(e => {
      if (RESCAN_KEYS.some(k => e.affectsConfiguration(`${SECTION}.${k}`))) void projects.reload();
      else if (e.affectsConfiguration(SECTION)) projects.refreshViews();
    }),
    secrets.onDidChange(root => void projects.rebuild(root)),
  ];
}

/** Django is asked again this long after its answer was lost with the scan worker (the user may be typing) */
const DJANGO_AGAIN_MS = 5000;

/** the static index (from the worker) a withLastState index was made of */
const carried = new WeakMap<ProjectIndex, ProjectIndex>();
/** the database read whose state a withLastState index carries */
const stateSources = new WeakMap<ProjectIndex, ProjectIndex>();

function staticOf(index: ProjectIndex): ProjectIndex {
  return carried.get(index) ?? index;
}

/** the database read whose state `index` carries over its static index (none: it is the worker's own) */
function stateSourceOf(index: ProjectIndex): ProjectIndex | undefined {
  return stateSources.get(index);
}

/**
 * The database read a new static index takes over from `last`, the index shown before it (withLastState): the read
 * `last` carries, or `last` itself; none when `last` holds no read.
 */
function lastReadOf(last: ProjectIndex | undefined): ProjectIndex | undefined {
  return last && Object.keys(last.applied).length ? stateSourceOf(last) ?? last : undefined;
}

/** A new static index shown with the state of the last database read until the databases are read again. */
function withLastState(next: ProjectIndex, last: ProjectIndex): ProjectIndex {
  const out = carryState(next, last);
  carried.set(out, staticOf(next));
  stateSources.set(out, stateSourceOf(last) ?? last);
  return out;
}
