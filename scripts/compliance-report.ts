/**
 * Renders docs/compliance.md from the acknowledgements the synthesized app actually records, so the
 * document cannot drift from the code (test/app/compliance-doc.test.ts compares the two).
 * Usage: npm run docs:compliance   (writes the file)   |   tsx scripts/compliance-report.ts (prints it)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderComplianceDoc } from '../test/support/compliance-doc';
import { REPO_ROOT } from '../test/support/app-context';

const doc = renderComplianceDoc();
if (process.argv.includes('--write')) {
  writeFileSync(join(REPO_ROOT, 'docs', 'compliance.md'), doc);
  console.log('Wrote docs/compliance.md');
} else {
  process.stdout.write(doc);
}
