// Writes docs/findings.md from the finding registry (src/core/finding-codes.ts). `--check`: exit 1 when it is stale.
// Run: npm run docs:findings (tsx scripts/gen-findings-doc.ts [--check])
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFindingsDoc } from '../src/core/findings-doc';

const file = path.join(__dirname, '..', 'docs', 'findings.md');
const text = renderFindingsDoc();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('docs/findings.md is out of date: run npm run docs:findings\n');
    process.exit(1);
  }
} else {
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
