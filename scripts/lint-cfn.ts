/**
 * Runs cfn-lint on every synthesized template of every environment: zero errors, zero warnings.
 * Synthesizes first (scripts/synth-all.ts) unless `--skip-synth` is given (CI synthesizes once).
 * cfn-lint is preinstalled here; elsewhere: `pip install cfn-lint`. Rules disabled, and why: .cfnlintrc.yaml.
 * Usage: npm run lint:cfn [-- --skip-synth]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES } from '../config/limits';
import { SYNTH_ROOT, synthAll } from './synth-all';

if (!process.argv.includes('--skip-synth')) synthAll();

const templates = ENVIRONMENT_NAMES.flatMap((environment) => {
  const dir = join(SYNTH_ROOT, environment);
  if (!existsSync(dir)) {
    console.error(`lint:cfn: ${dir} is missing; run npm run synth:all first`);
    process.exit(1);
  }
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(dir, file));
});
if (templates.length === 0) {
  console.error('lint:cfn: no templates found');
  process.exit(1);
}

const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  console.error('lint:cfn: cfn-lint is not installed (pip install cfn-lint)');
  process.exit(1);
}
// Exit codes are a bit mask (2 errors, 4 warnings, 8 informational); any of them fails the gate.
const result = spawnSync('cfn-lint', ['--config-file', join(__dirname, '..', '.cfnlintrc.yaml'), '--', ...templates], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`lint:cfn: cfn-lint reported findings (exit ${result.status}) in ${templates.length} templates`);
  process.exit(1);
}
console.log(`lint:cfn: ${templates.length} templates, 0 findings (${version.stdout.trim()})`);
