/** The runtime-coverage gate (scripts/check-coverage.ts) on hand-made summaries and on this repository's files. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conventionalRuntimeFiles, judgeCoverage, type CoverageSummary } from '../../scripts/check-coverage';
import { RUNTIME_MODULES } from '../../scripts/runtime-modules';
import { REPO_ROOT } from '../support/app-context';

const ROOT = '/repo';
const summary = (lines: Record<string, number>): CoverageSummary => ({
  total: { lines: { total: 100, covered: 90, pct: 90 } },
  ...Object.fromEntries(Object.entries(lines).map(([file, pct]) => [join(ROOT, file), { lines: { total: 100, covered: pct, pct } }])),
});

describe('judgeCoverage', () => {
  const modules = ['producer/producer.ts', 'constructs/elt/steps.ts'];

  it('passes when every listed module is at or above the bar and every runtime file is listed', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 90, 'constructs/elt/steps.ts': 99.5 }), modules, 90, modules);
    expect(verdict.problems).toEqual([]);
    expect(verdict.modules).toEqual([
      { module: 'producer/producer.ts', linesPct: 90 },
      { module: 'constructs/elt/steps.ts', linesPct: 99.5 },
    ]);
  });

  it('fails a module under the bar, a module missing from the report, and a runtime file nobody listed', () => {
    const verdict = judgeCoverage(ROOT, summary({ 'producer/producer.ts': 89.99 }), modules, 90, [...modules, 'constructs/new-thing/handler.ts']);
    expect(verdict.problems).toEqual([
      'producer/producer.ts: 89.99 % of lines covered, under the 90 % bar',
      'constructs/elt/steps.ts: not in the coverage report (run the tests with --coverage; is the path right?)',
      'constructs/new-thing/handler.ts: runtime code not listed in scripts/runtime-modules.ts (add it, with tests)',
    ]);
  });
});

describe('this repository', () => {
  it('lists every Lambda handler and every producer and vector-client file as a runtime module', () => {
    const conventional = conventionalRuntimeFiles(REPO_ROOT);
    expect(conventional).toContain('constructs/data-quality/handler.ts');
    expect(conventional).toContain('constructs/vector-store/handler.ts');
    expect(conventional).toContain('constructs/catalog/iceberg/handler.ts');
    expect(conventional.filter((file) => !RUNTIME_MODULES.includes(file))).toEqual([]);
  });
});
