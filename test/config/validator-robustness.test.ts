import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../config/errors';
import { loadEnvironmentConfig, validateEnvironmentConfig } from '../../config/load';
import { prod } from '../../config/environments/prod';
import { DATASETS } from '../../config/datasets';
import { ValidationReport } from '../../constructs/common/validation-report';
import { validateDatasets } from '../../constructs/datasets';

/** Values of every wrong type a hand-edited file can hold. */
const GARBAGE: readonly unknown[] = [null, undefined, 'x', '', -1, 0.5, Number.NaN, true, [], [null], {}, { unexpected: 1 }];

/** Every path to a value (objects and arrays included) in `value`. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function withValueAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let current = copy;
  for (const part of path.slice(0, -1)) current = current[part] as Record<string | number, unknown>;
  if (path.length === 0) return value;
  current[path[path.length - 1]] = value;
  return copy;
}

/** Runs `validate` and returns the error it threw, if any. */
function thrownBy(validate: () => unknown): unknown {
  try {
    validate();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('no bad input makes a validator crash: every failure is a report', () => {
  it('an environment file with any field replaced by a value of any wrong type', () => {
    const base = structuredClone(prod);
    const cases = paths(base).flatMap((path) => GARBAGE.map((value) => ({ path, value })));
    expect(cases.length).toBeGreaterThan(300);
    for (const { path, value } of cases) {
      const error = thrownBy(() => validateEnvironmentConfig(withValueAt(base, path, value), 'config/environments/prod.ts', 'prod'));
      if (error !== undefined) expect(error, `${path.join('.')} = ${String(value)}: ${String(error)}`).toBeInstanceOf(ConfigValidationError);
    }
  });

  it('a dataset with any field replaced by a value of any wrong type', () => {
    const context = { zones: ['raw', 'curated', 'analytics'], domains: loadEnvironmentConfig('dev').catalog.domains };
    let refused = 0;
    for (const dataset of DATASETS) {
      for (const path of paths(dataset)) {
        for (const value of GARBAGE) {
          const error = thrownBy(() => validateDatasets([withValueAt(dataset, path, value) as never], context));
          if (error !== undefined) {
            expect(error, `${dataset.name} ${path.join('.')} = ${String(value)}: ${String(error)}`).toBeInstanceOf(ValidationReport);
            refused++;
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
