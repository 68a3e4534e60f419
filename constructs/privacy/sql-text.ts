/**
 * The pieces of erasure SQL that carry values: quoted identifiers, string literals and the batch id.
 * Everything is validated before it is written, so a statement can never carry more than the plan means
 * (Athena keeps query text in its history for 45 days: nothing here may ever be a subject id).
 */
import { renderValue, ValidationReport } from '../common/validation-report';
import { BATCH_ID_PATTERN } from './names';

/** Glue database, table and column names: lowercase snake_case (what Athena keeps of any other name). */
const NAME = /^[a-z_][a-z0-9_]{0,254}$/;

/** Refuses a batch id that is not 1-80 letters, digits, `_` or `-`; returns it unchanged. */
export function checkBatchId(batchId: unknown, source = 'erasure batch'): string {
  if (typeof batchId !== 'string' || !BATCH_ID_PATTERN.test(batchId)) {
    throw new ValidationReport([
      { source, field: 'batchId', value: renderValue(batchId), allowed: 'a batch id is 1-80 letters, digits, "_" or "-" (it is written into SQL and S3 keys)' },
    ]);
  }
  return batchId;
}

/** `"name"`, for a Glue database, table or column name already checked to be snake_case. */
export function quoteName(name: string): string {
  if (!NAME.test(name)) throw new Error(`internal: "${name}" reached SQL without being checked as a snake_case name`);
  return `"${name}"`;
}

/** `"database"."table"`. */
export function qualifiedName(database: string, table: string): string {
  return `${quoteName(database)}.${quoteName(table)}`;
}

/** A single-quoted Trino string literal; `'` doubled (Trino's only escape). Control characters are refused. */
export function sqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`internal: ${JSON.stringify(value)} has a control character and is not written into SQL`);
  return `'${value.replace(/'/g, "''")}'`;
}

/** True for a snake_case Glue name. */
export function isSnakeCaseName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}
