/**
 * Run events as rows of the `lineage` table and as Athena (Trino) `INSERT INTO … VALUES` statements.
 *
 * Quoting: every string is a single-quoted Trino literal with `'` doubled (Trino's only escape; a
 * backslash is an ordinary character), and events refuse control characters (events.ts), so no value
 * can end a literal early. Identifiers (database, table) are double-quoted and must be plain names.
 * Arrays and the map are written with explicit CASTs to the table's types, so an empty list or map has a
 * type and the same text works in Athena and in the local lake's DuckDB.
 *
 * The same renderer also produces the Step Functions form (`lineageInsertTemplate`): values known only
 * at run time become the `{}` arguments of a `States.Format` call, every literal part is escaped for the
 * intrinsic. No AWS SDK and no CDK import.
 */
import { eventFacts, LineageError, type RunEvent } from './events';

/** The table the events go to (the `lineage` dataset). */
export const LINEAGE_TABLE = 'lineage';

/** The lineage table's columns, in INSERT order (the dataset contract declares the same). */
export const LINEAGE_COLUMNS = [
  'event_time',
  'event_type',
  'run_id',
  'job_namespace',
  'job_name',
  'inputs',
  'outputs',
  'input_row_count',
  'output_row_count',
  'producer',
  'schema_url',
  'facets',
] as const;

export type LineageColumn = (typeof LINEAGE_COLUMNS)[number];

/** One row of the lineage table, as plain values (timestamps ISO-8601 UTC). */
export interface LineageRow {
  readonly event_time: string;
  readonly event_type: string;
  readonly run_id: string;
  readonly job_namespace: string;
  readonly job_name: string;
  readonly inputs: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
  readonly outputs: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
  readonly input_row_count: number | null;
  readonly output_row_count: number | null;
  readonly producer: string;
  readonly schema_url: string;
  readonly facets: Readonly<Record<string, string>>;
}

/** Rows per INSERT: each is well under 2 KB, so 200 stay far below Athena's 256 KB statement limit. */
export const ROWS_PER_STATEMENT = 200;

const SAFE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const DATASET_LIST_TYPE = 'ARRAY(ROW(namespace varchar, name varchar))';
const FACETS_TYPE = 'MAP(varchar, varchar)';

/** The row an event becomes: row counts are the sums over the datasets that report one (null if none). */
export function lineageRow(event: RunEvent): LineageRow {
  const total = (counts: ReadonlyArray<number | undefined>): number | null => {
    const known = counts.filter((count): count is number => count !== undefined);
    return known.length === 0 ? null : known.reduce((sum, count) => sum + count, 0);
  };
  return {
    event_time: event.eventTime,
    event_type: event.eventType,
    run_id: event.run.runId,
    job_namespace: event.job.namespace,
    job_name: event.job.name,
    inputs: event.inputs.map(({ namespace, name }) => ({ namespace, name })),
    outputs: event.outputs.map(({ namespace, name }) => ({ namespace, name })),
    input_row_count: total(event.inputs.map((dataset) => dataset.inputFacets?.inputStatistics.rowCount)),
    output_row_count: total(event.outputs.map((dataset) => dataset.outputFacets?.outputStatistics.rowCount)),
    producer: event.producer,
    schema_url: event.schemaURL,
    facets: eventFacts(event),
  };
}

/** A part of a statement: SQL text, or a value Step Functions supplies at run time (a JSONPath). */
export type SqlPart = { readonly sql: string } | { readonly path: string };

/** `INSERT INTO "<database>"."lineage" (…) VALUES (…), …` for 1 to ROWS_PER_STATEMENT events. */
export function lineageInsert(database: string, events: readonly RunEvent[]): string {
  if (events.length === 0 || events.length > ROWS_PER_STATEMENT) throw new LineageError(`lineageInsert takes 1 to ${ROWS_PER_STATEMENT} events, got ${events.length}`);
  const parts = insertParts(database, events.map((event) => rowParts(lineageRow(event))));
  return parts.map((part) => ('sql' in part ? part.sql : unsupported(part.path))).join('');
}

/** The statement's head and VALUES, from the cells of each row. */
export function insertParts(database: string, rows: ReadonlyArray<readonly SqlPart[][]>): SqlPart[] {
  const head = `INSERT INTO ${quoteIdentifier(database)}.${quoteIdentifier(LINEAGE_TABLE)} (${LINEAGE_COLUMNS.map(quoteIdentifier).join(', ')}) VALUES `;
  const parts: SqlPart[] = [{ sql: head }];
  rows.forEach((cells, rowIndex) => {
    if (cells.length !== LINEAGE_COLUMNS.length) throw new LineageError(`row ${rowIndex} has ${cells.length} cells for ${LINEAGE_COLUMNS.length} columns`);
    parts.push({ sql: rowIndex === 0 ? '(' : ', (' });
    cells.forEach((cell, index) => {
      if (index > 0) parts.push({ sql: ', ' });
      parts.push(...cell);
    });
    parts.push({ sql: ')' });
  });
  return parts;
}

/** The cells of one row, in LINEAGE_COLUMNS order, all literal. */
export function rowParts(row: LineageRow): SqlPart[][] {
  const sql = (text: string): SqlPart[] => [{ sql: text }];
  return [
    sql(timestampLiteral(row.event_time)),
    sql(sqlString(row.event_type)),
    sql(sqlString(row.run_id)),
    sql(sqlString(row.job_namespace)),
    sql(sqlString(row.job_name)),
    sql(datasetList(row.inputs)),
    sql(datasetList(row.outputs)),
    sql(sqlBigint(row.input_row_count)),
    sql(sqlBigint(row.output_row_count)),
    sql(sqlString(row.producer)),
    sql(sqlString(row.schema_url)),
    sql(stringMap(row.facets)),
  ];
}

/** `CAST(ARRAY[ROW('ns', 'name'), …] AS ARRAY(ROW(namespace varchar, name varchar)))`. */
export function datasetList(datasets: ReadonlyArray<{ readonly namespace: string; readonly name: string }>): string {
  const items = datasets.map((dataset) => `ROW(${sqlString(dataset.namespace)}, ${sqlString(dataset.name)})`);
  return `CAST(ARRAY[${items.join(', ')}] AS ${DATASET_LIST_TYPE})`;
}

/** `CAST(MAP(ARRAY['k', …], ARRAY['v', …]) AS MAP(varchar, varchar))`; keys in sorted order. */
export function stringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return `CAST(MAP() AS ${FACETS_TYPE})`;
  return `CAST(MAP(ARRAY[${keys.map(sqlString).join(', ')}], ARRAY[${keys.map((key) => sqlString(map[key])).join(', ')}]) AS ${FACETS_TYPE})`;
}

/** A single-quoted Trino string literal: `'` doubled; control characters refused. */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new LineageError(`${JSON.stringify(value)} is not a string`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new LineageError(`${JSON.stringify(value)} contains a control character, which is not written into SQL`);
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlBigint(value: number | null): string {
  if (value === null) return 'CAST(NULL AS bigint)';
  if (!Number.isSafeInteger(value)) throw new LineageError(`${value} is not a whole number`);
  return String(value);
}

/** `TIMESTAMP 'yyyy-mm-dd hh:mm:ss.sss'` (UTC, as Athena reads a zone-less timestamp). */
export function timestampLiteral(iso: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new LineageError(`"${iso}" is not a time`);
  return `TIMESTAMP '${instant.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || !SAFE_NAME.test(name)) throw new LineageError(`"${String(name)}" cannot be used as a SQL identifier (letters, digits, "_" and "-" only)`);
  return `"${name}"`;
}

function unsupported(path: string): never {
  throw new LineageError(`the value at ${path} is known only to Step Functions: use lineageInsertTemplate`);
}

/**
 * "Which job wrote this table, from what, when": the completed runs whose outputs include the table,
 * newest first (docs/lineage.md). `since` (yyyy-mm-dd) prunes the day partitions scanned.
 */
export function writersQuery(database: string, table: { readonly namespace: string; readonly name: string }, since: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new LineageError(`since "${since}" must be a day written yyyy-mm-dd`);
  return [
    'SELECT job_namespace, job_name, run_id, event_time, inputs, output_row_count',
    `FROM ${quoteIdentifier(database)}.${quoteIdentifier(LINEAGE_TABLE)}`,
    `WHERE event_time >= TIMESTAMP '${since} 00:00:00.000'`,
    "  AND event_type = 'COMPLETE'",
    `  AND contains(outputs, CAST(ROW(${sqlString(table.namespace)}, ${sqlString(table.name)}) AS ROW(namespace varchar, name varchar)))`,
    'ORDER BY event_time DESC, job_name',
  ].join('\n');
}
