/**
 * Synthesizes every environment through the CDK CLI, exactly as a user would
 * (`npx cdk synth -c env=<name>`), with aws-cdk-lib's built-in CloudFormation validation and the
 * cdk-nag packs on, into cdk.out/<name>. Fails on the first environment that does not synthesize.
 * Usage: npm run synth:all
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES } from '../config/limits';

export const SYNTH_ROOT = join(__dirname, '..', 'cdk.out');

export function synthAll(): void {
  for (const environment of ENVIRONMENT_NAMES) {
    const outdir = join(SYNTH_ROOT, environment);
    rmSync(outdir, { recursive: true, force: true });
    const started = process.hrtime.bigint();
    const result = spawnSync(
      join(__dirname, '..', 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '-c', `env=${environment}`, '-o', outdir],
      { stdio: 'inherit', env: { ...process.env, CDK_VALIDATION: undefined } },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) {
      console.error(`synth ${environment}: FAILED (exit ${result.status})`);
      process.exit(1);
    }
    console.log(`synth ${environment}: ok in ${seconds.toFixed(1)} s -> ${outdir}`);
  }
}

if (require.main === module) synthAll();
