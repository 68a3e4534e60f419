/**
 * Rows collections benchmark: the pipeline's own work on Parquet document rows, without the model.
 *
 * 1. the row reader alone (CPU): one Parquet file in the documents contract's shape (written by DuckDB,
 *    SNAPPY, not timed), read as the consumer reads it: the id and ordering columns of every row, then
 *    the text and metadata of each document's newest row. Documents and MB (file bytes) per second.
 * 2. a smaller file through the whole pipeline on PGlite with pgvector (ledger reads, reuse lookup, the
 *    swap transaction, the generation's HNSW index), with an instant local embedder and an in-memory
 *    object source: documents per second on first delivery, and on a re-delivery of the same file (every
 *    row `stale`: what a file cut short by time costs to resume, per row already done).
 *
 * Usage: npx tsx bench/embeddings-rows.ts [--rows 20000] [--words 300] [--pipeline-rows 500] [--seed 7]
 * Prints numbers and a markdown table; asserts nothing. PGlite is single-threaded WASM: the pipeline rates
 * are a floor for RDS.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { positiveIntegerOption } from './fixtures/options';
import type { Embedder } from '../constructs/embeddings/bedrock';
import { EmbeddingPipeline } from '../constructs/embeddings/pipeline';
import { openParquet } from '../constructs/embeddings/row-reader';
import { EMBEDDING_MODELS, resolveSettings, type RowSettings } from '../constructs/embeddings/settings';
import type { ObjectSource } from '../constructs/embeddings/source';
import { vectorStoreMigrations } from '../constructs/vector-store/migrations';
import { applyMigrations, type SqlClient } from '../constructs/vector-store/migrator';
import { seededRandom } from '../producer/sample-events';

const ROWS = positiveIntegerOption('rows', 20_000);
const WORDS_PER_DOCUMENT = positiveIntegerOption('words', 300);
const PIPELINE_ROWS = positiveIntegerOption('pipeline-rows', 500);
const SEED = positiveIntegerOption('seed', 7);
const DIMS = 256;
const WORDS = 'lakehouse partition governance retention embedding vector catalog athena firehose stream bucket policy access dataset schema quality freshness backup restore tenant region'.split(' ');

/** A Parquet file of `count` documents (ids doc-0…), `words` random words each, written by DuckDB. */
async function documentsFile(count: number, words: number): Promise<Uint8Array> {
  const random = seededRandom(SEED);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rows-'));
  const file = path.join(dir, 'part.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('CREATE TABLE documents (document_id VARCHAR, content VARCHAR, metadata MAP(VARCHAR, VARCHAR), updated_at TIMESTAMP)');
    for (let start = 0; start < count; start += 1000) {
      const values = [];
      for (let i = start; i < Math.min(count, start + 1000); i += 1) {
        const text = Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
        values.push(`('doc-${i}', '${text}.', MAP {'title': 'Document ${i}', 'status': 'active'}, TIMESTAMP '2026-12-01 10:00:00' + INTERVAL ${i} SECOND)`);
      }
      await connection.run(`INSERT INTO documents VALUES ${values.join(', ')}`);
    }
    await connection.run(`COPY (SELECT * FROM documents ORDER BY rowid) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    return new Uint8Array(readFileSync(file));
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const embedder: Embedder = {
  model: EMBEDDING_MODELS['amazon.titan-embed-text-v2:0'],
  dimensions: DIMS,
  async embed(batch) {
    // A unit vector per text (its length and first characters): distinct enough for the HNSW graph.
    const vectors = batch.map((text) => {
      const v = Array.from({ length: DIMS }, (_, i) => Math.sin(text.length * (i + 1) + text.charCodeAt(i % text.length)));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    return { vectors, tokens: 0, calls: batch.length, throttled: 0 };
  },
};

async function main(): Promise<void> {
  const settings = resolveSettings({ collection: 'bench_rows', dimensions: DIMS, source: 'rows', rows: { dataset: 'documents' } });
  const rows = settings.rows as RowSettings;

  // 1. the reader alone
  const bytes = await documentsFile(ROWS, WORDS_PER_DOCUMENT);
  let started = performance.now();
  const opened = openParquet(bytes, rows);
  if (!opened.ok) throw new Error(opened.detail);
  const newest = await opened.file.newestRows();
  const indexSeconds = (performance.now() - started) / 1000;
  let characters = 0;
  for await (const row of opened.file.documents(newest.rows.map((r) => r.row))) characters += row.text?.length ?? 0;
  const readerSeconds = (performance.now() - started) / 1000;

  // 2. the whole pipeline on PGlite, a smaller file
  const small = await documentsFile(PIPELINE_ROWS, 40);
  const source: ObjectSource = { fetch: async () => ({ found: true, bytes: small, size: small.length, metadata: {}, tags: {} }) };
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE ROLE rds_iam');
  const sql: SqlClient = { query: async (text, params) => ({ rows: (await db.query<Record<string, unknown>>(text, params)).rows }) };
  await applyMigrations(sql, vectorStoreMigrations([], { databaseName: 'bench' }), { log: () => undefined });
  const pipeline = new EmbeddingPipeline({ db: sql, source, embedderFor: () => embedder, settings });
  await pipeline.live();
  started = performance.now();
  const first = await pipeline.process({ kind: 'created', bucket: 'b', key: 'documents/part.parquet', sequencer: '10' });
  const firstSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const again = await pipeline.process({ kind: 'created', bucket: 'b', key: 'documents/part.parquet', sequencer: '10' });
  const againSeconds = (performance.now() - started) / 1000;
  await db.close();

  const rate = (n: number, s: number) => (n / s).toFixed(0);
  const mb = bytes.length / 1024 / 1024;
  console.log(`Row file: ${ROWS} documents of ${WORDS_PER_DOCUMENT} words (${(characters / ROWS).toFixed(0)} characters each), ${mb.toFixed(1)} MiB of Parquet (SNAPPY)`);
  console.log('');
  console.log('| measurement | documents | seconds | documents/s | MiB/s of Parquet |');
  console.log('|---|---|---|---|---|');
  console.log(`| row reader, pass 1: ids and ordering values of every row | ${ROWS} | ${indexSeconds.toFixed(2)} | ${rate(ROWS, indexSeconds)} | ${(mb / indexSeconds).toFixed(1)} |`);
  console.log(`| row reader, both passes (text and metadata of each newest row) | ${newest.rows.length} | ${readerSeconds.toFixed(2)} | ${rate(newest.rows.length, readerSeconds)} | ${(mb / readerSeconds).toFixed(1)} |`);
  console.log(`| whole pipeline, first delivery (PGlite, HNSW maintained, model excluded) | ${first.documents?.indexed ?? 0} | ${firstSeconds.toFixed(2)} | ${rate(PIPELINE_ROWS, firstSeconds)} | |`);
  console.log(`| whole pipeline, the same file again (every row stale) | ${again.documents?.stale ?? 0} | ${againSeconds.toFixed(2)} | ${rate(PIPELINE_ROWS, againSeconds)} | |`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
