import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One folder for every cloud assembly this test run writes, handed to the workers through the
 * environment and removed when the run ends (workers are stopped without an exit event).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'lakehouse-test-run-'));
  process.env.LAKEHOUSE_SYNTH_ROOT = root;
  return () => rmSync(root, { recursive: true, force: true });
}
