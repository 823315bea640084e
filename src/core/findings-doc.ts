// docs/findings.md, rendered from the registry (finding-codes.ts). `npm run docs:findings` writes it; a unit test
// fails when the checked-in file differs, so the docs cannot drift from what the tool does.
import { FINDING_CODES, FINDING_RULES, defaultFailOnText, failOnItems, type FindingRule } from './finding-codes';

const AREA_TITLE: Record<FindingRule['area'], string> = {
  routing: 'Routing',
  migrations: 'Migration graph',
  databases: 'Databases',
  settings: 'Settings',
  environment: 'Environment',
  code: 'Source files',
  authoring: 'Migration authoring',
};

const SHOWN_IN: Record<FindingRule['shownIn'], string> = {
  problems: 'Problems panel',
  views: 'own views',
};

function failsText(r: FindingRule): string {
  return r.failsAt === 'info' ? 'always' : r.failsAt === 'warning' ? 'as a warning or error' : 'as an error only';
}

export function renderFindingsDoc(): string {
  const out: string[] = [];
  out.push('# Findings');
  out.push('');
  out.push('<!-- Generated from src/core/finding-codes.ts by `npm run docs:findings`; do not edit by hand. -->');
  out.push('');
  out.push('Every problem django-multidb reports is a finding with one of the codes below. The same finding is a line of');
  out.push('`check` (and of the Findings table of `scan`), an object of `diagnostics` in `scan --json` (docs/scan-json.md), a');
  out.push('SARIF result or GitHub annotation (`check --format sarif|github`), and, where the table says so, a diagnostic in');
  out.push("VS Code's Problems panel whose code links here.");
  out.push('');
  out.push('`check` exits with 1 when a selected finding is present. `--fail-on` takes a comma-separated list of items: a');
  out.push('code, the short group name of the table, `errors` (every finding of severity error, whatever its code) or `all`.');
  out.push(`Without \`--fail-on\`, \`check\` fails on ${defaultFailOnText()} (the "fails \`check\`" column). When`);
  out.push('`--fail-on` leaves out an error, `check` still says so on its last line.');
  out.push('');
  out.push(`Groups: ${failOnItems().filter(i => i !== 'errors' && i !== 'all').map(i => `\`${i}\``).join(', ')}.`);
  out.push('');
  out.push('| code | default severity | fails `check` (no `--fail-on`) | `--fail-on` group | shown in VS Code |');
  out.push('| --- | --- | --- | --- | --- |');
  for (const c of FINDING_CODES) {
    const r = FINDING_RULES[c];
    const shown = SHOWN_IN[r.shownIn] + (r.area === 'authoring' && r.shownIn === 'problems' ? ' (an info: editor hint)' : '');
    out.push(`| [\`${c}\`](#${c}) | ${r.severity} | ${failsText(r)} | \`${r.failOn}\` | ${shown} |`);
  }
  out.push('');
  for (const area of Object.keys(AREA_TITLE) as FindingRule['area'][]) {
    const codes = FINDING_CODES.filter(c => FINDING_RULES[c].area === area);
    if (!codes.length) continue;
    out.push(`## ${AREA_TITLE[area]}`);
    out.push('');
    for (const c of codes) {
      const r = FINDING_RULES[c];
      out.push(`### ${c}`);
      out.push('');
      out.push(`**${r.title}** — ${r.severity}; without \`--fail-on\`, \`check\` fails on it: ${failsText(r)}; \`--fail-on ${r.failOn}\`.`);
      out.push('');
      out.push(r.help);
      out.push('');
    }
  }
  return out.join('\n');
}
