// django-multidb command line: argv → core → stdout / exit code. No logic of its own beyond rendering.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { projectWords, scanOutput, scanProject, toReport, type ProjectIndex, type ScanOptions } from '../core/scan';
import { formatFinding } from '../core/findings';
import { FINDING_RULES, defaultFailOnText, defaultFailSelection, failOnItems, parseFailOn, selects } from '../core/finding-codes';
import type { Logger, ScanReport } from '../core/types';
import { renderTables } from './tables';
import { toGithubAnnotations, toSarif } from './ci-formats';
import { Redactor, redactWrites } from '../core/redact';
import { runPlan } from './plan';
import { runEnvFiles, runSettings } from './settings';

const VERSION = '0.1.0';

const HELP = `django-multidb ${VERSION} — which models migrate to which database, what is pending, and where foreign keys cross databases.

Usage:
  django-multidb scan  [PATH] [--json] [options]
  django-multidb check [PATH] [--format text|github|sarif|json] [--fail-on LIST] [options]
  django-multidb plan  [PATH] [--format sh|json|github-actions] [options]
  django-multidb settings [PATH] [--json] [options]
  django-multidb env-files [PATH] [--json] [options]

PATH is the workspace root (default: the current directory).

Options:
  --settings MODULE      settings module (default: DJANGO_SETTINGS_MODULE, else the one manage.py sets)
  --configuration CLASS  django-configurations' class (default: DJANGO_CONFIGURATION, else the one manage.py sets)
  --python PATH          the project's Python, chosen by you (default: $VIRTUAL_ENV, a .venv/venv/env of the
                         project, python3 on PATH). Only a chosen interpreter or one outside the project is
                         ever run, isolated (-I); a project's .venv is read from disk unless named here
  --database ALIAS       only this alias (repeatable)
  --env-file FILE        environment file for os.environ lookups (default: .env next to manage.py);
                         --dotenv FILE is the same (Node itself stops with "node: FILE: not found" when an
                         --env-file argument names a missing file: nodejs/node#54232)
  --no-db                do not read the databases (static analysis only)
  --no-python            never run the project's Python (site-packages are then found on disk)
  --mode MODE            static (default without --python): start no process at all;
                         django: ask Django itself through the project's Python (needs --python or a venv);
                         auto (default with --python): Django when it can, else static with the reason
  --timeout MS           connect/statement timeout per database (default 5000)
  --include-environment  lint the migrations of third-party apps too (listed as infos, never failing check)
  --no-cache             do not use the on-disk cache of migration files (~/.cache/django-multidb)
  --verbose              log progress to stderr
  -h, --help             this help
  --version              print the version

plan prints the ordered "manage.py migrate --database=ALIAS" commands that bring every database up to date
(databases others depend on first; up-to-date aliases, mirrors and aliases that are the same database skipped),
with --python as the interpreter of the commands. It exits with 1 when a database cannot be read.

settings lists the settings modules the project could run with (* the one in use), who names each (manage.py,
wsgi.py/asgi.py, pytest, containers and CI, or a settings module beside those) and what each gives: its database
aliases and routers, read statically.

env-files lists the env files the project keeps (* the one in use; .env-local a Makefile includes, a Compose
service's env_file, .env.example) and what the settings give read with each: the settings module, database aliases
and routers, and the variables it sets that they read (names only, never values). Then --env-file FILE.

scan exits with 1 when --mode django was asked for and Django could not answer (the static analysis is printed).
check exits with 1 when a selected problem is found (one line per problem), 2 on a usage or fatal error.
  --fail-on LIST         comma-separated items (docs/findings.md lists the codes):
${wrap(`${failOnItems().join(', ')}, or a finding code; errors = every finding of severity error`)}
${wrap(`default: ${defaultFailOnText()}`)}
`;

function wrap(text: string, indent = 25, width = 110): string {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && indent + cur.length + 1 + w.length > width) { lines.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map(l => ' '.repeat(indent) + l).join('\n');
}

class UsageError extends Error {
  /** `help: false`: a usage the message alone explains (the whole help text would bury it) */
  constructor(message: string, readonly help = true) {
    super(message);
  }
}

function cacheDir(): string {
  const base = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
  return path.join(base, 'index-cache');
}

function stderrLogger(verbose: boolean): Logger {
  const w = (level: string) => (msg: string) => process.stderr.write(`[${level}] ${msg}\n`);
  return { debug: verbose ? w('debug') : () => {}, info: verbose ? w('info') : () => {}, warn: verbose ? w('warn') : () => {}, error: w('error') };
}

/** Everything the CLI prints goes through one redactor (core/redact.ts), which learns the settings' passwords. */
export async function main(argv: string[]): Promise<number> {
  const redactor = new Redactor();
  // for output redacted already (scan's, kept by the output cache as printed)
  const writeRedacted = process.stdout.write.bind(process.stdout) as (bytes: Uint8Array) => boolean;
  const restore = [redactWrites(process.stdout, redactor), redactWrites(process.stderr, redactor)];
  // a reader that stops early (`| head`) closes the pipe: the output it wanted was printed, nothing failed (kept after
  // main returns: the error of a write comes after it)
  const onWriteError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on('error', onWriteError);
  try {
    return await run(argv, redactor, writeRedacted);
  } finally {
    for (const r of restore) r();
  }
}

async function run(argv: string[], redactor: Redactor, writeRedacted: (bytes: Uint8Array) => boolean): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        settings: { type: 'string' },
        configuration: { type: 'string' },
        python: { type: 'string' },
        database: { type: 'string', multiple: true },
        'env-file': { type: 'string' },
        dotenv: { type: 'string' },
        'no-db': { type: 'boolean' },
        'no-python': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'include-environment': { type: 'boolean' },
        mode: { type: 'string' },
        timeout: { type: 'string' },
        format: { type: 'string' },
        'fail-on': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    process.stderr.write(`django-multidb: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.version) { process.stdout.write(`${VERSION}\n`); return 0; }
  const [command, target, ...rest] = positionals;
  if (v.help || !command) { process.stdout.write(HELP); return command || v.help ? 0 : 2; }
  try {
    if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
    if (!['scan', 'check', 'plan', 'settings', 'env-files'].includes(command)) throw new UsageError(`unknown command "${command}" (expected scan, check, plan, settings or env-files)`);
    if (command === 'plan' && v['no-db']) throw new UsageError('plan reads the databases to know what is pending: drop --no-db', false);
    const timeout = v.timeout ? Number(v.timeout) : 5000;
    if (v['env-file'] && v.dotenv) throw new UsageError('--env-file and --dotenv are the same option: give one');
    const envFileArg = v['env-file'] ?? v.dotenv;
    if (envFileArg && !fs.existsSync(envFileArg)) throw new UsageError(`env file ${envFileArg} not found (relative to the current directory, ${process.cwd()})`, false);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout takes a number of milliseconds');
    const root = path.resolve(target ?? '.');
    // --python names a file from where the command runs (or a command on PATH); one that is not there is an error,
    // never a silent fall-back to another interpreter
    let python: string | null = v.python ?? null;
    if (python && (python.includes('/') || python.includes(path.sep))) {
      python = path.resolve(python);
      if (!fs.existsSync(python)) throw new UsageError(`--python ${v.python}: no such file (${python})`, false);
    }
    const mode = (v.mode ?? (v.python && !v['no-python'] ? 'auto' : 'static')) as 'static' | 'django' | 'auto';
    if (!['static', 'django', 'auto'].includes(mode)) throw new UsageError(`--mode: expected static, django or auto, not "${v.mode}"`);
    if (mode !== 'static' && v['no-python']) throw new UsageError(`--mode ${mode} needs the project's Python: drop --no-python`);
    const logger = stderrLogger(!!v.verbose);
    if (process.env.DJANGO_MULTIDB_OLD_NODE && !v['no-db']) {
      logger.warn(`running on Node ${process.env.DJANGO_MULTIDB_OLD_NODE}: reading SQLite needs Node >= 22`);
    }
    const opts: ScanOptions = {
      root,
      settingsModule: v.settings ?? null,
      configuration: v.configuration ?? null,
      python,
      databases: v.database ?? null,
      envFile: envFileArg ? path.resolve(envFileArg) : undefined,
      // static mode starts no process at all: sys.path is read from disk (docs/security.md)
      allowPython: !v['no-python'] && mode !== 'static',
      readDatabases: !v['no-db'],
      dbTimeoutMs: timeout,
      cacheDir: v['no-cache'] ? null : cacheDir(),
      mode,
      includeEnvironment: !!v['include-environment'],
      logger,
    };
    const found = (index: ProjectIndex) => !!(index.settings || index.managePy);
    /** the redactor learns the index's passwords; the timings go to --verbose */
    const learn = (index: ProjectIndex) => {
      // the project's own path and module names are printed everywhere: a password equal to one of those words
      // (a dev database "saleor" with password "saleor") is masked only where it stands as a password
      redactor.exemptWords(projectWords(index));
      redactor.addDatabases(index.settings?.databases);
      const { prefetched, ...timings } = index.timings;
      logger.info(`timings (ms): ${Object.entries(timings).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')}${prefetched ? `; ${prefetched} files read by a second thread` : ''}`);
    };
    const notFound = (index: ProjectIndex) => {
      process.stderr.write(`django-multidb: no Django project found in ${root} (no manage.py, no settings module). Use --settings.\n`);
      if (command === 'scan' && v.json) process.stdout.write(JSON.stringify(toReport(index), null, 2) + '\n');
      return 2;
    };
    if (command === 'scan') {
      // indented for people at a terminal; compact when piped (a large project's report is megabytes)
      const tty = !!process.stdout.isTTY;
      const color = tty && !process.env.NO_COLOR;
      const render = (index: ProjectIndex): Uint8Array | null => {
        learn(index);
        if (!found(index)) return null;
        const report = toReport(index);
        return Buffer.from(redactor.redact(v.json ? JSON.stringify(report, null, tty ? 2 : undefined) + '\n' : renderTables(report, { color })));
      };
      // the same scan printed the same output before and nothing it came from changed: printed again as it was
      // (core/report-cache.ts; the databases are read again to know, but for SQLite files that were not written since)
      const { cacheDir: _dir, logger: _logger, ...shape } = opts;
      const key = process.env.DJANGO_MULTIDB_OUTPUT_CACHE === '0' ? null : JSON.stringify({ command, json: !!v.json, tty, color, ...shape });
      const t = performance.now();
      const { output, index, readAgain } = key === null ? { output: null, index: await scanProject(opts), readAgain: undefined } : await scanOutput(opts, key, render);
      if (index && !found(index)) return notFound(index);
      if (!index) {
        const reads = readAgain?.length ? `databases read again: ${readAgain.join(', ')}` : 'no database read again: their files are as they were';
        logger.info(`timings (ms): output cache ${(performance.now() - t).toFixed(0)} (the same scan's output; ${reads})`);
      }
      writeRedacted(output ?? render(index!)!);
      // --mode django is Django's answer or a failure, never the static analysis in its place without a word (kpi's
      // review: the helper's traceback, then the static tables, and exit 0)
      if (mode === 'django' && index && index.mode?.used !== 'django') {
        process.stderr.write(`django-multidb: --mode django: Django could not be asked${index.mode?.reason ? ` (${index.mode.reason})` : ''}; what was printed is the static analysis\n`);
        return 1;
      }
      return 0;
    }
    if (command === 'settings') return await runSettings(opts, !!v.json, text => process.stdout.write(text));
    if (command === 'env-files') return await runEnvFiles(opts, !!v.json, text => process.stdout.write(text));
    const index = await scanProject(opts);
    learn(index);
    if (!found(index)) return notFound(index);
    if (command === 'plan') return runPlan(index, { format: v.format ?? 'sh', python, databases: v.database ?? null, envFile: envFileArg ? path.resolve(envFileArg) : null });
    const report = toReport(index);
    return check(report, v.format ?? 'text', v['fail-on'] ?? null);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(e.help ? `django-multidb: ${e.message}\n\n${HELP}` : `django-multidb: ${e.message} (--help lists the options)\n`);
      return 2;
    }
    process.stderr.write(`django-multidb: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

function check(report: ScanReport, format: string, failOn: string | null): number {
  let selection;
  try {
    selection = failOn === null ? defaultFailSelection() : parseFailOn(failOn.split(',').map(s => s.trim()).filter(Boolean));
  } catch (e) {
    throw new UsageError(`--fail-on: ${(e as Error).message}`);
  }
  const problems = report.diagnostics.filter(d => selects(selection, d));
  // --include-environment: what third-party migrations will do, listed without failing
  const environment = report.diagnostics.filter(d => d.environment && !selects(selection, d));
  // never "no problems" in silence over an error that --fail-on left out
  const unselectedErrors = report.diagnostics.filter(d => d.severity === 'error' && !selects(selection, d));
  switch (format) {
    case 'text':
      for (const p of problems) process.stdout.write(formatFinding(p) + '\n');
      if (environment.length) {
        process.stdout.write(`third-party apps (${environment.length}, not failing check):\n`);
        for (const p of environment) process.stdout.write(`  ${formatFinding(p)}\n`);
      }
      {
        // warnings the selection leaves out are counted: "no problems" over 13 apps not found reads as a clean run
        const unselectedWarnings = report.diagnostics.filter(d => d.severity === 'warning' && !d.environment && !selects(selection, d));
        const codes = (ds: typeof problems) => [...new Set(ds.map(d => d.code))].join(', ');
        const notes = [
          ...(unselectedErrors.length ? [`${unselectedErrors.length} error${unselectedErrors.length === 1 ? '' : 's'} not selected by --fail-on: ${codes(unselectedErrors)}`] : []),
          ...(unselectedWarnings.length ? [`${problems.length ? 'and ' : ''}${unselectedWarnings.length} ${problems.length ? 'other ' : ''}warning${unselectedWarnings.length === 1 ? '' : 's'} not failing check: ${codes(unselectedWarnings)}; \`scan\` shows them, --fail-on all fails on them`] : []),
        ];
        // (opal-admin's review read "16 problems found (15 warnings not failing check…)" as 15 of the 16 not failing)
        const head = problems.length ? `${problems.length} failing problem${problems.length === 1 ? '' : 's'} found` : notes.length ? 'no failing problems' : 'no problems found';
        process.stdout.write(`${head}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
      }
      break;
    case 'github':
      process.stdout.write(toGithubAnnotations(problems));
      break;
    case 'sarif':
      process.stdout.write(JSON.stringify(toSarif(problems, report.project.root), null, 2) + '\n');
      break;
    case 'json':
      process.stdout.write(JSON.stringify({
        version: 1,
        problems,
        rules: Object.fromEntries([...new Set(problems.map(p => p.code))].map(c => [c, { title: FINDING_RULES[c].title, severity: FINDING_RULES[c].severity }])),
        unselectedErrors: unselectedErrors.length,
      }, null, 2) + '\n');
      break;
    default:
      throw new UsageError(`--format: unknown format "${format}" (text, github, sarif, json)`);
  }
  return problems.length ? 1 : 0;
}
