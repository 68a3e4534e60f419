/** The runtime-coverage gate (scripts/check-coverage.ts) on hand-made summaries and on this repository's files. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conventionalRuntimeFiles, judgeCoverage, type CoverageSummary } from '../../scripts/check-coverage';
import { REPO_ROOT } from '../support/app-context';

const ROOT = '/repo';
const summary = (lines: Record<string, number>): CoverageSummary => ({
  total: { lines: { total: 100, covered: 90, pct: 90 } },
  ...Object.fromEntries(Object.entries(lines).map(([file, pct]) => [join(ROOT, file), { lines: { total: 100, covered: pct, pct } }])),
});

describe('judgeCoverage', () => {
  it('passes when every reported module is at or above the bar and every runtime file is reported', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 90, 'constructs/elt/steps.ts': 99.5 }), ['producer/producer.ts']);
    expect(verdict.problems).toEqual([]);
    expect(verdict.modules).toEqual([
      { module: 'producer/producer.ts', linesPct: 90 },
      { module: 'constructs/elt/steps.ts', linesPct: 99.5 },
    ]);
  });

  it('fails a module under the bar (an untested one reports 0) and a runtime file missing from the report', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 89.99, 'constructs/elt/steps.ts': 0 }), ['producer/producer.ts', 'constructs/new-thing/handler.ts']);
    expect(verdict.problems).toEqual([
      'producer/producer.ts: 89.99 % of lines covered, under the 90 % bar',
      'constructs/elt/steps.ts: 0.00 % of lines covered, under the 90 % bar',
      'constructs/new-thing/handler.ts: runtime code missing from the coverage report (add it to RUNTIME_MODULES in vitest.config.mts, with tests)',
    ]);
  });

  it('fails an empty report (a run without --coverage)', () => {
    expect(judgeCoverage(ROOT, summary({}), []).problems).toEqual(['the coverage report lists no file (was the run made with --coverage?)']);
  });
});

describe('conventionalRuntimeFiles on this repository', () => {
  it('finds the Lambda handlers and the producer and vector-client modules, not their index files', () => {
    const files = conventionalRuntimeFiles(REPO_ROOT);
    expect(files.filter((file) => file.endsWith('handler.ts'))).toEqual(['constructs/catalog/iceberg/handler.ts', 'constructs/data-quality/handler.ts', 'constructs/vector-store/handler.ts']);
    expect(files).toContain('producer/producer.ts');
    expect(files).toContain('vector-client/client.ts');
    expect(files.some((file) => file.endsWith('index.ts'))).toBe(false);
  });
});
