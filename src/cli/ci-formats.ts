// CI renderings of findings: GitHub workflow annotations and SARIF 2.1.0 (code scanning).
import type { Finding } from '../core/types';
import { FINDING_CODES, FINDING_RULES, FINDINGS_DOC_URL, helpUri, type FindingCode, type Severity } from '../core/finding-codes';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;
const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message */
export function toGithubAnnotations(findings: Finding[]): string {
  return findings.map(f => {
    const props = [f.path ? `file=${escapeProperty(f.path)}` : '', f.path && f.line ? `line=${f.line}` : '', `title=${escapeProperty(`django-multidb ${f.code} (${FINDING_RULES[f.code].title})`)}`].filter(Boolean).join(',');
    return `::${LEVEL[f.severity]} ${props}::${escapeData(f.message)}\n`;
  }).join('');
}

/** A SARIF reportingDescriptor per registry entry (https://docs.oasis-open.org/sarif/sarif/v2.1.0/, 3.49). */
export function sarifRule(code: FindingCode): object {
  const r = FINDING_RULES[code];
  return {
    id: code,
    name: code.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.help.replace(/`/g, '') },
    help: { text: r.help.replace(/`/g, ''), markdown: r.help },
    helpUri: helpUri(code),
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
    properties: { tags: ['django', 'multi-database', r.area] },
  };
}

export function toSarif(findings: Finding[], root: string): object {
  // every rule is listed, so that a code-scanning tool knows the rules that found nothing as well
  const index = new Map(FINDING_CODES.map((c, i) => [c, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'django-multidb', informationUri: FINDINGS_DOC_URL, rules: FINDING_CODES.map(sarifRule) } },
      originalUriBaseIds: { SRCROOT: { uri: 'file://' + root.replace(/\\/g, '/') + '/' } },
      results: findings.map(f => ({
        ruleId: f.code,
        ruleIndex: index.get(f.code),
        level: SARIF_LEVEL[f.severity],
        message: { text: f.message },
        ...(f.path ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.path, uriBaseId: 'SRCROOT' }, ...(f.line ? { region: { startLine: f.line } } : {}) } }] } : {}),
        properties: { alias: f.alias, model: f.model, field: f.field, target: f.target },
      })),
    }],
  };
}
