import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, from this file's location. */
export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * The context `cdk synth` gives the app: cdk.json's `context` plus cdk.context.json. `new App()` in a
 * test reads neither, and without them test templates differ from the CLI's (feature flags, AZs).
 */
export function cliContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const cdkContext = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.context.json'), 'utf8')) as Record<string, unknown>;
  return { ...cdkJson.context, ...cdkContext };
}
