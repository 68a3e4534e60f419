/** The runtime-coverage gate (scripts/check-coverage.ts): the verdict on hand-made summaries, and what it gates in this repository. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeCoverage, runtimeEntryPoints, runtimeModules, type CoverageSummary } from '../../scripts/check-coverage';
import { REPO_ROOT } from '../support/app-context';

const ROOT = '/repo';
const summary = (lines: Record<string, number>): CoverageSummary => ({
  total: { lines: { total: 100, covered: 90, pct: 90 } },
  ...Object.fromEntries(Object.entries(lines).map(([file, pct]) => [join(ROOT, file), { lines: { total: 100, covered: pct, pct } }])),
});

describe('judgeCoverage', () => {
  it('passes when every runtime module is reported at or above the bar (other files are not judged)', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 90, 'constructs/elt/steps.ts': 99.5, 'lib/stacks/big-stack.ts': 12 }), ['producer/producer.ts', 'constructs/elt/steps.ts']);
    expect(verdict.problems).toEqual([]);
    expect(verdict.modules).toEqual([
      { module: 'producer/producer.ts', linesPct: 90 },
      { module: 'constructs/elt/steps.ts', linesPct: 99.5 },
    ]);
  });

  it('fails a module under the bar (an untested one reports 0) and a module missing from the report', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 89.99, 'constructs/elt/steps.ts': 0 }), ['producer/producer.ts', 'constructs/elt/steps.ts', 'constructs/new-thing/handler.ts']);
    expect(verdict.problems).toEqual([
      'producer/producer.ts: 89.99 % of lines covered, under the 90 % bar',
      'constructs/elt/steps.ts: 0.00 % of lines covered, under the 90 % bar',
      'constructs/new-thing/handler.ts: not in the coverage report (was the run made with --coverage; does vitest.config.mts include it?)',
    ]);
  });

  it('fails when no runtime module was found', () => {
    expect(judgeCoverage(ROOT, summary({ 'producer/producer.ts': 100 }), []).problems).toEqual([
      'no runtime module was found (are the entry points where runtimeEntryPoints looks?)',
    ]);
  });
});

describe('what the gate covers in this repository', () => {
  const entryPoints = runtimeEntryPoints(REPO_ROOT);
  const modules = runtimeModules(REPO_ROOT, entryPoints);

  it('starts from every Lambda handler (handler.ts, and each file of a handlers/ folder), both runtime libraries and the operator scripts that call AWS', () => {
    expect(entryPoints).toEqual([
      'constructs/backup/recovery-point-age/handler.ts',
      'constructs/backup/restore-evidence/handler.ts',
      'constructs/catalog/iceberg/handler.ts',
      'constructs/collector/handler.ts',
      'constructs/data-quality/handler.ts',
      'constructs/embeddings/handler.ts',
      'constructs/privacy/discovery-job/handler.ts',
      ...['claim', 'deadline-monitor', 'elt-guard', 'find-results', 'forget-vectors', 'intake', 'monthly-report', 'physical-check', 'record', 'release', 'rewrite-objects'].map((name) => `constructs/privacy/handlers/${name}.ts`),
      'constructs/vector-store/handler.ts',
      'producer/index.ts',
      'vector-client/index.ts',
      'scripts/elt-backfill.ts',
      'scripts/produce-sample.ts',
      'scripts/embeddings-backfill.ts',
      'scripts/privacy-erase.ts',
      'scripts/privacy-report.ts',
    ]);
  });

  it('gates what they bundle, down to shared code (the SQL builders, the dataset model, config loading), and no CDK stack', () => {
    for (const file of ['constructs/data-quality/sql.ts', 'constructs/vector-store/migrator.ts', 'constructs/vector-store/collection-validation.ts', 'constructs/datasets/validation.ts', 'constructs/elt/steps.ts', 'producer/validate.ts', 'vector-client/client.ts', 'config/load.ts']) {
      expect(modules).toContain(file);
    }
    expect(modules.filter((file) => file.startsWith('lib/stacks/') || file.startsWith('bin/'))).toEqual([]);
    expect(modules.every((file) => file.endsWith('.ts') && !file.includes('node_modules'))).toBe(true);
  });
});
