// Live updates: a changed Python file is invalidated in its project's Scanner (the next index re-reads only
// that file) and a debounced re-index follows; a changed SQLite file, or the refresh interval, re-reads only
// the database state. A save in the editor counts at once (the file watcher can be seconds late on a loaded or
// remote machine, or off in a workspace too large for it); the watcher's event for that same write is skipped.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { affectsAny, readConfig, type Config } from './config';
import { isDjangoRelevant } from './model/django';
import { inEnvsFolder, isDeployFile, isDockerfile, isMakefile, looksLikeEnvPath } from '../core/settings/deploy-files';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';

/** Paths whose churn (pip install, git checkout of tooling) never changes the project's routing. */
const IGNORED = /[\\/](node_modules|\.git|__pycache__|\.mypy_cache|\.pytest_cache|\.tox|\.nox)[\\/]/;

const INDEX_DEBOUNCE_MS = 250;
/** typing: the buffer is sent and re-indexed once keystrokes pause this long (the index itself is incremental) */
const TYPING_DEBOUNCE_MS = 30;
const STATE_DEBOUNCE_MS = 800;
/** after the static re-index, Django is asked again once saves have settled for this long */
const DJANGO_DEBOUNCE_MS = 1000;
/**
 * …or this long after an autosave (`files.autoSave: afterDelay`, the default of code-server and vscode.dev): the user
 * is still typing, and Django's answer (seconds of CPU on a large project) would be asked again at every pause
 */
const DJANGO_AUTOSAVE_DEBOUNCE_MS = 5000;
/** an autosave's file change is expected within this long of the save (else the save is forgotten) */
const AUTOSAVE_WINDOW_MS = 10_000;

export const registerWatchers: Feature = (svc: Services) => {
  const { projects, log } = svc;
  const subs: vscode.Disposable[] = [];

  /** files being saved by autosave (files.autoSave afterDelay), and when */
  const autosaved = new Map<string, number>();
  const onSource = (uri: vscode.Uri) => {
    const file = uri.fsPath;
    if (IGNORED.test(file)) return;
    // (the .envs folder's glob sees its README and scripts too: only env files count)
    if (inEnvsFolder(file) && !file.endsWith('.py') && !looksLikeEnvPath(file)) return;
    const at = autosaved.get(file);
    const autosave = at !== undefined && Date.now() - at <= AUTOSAVE_WINDOW_MS;
    if (!autosave) autosaved.delete(file);
    const djangoDelayMs = autosave ? DJANGO_AUTOSAVE_DEBOUNCE_MS : DJANGO_DEBOUNCE_MS;
    for (const p of projects.projects) {
      if (!p.contains(file) && !isEnvFile(p.config.envFile, file)) continue;
      p.scanner.invalidate(file);
      // Django mode: only files that can change Django's answer (settings, routers, models, migrations) re-ask it
      const django = isDjangoRelevant(file, p.staticIndex ?? p.index, p.config.envFile) ? 'soft' : false;
      projects.schedule(p, { index: true, django, djangoDelayMs }, INDEX_DEBOUNCE_MS);
      log.trace(`changed: ${file}`);
    }
  };
  /** what the disk held when a save was handled: a watcher event finding the same file unchanged is that save's */
  const handled = new Map<string, string>();
  const diskKey = (file: string) => {
    try {
      const st = fs.statSync(file);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  };
  const onWatched = (uri: vscode.Uri) => {
    const file = uri.fsPath;
    const seen = handled.get(file);
    if (seen !== undefined) {
      if (seen === diskKey(file)) return;
      handled.delete(file);
    }
    onSource(uri);
  };
  const onSaved = (doc: vscode.TextDocument) => {
    const file = doc.uri.fsPath;
    const watched = doc.uri.scheme === 'file' && !IGNORED.test(file)
      && (file.endsWith('.py') || looksLikeEnvPath(file) || isMakefile(path.basename(file)) || isDeployFile(file) || isDockerfile(path.basename(file)) || projects.projects.some(p => isEnvFile(p.config.envFile, file)));
    if (watched) {
      handled.set(file, diskKey(file));
      onSource(doc.uri);
    }
    // after: its re-index at once (a save is no burst) keeps the database read and Django's answer asked for above
    dropBuffer(doc);
  };
  const onDatabase = (uri: vscode.Uri) => {
    if (!projects.trusted) return;
    projects.scheduleAll({ state: true, django: 'soft', djangoDelayMs: DJANGO_DEBOUNCE_MS }, STATE_DEBOUNCE_MS, uri.fsPath);
  };

  // Unsaved buffers are an input like files (issue 11): a Python document of a project that differs from the
  // disk is sent to the scan worker as an overlay while the user types; saving, closing or reverting takes it away.
  const typing = new Map<string, NodeJS.Timeout>();
  /** when each file's buffer was last sent */
  const sent = new Map<string, number>();
  /**
   * `text` as the buffer of `doc` in each project holding it (null: the disk's text again), and a re-index. Typed text
   * goes only to projects analysing edits as they are typed (djangoMultiDb.run onType, as `runOf` says); with
   * `dropElsewhere` (the setting was switched) the others have their buffer of it dropped.
   */
  const sendBuffer = (doc: vscode.TextDocument, text: string | null, runOf: (p: DjangoProject) => Config['run'] = p => p.config.run, dropElsewhere = false) => {
    const file = doc.uri.fsPath;
    for (const p of projects.projects) {
      if (!p.contains(file) || IGNORED.test(file)) continue;
      let t = text;
      if (t !== null && runOf(p) === 'onSave') {
        if (!dropElsewhere) continue;
        t = null;
      }
      // the re-index is asked for at once: the worker takes the buffer first (its requests are answered in order),
      // and an index after a buffer that changed nothing is answered from its memos
      void p.scanner.setOverlay(file, t).then(() => { p.bufferSentAt = Date.now(); }, e => log.debug(`buffer of ${file} not sent: ${(e as Error).message}`));
      projects.schedule(p, { index: true, django: false, typing: true }, 0);
    }
  };
  /** The text of every open Python file that differs from the disk, sent at once (a burst's pending send included). */
  const sendUnsaved = (runOf?: (p: DjangoProject) => Config['run'], dropElsewhere = false) => {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file' || doc.languageId !== 'python' || !doc.isDirty) continue;
      const pending = typing.get(doc.uri.fsPath);
      if (pending) { clearTimeout(pending); typing.delete(doc.uri.fsPath); }
      sent.set(doc.uri.fsPath, Date.now());
      sendBuffer(doc, doc.getText(), runOf, dropElsewhere);
    }
  };
  const onEdit = (e: vscode.TextDocumentChangeEvent) => {
    const doc = e.document;
    if (doc.uri.scheme !== 'file' || doc.languageId !== 'python' || !e.contentChanges.length) return;
    const key = doc.uri.fsPath;
    // djangoMultiDb.run onSave in every project holding the file: the save will tell
    if (!projects.projects.some(p => p.contains(key) && p.config.run === 'onType')) return;
    const seen = Date.now();
    for (const p of projects.projects) if (p.contains(key)) p.editSeenAt = seen;
    const pending = typing.get(key);
    if (pending) clearTimeout(pending);
    // the first edit after a pause goes at once, as text (VS Code sets the dirty flag only after this event); the
    // rest of a burst once it pauses, when an undo back to the saved text makes the disk file count again
    const leading = !pending && seen - (sent.get(key) ?? 0) > TYPING_DEBOUNCE_MS;
    if (leading) { sent.set(key, seen); sendBuffer(doc, doc.getText()); }
    typing.set(key, setTimeout(() => {
      typing.delete(key);
      if (leading && doc.isDirty) return;
      sent.set(key, Date.now());
      sendBuffer(doc, doc.isDirty ? doc.getText() : null);
    }, TYPING_DEBOUNCE_MS));
  };
  const dropBuffer = (doc: vscode.TextDocument) => {
    if (doc.uri.scheme !== 'file' || doc.languageId !== 'python') return;
    const pending = typing.get(doc.uri.fsPath);
    if (pending) { clearTimeout(pending); typing.delete(doc.uri.fsPath); }
    sendBuffer(doc, null);
  };
  const onWillSave = (e: vscode.TextDocumentWillSaveEvent) => {
    const file = e.document.uri.fsPath;
    if (e.reason === vscode.TextDocumentSaveReason.AfterDelay) autosaved.set(file, Date.now());
    else autosaved.delete(file);
  };
  const onClose = (doc: vscode.TextDocument) => {
    dropBuffer(doc);
    sent.delete(doc.uri.fsPath);
  };
  subs.push(
    vscode.workspace.onDidChangeTextDocument(onEdit),
    vscode.workspace.onWillSaveTextDocument(onWillSave),
    vscode.workspace.onDidSaveTextDocument(onSaved),
    vscode.workspace.onDidCloseTextDocument(onClose),
    { dispose: () => typing.forEach(t => clearTimeout(t)) },
  );

  // (and the CI and Compose files the settings may be read with: core/settings envFromDeployFiles)
  // (and the project's env files and the Makefiles that include them: core/env/env-candidates.ts)
  // (no `[.-_]` class: in a glob `-` there is a range, from `.` to `_`, which leaves `-` out)
  // (cookiecutter-django keeps its Compose env files as .envs/.local/.django: every file of a .envs folder)
  for (const glob of ['**/*.py', '**/{.env,.env.*,.env-*,.env_*,*.env,env.*}', '**/.envs/**', '**/{Makefile,makefile,GNUmakefile}', '**/{docker-compose,compose}*.{yml,yaml}', '**/.github/workflows/*.{yml,yaml}', '**/.gitlab-ci.yml', '**/.circleci/config.yml', '**/{Dockerfile,Dockerfile.*,Dockerfile-*,Dockerfile_*,Containerfile,Containerfile.*,Containerfile-*,Containerfile_*,*.Dockerfile,*.dockerfile,*.Containerfile}']) {
    const w = vscode.workspace.createFileSystemWatcher(glob);
    subs.push(w, w.onDidChange(onWatched), w.onDidCreate(onWatched), w.onDidDelete(onSource));
  }
  // SQLite writes the main file on commit, or only the -wal file in WAL mode
  const db = vscode.workspace.createFileSystemWatcher('**/*.{sqlite3,sqlite,db,sqlite3-wal,sqlite-wal,db-wal}');
  subs.push(db, db.onDidChange(onDatabase), db.onDidCreate(onDatabase), db.onDidDelete(onDatabase));

  // an env file outside the workspace (djangoMultiDb.envFile) needs its own watcher
  let envWatchers: vscode.Disposable[] = [];
  const watchEnvFiles = () => {
    for (const d of envWatchers) d.dispose();
    envWatchers = [];
    for (const p of projects.projects) {
      const f = p.config.envFile;
      if (!f || p.contains(f)) continue;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(f)), path.basename(f)));
      envWatchers.push(w, w.onDidChange(onWatched), w.onDidCreate(onWatched), w.onDidDelete(onSource));
    }
  };
  subs.push(projects.onDidReload(watchEnvFiles), { dispose: () => envWatchers.forEach(d => d.dispose()) });
  // a reload (Restart Analysis, a setting that rebuilds the projects) made new scanners, which hold no unsaved text:
  // the open files that differ from the disk are sent to them, once the reload has asked for their first indexes
  // (the index after these buffers then follows the first one)
  subs.push(projects.onDidReload(() => setTimeout(() => sendUnsaved(), 0)));

  // periodic database re-read (djangoMultiDb.refreshInterval, seconds; 0 = off)
  let interval: NodeJS.Timeout | undefined;
  const startInterval = () => {
    if (interval) clearInterval(interval);
    interval = undefined;
    const seconds = readConfig().refreshInterval;
    if (seconds > 0) interval = setInterval(() => projects.trusted && projects.scheduleAll({ state: true, django: 'soft' }, 0), seconds * 1000);
  };
  startInterval();
  subs.push(
    { dispose: () => interval && clearInterval(interval) },
    vscode.workspace.onDidChangeConfiguration(e => {
      if (affectsAny(e, ['refreshInterval'])) startInterval();
      // djangoMultiDb.run switched: the unsaved text of open files is analysed now (onType), or the disk's again
      // (onSave). The setting as it is now, per project (its own copy is read again by another listener of this event)
      if (affectsAny(e, ['run'])) {
        const now = new Map(projects.projects.map(p => [p, readConfig(p.folder).run]));
        sendUnsaved(p => now.get(p) ?? p.config.run, true);
      }
    }),
  );
  return subs;
};

function isEnvFile(envFile: string | null, file: string): boolean {
  return !!envFile && path.resolve(envFile) === path.resolve(file);
}
