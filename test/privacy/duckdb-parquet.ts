/**
 * DuckDB as the independent Parquet engine for the erasure rewrite's tests: it writes files shaped like the
 * events dataset (its Glue types: string, timestamp, struct<page_url,referrer>, struct<plan,source>,
 * map<string,string>) and reads the rewritten files back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface Duck {
  readonly connection: DuckDBConnection;
  readonly folder: string;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Every row of a file as canonical JSON text, in file order (nested values and nulls included). */
  fileRows(path: string): Promise<string[]>;
  describe(path: string): Promise<string[]>;
  /** `path_in_schema → codec` of every column chunk. */
  codecs(path: string): Promise<string[]>;
  keyValueMetadata(path: string): Promise<string[]>;
  rowGroupSizes(path: string): Promise<number[]>;
}

export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  // One thread keeps a single file's rows in file order.
  await connection.run('SET threads = 1');
  const folder = mkdtempSync(join(tmpdir(), 'prv-parquet-'));
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  const quote = (path: string) => `'${path.replace(/'/g, "''")}'`;
  return {
    connection,
    folder,
    rows,
    fileRows: async (path) => (await rows(`SELECT to_json(t)::VARCHAR AS row FROM read_parquet(${quote(path)}) t`)).map((row) => String(row.row)),
    describe: async (path) => (await rows(`DESCRIBE SELECT * FROM read_parquet(${quote(path)})`)).map((row) => `${row.column_name} ${row.column_type}`),
    codecs: async (path) =>
      (await rows(`SELECT row_group_id, path_in_schema, compression FROM parquet_metadata(${quote(path)}) ORDER BY row_group_id, column_id`)).map(
        (row) => `${row.path_in_schema}=${row.compression}`,
      ),
    keyValueMetadata: async (path) =>
      (await rows(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${quote(path)}) ORDER BY key`)).map((row) => `${row.key}=${row.value}`),
    rowGroupSizes: async (path) =>
      (await rows(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${quote(path)}) ORDER BY row_group_id`)).map((row) => Number(row.row_group_num_rows)),
  };
}

/**
 * SQL of `count` events-shaped rows: users `u0..u<users-1>` (every seventh row without one), nested structs
 * with null fields and null structs, empty and null maps, map values that are null.
 */
export function eventsSelect(count: number, users: number, seed = 0): string {
  return `SELECT
    'e' || ((i + ${seed}) % 3) AS event,
    CASE WHEN (i + ${seed}) % 7 = 0 THEN NULL ELSE 'u' || ((i * 31 + ${seed}) % ${users}) END AS user_id,
    TIMESTAMP '2026-03-01 00:00:00' + to_microseconds(i * 1000003 + ${seed}) AS event_time,
    CASE WHEN i % 4 = 0 THEN NULL ELSE {'page_url': 'https://example.com/p/' || i, 'referrer': CASE WHEN i % 3 = 0 THEN NULL ELSE 'https://ref/' || (i % 11) END} END AS context,
    {'plan': 'plan' || (i % 2), 'source': CASE WHEN i % 5 = 0 THEN NULL ELSE 'ads' END} AS traits,
    CASE WHEN i % 6 = 0 THEN NULL WHEN i % 6 = 1 THEN MAP {} ELSE MAP {'k' || (i % 3): 'v' || i, 'z': NULL} END AS properties,
    'id-' || i AS event_id
  FROM range(${count}) t(i)`;
}
