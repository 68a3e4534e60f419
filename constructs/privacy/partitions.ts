/**
 * Where an erasure looks and what it compacts, in partition terms.
 *
 * - Parquet tables use partition projection: their partition keys are columns of the table (`dt`, `hour`,
 *   enum keys), and Athena sees only the dates the projection's range lists, which reaches back exactly the
 *   dataset's retention in its zone. The find phase restricts itself to that window with a predicate on the
 *   date key, so what it scans is what Athena can read and what the lifecycle rule has not yet expired.
 * - Iceberg tables use hidden partitioning: one field, a transform (`day(event_date)`) of a source column.
 *   A query names the source column, never the field. OPTIMIZE accepts only partition predicates, so its
 *   WHERE is a set of ranges of the source column aligned on the transform's boundaries, one per partition
 *   the find phase reported (contiguous partitions merged).
 */
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import type { TimeGranularity } from '../datasets/model';
import { quoteName, sqlString } from './sql-text';

/** A partition as the find phase reports it: partition column (or Iceberg field) → value, as Athena's text. */
export type PartitionValues = Readonly<Record<string, string | null>>;

/** The Parquet layout: partition keys in path order, and the date key the retention window restricts. */
export interface ProjectedPartitioning {
  readonly kind: 'projection';
  readonly keys: readonly string[];
  /**
   * The date key (`dt` or `month`), its `date_format` pattern, and how far back its projection lists
   * partitions (the projection range's `NOW-<amount><unit>`): what Athena can see of the dataset.
   */
  readonly dateKey: {
    readonly name: string;
    readonly format: '%Y-%m-%d' | '%Y-%m';
    readonly lookBack: { readonly amount: number; readonly unit: 'DAY' | 'MONTH' };
  };
}

/** The Iceberg layout: one field, `<transform>(<column>)`, named `<column>_<transform>` as Iceberg names it. */
export interface HiddenPartitioning {
  readonly kind: 'iceberg';
  readonly field: string;
  readonly column: string;
  readonly columnType: 'date' | 'timestamp';
  readonly transform: TimeGranularity;
}

export type ErasurePartitioning = ProjectedPartitioning | HiddenPartitioning;

/** How an Iceberg partition value is written, per transform (Iceberg's human-readable partition paths). */
const FIELD_FORMAT: Record<TimeGranularity, { readonly sql: string; readonly pattern: RegExp; readonly example: string }> = {
  hour: { sql: '%Y-%m-%d-%H', pattern: /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/, example: '2026-01-31-05' },
  day: { sql: '%Y-%m-%d', pattern: /^(\d{4})-(\d{2})-(\d{2})$/, example: '2026-01-31' },
  month: { sql: '%Y-%m', pattern: /^(\d{4})-(\d{2})$/, example: '2026-01' },
};

/** The partition columns or expressions the find query groups by, each named as the manifest names it. */
export function partitionSelections(partitioning: ErasurePartitioning): string[] {
  if (partitioning.kind === 'projection') return partitioning.keys.map(quoteName);
  const { column, field, transform } = partitioning;
  return [`date_format(${quoteName(column)}, ${sqlString(FIELD_FORMAT[transform].sql)}) AS ${quoteName(field)}`];
}

/** The names of the partition columns of a find result, in order. */
export function partitionFieldNames(partitioning: ErasurePartitioning): string[] {
  return partitioning.kind === 'projection' ? [...partitioning.keys] : [partitioning.field];
}

/**
 * The retention window's predicate on the date partition key: exactly the dates (or months) the partition
 * projection still lists, whose range the dataset's retention sets (days; months for month partitions,
 * rounded up). Relative to `current_date`, so the statement stays valid on every run without re-rendering.
 */
export function retentionPredicate(partitioning: ProjectedPartitioning): string {
  const { name, format, lookBack } = partitioning.dateKey;
  return `${quoteName(name)} >= date_format(current_date - INTERVAL '${lookBack.amount}' ${lookBack.unit}, ${sqlString(format)})`;
}

/**
 * OPTIMIZE's WHERE for an Iceberg table: the partitions found, as ranges of the source column aligned on
 * the transform (contiguous partitions merged into one range). Undefined when no partition was found:
 * there is nothing to rewrite. Refuses (ValidationReport) a partition without the field, with another
 * field, or with a value that is not a partition of this transform.
 */
export function optimizePredicate(partitioning: HiddenPartitioning, partitions: readonly PartitionValues[], source: string): string | undefined {
  const problems: ValidationProblem[] = [];
  const starts: number[] = [];
  const format = FIELD_FORMAT[partitioning.transform];
  partitions.forEach((partition, index) => {
    const at = `partitions[${index}]`;
    if (partition === null || typeof partition !== 'object' || Array.isArray(partition)) {
      problems.push({ source, field: at, value: renderValue(partition), allowed: `a partition is an object { "${partitioning.field}": "${format.example}" }` });
      return;
    }
    const extra = Object.keys(partition).filter((key) => key !== partitioning.field);
    if (extra.length > 0) {
      problems.push({ source, field: `${at}.${extra[0]}`, value: renderValue(partition[extra[0]]), allowed: `this table has one partition field, ${partitioning.field}` });
    }
    const value = partition[partitioning.field];
    const start = typeof value === 'string' ? partitionStart(value, partitioning.transform) : undefined;
    if (start === undefined) {
      problems.push({ source, field: `${at}.${partitioning.field}`, value: renderValue(value), allowed: `a ${partitioning.transform} partition written ${format.example}` });
    } else starts.push(start);
  });
  if (problems.length > 0) throw new ValidationReport(problems);
  if (starts.length === 0) return undefined;
  const ranges: Array<[number, number]> = [];
  for (const start of [...new Set(starts)].sort((a, b) => a - b)) {
    const end = partitionEnd(start, partitioning.transform);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  }
  const column = quoteName(partitioning.column);
  const literal = (ms: number) => timeLiteral(ms, partitioning.columnType);
  return ranges.map(([start, end]) => `(${column} >= ${literal(start)} AND ${column} < ${literal(end)})`).join(' OR ');
}

/** The UTC start (ms) of the partition a value names, or undefined for anything else (including 2026-02-30). */
export function partitionStart(value: string, transform: TimeGranularity): number | undefined {
  const match = FIELD_FORMAT[transform].pattern.exec(value);
  if (!match) return undefined;
  const [year, month, day = 1, hour = 0] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23) return undefined;
  return ms;
}

function partitionEnd(start: number, transform: TimeGranularity): number {
  const date = new Date(start);
  if (transform === 'hour') return start + 3_600_000;
  if (transform === 'day') return start + 86_400_000;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** `DATE 'yyyy-mm-dd'` or `TIMESTAMP 'yyyy-mm-dd hh:00:00'`, as the source column's type compares. */
function timeLiteral(ms: number, type: 'date' | 'timestamp'): string {
  const iso = new Date(ms).toISOString();
  return type === 'date' ? `DATE '${iso.slice(0, 10)}'` : `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 19)}'`;
}
