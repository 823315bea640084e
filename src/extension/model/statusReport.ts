// The "Show Analysis Status" document: what the extension knows and how fast it answers, per project, as a
// language server's status page (rust-analyzer's "Status", Pylance's output) tells users what they get and where to
// look when something is slow or missing. Plain data in, Markdown out: no `vscode` here (test/unit/status-report.test.ts).
import type { LatencySummary } from './latency';

export interface ProcessStatus {
  /** a child process, a worker thread of the extension host, or the host's own thread (no worker could start) */
  kind: 'process' | 'thread' | 'in-process';
  pid?: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  peakRssBytes?: number;
  /** why the figures are missing (the worker is busy, or stopped) */
  note?: string;
}

export interface ProjectStatus {
  name: string;
  root: string;
  managePy: string;
  settingsModule: string | null;
  /** django-configurations' class the settings were read as */
  configuration?: string | null;
  /** whose answer the views show, and why (Django mode's explanation) */
  analysis: string;
  run: 'onType' | 'onSave';
  phase: string;
  error: string | null;
  counts: { apps: number; models: number; migrations: number; databases: number; findings: Record<'error' | 'warning' | 'info', number> } | null;
  /** the last index the worker made: when it arrived, and its phases in the worker (ms; `total` among them) */
  lastIndex: { at: number; timings: Record<string, number> } | null;
  /** the first answer after opening: from the last session's snapshot (when), and when the fresh index came */
  startup: { restoredAt: number | null; firstIndexMs: number | null };
  stateReadAt: number | null;
  django: { running: boolean; lastDurationMs: number | null; stale: boolean } | null;
  databases: { alias: string; engine: string | null; state: string }[];
  latency: LatencySummary | null;
}

export interface StatusInput {
  now: number;
  extensionVersion: string;
  vscodeVersion: string;
  trusted: boolean;
  host: ProcessStatus;
  worker: ProcessStatus;
  projects: ProjectStatus[];
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (x: number) => `${Math.round(x)} ms`;
const time = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** `n thing(s)` */
function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

function processLine(label: string, p: ProcessStatus): string {
  const kind = p.kind === 'process' ? 'its own process' : p.kind === 'thread' ? 'a thread of the extension host' : "the extension host's own thread";
  const parts = [
    p.pid !== undefined ? `pid ${p.pid}` : null,
    p.rssBytes !== undefined ? `memory (RSS) ${MB(p.rssBytes)}` : null,
    p.peakRssBytes !== undefined ? `peak ${MB(p.peakRssBytes)}` : null,
    p.heapUsedBytes !== undefined ? `JavaScript heap ${MB(p.heapUsedBytes)}` : null,
  ].filter(Boolean);
  return `- ${label}: ${label === 'Extension host' ? '' : `${kind}; `}${parts.join(', ')}${p.note ? `${parts.length ? '; ' : ''}${p.note}` : ''}`;
}

/** The index's phases in the worker, the longest first, those of 1 ms or more. */
function phasesText(timings: Record<string, number>): string {
  const total = timings.total;
  const phases = Object.entries(timings).filter(([k, v]) => k !== 'total' && v >= 1).sort((a, b) => b[1] - a[1]);
  const list = phases.map(([k, v]) => `${k} ${ms(v)}`).join(', ');
  return `${total !== undefined ? ms(total) : '?'} in the scan worker${list ? ` (${list})` : ''}`;
}

function latencyLines(l: LatencySummary | null, run: ProjectStatus['run']): string[] {
  if (!l) {
    return [run === 'onType'
      ? '- No edit of a Python file seen yet this session.'
      : '- Edits are analysed when saved (`djangoMultiDb.run` is `onSave`); none saved yet this session.'];
  }
  const p = (x: { p50: number; p95: number; max: number }) => `p50 ${ms(x.p50)}, p95 ${ms(x.p95)}, slowest ${ms(x.max)}`;
  return [
    `- Last ${count(l.n, 'edit')}, from the edit to its diagnostics:`,
    ...(l.editor ? [`  - in the files open in editors: ${p(l.editor)}`] : []),
    `  - in every file: ${p(l.all)}`,
    `- Last edit (${time(l.last.at)}): ${l.last.editorMs !== null ? `${ms(l.last.editorMs)} in the editors, ` : ''}${ms(l.last.allMs)} in every file.`,
  ];
}

/** The status document, Markdown. Whatever it shows comes from the views' own data; the caller redacts secrets. */
export function statusMarkdown(s: StatusInput): string {
  const out: string[] = [
    '# Django Multi-DB: analysis status',
    '',
    `Updated ${time(s.now)} · extension ${s.extensionVersion} · VS Code ${s.vscodeVersion} · ${s.trusted ? 'trusted workspace' : 'Restricted Mode (no database is read, no Python is run)'}`,
    '',
  ];
  if (!s.projects.length) out.push('No Django project (a folder with manage.py) was found in this workspace.', '');
  for (const p of s.projects) {
    out.push(`## ${p.name}`, '');
    out.push(`- Folder: \`${p.root}\``, `- manage.py: \`${p.managePy}\``, `- Settings: ${p.settingsModule ? `\`${p.settingsModule}\`${p.configuration ? ` (django-configurations' \`${p.configuration}\`)` : ''}` : 'not found'}`);
    out.push(`- Analysis: ${p.analysis}`);
    out.push(`- Edits analysed: ${p.run === 'onType' ? 'as you type (unsaved buffers)' : 'when saved'}`);
    if (p.phase !== 'idle') out.push(`- Now: ${p.phase}`);
    if (p.error) out.push(`- **Last error**: ${p.error}`);
    if (p.counts) {
      const f = p.counts.findings;
      out.push(`- Index: ${count(p.counts.apps, 'app')}, ${count(p.counts.models, 'model')}, ${count(p.counts.migrations, 'migration')}, ${count(p.counts.databases, 'database')}; ` +
        `findings: ${count(f.error, 'error')}, ${count(f.warning, 'warning')}, ${f.info} info`);
    } else out.push('- Index: not made yet');
    if (p.lastIndex) out.push(`- Last index: ${time(p.lastIndex.at)}, ${phasesText(p.lastIndex.timings)}`);
    if (p.startup.restoredAt !== null) out.push(`- At start: the last session's answer shown (${time(p.startup.restoredAt)}), then refreshed`);
    if (p.startup.firstIndexMs !== null) out.push(`- First index after opening: ${ms(p.startup.firstIndexMs)}`);
    if (p.django) {
      out.push(`- Django's answer: ${p.django.running ? 'being asked now' : p.django.lastDurationMs !== null ? `last one took ${(p.django.lastDurationMs / 1000).toFixed(1)} s` : 'not asked yet'}` +
        `${p.django.stale ? ' (older than the last edit: the static reading of the edited files is shown over it)' : ''}`);
    }
    out.push('', '### Feedback while typing', '', ...latencyLines(p.latency, p.run), '');
    out.push('### Databases', '');
    if (!p.databases.length) out.push('- none known');
    for (const d of p.databases) out.push(`- \`${d.alias}\`${d.engine ? ` (${d.engine})` : ''}: ${d.state}`);
    out.push(`- Last read: ${p.stateReadAt !== null ? time(p.stateReadAt) : 'not read yet'}`, '');
  }
  out.push('## Processes', '', processLine('Scan worker', s.worker), processLine('Extension host', s.host), '');
  out.push('The log (**Django Multi-DB: Show Log**) has each index\'s timings at the debug level; **Django Multi-DB: Restart Analysis** starts a new scan worker.', '');
  return out.join('\n');
}
