/**
 * Vector forget benchmark: what one erasure batch costs the vector store (forget-vectors' SQL) on PGlite
 * with pgvector and the real migrations.
 *
 * Seeds `--subjects` data subjects with `--documents` documents each (4 chunks a document, 256-dimension
 * vectors, the generation's HNSW index maintained as the pipeline does), then, for a batch of `--batch`
 * subjects: the verify count before, forget (the delete transaction, then VACUUM of both tables) and the
 * verify count after; then, for a second batch, the same delete and VACUUM timed apart (VACUUM scans the
 * whole HNSW index, so it dominates).
 * Prints milliseconds per phase and chunks deleted per second; asserts nothing. PGlite is single-threaded
 * WASM: absolute times are a ceiling for RDS, not a prediction.
 *
 * Usage: npx tsx bench/privacy-vectors.ts [--subjects 1000] [--documents 5] [--batch 50]
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { FORGET_CHUNKS_SQL, FORGET_DOCUMENTS_SQL, forgetVectors, remainingVectors, type VectorSql } from '../constructs/privacy/vector-forget';
import { generationIndexName } from '../constructs/vector-store/embeddings-generation-index';
import { vectorStoreMigrations } from '../constructs/vector-store/migrations';
import { applyMigrations } from '../constructs/vector-store/migrator';
import { positiveIntegerOption } from './fixtures/options';

const SUBJECTS = positiveIntegerOption('subjects', 1000);
const DOCUMENTS = positiveIntegerOption('documents', 5);
const BATCH = positiveIntegerOption('batch', 50);
const CHUNKS = 4;
const DIMS = 256;

async function main(): Promise<void> {
  const db = await PGlite.create({ extensions: { vector } });
  const sql: VectorSql = {
    async query(text, params) {
      const result = await db.query<Record<string, unknown>>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows };
    },
  };
  await db.exec('CREATE ROLE rds_iam');
  await applyMigrations(sql as never, vectorStoreMigrations([], { databaseName: 'vectors' }), { log: () => undefined });
  await db.exec(`INSERT INTO embedding_generations (collection, generation, model, dimensions, chunker_version, state) VALUES ('documents', 1, 'm', ${DIMS}, 'v1', 'active')`);
  await db.exec(`CREATE INDEX ${generationIndexName('documents', 1)} ON embedding_chunks USING hnsw ((embedding::vector(${DIMS})) vector_cosine_ops) WHERE collection = 'documents' AND generation = 1`);
  const seedStart = performance.now();
  await db.query(
    `INSERT INTO embedding_documents (collection, generation, source_key, sequencer, status, data_subject_id, chunk_count)
     SELECT 'documents', 1, 's3://docs/' || s || '/' || d, '01', 'indexed', 'subject-' || s, ${CHUNKS}
       FROM generate_series(1, ${SUBJECTS}) s, generate_series(1, ${DOCUMENTS}) d`,
  );
  await db.query(
    `INSERT INTO embedding_chunks (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding, metadata, data_subject_id)
     SELECT 'documents', 1, 's3://docs/' || s || '/' || d, o, md5(s || '/' || d || '/' || o), 'text', 10,
            (SELECT array_agg(sin(s * 7 + d * 3 + o + i))::vector FROM generate_series(1, ${DIMS}) i),
            jsonb_build_object('data_subject_id', 'subject-' || s), 'subject-' || s
       FROM generate_series(1, ${SUBJECTS}) s, generate_series(1, ${DOCUMENTS}) d, generate_series(0, ${CHUNKS - 1}) o`,
  );
  const seedMs = performance.now() - seedStart;
  const batch = Array.from({ length: BATCH }, (_, i) => `subject-${1 + Math.floor((i * SUBJECTS) / BATCH)}`);

  const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const start = performance.now();
    const result = await work();
    return [result, performance.now() - start];
  };
  const [before, verifyBeforeMs] = await time(() => remainingVectors(sql, batch));
  const [forgot, forgetMs] = await time(() => forgetVectors(sql, batch));
  const [after, verifyAfterMs] = await time(() => remainingVectors(sql, batch));
  const second = batch.map((id) => id.replace(/\d+$/, (n) => String(Number(n) + 1)));
  const [deleted, deleteMs] = await time(async () => {
    await sql.query('BEGIN');
    const chunks = await sql.query(FORGET_CHUNKS_SQL, [second]);
    await sql.query(FORGET_DOCUMENTS_SQL, [second]);
    await sql.query('COMMIT');
    return chunks.rowCount ?? 0;
  });
  const [, vacuumMs] = await time(() => sql.query('VACUUM (ANALYZE) public.embedding_chunks, public.embedding_documents'));
  await db.close();

  const total = SUBJECTS * DOCUMENTS * CHUNKS;
  console.log(`vector forget on PGlite: ${total} chunks of ${SUBJECTS} subjects (seeded in ${(seedMs / 1000).toFixed(1)} s), batch of ${BATCH} subjects`);
  console.log('');
  console.log('| phase | ms | rows |');
  console.log('|---|---|---|');
  console.log(`| verify before | ${verifyBeforeMs.toFixed(0)} | ${before.chunks} chunks, ${before.documents} documents |`);
  console.log(`| forget (delete transaction + VACUUM) | ${forgetMs.toFixed(0)} | ${forgot.chunks} chunks, ${forgot.documents} documents deleted; vacuumed ${forgot.vacuumed} |`);
  console.log(`| verify after | ${verifyAfterMs.toFixed(0)} | ${after.chunks} chunks, ${after.documents} documents |`);
  console.log(`| second batch: delete transaction only | ${deleteMs.toFixed(0)} | ${deleted} chunks |`);
  console.log(`| second batch: VACUUM (ANALYZE) only | ${vacuumMs.toFixed(0)} | |`);
  console.log('');
  console.log(`${((forgot.chunks / forgetMs) * 1000).toFixed(0)} chunks deleted per second (delete + VACUUM of both tables)`);
}

main().catch((error: unknown) => {
  console.error(`bench:privacy-vectors: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
