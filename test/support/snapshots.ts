import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './app-context';
import type { Template } from './synth';

/** Committed, normalised templates: test/snapshots/<env>/<stack>.template.json. */
export const SNAPSHOT_DIR = join(REPO_ROOT, 'test', 'snapshots');

export function snapshotPath(environment: string, stack: string): string {
  return join(SNAPSHOT_DIR, environment, `${stack}.template.json`);
}

/** The committed snapshot, or undefined when none exists yet. */
export function readSnapshot(environment: string, stack: string): Template | undefined {
  const path = snapshotPath(environment, stack);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Template) : undefined;
}

export function writeSnapshot(environment: string, stack: string, template: Template): void {
  const path = snapshotPath(environment, stack);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(template, null, 1)}\n`);
}
