// `django-multidb settings`: the settings modules the project could run with, who names each and what each gives
// (core/settings/candidates.ts), as a table or JSON. Exit code 0, or 2 when no project is found.
// `django-multidb env-files`: the env files the project keeps, who uses each and what the settings give read with
// each (core/env/env-candidates.ts); names of variables only, never values. Exit code 0, or 2 when there is none.
import * as path from 'path';
import { Scanner, type ScanOptions } from '../core/scan';
import { describeReads, describeSources, type SettingsChoice } from '../core/settings/candidates';
import { describeEnvSources, type EnvFileChoice } from '../core/env/env-candidates';

export async function runSettings(opts: ScanOptions, json: boolean, write: (text: string) => void): Promise<number> {
  const scanner = new Scanner({ ...opts, readDatabases: false });
  const choices = await scanner.settingsCandidates();
  const root = path.resolve(opts.root);
  const rel = (p: string | null) => (p === null ? null : path.relative(root, p).startsWith('..') ? p : path.relative(root, p));
  if (json) {
    write(JSON.stringify(choices.map(c => ({ ...c, path: rel(c.path), sources: c.sources.map(s => ('file' in s ? { ...s, file: rel(s.file) } : s)) })), null, 2) + '\n');
    return choices.length ? 0 : 2;
  }
  if (!choices.length) {
    write(`No settings module found in ${root}: no manage.py, WSGI/ASGI entry point, pytest configuration or container file names one.\n`);
    return 2;
  }
  write(table(choices, root));
  const inUse = choices.find(c => c.sources.some(s => s.kind === 'in-use'));
  write(`\n${inUse ? `In use: ${inUse.module}. ` : ''}Choose another with --settings MODULE (the extension: "Django Multi-DB: Choose Settings Module…", or djangoMultiDb.settingsModule).\n`);
  return 0;
}

function table(choices: SettingsChoice[], root: string): string {
  return columns(['  module', 'databases', 'named by'], choices.map(c => [
    `${c.sources.some(s => s.kind === 'in-use') ? '* ' : '  '}${c.module}`,
    describeReads(c),
    describeSources(c.sources.filter(s => s.kind !== 'in-use'), root).join('; ') || '—',
  ]));
}

export async function runEnvFiles(opts: ScanOptions, json: boolean, write: (text: string) => void): Promise<number> {
  const scanner = new Scanner({ ...opts, readDatabases: false });
  const choices = await scanner.envFileCandidates();
  const root = path.resolve(opts.root);
  const rel = (p: string) => (path.relative(root, p).startsWith('..') ? p : path.relative(root, p));
  if (json) {
    write(JSON.stringify(choices.map(c => ({ ...c, file: rel(c.file), sources: c.sources.map(s => ('file' in s ? { ...s, file: rel(s.file) } : s)) })), null, 2) + '\n');
    return choices.length ? 0 : 2;
  }
  if (!choices.length) {
    write(`No env file found in ${root} (.env, .env.*, *.env beside manage.py or above it, none a Makefile or Compose file names).\n`);
    return 2;
  }
  write(columns(['  env file', 'settings', 'databases', 'used by', 'sets (read by the settings)'], choices.map((c: EnvFileChoice) => [
    `${c.sources.some(s => s.kind === 'in-use') ? '* ' : '  '}${rel(c.file)}`,
    c.module ?? '?',
    describeReads(c),
    describeEnvSources(c.sources.filter(s => s.kind !== 'in-use'), root).join('; ') || '—',
    c.settingsVariables.length ? c.settingsVariables.join(', ') : '—',
  ])));
  const inUse = choices.find(c => c.sources.some(s => s.kind === 'in-use'));
  write(`\n${inUse ? `In use: ${rel(inUse.file)}. ` : ''}Choose one with --env-file FILE (the extension: "Django Multi-DB: Choose Env File…", or djangoMultiDb.envFile).\n`);
  return 0;
}

function columns(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
