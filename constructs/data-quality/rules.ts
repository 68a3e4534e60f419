/**
 * The data-quality checks of a dataset, derived from its contract (`DatasetDefinition.quality` and
 * `freshnessSloMinutes`). Pure: no AWS SDK and no CDK, so the same code runs in the scheduled Lambda
 * (bundled with esbuild) and in tests.
 *
 * Every check reads one metric of the dataset's quality query (sql.ts) and compares it with a
 * threshold:
 *
 * | kind            | id                          | metric (query column)      | value                          | passes when      |
 * |-----------------|-----------------------------|----------------------------|--------------------------------|------------------|
 * | row_count       | `row_count.min`/`.max`      | `row_count`                | rows in the window             | ≥ min / ≤ max    |
 * | completeness    | `completeness.<column>`     | `completeness__<column>`   | share of non-null values (0-1) | ≥ threshold      |
 * | uniqueness      | `uniqueness.<a>+<b>`        | `duplicate_keys`           | duplicate share (0-1)          | ≤ 0              |
 * | accepted_values | `accepted_values.<column>`  | `not_accepted__<column>`   | non-null values not listed     | ≤ 0              |
 * | range           | `range.<column>`            | `out_of_range__<column>`   | non-null values outside bounds | ≤ 0              |
 * | format          | `format.<column>`           | `bad_format__<column>`     | non-null values not matching   | ≤ 0              |
 * | freshness       | `freshness.<column>`        | `newest_epoch_seconds`     | seconds since the newest value | ≤ SLO × 60       |
 *
 * Defaults, decided here once:
 * - completeness: the columns `quality.completeness` lists, at their share; when it lists none, every
 *   stored column at `DATASET_DEFAULTS.completeness` (0.99).
 * - row count: `row_count.min` always exists, at `quality.rowCount.min` or 1 when the contract sets none:
 *   an empty window is a failed run of the dataset unless the contract allows it explicitly with
 *   `rowCount: { min: 0 }`. `row_count.max` exists only when the contract sets a max.
 * - freshness: `quality.freshnessColumn`, else the event-time column of event-time partitioned datasets,
 *   else no freshness check (arrival-time datasets without a freshness column).
 * - nulls are completeness's business: accepted values, ranges and formats count only non-null values.
 */
import { DATASET_DEFAULTS } from '../datasets/defaults';
import { parseGlueType, type GlueType } from '../datasets/glue-type';
import type { DatasetDefinition } from '../datasets/model';

export type QualityCheckKind = 'row_count' | 'completeness' | 'uniqueness' | 'accepted_values' | 'range' | 'format' | 'freshness';

/** Every kind, in the order checks are listed. */
export const QUALITY_CHECK_KINDS: readonly QualityCheckKind[] = ['row_count', 'completeness', 'uniqueness', 'accepted_values', 'range', 'format', 'freshness'];

/** How the value compares with the threshold for the check to pass. */
export type Comparison = '>=' | '<=';

interface CheckBase {
  /** Stable identifier: `<kind>.<column>` (`row_count.min`, `uniqueness.a+b`); the `Check` metric dimension. */
  readonly id: string;
  readonly kind: QualityCheckKind;
  /** The column checked (all kinds but row_count and uniqueness). */
  readonly column?: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  /** Name of the quality-query column the check reads. */
  readonly metric: string;
  /** One line for logs: what is checked against what. */
  readonly description: string;
}

export interface RowCountCheck extends CheckBase {
  readonly kind: 'row_count';
  readonly bound: 'min' | 'max';
}
export interface CompletenessCheck extends CheckBase {
  readonly kind: 'completeness';
  readonly column: string;
}
export interface UniquenessCheck extends CheckBase {
  readonly kind: 'uniqueness';
  /** The key: columns whose combination must be unique. */
  readonly columns: readonly string[];
}
export interface AcceptedValuesCheck extends CheckBase {
  readonly kind: 'accepted_values';
  readonly column: string;
  readonly values: readonly string[];
}
export interface RangeCheck extends CheckBase {
  readonly kind: 'range';
  readonly column: string;
  readonly min?: number;
  readonly max?: number;
}
export interface FormatCheck extends CheckBase {
  readonly kind: 'format';
  readonly column: string;
  /** Regular expression values must match (Athena `regexp_like`: a match anywhere unless anchored). */
  readonly pattern: string;
}
export interface FreshnessCheck extends CheckBase {
  readonly kind: 'freshness';
  readonly column: string;
  /** How the newest value becomes an instant: a date stands for its whole day, complete at its end. */
  readonly columnType: 'timestamp' | 'date' | 'string';
}

export type QualityCheck = RowCountCheck | CompletenessCheck | UniquenessCheck | AcceptedValuesCheck | RangeCheck | FormatCheck | FreshnessCheck;

/** A quality rule the checks cannot be derived from (unknown column, bound that is not a number, …). */
export class QualityRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QualityRuleError';
  }
}

/** Metric (query column) names that every quality query has. */
export const ROW_COUNT_METRIC = 'row_count';
export const DUPLICATE_KEYS_METRIC = 'duplicate_keys';
export const NEWEST_METRIC = 'newest_epoch_seconds';

/** Column names the checks may use unquoted-safe in metric names and SQL identifiers. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** C0 control characters and DEL: never part of a contract value that reaches SQL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The checks the dataset's contract asks for, in a stable order (see the table at the top of this file). */
export function qualityChecks(dataset: DatasetDefinition): QualityCheck[] {
  const where = `dataset "${String(dataset.name)}"`;
  const types = columnTypes(dataset, where);
  const quality = dataset.quality ?? {};
  const column = (name: unknown, field: string): string => {
    if (typeof name !== 'string' || !types.has(name)) {
      throw new QualityRuleError(`${where}: ${field} names "${String(name)}", which is not a column (columns: ${[...types.keys()].join(', ')})`);
    }
    return name;
  };
  const checks: QualityCheck[] = [];

  // Row count: always a lower bound, so that an empty window never passes silently.
  const rowCount = quality.rowCount ?? {};
  const minRows = rowCount.min ?? 1;
  requireNumber(minRows, `${where}: quality.rowCount.min`, { min: 0 });
  checks.push({
    id: 'row_count.min',
    kind: 'row_count',
    bound: 'min',
    threshold: minRows,
    comparison: '>=',
    metric: ROW_COUNT_METRIC,
    description: `at least ${minRows} row(s) in the window${rowCount.min === undefined ? ' (default: the window must not be empty)' : ''}`,
  });
  if (rowCount.max !== undefined) {
    requireNumber(rowCount.max, `${where}: quality.rowCount.max`, { min: 0 });
    if (rowCount.max < minRows) throw new QualityRuleError(`${where}: quality.rowCount.max ${rowCount.max} is below the minimum ${minRows}`);
    checks.push({
      id: 'row_count.max',
      kind: 'row_count',
      bound: 'max',
      threshold: rowCount.max,
      comparison: '<=',
      metric: ROW_COUNT_METRIC,
      description: `at most ${rowCount.max} rows in the window`,
    });
  }

  const listed = Object.entries(quality.completeness ?? {});
  const completeness: Array<[string, number]> =
    listed.length > 0 ? listed : dataset.columns.map((definition) => [definition.name, DATASET_DEFAULTS.completeness]);
  for (const [name, share] of completeness) {
    column(name, `quality.completeness.${name}`);
    requireNumber(share, `${where}: quality.completeness.${name}`, { min: 0, max: 1 });
    checks.push({
      id: `completeness.${name}`,
      kind: 'completeness',
      column: name,
      threshold: share,
      comparison: '>=',
      metric: `completeness__${name}`,
      description: `share of non-null ${name} ≥ ${share}${listed.length === 0 ? ' (default)' : ''}`,
    });
  }

  if (quality.uniqueKey !== undefined) {
    if (!Array.isArray(quality.uniqueKey) || quality.uniqueKey.length === 0) {
      throw new QualityRuleError(`${where}: quality.uniqueKey lists no columns`);
    }
    const key = quality.uniqueKey.map((name, index) => column(name, `quality.uniqueKey[${index}]`));
    if (new Set(key).size !== key.length) throw new QualityRuleError(`${where}: quality.uniqueKey lists a column twice (${key.join(', ')})`);
    for (const name of key) requireComparable(name, types.get(name) as GlueType, `${where}: quality.uniqueKey`);
    checks.push({
      id: `uniqueness.${key.join('+')}`,
      kind: 'uniqueness',
      columns: key,
      threshold: 0,
      comparison: '<=',
      metric: DUPLICATE_KEYS_METRIC,
      description: `(${key.join(', ')}) unique: duplicate share must be 0`,
    });
  }

  for (const [name, values] of Object.entries(quality.acceptedValues ?? {})) {
    const field = `quality.acceptedValues.${name}`;
    column(name, field);
    requireScalar(name, types.get(name) as GlueType, `${where}: ${field}`);
    if (!Array.isArray(values) || values.length === 0) throw new QualityRuleError(`${where}: ${field} lists no values`);
    values.forEach((value, index) => requireSqlText(value, `${where}: ${field}[${index}]`));
    checks.push({
      id: `accepted_values.${name}`,
      kind: 'accepted_values',
      column: name,
      values: [...values],
      threshold: 0,
      comparison: '<=',
      metric: `not_accepted__${name}`,
      description: `every non-null ${name} is one of ${values.length} accepted value(s)`,
    });
  }

  for (const [name, range] of Object.entries(quality.ranges ?? {})) {
    const field = `quality.ranges.${name}`;
    column(name, field);
    const type = types.get(name) as GlueType;
    if (!isNumeric(type)) throw new QualityRuleError(`${where}: ${field}: "${name}" is not a numeric column, so it has no numeric range`);
    const { min, max } = range ?? {};
    if (min !== undefined) requireNumber(min, `${where}: ${field}.min`);
    if (max !== undefined) requireNumber(max, `${where}: ${field}.max`);
    if (min === undefined && max === undefined) continue; // no bound: nothing to check
    if (min !== undefined && max !== undefined && min > max) throw new QualityRuleError(`${where}: ${field}: min ${min} is above max ${max}`);
    checks.push({
      id: `range.${name}`,
      kind: 'range',
      column: name,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      threshold: 0,
      comparison: '<=',
      metric: `out_of_range__${name}`,
      description: `every non-null ${name} within [${min ?? '-∞'}, ${max ?? '+∞'}]`,
    });
  }

  for (const [name, pattern] of Object.entries(quality.formats ?? {})) {
    const field = `quality.formats.${name}`;
    column(name, field);
    requireScalar(name, types.get(name) as GlueType, `${where}: ${field}`);
    requireSqlText(pattern, `${where}: ${field}`);
    if (pattern === '') throw new QualityRuleError(`${where}: ${field} is an empty pattern`);
    checks.push({
      id: `format.${name}`,
      kind: 'format',
      column: name,
      pattern,
      threshold: 0,
      comparison: '<=',
      metric: `bad_format__${name}`,
      description: `every non-null ${name} matches /${pattern}/`,
    });
  }

  const freshnessColumn = quality.freshnessColumn ?? (dataset.partitioning?.time?.source?.kind === 'event-time' ? dataset.partitioning.time.source.column : undefined);
  if (freshnessColumn !== undefined) {
    const field = quality.freshnessColumn !== undefined ? 'quality.freshnessColumn' : 'partitioning.time.source.column';
    column(freshnessColumn, field);
    requireNumber(dataset.freshnessSloMinutes, `${where}: freshnessSloMinutes`, { min: 0 });
    checks.push({
      id: `freshness.${freshnessColumn}`,
      kind: 'freshness',
      column: freshnessColumn,
      columnType: timeColumnType(freshnessColumn, types.get(freshnessColumn) as GlueType, `${where}: ${field}`),
      threshold: dataset.freshnessSloMinutes * 60,
      comparison: '<=',
      metric: NEWEST_METRIC,
      description: `newest ${freshnessColumn} at most ${dataset.freshnessSloMinutes} min old`,
    });
  }
  return checks;
}

/** The dataset's stored columns and their parsed types; refuses names that are not plain identifiers. */
export function columnTypes(dataset: DatasetDefinition, where = `dataset "${String(dataset.name)}"`): Map<string, GlueType> {
  if (!Array.isArray(dataset.columns) || dataset.columns.length === 0) throw new QualityRuleError(`${where}: has no columns`);
  const types = new Map<string, GlueType>();
  for (const definition of dataset.columns) {
    if (typeof definition?.name !== 'string' || !IDENTIFIER.test(definition.name)) {
      throw new QualityRuleError(`${where}: column name "${String(definition?.name)}" is not a lowercase snake_case identifier`);
    }
    try {
      types.set(definition.name, parseGlueType(definition.type));
    } catch (error) {
      throw new QualityRuleError(`${where}: column "${definition.name}": ${(error as Error).message}`);
    }
  }
  return types;
}

/** How a time column's newest value is turned into an instant (see FreshnessCheck.columnType). */
export function timeColumnType(name: string, type: GlueType, where: string): FreshnessCheck['columnType'] {
  if (type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'date' || type.name === 'string')) return type.name;
  if (type.kind === 'varchar' || type.kind === 'char') return 'string';
  throw new QualityRuleError(`${where}: "${name}" is not a timestamp, date or ISO-8601 string column`);
}

export function isNumeric(type: GlueType): boolean {
  return type.kind === 'decimal' || (type.kind === 'primitive' && ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double'].includes(type.name));
}

/**
 * Columns whose values are compared as text (`CAST(column AS varchar)`): strings, integers, booleans,
 * decimals, dates and timestamps. Not float/double (Athena renders them as `1.5E0`, so a listed `1.5`
 * would never match; use a range), nor binary, arrays, maps and structs (no text value).
 */
function requireScalar(name: string, type: GlueType, where: string): void {
  if (type.kind === 'primitive' && (type.name === 'float' || type.name === 'double')) {
    throw new QualityRuleError(`${where}: "${name}" is a ${type.name} column, whose text form is scientific notation (1.5E0); check it with a range instead`);
  }
  const scalar = type.kind === 'decimal' || type.kind === 'varchar' || type.kind === 'char' || (type.kind === 'primitive' && type.name !== 'binary');
  if (!scalar) throw new QualityRuleError(`${where}: "${name}" is not a scalar column (arrays, maps, structs and binary have no text value to check)`);
}

/** Key columns must be comparable for DISTINCT: anything but maps (and rows/arrays containing them). */
function requireComparable(name: string, type: GlueType, where: string): void {
  const comparable = (candidate: GlueType): boolean => {
    switch (candidate.kind) {
      case 'map':
        return false;
      case 'array':
        return comparable(candidate.element);
      case 'struct':
        return candidate.fields.every((field) => comparable(field.type));
      default:
        return true;
    }
  };
  if (!comparable(type)) throw new QualityRuleError(`${where}: "${name}" is or contains a map, which Athena cannot compare for uniqueness`);
}

function requireNumber(value: unknown, where: string, bounds: { readonly min?: number; readonly max?: number } = {}): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new QualityRuleError(`${where} is ${JSON.stringify(value)}, not a finite number`);
  if (bounds.min !== undefined && value < bounds.min) throw new QualityRuleError(`${where} is ${value}, below ${bounds.min}`);
  if (bounds.max !== undefined && value > bounds.max) throw new QualityRuleError(`${where} is ${value}, above ${bounds.max}`);
}

/** Contract text that becomes a SQL string literal: a string without control characters. */
function requireSqlText(value: unknown, where: string): asserts value is string {
  if (typeof value !== 'string') throw new QualityRuleError(`${where} is ${JSON.stringify(value)}, not a string`);
  if (CONTROL.test(value)) {
    throw new QualityRuleError(`${where} contains a control character; write it as a regular-expression escape (\\n, \\t, \\x00) instead`);
  }
}
