// CI renderings of findings: GitHub workflow annotations and SARIF 2.1.0 (code scanning).
import type { Finding } from '../core/types';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message */
export function toGithubAnnotations(findings: Finding[]): string {
  return findings.map(f => {
    const props = [f.path ? `file=${escapeProperty(f.path)}` : '', f.path && f.line ? `line=${f.line}` : '', `title=${escapeProperty(`django-multidb ${f.code}`)}`].filter(Boolean).join(',');
    return `::${LEVEL[f.severity]} ${props}::${escapeData(f.message)}\n`;
  }).join('');
}

const RULES: Record<string, string> = {
  'cross-db-foreign-key': 'A relation whose target model does not live on a database where the model is migrated.',
  'pending-migrations': 'A database has migrations that `manage.py migrate --database=<alias>` would apply.',
  'migration-conflict': 'An app has several leaf migrations.',
  'missing-dependency': 'A migration depends on a migration that does not exist.',
  'database-unreachable': 'A database could not be read.',
  'unknown-routing': 'Where a model is migrated cannot be decided statically.',
  'settings-unknown': 'A setting could not be evaluated statically.',
  'parse-error': 'A Python file has syntax errors; the rest of it was read.',
};

export function toSarif(findings: Finding[], root: string): object {
  const ruleIds = [...new Set(findings.map(f => f.code))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'django-multidb', informationUri: 'https://example.invalid/django-multidb', rules: ruleIds.map(id => ({ id, shortDescription: { text: RULES[id] ?? id } })) } },
      originalUriBaseIds: { SRCROOT: { uri: 'file://' + root.replace(/\\/g, '/') + '/' } },
      results: findings.map(f => ({
        ruleId: f.code,
        level: f.severity === 'info' ? 'note' : f.severity,
        message: { text: f.message },
        ...(f.path ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.path, uriBaseId: 'SRCROOT' }, ...(f.line ? { region: { startLine: f.line } } : {}) } }] } : {}),
        properties: { alias: f.alias, model: f.model, field: f.field, target: f.target },
      })),
    }],
  };
}
