import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIMENSION_NAMES, ENVIRONMENT_VARIABLES, METRIC_NAMES } from '../../constructs/data-quality/names';

/**
 * Module boundaries, checked with esbuild's dependency graph (no AWS, no moto, no mocks):
 * - the Lambda entry bundles without any CDK code (aws-cdk-lib, constructs);
 * - rules.ts, sql.ts and names.ts depend on nothing outside the repository, so the construct (and the
 *   published library, which excludes handler.ts) can import them without the AWS SDK.
 */

const DIR = join(__dirname, '../../constructs/data-quality');

function inputs(entry: string): string[] {
  const result = buildSync({ entryPoints: [join(DIR, entry)], bundle: true, platform: 'node', write: false, metafile: true, logLevel: 'silent', outdir: '/tmp/unused' });
  return Object.keys(result.metafile?.inputs ?? {});
}

describe('module boundaries', () => {
  it('handler.ts bundles for Lambda without CDK code', () => {
    const files = inputs('handler.ts');
    expect(files.some((file) => file.includes('@aws-sdk/client-athena'))).toBe(true);
    expect(files.filter((file) => /node_modules\/(aws-cdk-lib|constructs)\//.test(file))).toEqual([]);
  });

  it.each(['rules.ts', 'sql.ts', 'names.ts'])('%s imports no package at all', (entry) => {
    expect(inputs(entry).filter((file) => file.includes('node_modules'))).toEqual([]);
  });

  it('publishes the metric, dimension and environment names the construct relies on', () => {
    expect(METRIC_NAMES).toEqual({ checkValue: 'CheckValue', checkFailed: 'CheckFailed', rowCount: 'RowCount', freshnessSeconds: 'FreshnessSeconds', queryFailed: 'QueryFailed', lineageFailed: 'LineageRecordFailed' });
    expect(DIMENSION_NAMES).toEqual({ environment: 'Environment', dataset: 'Dataset', check: 'Check' });
    expect(Object.values(ENVIRONMENT_VARIABLES)).toEqual(['WORKGROUP', 'TABLES', 'HISTORY_DATABASE', 'METRIC_NAMESPACE', 'ENVIRONMENT', 'QUERY_TIMEOUT_MS', 'QUERY_CONCURRENCY', 'LINEAGE_DATABASE', 'LINEAGE_JOB_NAMESPACE', 'CONTRACTS_FILE']);
  });
});
