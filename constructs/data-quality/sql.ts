/**
 * The SQL of the data-quality checks (Athena engine 3, Trino dialect) and their evaluation. Pure: no AWS
 * SDK and no CDK, so that the scheduled Lambda (bundled with esbuild) and the tests share it.
 *
 * - `checkWindow(dataset, now)`: the partitions a run scans: the previous full UTC day and today for
 *   day and hour granularity, the previous and the current UTC month for month granularity.
 * - `compileQualityQuery(dataset, { database, window })`: ONE query per dataset and run, a single
 *   aggregate row whose columns are the metrics the checks read (rules.ts), filtered on the time
 *   partition key so that only the window's partitions are read:
 *   - Parquet (partition projection): `"dt" BETWEEN '2026-11-22' AND '2026-11-23'` (or `"month"`). No
 *     `hour` bound: the window is whole days, so an hour bound would prune nothing. Enum value keys are
 *     not filtered (their projection lists every value); injected keys cannot be scanned without a
 *     value, so a dataset with one is refused (QualityRuleError).
 *   - Iceberg (partitioned by a transform of the event-time column): a range on that column, which
 *     Iceberg prunes through the transform.
 * - `evaluate(checks, row, now)`: one result per check. An empty window is a real result: `row_count`
 *   is 0, the `row_count.min` check fails (its default is 1), value checks (completeness, uniqueness,
 *   accepted values, ranges, formats) are `not_evaluated` with no value (never 100 %, never passed), and
 *   freshness fails with no value (nothing in the window is fresh).
 * - `historyInsert(database, rows)`: appends results to `<database>.data_quality_results`.
 *
 * Quoting: identifiers are double-quoted (Trino); they must be plain names (letters, digits, `_`, `-`),
 * anything else is refused rather than escaped. String literals are single-quoted with `'` doubled,
 * which is Trino's only escape (a backslash is an ordinary character); the only strings that reach
 * SQL are contract values (accepted values, regular expressions), names and run metadata, and control
 * characters in them are refused.
 */
import type { DatasetDefinition, TimeGranularity } from '../datasets/model';
import { timeKeyNames } from '../datasets/partitioning';
import {
  QualityRuleError,
  ROW_COUNT_METRIC,
  columnTypes,
  qualityChecks,
  timeColumnType,
  type Comparison,
  type QualityCheck,
  type QualityCheckKind,
} from './rules';

/** The partitions one run scans. Instants are ISO-8601 UTC strings. */
export interface CheckWindow {
  readonly granularity: TimeGranularity;
  /** First partition value in the window: `yyyy-MM-dd` (day, hour) or `yyyy-MM` (month). */
  readonly first: string;
  /** Last partition value in the window (inclusive), same format. */
  readonly last: string;
  /** Start of the first partition (inclusive). */
  readonly start: string;
  /** End of the last partition (exclusive). */
  readonly end: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_VALUE = /^\d{4}-\d{2}$/;
/** Names that may be double-quoted into SQL as they are. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Completeness shares are compared with this tolerance (Athena's division and its decimal rendering). */
export const SHARE_TOLERANCE = 1e-9;

/** The window a run at `now` checks: previous full day and today, or previous and current month (UTC). */
export function checkWindow(dataset: DatasetDefinition, now: Date | number): CheckWindow {
  const instant = new Date(now);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`checkWindow: "${String(now)}" is not a time`);
  const granularity = dataset.partitioning.time.granularity;
  if (granularity === 'month') {
    const start = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() - 1, 1);
    const end = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() + 1, 1);
    return { granularity, first: isoDate(start).slice(0, 7), last: isoDate(instant.getTime()).slice(0, 7), start: iso(start), end: iso(end) };
  }
  if (granularity !== 'day' && granularity !== 'hour') throw new QualityRuleError(`dataset "${dataset.name}": "${String(granularity)}" is not a granularity`);
  const today = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate());
  return { granularity, first: isoDate(today - DAY_MS), last: isoDate(today), start: iso(today - DAY_MS), end: iso(today + DAY_MS) };
}

export interface QualityQueryOptions {
  /** Glue database of the table. */
  readonly database: string;
  /** The partitions to scan (checkWindow). */
  readonly window: CheckWindow;
  /** Table name. @default dataset.name */
  readonly table?: string;
}

/** One metric of the quality query: its column name and SQL expression. */
export interface QualityMetric {
  readonly name: string;
  readonly expression: string;
}

/** The metrics the dataset's checks read, each once, `row_count` first. */
export function qualityMetrics(dataset: DatasetDefinition, checks: readonly QualityCheck[] = qualityChecks(dataset)): QualityMetric[] {
  const metrics = new Map<string, string>([[ROW_COUNT_METRIC, 'count(*)']]);
  for (const check of checks) {
    if (metrics.has(check.metric)) continue;
    metrics.set(check.metric, metricExpression(check));
  }
  return [...metrics.entries()].map(([name, expression]) => ({ name, expression }));
}

/** The dataset's quality query: one row, one column per metric, reading only the window's partitions. */
export function compileQualityQuery(dataset: DatasetDefinition, options: QualityQueryOptions): string {
  const checks = qualityChecks(dataset);
  const metrics = qualityMetrics(dataset, checks);
  const table = `${quoteIdentifier(options.database)}.${quoteIdentifier(options.table ?? dataset.name)}`;
  return [
    'SELECT',
    metrics.map((metric) => `  ${metric.expression} AS ${quoteIdentifier(metric.name)}`).join(',\n'),
    `FROM ${table}`,
    `WHERE ${timeFilter(dataset, options.window)}`,
  ].join('\n');
}

/** The WHERE condition that restricts a scan to the window's partitions (see the file comment). */
export function timeFilter(dataset: DatasetDefinition, window: CheckWindow): string {
  const where = `dataset "${dataset.name}"`;
  const time = dataset.partitioning.time;
  validateWindow(window, time.granularity, where);
  const injected = (dataset.partitioning.keys ?? []).filter((key) => key.kind === 'injected');
  if (injected.length > 0) {
    throw new QualityRuleError(
      `${where}: injected partition key(s) ${injected.map((key) => key.name).join(', ')} must be filtered with = or IN, ` +
        'so the whole window cannot be scanned; declare the key as an enum to have the dataset checked',
    );
  }
  if (dataset.format === 'iceberg') {
    if (time.source.kind !== 'event-time') throw new QualityRuleError(`${where}: an Iceberg table is partitioned by an event-time column`);
    const column = time.source.column;
    const type = columnTypes(dataset, where).get(column);
    if (!type) throw new QualityRuleError(`${where}: partition column "${column}" is not a column`);
    const kind = timeColumnType(column, type, `${where}: partitioning.time.source.column`);
    const quoted = quoteIdentifier(column);
    if (kind === 'date') return `${quoted} BETWEEN DATE ${sqlString(window.start.slice(0, 10))} AND DATE ${sqlString(isoDate(Date.parse(window.end) - DAY_MS))}`;
    if (kind === 'timestamp') return `${quoted} >= ${timestampLiteral(window.start)} AND ${quoted} < ${timestampLiteral(window.end)}`;
    throw new QualityRuleError(`${where}: an Iceberg table cannot be partitioned by the string column "${column}"`);
  }
  const [key] = timeKeyNames(time.granularity); // dt or month; hour is not bounded (whole days)
  return `${quoteIdentifier(key)} BETWEEN ${sqlString(window.first)} AND ${sqlString(window.last)}`;
}

function metricExpression(check: QualityCheck): string {
  switch (check.kind) {
    case 'row_count':
      return 'count(*)';
    case 'completeness':
      // NULL (not 1.0) for an empty window: a share of nothing is no share.
      return `CAST(count(${quoteIdentifier(check.column)}) AS double) / NULLIF(count(*), 0)`;
    case 'uniqueness': {
      // Rows beyond the first of each key, among rows whose key is complete (null keys are completeness's).
      const columns = check.columns.map(quoteIdentifier);
      const complete = columns.map((column) => `${column} IS NOT NULL`).join(' AND ');
      if (columns.length === 1) return `count_if(${complete}) - count(DISTINCT ${columns[0]})`;
      return `count_if(${complete}) - count(DISTINCT CASE WHEN ${complete} THEN ROW(${columns.join(', ')}) END)`;
    }
    case 'accepted_values': {
      const column = quoteIdentifier(check.column);
      return `count_if(${column} IS NOT NULL AND CAST(${column} AS varchar) NOT IN (${check.values.map(sqlString).join(', ')}))`;
    }
    case 'range': {
      const column = quoteIdentifier(check.column);
      const outside: string[] = [];
      if (check.min !== undefined) outside.push(`${column} < ${sqlNumber(check.min)}`);
      if (check.max !== undefined) outside.push(`${column} > ${sqlNumber(check.max)}`);
      return `count_if(${outside.join(' OR ')})`;
    }
    case 'format': {
      const column = quoteIdentifier(check.column);
      return `count_if(${column} IS NOT NULL AND NOT regexp_like(CAST(${column} AS varchar), ${sqlString(check.pattern)}))`;
    }
    case 'freshness': {
      const column = quoteIdentifier(check.column);
      if (check.columnType === 'timestamp') return `to_unixtime(max(${column}))`;
      // A date stands for its whole day: its data is complete at the end of the day.
      if (check.columnType === 'date') return `to_unixtime(CAST(date_add('day', 1, max(${column})) AS timestamp))`;
      return `to_unixtime(max(try(from_iso8601_timestamp(${column}))))`;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------

/** The quality query's single row: metric name → number, or null for SQL NULL. */
export type MetricRow = Readonly<Record<string, number | null>>;

/**
 * - `passed`: the value met the threshold.
 * - `failed`: it did not, or there was nothing to measure where something must be (freshness of an
 *   empty window).
 * - `not_evaluated`: a value check on an empty window; `passed` is false and there is no value.
 */
export type CheckStatus = 'passed' | 'failed' | 'not_evaluated';

export interface CheckResult {
  readonly id: string;
  readonly kind: QualityCheckKind;
  readonly column?: string;
  /** Completeness and uniqueness: a share (0-1); counts for row_count and invalid values; seconds for freshness. */
  readonly value: number | null;
  readonly threshold: number;
  readonly comparison: Comparison;
  /** True only for status `passed`. */
  readonly passed: boolean;
  readonly status: CheckStatus;
  /** Why there is no value, when there is none. */
  readonly reason?: string;
}

/** A metric the row should have but does not, or a value that cannot be what the query computes. */
export class MetricRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricRowError';
  }
}

/** Evaluates every check against the query's row; `now` is the run time (freshness is measured to it). */
export function evaluate(checks: readonly QualityCheck[], row: MetricRow, now: Date | number = Date.now()): CheckResult[] {
  const nowSeconds = new Date(now).getTime() / 1000;
  if (Number.isNaN(nowSeconds)) throw new RangeError(`evaluate: "${String(now)}" is not a time`);
  const rowCount = metric(row, ROW_COUNT_METRIC);
  if (rowCount === null || !Number.isInteger(rowCount) || rowCount < 0) {
    throw new MetricRowError(`metric ${ROW_COUNT_METRIC} is ${String(rowCount)}, not a row count`);
  }
  return checks.map((check): CheckResult => {
    const base = { id: check.id, kind: check.kind, ...(check.column !== undefined ? { column: check.column } : {}), threshold: check.threshold, comparison: check.comparison };
    const judge = (value: number, tolerance = 0): CheckResult => {
      const passed = check.comparison === '>=' ? value >= check.threshold - tolerance : value <= check.threshold + tolerance;
      return { ...base, value, passed, status: passed ? 'passed' : 'failed' };
    };
    if (check.kind === 'row_count') return judge(rowCount);

    if (check.kind === 'freshness') {
      const newest = metric(row, check.metric);
      if (newest === null) {
        const reason = rowCount === 0 ? 'no rows in the window' : `no ${check.column} value in the window`;
        return { ...base, value: null, passed: false, status: 'failed', reason };
      }
      // Data newer than the run (it arrived while the query ran, or clock skew) is fresh: 0 s, not negative.
      return judge(Math.max(0, Math.round((nowSeconds - newest) * 1000) / 1000));
    }

    const value = metric(row, check.metric);
    if (rowCount === 0) {
      return { ...base, value: null, passed: false, status: 'not_evaluated', reason: 'no rows in the window' };
    }
    if (value === null) throw new MetricRowError(`metric ${check.metric} is NULL although the window has ${rowCount} row(s)`);
    switch (check.kind) {
      case 'completeness':
        if (value < 0 || value > 1) throw new MetricRowError(`metric ${check.metric} is ${value}, not a share`);
        return judge(value, SHARE_TOLERANCE);
      case 'uniqueness':
        if (value < 0 || value > rowCount) throw new MetricRowError(`metric ${check.metric} is ${value}, not a count of duplicate rows out of ${rowCount}`);
        return judge(value / rowCount);
      default:
        if (value < 0 || value > rowCount) throw new MetricRowError(`metric ${check.metric} is ${value}, not a count of rows out of ${rowCount}`);
        return judge(value);
    }
  });
}

function metric(row: MetricRow, name: string): number | null {
  if (!Object.prototype.hasOwnProperty.call(row, name)) {
    throw new MetricRowError(`metric ${name} is missing from the query result (columns: ${Object.keys(row).join(', ') || 'none'})`);
  }
  const value = row[name];
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MetricRowError(`metric ${name} is ${String(value)}, not a finite number`);
  return value;
}

// ---------------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------------

/** The history table, in the history database. */
export const HISTORY_TABLE = 'data_quality_results';

/** The history table's columns, in insert order (Athena/Glue types); the table is partitioned by `check_date`. */
export const HISTORY_COLUMNS = [
  { name: 'run_id', type: 'string' },
  { name: 'checked_at', type: 'timestamp' },
  { name: 'dataset', type: 'string' },
  { name: 'check_id', type: 'string' },
  { name: 'kind', type: 'string' },
  { name: 'value', type: 'double' },
  { name: 'threshold', type: 'double' },
  { name: 'passed', type: 'boolean' },
  { name: 'query_execution_id', type: 'string' },
  { name: 'check_date', type: 'date' },
] as const;

/** One row of the history table (check_date is derived from checkedAt). */
export interface HistoryRow {
  readonly runId: string;
  readonly checkedAt: Date;
  readonly dataset: string;
  readonly checkId: string;
  readonly kind: QualityCheckKind;
  /** NULL when the check had nothing to measure (status not_evaluated, or freshness of nothing). */
  readonly value: number | null;
  readonly threshold: number;
  /** False unless the check passed: a check that was not evaluated did not pass. */
  readonly passed: boolean;
  readonly queryExecutionId: string;
}

/** The history rows of one dataset's results. */
export function historyRows(run: { readonly runId: string; readonly checkedAt: Date }, dataset: string, results: readonly CheckResult[], queryExecutionId: string): HistoryRow[] {
  return results.map((result) => ({
    runId: run.runId,
    checkedAt: run.checkedAt,
    dataset,
    checkId: result.id,
    kind: result.kind,
    value: result.value,
    threshold: result.threshold,
    passed: result.passed,
    queryExecutionId,
  }));
}

/** `INSERT INTO "<database>"."data_quality_results" (…) VALUES (…), …`: one statement for all rows. */
export function historyInsert(historyDatabase: string, rows: readonly HistoryRow[]): string {
  if (rows.length === 0) throw new RangeError('historyInsert: no rows to insert');
  const values = rows.map((row) => {
    const checkedAt = new Date(row.checkedAt);
    if (Number.isNaN(checkedAt.getTime())) throw new RangeError(`historyInsert: checkedAt "${String(row.checkedAt)}" is not a time`);
    const cells = [
      sqlString(row.runId),
      timestampLiteral(checkedAt.toISOString()),
      sqlString(row.dataset),
      sqlString(row.checkId),
      sqlString(row.kind),
      sqlDouble(row.value),
      sqlDouble(row.threshold),
      row.passed ? 'TRUE' : 'FALSE',
      sqlString(row.queryExecutionId),
      `DATE ${sqlString(checkedAt.toISOString().slice(0, 10))}`,
    ];
    return `  (${cells.join(', ')})`;
  });
  return [
    `INSERT INTO ${quoteIdentifier(historyDatabase)}.${quoteIdentifier(HISTORY_TABLE)} (${HISTORY_COLUMNS.map((column) => quoteIdentifier(column.name)).join(', ')})`,
    'VALUES',
    values.join(',\n'),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------------------------------

/** A double-quoted Trino identifier; only plain names (letters, digits, `_`, `-`) are accepted. */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || !SAFE_NAME.test(name)) {
    throw new QualityRuleError(`"${String(name)}" cannot be used as a SQL identifier (letters, digits, "_" and "-" only, at most 255)`);
  }
  return `"${name}"`;
}

/** A single-quoted Trino string literal: `'` doubled (Trino's only escape); control characters refused. */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new QualityRuleError(`${JSON.stringify(value)} is not a string`);
  if (CONTROL.test(value)) throw new QualityRuleError(`${JSON.stringify(value)} contains a control character, which is not written into SQL`);
  return `'${value.replace(/'/g, "''")}'`;
}

/** A numeric literal: integers as they are, anything else as a DOUBLE literal in exponent form. */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new QualityRuleError(`${value} is not a finite number`);
  return Number.isSafeInteger(value) ? String(value) : value.toExponential().toUpperCase();
}

/** A DOUBLE literal (exponent form, so Trino types it DOUBLE, not DECIMAL), or a typed NULL. */
export function sqlDouble(value: number | null): string {
  if (value === null) return 'CAST(NULL AS double)';
  if (!Number.isFinite(value)) throw new QualityRuleError(`${value} is not a finite number`);
  return value.toExponential().toUpperCase();
}

function timestampLiteral(isoInstant: string): string {
  const instant = new Date(isoInstant);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`"${isoInstant}" is not a time`);
  return `TIMESTAMP ${sqlString(instant.toISOString().replace('T', ' ').replace('Z', ''))}`;
}

function validateWindow(window: CheckWindow, granularity: TimeGranularity, where: string): void {
  const format = granularity === 'month' ? MONTH_VALUE : DATE_VALUE;
  const valid =
    window !== null &&
    typeof window === 'object' &&
    window.granularity === granularity &&
    typeof window.first === 'string' &&
    typeof window.last === 'string' &&
    format.test(window.first) &&
    format.test(window.last) &&
    window.first <= window.last &&
    !Number.isNaN(Date.parse(window.start)) &&
    !Number.isNaN(Date.parse(window.end)) &&
    Date.parse(window.start) < Date.parse(window.end);
  if (!valid) {
    throw new QualityRuleError(`${where}: window ${JSON.stringify(window)} is not a ${granularity} window (use checkWindow(dataset, now))`);
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function isoDate(epochMs: number): string {
  return iso(epochMs).slice(0, 10);
}
