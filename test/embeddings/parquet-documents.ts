/**
 * Real Parquet files shaped like the `documents` contract (config/datasets/documents.ts), written by
 * DuckDB: document_id varchar, content string, metadata map<string,string>, updated_at timestamp.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface DocumentRowInput {
  readonly id: string | null;
  readonly content: string | null;
  /** null writes a NULL map. @default {} */
  readonly metadata?: Record<string, string> | null;
  /** `2026-12-01 10:00:00.000001` (UTC), or null. */
  readonly updatedAt: string | null;
}

export interface ParquetOptions {
  /** DuckDB's COMPRESSION option. @default snappy */
  readonly compression?: 'snappy' | 'gzip' | 'zstd' | 'brotli' | 'uncompressed';
  /** Rows per row group. @default DuckDB's */
  readonly rowGroupSize?: number;
}

const literal = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);

function mapLiteral(metadata: Record<string, string> | null | undefined): string {
  if (metadata === null) return 'NULL::MAP(VARCHAR, VARCHAR)';
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return 'MAP {}::MAP(VARCHAR, VARCHAR)';
  return `MAP {${entries.map(([k, v]) => `${literal(k)}: ${literal(v)}`).join(', ')}}`;
}

/** The result of a DuckDB query as one Parquet file's bytes (for column types other than the contract's). */
export async function parquetFromQuery(query: string, options: ParquetOptions = {}): Promise<Uint8Array> {
  return withDuckDb(async (connection, file) => {
    await connection.run(`COPY (${query}) TO '${file}' (${copySettings(options)})`);
  });
}

function copySettings(options: ParquetOptions): string {
  return [`FORMAT parquet`, `COMPRESSION ${options.compression ?? 'snappy'}`, ...(options.rowGroupSize ? [`ROW_GROUP_SIZE ${options.rowGroupSize}`] : [])].join(', ');
}

async function withDuckDb(write: (connection: Awaited<ReturnType<DuckDBInstance['connect']>>, file: string) => Promise<void>): Promise<Uint8Array> {
  const dir = mkdtempSync(path.join(tmpdir(), 'documents-parquet-'));
  const file = path.join(dir, 'part.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await write(connection, file);
    return new Uint8Array(readFileSync(file));
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows as one Parquet file's bytes. */
export async function documentsParquet(rows: readonly DocumentRowInput[], options: ParquetOptions = {}): Promise<Uint8Array> {
  return withDuckDb(async (connection, file) => {
    await connection.run('CREATE TABLE documents (document_id VARCHAR, content VARCHAR, metadata MAP(VARCHAR, VARCHAR), updated_at TIMESTAMP)');
    const values = rows.map((row) => `(${literal(row.id)}, ${literal(row.content)}, ${mapLiteral(row.metadata)}, ${row.updatedAt === null ? 'NULL' : `TIMESTAMP ${literal(row.updatedAt)}`})`);
    for (let i = 0; i < values.length; i += 1000) await connection.run(`INSERT INTO documents VALUES ${values.slice(i, i + 1000).join(', ')}`);
    // rowid keeps insertion order in the file (row numbers are part of the tests' expectations).
    await connection.run(`COPY (SELECT * FROM documents ORDER BY rowid) TO '${file}' (${copySettings(options)})`);
  });
}
