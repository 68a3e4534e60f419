import { describe, expect, it } from 'vitest';
import { DATASET_DEFAULTS, type DatasetDefinition } from '../../constructs/datasets';
import { QUALITY_CHECK_KINDS, qualityChecks, QualityRuleError } from '../../constructs/data-quality/rules';
import { DATASETS } from '../../config/datasets';
import { dailyActiveUsers, monthlyActiveUsers } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';

/** Checks derived from contracts: pure, no AWS (no moto, no mocks). */

const summary = (dataset: DatasetDefinition) => qualityChecks(dataset).map((check) => `${check.id} ${check.comparison} ${check.threshold} [${check.metric}]`);

describe('qualityChecks from the shipped contracts', () => {
  it('events: listed completeness, format, default row count and event-time freshness', () => {
    expect(summary(events)).toEqual([
      'row_count.min >= 1 [row_count]',
      'completeness.event >= 0.999 [completeness__event]',
      'completeness.user_id >= 0.99 [completeness__user_id]',
      'completeness.event_time >= 0.999 [completeness__event_time]',
      'format.event <= 0 [bad_format__event]',
      'freshness.event_time <= 300 [newest_epoch_seconds]',
    ]);
    const freshness = qualityChecks(events).find((check) => check.kind === 'freshness');
    expect(freshness).toMatchObject({ column: 'event_time', columnType: 'timestamp' });
  });

  it('client_errors: uniqueness, and freshness from the declared column (arrival-time partitions have no event time)', () => {
    expect(summary(clientErrors)).toEqual([
      'row_count.min >= 1 [row_count]',
      'completeness.error_id >= 1 [completeness__error_id]',
      'completeness.app_version >= 0.99 [completeness__app_version]',
      'uniqueness.error_id <= 0 [duplicate_keys]',
      'freshness.reported_at <= 900 [newest_epoch_seconds]',
    ]);
    const { freshnessColumn: _ignored, ...withoutFreshness } = clientErrors.quality ?? {};
    void _ignored;
    expect(qualityChecks({ ...clientErrors, quality: withoutFreshness }).some((check) => check.kind === 'freshness')).toBe(false);
  });

  it('documents and the analytics tables: composite keys; date columns are freshness columns too', () => {
    expect(qualityChecks(documents).find((check) => check.kind === 'uniqueness')).toMatchObject({ id: 'uniqueness.document_id+updated_at', columns: ['document_id', 'updated_at'] });
    expect(qualityChecks(dailyActiveUsers).find((check) => check.kind === 'freshness')).toMatchObject({ id: 'freshness.activity_date', columnType: 'date', threshold: 28 * 3600 });
    expect(qualityChecks(monthlyActiveUsers).find((check) => check.kind === 'freshness')).toMatchObject({ column: 'activity_month' });
  });

  it('every shipped dataset has checks with unique, stable ids', () => {
    for (const dataset of DATASETS) {
      const ids = qualityChecks(dataset).map((check) => check.id);
      expect(new Set(ids).size, dataset.name).toBe(ids.length);
      expect(ids[0]).toBe('row_count.min');
      for (const id of ids) expect(id).toMatch(/^[a-z_]+\.[a-z0-9_+]+$/);
    }
    expect(QUALITY_CHECK_KINDS).toEqual(['row_count', 'completeness', 'uniqueness', 'accepted_values', 'range', 'format', 'freshness']);
  });
});

describe('defaults', () => {
  it('no completeness listed (or an empty list): every column at the default share', () => {
    for (const quality of [undefined, {}, { completeness: {} }]) {
      const checks = qualityChecks({ ...events, quality }).filter((check) => check.kind === 'completeness');
      expect(checks.map((check) => check.column)).toEqual(events.columns.map((column) => column.name));
      expect(new Set(checks.map((check) => check.threshold))).toEqual(new Set([DATASET_DEFAULTS.completeness]));
      expect(checks[0].description).toContain('(default)');
    }
  });

  it('row count: min defaults to 1 (an empty window fails); an explicit 0 allows it; max only when declared', () => {
    expect(qualityChecks(events).filter((check) => check.kind === 'row_count').map((check) => [check.id, check.threshold])).toEqual([['row_count.min', 1]]);
    const bounded = qualityChecks({ ...events, quality: { rowCount: { min: 0, max: 10 } } }).filter((check) => check.kind === 'row_count');
    expect(bounded.map((check) => [check.id, check.comparison, check.threshold])).toEqual([
      ['row_count.min', '>=', 0],
      ['row_count.max', '<=', 10],
    ]);
  });

  it('a range without bounds checks nothing; one bound is enough', () => {
    const dataset: DatasetDefinition = { ...clientErrors, columns: [...clientErrors.columns, { name: 'size', type: 'bigint', description: 'Size', classification: 'internal' }] };
    expect(qualityChecks({ ...dataset, quality: { ranges: { size: {} } } }).some((check) => check.kind === 'range')).toBe(false);
    expect(qualityChecks({ ...dataset, quality: { ranges: { size: { max: 5 } } } }).find((check) => check.kind === 'range')).toMatchObject({ id: 'range.size', max: 5, threshold: 0 });
  });
});

describe('rules that cannot be checked are refused, naming dataset and field', () => {
  const extended: DatasetDefinition = {
    ...clientErrors,
    columns: [
      ...clientErrors.columns,
      { name: 'ratio', type: 'double', description: 'Ratio', classification: 'internal' },
      { name: 'labels', type: 'map<string,string>', description: 'Labels', classification: 'internal' },
      { name: 'payload', type: 'binary', description: 'Payload', classification: 'internal' },
    ],
  };
  const refused = (quality: DatasetDefinition['quality'], message: RegExp, dataset: DatasetDefinition = extended) => {
    expect(() => qualityChecks({ ...dataset, quality })).toThrow(QualityRuleError);
    expect(() => qualityChecks({ ...dataset, quality })).toThrow(message);
  };

  it('unknown columns, in every rule', () => {
    refused({ completeness: { nope: 1 } }, /dataset "client_errors": quality.completeness.nope names "nope", which is not a column/);
    refused({ uniqueKey: ['error_id', 'nope'] }, /quality.uniqueKey\[1\] names "nope"/);
    refused({ acceptedValues: { nope: ['a'] } }, /quality.acceptedValues.nope names "nope"/);
    refused({ ranges: { nope: { min: 1 } } }, /quality.ranges.nope names "nope"/);
    refused({ formats: { nope: 'x' } }, /quality.formats.nope names "nope"/);
    refused({ freshnessColumn: 'nope' }, /quality.freshnessColumn names "nope"/);
  });

  it('bounds and shares that are not numbers, or out of order', () => {
    refused({ completeness: { error_id: 1.5 } }, /quality.completeness.error_id is 1.5, above 1/);
    refused({ completeness: { error_id: Number.NaN } }, /not a finite number/);
    refused({ rowCount: { min: -1 } }, /quality.rowCount.min is -1, below 0/);
    refused({ rowCount: { min: 10, max: 5 } }, /quality.rowCount.max 5 is below the minimum 10/);
    refused({ rowCount: { max: 0 } }, /quality.rowCount.max 0 is below the minimum 1/);
    refused({ ranges: { ratio: { min: 2, max: 1 } } }, /min 2 is above max 1/);
    refused({ ranges: { ratio: { min: '1' as unknown as number } } }, /quality.ranges.ratio.min is "1", not a finite number/);
    refused({ freshnessColumn: 'reported_at' }, /freshnessSloMinutes is "soon"/, { ...extended, freshnessSloMinutes: 'soon' as unknown as number });
  });

  it('rules that do not fit the column type', () => {
    refused({ ranges: { app_version: { min: 1 } } }, /"app_version" is not a numeric column/);
    refused({ acceptedValues: { ratio: ['1.5'] } }, /"ratio" is a double column, whose text form is scientific notation/);
    refused({ formats: { stack: '.*' } }, /"stack" is not a scalar column/);
    refused({ formats: { payload: '.*' } }, /"payload" is not a scalar column/);
    refused({ uniqueKey: ['labels'] }, /"labels" is or contains a map/);
    refused({ freshnessColumn: 'ratio' }, /"ratio" is not a timestamp, date or ISO-8601 string column/);
  });

  it('empty or malformed lists', () => {
    refused({ uniqueKey: [] }, /quality.uniqueKey lists no columns/);
    refused({ uniqueKey: ['error_id', 'error_id'] }, /lists a column twice/);
    refused({ acceptedValues: { app_version: [] } }, /quality.acceptedValues.app_version lists no values/);
    refused({ acceptedValues: { app_version: [1 as unknown as string] } }, /quality.acceptedValues.app_version\[0\] is 1, not a string/);
    refused({ formats: { app_version: '' } }, /is an empty pattern/);
  });

  it('datasets whose columns cannot be read', () => {
    expect(() => qualityChecks({ ...events, columns: [] })).toThrow(/has no columns/);
    expect(() => qualityChecks({ ...events, columns: [{ name: 'x', type: 'strnig', description: 'x', classification: 'internal' }] })).toThrow(/column "x":/);
  });
});
