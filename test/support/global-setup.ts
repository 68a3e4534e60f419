import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { runCacheFolder } from './run-cache';

/**
 * One folder for every cloud assembly this test run writes, handed to the workers through the
 * environment and removed when the run ends (workers are stopped without an exit event). It also holds
 * the work shared across test files (run-cache.ts), which a watch-mode rerun must not reuse: the code
 * may have changed since.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'lakehouse-test-run-'));
  process.env.LAKEHOUSE_SYNTH_ROOT = root;
  project.onTestsRerun(() => rmSync(runCacheFolder(root), { recursive: true, force: true }));
  return () => rmSync(root, { recursive: true, force: true });
}
