/**
 * One dataset's erasure, as data (`ErasureTargetSpec`, JSON: it can be shipped in a function asset or a
 * state machine definition) and as the statements rendered from it (`ErasureTarget`). The statements read
 * the batch's subject ids from the subjects table (`<privacy db>.erasure_subjects`, partition `batch_id`),
 * so no statement text ever carries a subject id: only the batch id, which is checked.
 */
import type { TimeGranularity } from '../datasets/model';
import {
  optimizePredicate,
  partitionFieldNames,
  partitionSelections,
  retentionPredicate,
  type ErasurePartitioning,
  type PartitionValues,
} from './partitions';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { checkBatchId, isSnakeCaseName, qualifiedName, quoteName, sqlString } from './sql-text';

/** Everything the statements are rendered from: plain JSON. */
export interface ErasureTargetSpec {
  readonly dataset: string;
  readonly kind: 'iceberg' | 'parquet';
  /** Glue database and table of the dataset. */
  readonly database: string;
  readonly table: string;
  /** The zone bucket (a CDK token at synth) and the dataset's prefix in it (`events/`). */
  readonly bucket: string;
  readonly prefix: string;
  /** The columns that identify the person (the contract's `dataSubject.keys`), in order. */
  readonly keyColumns: readonly string[];
  /** Those of keyColumns holding integers: compared with the (text) ids as varchar. */
  readonly integerKeyColumns: readonly string[];
  readonly partitioning: ErasurePartitioning;
  /**
   * The dataset's retention in its zone, for Parquet datasets that have one: find and verify then search
   * only the partitions the projection lists (`partitioning.dateKey.lookBack`, which this retention set).
   * Undefined: the whole table is searched.
   */
  readonly retentionDays?: number;
  /** Where the batch's subject ids are: `<database>.<table>` with columns `subject_id`, `batch_id`. */
  readonly subjects: { readonly database: string; readonly table: string };
}

interface TargetStatements {
  /**
   * Which objects (Parquet) or data files (Iceberg) hold the batch's subjects, and how many rows each:
   * columns `$path`, the partition columns (Iceberg: the partition field, e.g. `event_date_day`), `$rows`.
   */
  findSql(batchId: string): string;
  /** One row, one column `$rows`: how many of the batch's subjects' rows are still there (0 after a forget). */
  verifySql(batchId: string): string;
}

export interface ParquetErasureTarget extends ErasureTargetSpec, TargetStatements {
  readonly kind: 'parquet';
  readonly spec: ErasureTargetSpec;
}

export interface IcebergErasureTarget extends ErasureTargetSpec, TargetStatements {
  readonly kind: 'iceberg';
  readonly spec: ErasureTargetSpec;
  readonly partitioning: Extract<ErasurePartitioning, { kind: 'iceberg' }>;
  /** Athena `DELETE`: writes delete files; the rows are gone from queries at once, from storage after OPTIMIZE + VACUUM. */
  deleteSql(batchId: string): string;
  /**
   * `OPTIMIZE … REWRITE DATA USING BIN_PACK WHERE <the partitions found>`: rewrites the data files the
   * delete files apply to. Undefined when no partition was found (nothing to rewrite).
   */
  optimizeSql(partitions: readonly PartitionValues[]): string | undefined;
  /** `VACUUM`: expires snapshots past the table's snapshot age and removes the files only they referenced. */
  readonly vacuumSql: string;
}

export type ErasureTarget = ParquetErasureTarget | IcebergErasureTarget;

/** The statements of a spec (from erasurePlan, or a spec read back from JSON). */
export function erasureTarget(spec: ErasureTargetSpec): ErasureTarget {
  const source = `erasure plan for dataset "${String(spec?.dataset)}"`;
  checkSpec(spec, source);
  const table = qualifiedName(spec.database, spec.table);
  const where = (batchId: string) => {
    const conditions = [subjectPredicate(spec, checkBatchId(batchId, source))];
    if (spec.retentionDays !== undefined && spec.partitioning.kind === 'projection') conditions.push(retentionPredicate(spec.partitioning));
    return conditions.join('\n  AND ');
  };
  const selections = partitionSelections(spec.partitioning);
  const groups = selections.map((_, index) => String(index + 2));
  const statements: TargetStatements = {
    findSql: (batchId) =>
      [
        `SELECT "$path", ${selections.join(', ')}, count(*) AS "$rows"`,
        `FROM ${table}`,
        `WHERE ${where(batchId)}`,
        `GROUP BY 1, ${groups.join(', ')}`,
        `ORDER BY 1, ${groups.join(', ')}`,
      ].join('\n'),
    verifySql: (batchId) => [`SELECT count(*) AS "$rows"`, `FROM ${table}`, `WHERE ${where(batchId)}`].join('\n'),
  };
  if (spec.kind === 'parquet') return { ...spec, spec, kind: 'parquet', ...statements };
  const partitioning = spec.partitioning;
  if (partitioning.kind !== 'iceberg') throw new Error(`internal: Iceberg target ${spec.dataset} without hidden partitioning`);
  return {
    ...spec,
    spec,
    kind: 'iceberg',
    partitioning,
    ...statements,
    deleteSql: (batchId) => [`DELETE FROM ${table}`, `WHERE ${subjectPredicate(spec, checkBatchId(batchId, source))}`].join('\n'),
    optimizeSql: (partitions) => {
      const predicate = optimizePredicate(partitioning, partitions, source);
      return predicate === undefined ? undefined : `OPTIMIZE ${table} REWRITE DATA USING BIN_PACK\nWHERE ${predicate}`;
    },
    vacuumSql: `VACUUM ${table}`,
  };
}

/**
 * A spec may come back from JSON (a function asset, a state machine's input): every field that reaches a
 * statement is checked again, so a hand-edited or truncated plan is refused instead of rendered.
 */
function checkSpec(spec: ErasureTargetSpec, source: string): void {
  const problems: ValidationProblem[] = [];
  const bad = (field: string, value: unknown, allowed: string) => problems.push({ source, field, value: renderValue(value), allowed });
  if (spec === null || typeof spec !== 'object') throw new ValidationReport([{ source, field: '(root)', value: renderValue(spec), allowed: 'a plan entry (ErasureTargetSpec)' }]);
  const name = 'a snake_case Glue name';
  for (const field of ['dataset', 'database', 'table'] as const) if (!isSnakeCaseName(spec[field])) bad(field, spec[field], name);
  if (spec.kind !== 'iceberg' && spec.kind !== 'parquet') bad('kind', spec.kind, 'iceberg or parquet');
  if (!isSnakeCaseName(spec.subjects?.database) || !isSnakeCaseName(spec.subjects?.table)) bad('subjects', spec.subjects, `{ database, table }, each ${name}`);
  const keys: readonly unknown[] = Array.isArray(spec.keyColumns) ? spec.keyColumns : [];
  if (keys.length === 0 || !keys.every(isSnakeCaseName)) bad('keyColumns', spec.keyColumns, `one or more column names, each ${name}`);
  if (!Array.isArray(spec.integerKeyColumns) || !spec.integerKeyColumns.every((key) => keys.includes(key))) bad('integerKeyColumns', spec.integerKeyColumns, 'a list of keyColumns');
  if (spec.retentionDays !== undefined && !(Number.isSafeInteger(spec.retentionDays) && spec.retentionDays >= 1)) bad('retentionDays', spec.retentionDays, 'a whole number of days ≥ 1, or absent');
  const partitioning = spec.partitioning as unknown as Partial<Record<string, unknown>> | undefined;
  const expected = spec.kind === 'iceberg' ? 'iceberg' : 'projection';
  if (partitioning?.kind !== expected) bad('partitioning.kind', partitioning?.kind, `"${expected}" for a ${String(spec.kind)} dataset`);
  else if (expected === 'iceberg') {
    if (!isSnakeCaseName(partitioning.field) || !isSnakeCaseName(partitioning.column)) bad('partitioning', partitioning, `field and column, each ${name}`);
    if (!['hour', 'day', 'month'].includes(String(partitioning.transform))) bad('partitioning.transform', partitioning.transform, 'hour, day or month');
    if (!['date', 'timestamp'].includes(String(partitioning.columnType))) bad('partitioning.columnType', partitioning.columnType, 'date or timestamp');
  } else {
    const dateKey = partitioning.dateKey as { name?: unknown; format?: unknown; lookBack?: { amount?: unknown; unit?: unknown } } | undefined;
    const amount = dateKey?.lookBack?.amount;
    if (!Array.isArray(partitioning.keys) || !partitioning.keys.every(isSnakeCaseName)) bad('partitioning.keys', partitioning.keys, `partition key names, each ${name}`);
    if (
      !isSnakeCaseName(dateKey?.name) ||
      !['%Y-%m-%d', '%Y-%m'].includes(String(dateKey?.format)) ||
      !(typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 1) ||
      !['DAY', 'MONTH'].includes(String(dateKey?.lookBack?.unit))
    ) {
      bad('partitioning.dateKey', dateKey, '{ name, format: "%Y-%m-%d" or "%Y-%m", lookBack: { amount: whole number ≥ 1, unit: "DAY" or "MONTH" } }');
    }
  }
  if (problems.length > 0) throw new ValidationReport(problems);
}

/** The partition column names a find result carries, in order (the manifest's partition keys). */
export function findPartitionColumns(spec: ErasureTargetSpec): string[] {
  return partitionFieldNames(spec.partitioning);
}

/**
 * `(<key> IN (<batch's subjects>) OR …)`: a row is the subject's when any key column holds one of the
 * batch's ids. Integer keys are compared as varchar, because ids arrive as text.
 */
export function subjectPredicate(spec: ErasureTargetSpec, batchId: string): string {
  checkBatchId(batchId, `erasure plan for dataset "${spec.dataset}"`);
  const subjects = `SELECT "subject_id" FROM ${qualifiedName(spec.subjects.database, spec.subjects.table)} WHERE "batch_id" = ${sqlString(batchId)}`;
  const terms = spec.keyColumns.map((key) => {
    const column = spec.integerKeyColumns.includes(key) ? `CAST(${quoteName(key)} AS varchar)` : quoteName(key);
    return `${column} IN (${subjects})`;
  });
  return `(${terms.join('\n    OR ')})`;
}

/** The Iceberg partition field name of a transform, as Iceberg itself names it (`event_date_day`). */
export function icebergFieldName(column: string, transform: TimeGranularity): string {
  return `${column}_${transform}`;
}
