/**
 * Runs cfn-lint on every synthesized template of every environment: zero errors, zero warnings, zero
 * informational findings (.cfnlintrc.yaml turns the I* rules on; cfn-lint leaves them off by default).
 * Synthesizes first (scripts/synth-all.ts) unless `--skip-synth` is given (CI synthesizes once).
 * cfn-lint is preinstalled here; elsewhere: `pip install cfn-lint`. Rules disabled, and why: .cfnlintrc.yaml.
 * Usage: npm run lint:cfn [-- --skip-synth]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { synthesizedTemplates } from './synthesized-templates';
import { synthAll } from './synth-all';

export const CFN_LINT_CONFIG = join(__dirname, '..', '.cfnlintrc.yaml');

/** cfn-lint's exit code is a bit mask of what it found. */
const FOUND = { error: 2, warning: 4, informational: 8 } as const;

export interface CfnLintResult {
  /** cfn-lint's exit code (0 when clean). */
  readonly status: number;
  /** Kinds of finding in the exit code; any one of them fails the gate. */
  readonly found: Array<keyof typeof FOUND>;
  readonly output: string;
}

/** Lints `templates` with the repository's cfn-lint settings. */
export function lintTemplates(templates: readonly string[], config = CFN_LINT_CONFIG): CfnLintResult {
  const result = spawnSync('cfn-lint', ['--config-file', config, '--', ...templates], { encoding: 'utf8' });
  if (result.error || result.status === null) throw new Error(`cfn-lint could not run (pip install cfn-lint): ${result.error?.message ?? result.signal}`);
  const found = (Object.keys(FOUND) as Array<keyof typeof FOUND>).filter((kind) => (result.status! & FOUND[kind]) !== 0);
  return { status: result.status, found, output: `${result.stdout}${result.stderr}` };
}

function main(): number {
  if (!process.argv.includes('--skip-synth')) synthAll();
  const templates = synthesizedTemplates('lint:cfn');
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    console.error('lint:cfn: cfn-lint is not installed (pip install cfn-lint)');
    return 1;
  }
  const result = lintTemplates(templates);
  process.stdout.write(result.output);
  if (result.status !== 0) {
    console.error(`lint:cfn: cfn-lint reported findings (${result.found.join(', ') || `exit ${result.status}`}) in ${templates.length} templates`);
    return 1;
  }
  console.log(`lint:cfn: ${templates.length} templates, 0 findings including informational (${version.stdout.trim()})`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`lint:cfn: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
