import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app-context';

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'lakehouse-bin-'));
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'bin', 'app.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir, CDK_VALIDATION: 'false' },
  });
  const templates = existsSync(outdir) ? readdirSync(outdir).filter((file) => file.endsWith('.template.json')) : [];
  rmSync(outdir, { recursive: true, force: true });
  return { ...result, templates };
}

describe('bin/app.ts', () => {
  it('an unknown -c env fails with the list of valid environments and writes no template', () => {
    const result = runApp({ env: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Unknown environment "qa" (from -c env=qa). Valid environments: dev, staging, prod');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a clear message, not a stack trace
    expect(result.templates).toEqual([]);
  });

  it('without -c env synthesizes dev', () => {
    const result = runApp({});
    expect(result.status, result.stderr).toBe(0);
    expect(result.templates.sort()).toEqual([
      'lakehouse-dev-catalog.template.json',
      'lakehouse-dev-ingestion.template.json',
      'lakehouse-dev-network.template.json',
      'lakehouse-dev-operations.template.json',
      'lakehouse-dev-storage.template.json',
      'lakehouse-dev-vector.template.json',
    ]);
  });
});
