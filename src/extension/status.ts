// "Django Multi-DB: Show Analysis Status": a read-only Markdown document of what each project's index holds, whose
// answer is shown, how long this session's edits took to reach the diagnostics, and the scan worker's memory. It
// follows the projects while it is open (at most once a second). The text is built by model/statusReport.ts.
import * as vscode from 'vscode';
import { Cmd, registerCommand } from './commands';
import { aliasesOf } from './model/routing';
import { modeExplanation } from './model/django';
import { statusMarkdown, type ProcessStatus, type ProjectStatus, type StatusInput } from './model/statusReport';
import { aliasStatusText, type DjangoProject } from './project';
import type { Feature, Services } from './services';

export const STATUS_SCHEME = 'django-multidb-status';
const STATUS_URI = vscode.Uri.from({ scheme: STATUS_SCHEME, path: '/Django Multi-DB Status.md' });
/** the worker answers `stats` between requests: a long index is not waited for */
const WORKER_WAIT_MS = 2000;
/** the open document follows the projects' changes at most this often */
const REFRESH_MS = 1000;

function projectStatus(p: DjangoProject, activatedAt: number | undefined): ProjectStatus {
  const index = p.index;
  const findings = { error: 0, warning: 0, info: 0 };
  for (const f of index?.findings ?? []) findings[f.severity]++;
  const indexed = p.startup.indexed;
  return {
    name: p.name,
    root: p.root,
    managePy: p.managePy,
    settingsModule: index?.settings?.module ?? null,
    configuration: index?.settings?.configuration ?? null,
    analysis: modeExplanation(p.django, Math.round(p.config.djangoTimeoutMs / 1000)) ?? (p.django.used === 'django' ? "the project's own Django" : 'static analysis'),
    run: p.config.run,
    phase: p.phase,
    error: p.error ?? null,
    counts: index ? {
      apps: index.apps.length,
      models: index.models.filter(m => !m.abstract).length,
      migrations: index.migrations.length,
      databases: aliasesOf(index).length,
      findings,
    } : null,
    lastIndex: p.indexedAt !== undefined && p.staticIndex ? { at: p.indexedAt, timings: p.staticIndex.timings } : null,
    startup: {
      restoredAt: p.restoredAt ?? null,
      firstIndexMs: indexed !== undefined && activatedAt !== undefined ? indexed - activatedAt : null,
    },
    stateReadAt: p.stateReadAt ?? null,
    django: p.django.effective === 'static' ? null : { running: p.django.running, lastDurationMs: p.django.durationMs, stale: p.django.stale },
    databases: index ? aliasesOf(index).map(alias => ({
      alias,
      engine: index.settings?.databases.find(d => d.alias === alias)?.engine ?? null,
      state: aliasStatusText(index, alias),
    })) : [],
    latency: p.latencies.summary(),
  };
}

async function workerStatus(projects: readonly DjangoProject[]): Promise<ProcessStatus> {
  const p = projects.find(x => !x.retired);
  if (!p) return { kind: 'process', note: 'not started (no project)' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const busy = new Promise<undefined>(resolve => { timer = setTimeout(() => resolve(undefined), WORKER_WAIT_MS); });
  try {
    const s = await Promise.race([p.scanner.workerStats(), busy]);
    if (!s) return { kind: 'process', note: `busy (no answer within ${WORKER_WAIT_MS / 1000} s)` };
    // (a thread's process is the extension host's: its memory figures are the host's, its heap its own)
    return s.kind === 'thread'
      ? { kind: 'thread', heapUsedBytes: s.heapUsedBytes }
      : { kind: s.kind, pid: s.pid, rssBytes: s.rssBytes, peakRssBytes: s.peakRssBytes, heapUsedBytes: s.heapUsedBytes };
  } catch (e) {
    return { kind: 'process', note: `no answer: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The status document's text now (redacted like the log). */
export async function statusText(svc: Services): Promise<string> {
  const projects = svc.projects.projects;
  const m = process.memoryUsage();
  const input: StatusInput = {
    now: Date.now(),
    extensionVersion: String(svc.context.extension.packageJSON.version ?? '?'),
    vscodeVersion: vscode.version,
    trusted: svc.projects.trusted,
    host: { kind: 'in-process', pid: process.pid, rssBytes: m.rss, heapUsedBytes: m.heapUsed },
    worker: await workerStatus(projects),
    projects: projects.map(p => projectStatus(p, svc.activatedAt)),
  };
  return svc.log.redact(statusMarkdown(input));
}

export const registerStatus: Feature = (svc: Services) => {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const isOpen = () => vscode.workspace.textDocuments.some(d => d.uri.toString() === STATUS_URI.toString());
  const refresh = async () => {
    text = await statusText(svc);
    changed.fire(STATUS_URI);
  };
  const provider: vscode.TextDocumentContentProvider = { onDidChange: changed.event, provideTextDocumentContent: () => text };
  svc.snapshots.set('status', () => ({ open: isOpen(), length: text.length }));
  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(STATUS_SCHEME, provider),
    registerCommand(svc, Cmd.showStatus, async () => {
      text = await statusText(svc);
      // (already open: its content is asked for again)
      changed.fire(STATUS_URI);
      const doc = await vscode.workspace.openTextDocument(STATUS_URI);
      await vscode.window.showTextDocument(doc, { preview: false });
      return text;
    }),
    // while it is open, the document follows the projects (an edit, a database read, Django's answer)
    svc.projects.onDidChange(() => {
      if (timer || !isOpen()) return;
      timer = setTimeout(() => { timer = undefined; if (isOpen()) void refresh().catch(e => svc.log.debug(`status not refreshed: ${(e as Error).message}`)); }, REFRESH_MS);
    }),
    { dispose: () => { if (timer) clearTimeout(timer); } },
  ];
};
