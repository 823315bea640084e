// The "Show Analysis Status" document (src/extension/model/statusReport.ts) and the edit → diagnostics latencies it
// reports (model/latency.ts): which updates count for an edit, the percentiles, and the text, built from a real scan
// of the example project as status.ts builds it from the extension's project.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { EditLatencies, quantile } from '../../src/extension/model/latency';
import { statusMarkdown, type StatusInput } from '../../src/extension/model/statusReport';
import { scanProject } from '../../src/core/scan';
import { Redactor } from '../../src/core/redact';

describe('edit latencies', () => {
  test('an update counts for the last edit once, and only when the index it shows was asked for after the edit', () => {
    const l = new EditLatencies();
    // an update of an index asked before the edit (a burst's earlier keystroke) does not read it
    assert.equal(l.record(1000, 990, 1010, 1040), undefined);
    // the next one does: from the edit to the editors' diagnostics, and to every file's
    assert.deepEqual(l.record(1000, 1005, 1050, 1080), { at: 1000, editorMs: 50, allMs: 80 });
    // a later update (a database read, Django's answer) counts it no more
    assert.equal(l.record(1000, 1100, 1120, 1150), undefined);
    // no edit seen, or no index asked for yet
    assert.equal(new EditLatencies().record(undefined, 5, 6, 7), undefined);
    assert.equal(new EditLatencies().record(5, undefined, 6, 7), undefined);
    // no file of the project in an editor: only every file's figure
    assert.deepEqual(l.record(2000, 2001, undefined, 2100), { at: 2000, editorMs: null, allMs: 100 });
    const s = l.summary()!;
    assert.equal(s.n, 2);
    assert.deepEqual(s.editor, { p50: 50, p95: 50, max: 50 });
    assert.deepEqual(s.all, { p50: 80, p95: 100, max: 100 });
    assert.equal(s.last.at, 2000);
  });

  test('percentiles by nearest rank, as the benchmarks count them; only the last `keep` edits', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    assert.equal(quantile(xs, 0.5), 10);
    assert.equal(quantile(xs, 0.95), 19);
    assert.equal(quantile([7], 0.95), 7);
    const l = new EditLatencies(10);
    for (let i = 1; i <= 25; i++) l.record(i * 1000, i * 1000, undefined, i * 1000 + i);
    const s = l.summary()!;
    assert.equal(s.n, 10);
    assert.deepEqual(s.all, { p50: 20, p95: 25, max: 25 });
    assert.equal(new EditLatencies().summary(), null);
  });
});

describe('status document', () => {
  test('a real scan of the example project, as the extension reports it', async () => {
    const root = path.resolve(__dirname, '../../examples/multidb_shop');
    const index = await scanProject({ root, allowPython: false });
    const findings = { error: 0, warning: 0, info: 0 };
    for (const f of index.findings) findings[f.severity]++;
    const aliases = index.settings!.databases.map(d => d.alias);
    const latency = new EditLatencies();
    latency.record(1_000, 1_002, 1_060, 1_090);
    const input: StatusInput = {
      now: Date.UTC(2026, 11, 7, 10, 0, 0),
      extensionVersion: '1.2.3',
      vscodeVersion: '1.99.0',
      trusted: true,
      host: { kind: 'in-process', pid: 10, rssBytes: 250 * 2 ** 20, heapUsedBytes: 100 * 2 ** 20 },
      worker: { kind: 'process', pid: 11, rssBytes: 200 * 2 ** 20, peakRssBytes: 300 * 2 ** 20, heapUsedBytes: 90 * 2 ** 20 },
      projects: [{
        name: 'multidb_shop', root, managePy: index.managePy!, settingsModule: index.settings!.module,
        analysis: 'Static analysis only (djangoMultiDb.mode is "static").', run: 'onType', phase: 'idle', error: null,
        counts: { apps: index.apps.length, models: index.models.filter(m => !m.abstract).length, migrations: index.migrations.length, databases: aliases.length, findings },
        lastIndex: { at: Date.UTC(2026, 11, 7, 9, 59, 0), timings: index.timings },
        startup: { restoredAt: null, firstIndexMs: 1234 },
        stateReadAt: null,
        django: null,
        databases: aliases.map(alias => ({ alias, engine: index.settings!.databases.find(d => d.alias === alias)!.engine, state: 'database state not read' })),
        latency: latency.summary(),
      }],
    };
    const md = statusMarkdown(input);
    assert.match(md, /^# Django Multi-DB: analysis status\n/);
    assert.match(md, /Updated 2026-12-07 10:00:00 UTC · extension 1\.2\.3 · VS Code 1\.99\.0 · trusted workspace/);
    assert.match(md, /^## multidb_shop$/m);
    assert.ok(md.includes(`- Settings: \`${index.settings!.module}\``));
    assert.ok(md.includes(`- Index: ${index.apps.length} apps, ${input.projects[0]!.counts!.models} models, ${index.migrations.length} migrations, ${aliases.length} databases;`));
    assert.ok(md.includes(`findings: ${findings.error} error${findings.error === 1 ? '' : 's'}, ${findings.warning} warning${findings.warning === 1 ? '' : 's'}, ${findings.info} info`));
    assert.match(md, /- Last index: 2026-12-07 09:59:00 UTC, \d+ ms in the scan worker \(/);
    assert.match(md, /- First index after opening: 1234 ms/);
    assert.match(md, /- Last 1 edit, from the edit to its diagnostics:\n {2}- in the files open in editors: p50 60 ms, p95 60 ms, slowest 60 ms\n {2}- in every file: p50 90 ms, p95 90 ms, slowest 90 ms/);
    for (const alias of aliases) assert.ok(md.includes(`- \`${alias}\` (`), alias);
    assert.match(md, /- Scan worker: its own process; pid 11, memory \(RSS\) 200 MB, peak 300 MB, JavaScript heap 90 MB/);
    assert.match(md, /- Extension host: pid 10, memory \(RSS\) 250 MB, JavaScript heap 100 MB/);
    // no Django mode: no line about Django's answer; no edit yet in another project: says so
    assert.doesNotMatch(md, /Django's answer:/);
    const none = statusMarkdown({ ...input, projects: [{ ...input.projects[0]!, latency: null, run: 'onSave' }] });
    assert.match(none, /when saved \(`djangoMultiDb\.run` is `onSave`\); none saved yet/);
    assert.match(statusMarkdown({ ...input, projects: [] }), /No Django project \(a folder with manage\.py\) was found/);
    // django-configurations: the class the settings were read as
    assert.ok(statusMarkdown({ ...input, projects: [{ ...input.projects[0]!, configuration: 'Prod' }] }).includes(`- Settings: \`${index.settings!.module}\` (django-configurations' \`Prod\`)`));
  });

  test('a database error carrying a password is shown as the log shows it: redacted', () => {
    const input: StatusInput = {
      now: 0, extensionVersion: '1', vscodeVersion: '1', trusted: true,
      host: { kind: 'in-process' }, worker: { kind: 'process', note: 'busy (no answer within 2 s)' },
      projects: [{
        name: 'p', root: '/p', managePy: '/p/manage.py', settingsModule: null, analysis: 'static analysis', run: 'onType', phase: 'reading databases', error: null,
        counts: null, lastIndex: null, startup: { restoredAt: null, firstIndexMs: null }, stateReadAt: null,
        django: { running: true, lastDurationMs: null, stale: false },
        databases: [{ alias: 'default', engine: 'django.db.backends.postgresql', state: 'unreachable: password authentication failed for "s3cr3t-pw"' }],
        latency: null,
      }],
    };
    const r = new Redactor();
    r.add('s3cr3t-pw');
    const md = r.redact(statusMarkdown(input));
    assert.ok(!md.includes('s3cr3t-pw'));
    assert.match(md, /- Scan worker: its own process; busy \(no answer within 2 s\)/);
    assert.match(md, /- Now: reading databases/);
    assert.match(md, /- Index: not made yet/);
    assert.match(md, /- Django's answer: being asked now/);
  });
});
