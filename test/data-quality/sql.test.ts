import { describe, expect, it } from 'vitest';
import { datasetProblems, partitionKeys, timeKeyNames, type DatasetDefinition } from '../../constructs/datasets';
import { qualityChecks, QualityRuleError } from '../../constructs/data-quality/rules';
import {
  checkWindow,
  compileQualityQuery,
  evaluate,
  HISTORY_COLUMNS,
  HISTORY_TABLE,
  historyInsert,
  historyRows,
  MetricRowError,
  qualityMetrics,
  quoteIdentifier,
  sqlDouble,
  sqlNumber,
  sqlString,
  timeFilter,
  type CheckResult,
  type MetricRow,
} from '../../constructs/data-quality/sql';
import { DATASETS } from '../../config/datasets';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';
import { conjuncts, isConstant, parseTrino, randomDataset, referencedColumns, trinoLiterals, type Node } from './support';

/**
 * Pure SQL compilation and evaluation; nothing here talks to AWS (no moto, no mocks). The SQL is
 * checked against node-sql-parser's Trino grammar and a Trino string-literal lexer, never executed.
 */

const DATABASE = 'lakehouse_test_raw';
const NOW = new Date('2026-11-23T10:15:00Z');
const windowOf = (dataset: DatasetDefinition, now: Date = NOW) => checkWindow(dataset, now);
const compile = (dataset: DatasetDefinition, now: Date = NOW) => compileQualityQuery(dataset, { database: DATABASE, window: windowOf(dataset, now) });

describe('checkWindow', () => {
  it('hour and day granularity: the previous full UTC day and today', () => {
    const expected = { first: '2026-11-22', last: '2026-11-23', start: '2026-11-22T00:00:00.000Z', end: '2026-11-24T00:00:00.000Z' };
    expect(checkWindow(events, NOW)).toEqual({ granularity: 'hour', ...expected });
    expect(checkWindow(clientErrors, NOW)).toEqual({ granularity: 'day', ...expected });
    // Both ends of the UTC day give the same window; a local-time offset never shifts it.
    expect(checkWindow(clientErrors, new Date('2026-11-23T00:00:00.000Z'))).toEqual({ granularity: 'day', ...expected });
    expect(checkWindow(clientErrors, new Date('2026-11-23T23:59:59.999Z'))).toEqual({ granularity: 'day', ...expected });
    expect(checkWindow(clientErrors, Date.parse('2026-11-24T00:30:00+02:00'))).toEqual({ granularity: 'day', ...expected });
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(checkWindow(clientErrors, new Date('2027-01-01T00:30:00Z'))).toMatchObject({ first: '2026-12-31', last: '2027-01-01' });
    expect(checkWindow(clientErrors, new Date('2028-03-01T12:00:00Z'))).toMatchObject({ first: '2028-02-29', last: '2028-03-01' });
  });

  it('month granularity: the previous and the current UTC month', () => {
    expect(checkWindow(dailyActiveUsers, NOW)).toEqual({
      granularity: 'month',
      first: '2026-10',
      last: '2026-11',
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
    });
    expect(checkWindow(dailyActiveUsers, new Date('2027-01-05T00:00:00Z'))).toMatchObject({ first: '2026-12', last: '2027-01', start: '2026-12-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' });
    expect(checkWindow(dailyActiveUsers, new Date('2026-12-31T23:59:59Z'))).toMatchObject({ first: '2026-11', last: '2026-12', end: '2027-01-01T00:00:00.000Z' });
  });

  it('refuses a time that is not one', () => {
    expect(() => checkWindow(events, new Date('not a date'))).toThrow(RangeError);
  });
});

describe('compileQualityQuery: golden SQL', () => {
  it('events (Parquet, hour partitions from event time): one row of every metric, scanning dt of the window only', () => {
    expect(compile(events)).toBe(
      [
        'SELECT',
        '  count(*) AS "row_count",',
        '  CAST(count("event") AS double) / NULLIF(count(*), 0) AS "completeness__event",',
        '  CAST(count("user_id") AS double) / NULLIF(count(*), 0) AS "completeness__user_id",',
        '  CAST(count("event_time") AS double) / NULLIF(count(*), 0) AS "completeness__event_time",',
        `  count_if("event" IS NOT NULL AND NOT regexp_like(CAST("event" AS varchar), '^[a-z][a-z0-9_]*$')) AS "bad_format__event",`,
        '  to_unixtime(max("event_time")) AS "newest_epoch_seconds"',
        'FROM "lakehouse_test_raw"."events"',
        `WHERE "dt" BETWEEN '2026-11-22' AND '2026-11-23'`,
      ].join('\n'),
    );
  });

  it('client_errors (Parquet, enum platform key, arrival-day partitions): uniqueness and the declared freshness column', () => {
    expect(compile(clientErrors)).toBe(
      [
        'SELECT',
        '  count(*) AS "row_count",',
        '  CAST(count("error_id") AS double) / NULLIF(count(*), 0) AS "completeness__error_id",',
        '  CAST(count("app_version") AS double) / NULLIF(count(*), 0) AS "completeness__app_version",',
        '  count_if("error_id" IS NOT NULL) - count(DISTINCT "error_id") AS "duplicate_keys",',
        '  to_unixtime(max("reported_at")) AS "newest_epoch_seconds"',
        'FROM "lakehouse_test_raw"."client_errors"',
        `WHERE "dt" BETWEEN '2026-11-22' AND '2026-11-23'`,
      ].join('\n'),
    );
  });

  it('documents: a composite unique key counts duplicates among complete keys only', () => {
    expect(compile(documents)).toContain(
      'count_if("document_id" IS NOT NULL AND "updated_at" IS NOT NULL) - count(DISTINCT CASE WHEN "document_id" IS NOT NULL AND "updated_at" IS NOT NULL THEN ROW("document_id", "updated_at") END) AS "duplicate_keys"',
    );
  });

  it('Iceberg with a date column: filters the partition source column; a date is fresh until the end of its day', () => {
    const sql = compile(dailyActiveUsers);
    expect(sql).toContain(`WHERE "activity_date" BETWEEN DATE '2026-10-01' AND DATE '2026-11-30'`);
    expect(sql).toContain(`to_unixtime(CAST(date_add('day', 1, max("activity_date")) AS timestamp)) AS "newest_epoch_seconds"`);
  });

  it('Iceberg with a timestamp column: a half-open timestamp range', () => {
    const hourly: DatasetDefinition = {
      ...dailyActiveUsers,
      name: 'page_loads',
      columns: [{ name: 'loaded_at', type: 'timestamp', description: 'Load time', classification: 'internal' }],
      partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'loaded_at' } } },
      quality: {},
    };
    expect(timeFilter(hourly, windowOf(hourly))).toBe(`"loaded_at" >= TIMESTAMP '2026-11-22 00:00:00.000' AND "loaded_at" < TIMESTAMP '2026-11-24 00:00:00.000'`);
  });

  it('Parquet month partitions filter the month key; an ISO-string event time is parsed leniently with try()', () => {
    const monthly: DatasetDefinition = {
      ...events,
      name: 'invoices',
      columns: [{ name: 'issued', type: 'string', description: 'ISO-8601 time', classification: 'internal' }],
      partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'issued' } } },
      quality: undefined,
    };
    const sql = compile(monthly);
    expect(sql).toContain(`WHERE "month" BETWEEN '2026-10' AND '2026-11'`);
    expect(sql).toContain('to_unixtime(max(try(from_iso8601_timestamp("issued")))) AS "newest_epoch_seconds"');
  });

  it('every range, accepted-values and row-count rule becomes a metric', () => {
    const orders: DatasetDefinition = {
      ...clientErrors,
      name: 'orders',
      columns: [
        { name: 'status', type: 'string', description: 'Status', classification: 'internal' },
        { name: 'amount', type: 'decimal(12,2)', description: 'Amount', classification: 'internal' },
        { name: 'items', type: 'int', description: 'Items', classification: 'internal' },
        { name: 'ratio', type: 'double', description: 'Ratio', classification: 'internal' },
      ],
      quality: {
        acceptedValues: { status: ['open', 'closed'], items: ['1', '2'] },
        ranges: { amount: { min: 0 }, items: { max: 100 }, ratio: { min: -0.5, max: 1.25e21 } },
        rowCount: { min: 10, max: 1000 },
      },
    };
    const sql = compile(orders);
    expect(sql).toContain(`count_if("status" IS NOT NULL AND CAST("status" AS varchar) NOT IN ('open', 'closed')) AS "not_accepted__status"`);
    expect(sql).toContain(`count_if("items" IS NOT NULL AND CAST("items" AS varchar) NOT IN ('1', '2')) AS "not_accepted__items"`);
    expect(sql).toContain('count_if("amount" < 0) AS "out_of_range__amount"');
    expect(sql).toContain('count_if("items" > 100) AS "out_of_range__items"');
    expect(sql).toContain('count_if("ratio" < -5E-1 OR "ratio" > 1.25E+21) AS "out_of_range__ratio"');
    expect(sql.match(/count\(\*\) AS "row_count"/g)).toHaveLength(1); // min and max read the same metric
    expect(sql).not.toContain('newest_epoch_seconds'); // arrival-time partitions, no freshness column
  });

  it('addresses another table name when given one', () => {
    expect(compileQualityQuery(events, { database: DATABASE, table: 'events_v2', window: windowOf(events) })).toContain('FROM "lakehouse_test_raw"."events_v2"');
  });

  it('refuses a window of another granularity, or a malformed one', () => {
    expect(() => compileQualityQuery(events, { database: DATABASE, window: windowOf(dailyActiveUsers) })).toThrow(/is not a hour window/);
    expect(() => compileQualityQuery(events, { database: DATABASE, window: { ...windowOf(events), first: "2026-11-22' OR '1'='1" } })).toThrow(QualityRuleError);
    expect(() => compileQualityQuery(events, { database: DATABASE, window: { ...windowOf(events), first: '2026-11-24' } })).toThrow(QualityRuleError);
  });

  it('refuses a dataset with an injected partition key: it cannot be scanned without naming a value', () => {
    const tenants: DatasetDefinition = { ...clientErrors, partitioning: { ...clientErrors.partitioning, keys: [{ kind: 'injected', name: 'tenant', sourceField: 'tenant' }] } };
    expect(() => compile(tenants)).toThrow(/injected partition key\(s\) tenant must be filtered with = or IN/);
  });

  it('refuses names that cannot be double-quoted as they are', () => {
    expect(() => compileQualityQuery(events, { database: 'raw"; DROP TABLE x; --', window: windowOf(events) })).toThrow(/cannot be used as a SQL identifier/);
    expect(() => compileQualityQuery(events, { database: DATABASE, table: 'a b', window: windowOf(events) })).toThrow(QualityRuleError);
    const hostileColumn = { ...events, columns: [...events.columns, { name: 'x" OR 1=1 --', type: 'string', description: 'x', classification: 'internal' as const }] };
    expect(() => compile(hostileColumn)).toThrow(/is not a lowercase snake_case identifier/);
  });

  it('every shipped dataset compiles, and parses as Trino', () => {
    for (const dataset of DATASETS) expect(() => parseTrino(compile(dataset)), dataset.name).not.toThrow();
  });
});

describe('escaping contract values', () => {
  const HOSTILE_VALUES = [
    "x'); DROP TABLE events; --",
    "it's",
    "''",
    '\\',
    "\\'",
    '"quoted"',
    '-- not a comment',
    '/* nor this */',
    ';',
    'é€😀',
  ];
  const HOSTILE_PATTERN = "^(a|b)'\\d+\\'$'; SELECT 1 --";
  const withRules = (values: readonly string[], pattern: string): DatasetDefinition => ({
    ...events,
    quality: { acceptedValues: { event: values }, formats: { user_id: pattern }, completeness: { event: 1 } },
  });

  it('cannot change the statement: same skeleton as benign values, each value decoded back exactly (Trino lexing)', () => {
    const benign = trinoLiterals(compile(withRules(HOSTILE_VALUES.map((_, index) => `v${index}`), 'p')));
    const hostile = trinoLiterals(compile(withRules(HOSTILE_VALUES, HOSTILE_PATTERN)));
    expect(hostile.skeleton).toBe(benign.skeleton);
    expect(hostile.literals).toEqual([...HOSTILE_VALUES, HOSTILE_PATTERN, '2026-11-22', '2026-11-23']);
  });

  it('parses as one Trino statement whose NOT IN list holds exactly the values (node-sql-parser)', () => {
    // node-sql-parser reads a backslash as an escape (Trino does not), so it only checks values without one.
    const values = HOSTILE_VALUES.filter((value) => !value.includes('\\'));
    const ast = parseTrino(compile(withRules(values, "^x'; DROP TABLE t; --$")));
    expect(ast.type).toBe('select');
    const notIn = [...walkAll(ast)].find((node) => node.type === 'binary_expr' && node.operator === 'NOT IN') as Node;
    const listed = ((notIn.right as Node).value as Node[]).map((literal) => String(literal.value).replace(/''/g, "'"));
    expect(listed).toEqual(values);
  });

  it('sqlString doubles quotes and nothing else; control characters are refused', () => {
    expect(sqlString("a'b")).toBe("'a''b'");
    expect(sqlString('\\n')).toBe("'\\n'");
    expect(() => sqlString('line\nbreak')).toThrow(/control character/);
    expect(() => sqlString('nul\u0000')).toThrow(/control character/);
    expect(() => compile(withRules(['ok', 'bad\nvalue'], 'p'))).toThrow(/quality.acceptedValues.event\[1\] contains a control character/);
    expect(() => compile(withRules(['ok'], 'tab\there'))).toThrow(/quality.formats.user_id contains a control character/);
  });

  it('numbers: integers as they are, others as DOUBLE literals; non-finite refused', () => {
    expect(sqlNumber(42)).toBe('42');
    expect(sqlNumber(-0.5)).toBe('-5E-1');
    expect(sqlNumber(2 ** 60)).toBe('1.152921504606847E+18');
    expect(() => sqlNumber(Number.NaN)).toThrow(QualityRuleError);
    expect(sqlDouble(1)).toBe('1E+0');
    expect(sqlDouble(null)).toBe('CAST(NULL AS double)');
    expect(() => sqlDouble(Number.POSITIVE_INFINITY)).toThrow(QualityRuleError);
    expect(quoteIdentifier('lakehouse-dev_raw')).toBe('"lakehouse-dev_raw"');
  });
});

function* walkAll(node: unknown): Generator<Node> {
  if (Array.isArray(node)) for (const child of node) yield* walkAll(child);
  else if (node !== null && typeof node === 'object') {
    yield node as Node;
    for (const child of Object.values(node as Node)) yield* walkAll(child);
  }
}

describe('property: random datasets and rule subsets', () => {
  const SEEDS = Array.from({ length: 300 }, (_, index) => index + 1);
  const generated = SEEDS.map((seed) => ({ seed, dataset: randomDataset(seed) }));

  it('the generator makes valid, varied datasets', () => {
    for (const { seed, dataset } of generated) expect(datasetProblems(dataset), `seed ${seed}`).toEqual([]);
    const kinds = new Set(generated.flatMap(({ dataset }) => qualityChecks(dataset).map((check) => check.kind)));
    expect([...kinds].sort()).toEqual(['accepted_values', 'completeness', 'format', 'freshness', 'range', 'row_count', 'uniqueness']);
    expect(new Set(generated.map(({ dataset }) => `${dataset.format}/${dataset.partitioning.time.granularity}`)).size).toBe(6);
  });

  it.each(generated.map(({ seed, dataset }) => [seed, dataset] as const))('seed %i: parses; references only its columns; filters the time partition; selects every metric', (seed, dataset) => {
    const now = new Date(Date.UTC(2026, seed % 12, 1 + (seed % 28), seed % 24));
    const window = checkWindow(dataset, now);
    const sql = compileQualityQuery(dataset, { database: DATABASE, window });
    const ast = parseTrino(sql);
    expect(ast.type).toBe('select');

    // Reads exactly <database>.<dataset>, once.
    expect(ast.from).toEqual([{ db: DATABASE, table: dataset.name, as: null }]);

    // Every referenced column is a stored column or a partition key of the dataset.
    const known = new Set([...dataset.columns.map((column) => column.name), ...partitionKeys(dataset).map((key) => key.name)]);
    const referenced = referencedColumns([ast.columns, ast.where]);
    expect(referenced.filter((name) => !known.has(name))).toEqual([]);

    // The WHERE bounds the time partition key with constants: the partition key for Parquet (projection),
    // the transform's source column for Iceberg; both ends of the window.
    const key = dataset.format === 'iceberg' ? (dataset.partitioning.time.source as { column: string }).column : timeKeyNames(dataset.partitioning.time.granularity)[0];
    const bounds = conjuncts(ast.where).filter((condition) => {
      const [left] = referencedColumns(condition.left);
      return condition.type === 'binary_expr' && left === key && ['BETWEEN', '>=', '<'].includes(String(condition.operator)) && isConstant(condition.right);
    });
    const operators = bounds.map((condition) => String(condition.operator)).sort();
    expect(operators.length === 1 ? operators : operators.join(',')).toEqual(operators.length === 1 ? ['BETWEEN'] : '<,>=');
    expect(referencedColumns(ast.where)).toEqual(operators.length === 1 ? [key] : [key, key]);

    // One column per metric, every check's metric among them.
    const aliases = (ast.columns as Node[]).map((column) => column.as);
    expect(aliases).toEqual(qualityMetrics(dataset).map((metric) => metric.name));
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const check of qualityChecks(dataset)) expect(aliases).toContain(check.metric);
    expect(aliases[0]).toBe('row_count');
  });
});

describe('evaluate', () => {
  const t = (iso: string) => Date.parse(iso) / 1000;
  const dataset: DatasetDefinition = {
    ...events,
    columns: [
      ...events.columns,
      { name: 'plan', type: 'string', description: 'Plan', classification: 'internal' },
      { name: 'seats', type: 'int', description: 'Seats', classification: 'internal' },
    ],
    quality: {
      completeness: { user_id: 0.99 },
      uniqueKey: ['user_id', 'event_time'],
      acceptedValues: { plan: ['free', 'pro'] },
      ranges: { seats: { min: 1, max: 500 } },
      formats: { event: '^[a-z_]+$' },
      rowCount: { min: 100, max: 1000 },
    },
  };
  const checks = qualityChecks(dataset);
  const good: MetricRow = {
    row_count: 1000,
    completeness__user_id: 0.99,
    duplicate_keys: 0,
    not_accepted__plan: 0,
    out_of_range__seats: 0,
    bad_format__event: 0,
    newest_epoch_seconds: t('2026-11-23T10:10:00Z'), // exactly the 5-minute SLO before NOW
  };
  const byId = (results: readonly CheckResult[]) => Object.fromEntries(results.map((result) => [result.id, result]));

  it('every kind passes exactly at its threshold (inclusive bounds)', () => {
    const results = evaluate(checks, good, NOW);
    expect(results.map((result) => [result.id, result.value, result.status])).toEqual([
      ['row_count.min', 1000, 'passed'],
      ['row_count.max', 1000, 'passed'],
      ['completeness.user_id', 0.99, 'passed'],
      ['uniqueness.user_id+event_time', 0, 'passed'],
      ['accepted_values.plan', 0, 'passed'],
      ['range.seats', 0, 'passed'],
      ['format.event', 0, 'passed'],
      ['freshness.event_time', 300, 'passed'],
    ]);
    expect(results.every((result) => result.passed)).toBe(true);
    expect(byId(results)['freshness.event_time']).toEqual({ id: 'freshness.event_time', kind: 'freshness', column: 'event_time', value: 300, threshold: 300, comparison: '<=', passed: true, status: 'passed' });
  });

  it('every kind fails just past its threshold', () => {
    const results = byId(
      evaluate(
        checks,
        { ...good, row_count: 1001, completeness__user_id: 0.9899, duplicate_keys: 1, not_accepted__plan: 1, out_of_range__seats: 2, bad_format__event: 1001, newest_epoch_seconds: t('2026-11-23T10:09:59Z') },
        NOW,
      ),
    );
    expect(results['row_count.max']).toMatchObject({ value: 1001, passed: false, status: 'failed' });
    expect(results['row_count.min']).toMatchObject({ value: 1001, passed: true });
    expect(results['completeness.user_id']).toMatchObject({ value: 0.9899, passed: false, status: 'failed' });
    expect(results['uniqueness.user_id+event_time']).toMatchObject({ value: 1 / 1001, passed: false }); // a share
    expect(results['accepted_values.plan']).toMatchObject({ value: 1, passed: false });
    expect(results['range.seats']).toMatchObject({ value: 2, passed: false });
    expect(results['format.event']).toMatchObject({ value: 1001, passed: false });
    expect(results['freshness.event_time']).toMatchObject({ value: 301, passed: false, status: 'failed' });
    expect(byId(evaluate(checks, { ...good, row_count: 99 }, NOW))['row_count.min']).toMatchObject({ value: 99, passed: false });
  });

  it('completeness tolerates the last bits of a double, not more', () => {
    expect(byId(evaluate(checks, { ...good, completeness__user_id: 0.99 - 1e-12 }, NOW))['completeness.user_id'].passed).toBe(true);
    expect(byId(evaluate(checks, { ...good, completeness__user_id: 0.99 - 1e-6 }, NOW))['completeness.user_id'].passed).toBe(false);
  });

  it('freshness: newer than the run counts as 0 s; no value in a non-empty window fails without a value', () => {
    expect(byId(evaluate(checks, { ...good, newest_epoch_seconds: t('2026-11-23T10:20:00Z') }, NOW))['freshness.event_time']).toMatchObject({ value: 0, passed: true });
    expect(byId(evaluate(checks, { ...good, newest_epoch_seconds: null }, NOW))['freshness.event_time']).toMatchObject({
      value: null,
      passed: false,
      status: 'failed',
      reason: 'no event_time value in the window',
    });
    // Measured to the run time given, not the wall clock.
    expect(byId(evaluate(checks, good, Date.parse('2026-11-23T11:15:00Z')))['freshness.event_time'].value).toBe(3900);
  });

  it('an empty window: row_count fails, value checks are not evaluated (never 100 %), freshness fails', () => {
    const empty: MetricRow = {
      row_count: 0,
      completeness__user_id: null,
      duplicate_keys: 0,
      not_accepted__plan: 0,
      out_of_range__seats: 0,
      bad_format__event: 0,
      newest_epoch_seconds: null,
    };
    const results = byId(evaluate(checks, empty, NOW));
    expect(results['row_count.min']).toMatchObject({ value: 0, passed: false, status: 'failed' });
    expect(results['row_count.max']).toMatchObject({ value: 0, passed: true });
    for (const id of ['completeness.user_id', 'uniqueness.user_id+event_time', 'accepted_values.plan', 'range.seats', 'format.event']) {
      expect(results[id], id).toMatchObject({ value: null, passed: false, status: 'not_evaluated', reason: 'no rows in the window' });
    }
    expect(results['freshness.event_time']).toMatchObject({ value: null, passed: false, status: 'failed', reason: 'no rows in the window' });

    // The default minimum is 1: a contract without rowCount still fails an empty window.
    const defaults = byId(evaluate(qualityChecks(events), { row_count: 0, completeness__event: null, completeness__user_id: null, completeness__event_time: null, bad_format__event: 0, newest_epoch_seconds: null }, NOW));
    expect(defaults['row_count.min']).toMatchObject({ threshold: 1, value: 0, passed: false });
    // A contract that allows an empty window passes its row count, and still evaluates nothing else.
    const allowed = byId(evaluate(qualityChecks({ ...dataset, quality: { ...dataset.quality, rowCount: { min: 0 } } }), empty, NOW));
    expect(allowed['row_count.min']).toMatchObject({ value: 0, passed: true });
    expect(allowed['completeness.user_id'].status).toBe('not_evaluated');
  });

  it('refuses rows the query cannot have produced', () => {
    const { duplicate_keys: _omitted, ...missing } = good;
    void _omitted;
    expect(() => evaluate(checks, missing, NOW)).toThrow(new MetricRowError('metric duplicate_keys is missing from the query result (columns: row_count, completeness__user_id, not_accepted__plan, out_of_range__seats, bad_format__event, newest_epoch_seconds)'));
    expect(() => evaluate(checks, { ...good, row_count: null }, NOW)).toThrow(/row_count is null, not a row count/);
    expect(() => evaluate(checks, { ...good, row_count: 1.5 }, NOW)).toThrow(/not a row count/);
    expect(() => evaluate(checks, { ...good, completeness__user_id: 1.5 }, NOW)).toThrow(/not a share/);
    expect(() => evaluate(checks, { ...good, completeness__user_id: null }, NOW)).toThrow(/is NULL although the window has 1000 row\(s\)/);
    expect(() => evaluate(checks, { ...good, duplicate_keys: 1001 }, NOW)).toThrow(/not a count of duplicate rows/);
    expect(() => evaluate(checks, { ...good, out_of_range__seats: -1 }, NOW)).toThrow(/not a count of rows/);
    expect(() => evaluate(checks, { ...good, bad_format__event: Number.NaN }, NOW)).toThrow(/not a finite number/);
    expect(() => evaluate(checks, good, new Date('nope'))).toThrow(RangeError);
  });
});

describe('history', () => {
  const run = { runId: 'run-1', checkedAt: new Date('2026-11-23T23:59:30.250Z') };
  const results = evaluate(qualityChecks(events), { row_count: 0, completeness__event: null, completeness__user_id: null, completeness__event_time: null, bad_format__event: 0, newest_epoch_seconds: null }, run.checkedAt);

  it('one row per check result, with the run, the query and a UTC check_date', () => {
    const rows = historyRows(run, 'events', results, 'q-1');
    expect(rows).toHaveLength(6);
    const sql = historyInsert('lakehouse_test_operations', rows.slice(0, 2));
    expect(sql).toBe(
      [
        'INSERT INTO "lakehouse_test_operations"."data_quality_results" ("run_id", "checked_at", "dataset", "check_id", "kind", "value", "threshold", "passed", "query_execution_id", "check_date")',
        'VALUES',
        `  ('run-1', TIMESTAMP '2026-11-23 23:59:30.250', 'events', 'row_count.min', 'row_count', 0E+0, 1E+0, FALSE, 'q-1', DATE '2026-11-23'),`,
        `  ('run-1', TIMESTAMP '2026-11-23 23:59:30.250', 'events', 'completeness.event', 'completeness', CAST(NULL AS double), 9.99E-1, FALSE, 'q-1', DATE '2026-11-23')`,
      ].join('\n'),
    );
  });

  it('names exactly the history table columns, check_date last (the partition source), and parses as Trino', () => {
    expect(HISTORY_TABLE).toBe('data_quality_results');
    expect(HISTORY_COLUMNS.map((column) => `${column.name} ${column.type}`)).toEqual([
      'run_id string',
      'checked_at timestamp',
      'dataset string',
      'check_id string',
      'kind string',
      'value double',
      'threshold double',
      'passed boolean',
      'query_execution_id string',
      'check_date date',
    ]);
    const ast = parseTrino(historyInsert('lakehouse_test_operations', historyRows(run, 'events', results, 'q-1')));
    expect(ast.type).toBe('insert');
    expect((ast.columns as Node[]).map((column) => column.value)).toEqual(HISTORY_COLUMNS.map((column) => column.name));
    expect(((ast.values as Node).values as Node[]).length).toBe(6);
  });

  it('matches the declared history dataset (config/datasets/data-quality-results.ts)', () => {
    const declared = DATASETS.find((dataset) => dataset.name === HISTORY_TABLE);
    expect(declared?.columns.map((column) => `${column.name} ${column.type}`)).toEqual(HISTORY_COLUMNS.map((column) => `${column.name} ${column.type}`));
    expect(declared?.partitioning.time.source).toEqual({ kind: 'event-time', column: 'check_date' });
  });

  it('escapes every string it writes; refuses an empty insert and an invalid time', () => {
    const hostile = historyRows({ runId: "r'1", checkedAt: run.checkedAt }, "ev'ents", results.slice(0, 1), "q'); DROP TABLE x; --");
    const { literals } = trinoLiterals(historyInsert('ops', hostile));
    expect(literals).toEqual(["r'1", '2026-11-23 23:59:30.250', "ev'ents", 'row_count.min', 'row_count', "q'); DROP TABLE x; --", '2026-11-23']);
    expect(() => historyInsert('ops', [])).toThrow(/no rows/);
    expect(() => historyInsert('ops', [{ ...hostile[0], checkedAt: new Date('x') }])).toThrow(/is not a time/);
  });
});
