/**
 * Embeddings pipeline benchmark: the pipeline's own work, without the model.
 *
 * 1. extract + chunk only (pure CPU): documents and chunks per second;
 * 2. the whole pipeline per event on PGlite with pgvector (ledger reads, reuse lookup, the swap
 *    transaction), with an instant local embedder and an in-memory object source, so neither Bedrock
 *    nor S3 is timed: documents and chunks per second;
 * 3. a re-ingest of every document after editing one paragraph in 5 % of them: embedding calls made,
 *    against the calls a pipeline without the ledger would make (every chunk again).
 *
 * Usage: npx tsx bench/embeddings.ts [--documents 300] [--paragraphs 24] [--seed 7]
 * Prints numbers and a markdown table; asserts nothing. PGlite is single-threaded WASM: absolute rates
 * are a floor for RDS, the ratios in (3) are exact.
 */
import { positiveIntegerOption } from './fixtures/options';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { chunkText } from '../constructs/embeddings/chunk';
import type { Embedder } from '../constructs/embeddings/bedrock';
import { extractText } from '../constructs/embeddings/extract';
import { EmbeddingPipeline } from '../constructs/embeddings/pipeline';
import { EMBEDDING_MODELS, resolveSettings } from '../constructs/embeddings/settings';
import type { ObjectSource } from '../constructs/embeddings/source';
import { vectorStoreMigrations } from '../constructs/vector-store/migrations';
import { applyMigrations, type SqlClient } from '../constructs/vector-store/migrator';
import { seededRandom } from '../producer/sample-events';

const option = positiveIntegerOption;

const DOCUMENTS = option('documents', 300);
const PARAGRAPHS = option('paragraphs', 24);
const SEED = option('seed', 7);
const DIMS = 256;
const WORDS = 'lakehouse partition governance retention embedding vector catalog athena firehose stream bucket policy access dataset schema quality freshness backup restore tenant region'.split(' ');

const random = seededRandom(SEED);
const word = () => WORDS[Math.floor(random() * WORDS.length)];
const sentence = () => `${Array.from({ length: 6 + Math.floor(random() * 14) }, word).join(' ')}.`;
const paragraph = () => Array.from({ length: 2 + Math.floor(random() * 5) }, sentence).join(' ');

function document(index: number): string {
  const parts = [`# Document ${index}`];
  for (let p = 0; p < PARAGRAPHS; p += 1) {
    if (p % 6 === 0) parts.push(`## Section ${p / 6}`);
    parts.push(paragraph());
  }
  return parts.join('\n\n');
}

const corpus = new Map<string, string>(Array.from({ length: DOCUMENTS }, (_, i) => [`bench/doc-${String(i).padStart(5, '0')}.md`, document(i)]));

const source: ObjectSource = {
  async fetch(_bucket, key) {
    const text = corpus.get(key);
    if (text === undefined) return { found: false };
    return { found: true, bytes: new TextEncoder().encode(text), size: text.length, metadata: { dataset: 'bench' }, tags: {} };
  },
};

let calls = 0;
const embedder: Embedder = {
  model: EMBEDDING_MODELS['amazon.titan-embed-text-v2:0'],
  dimensions: DIMS,
  async embed(batch) {
    calls += batch.length; // Titan: one call per text
    return { vectors: batch.map((_, i) => Array.from({ length: DIMS }, (_v, d) => ((i + d) % 7) / 7 + 0.01)), tokens: 0, calls: batch.length, throttled: 0 };
  },
};

async function main(): Promise<void> {
  const settings = resolveSettings({ collection: 'bench', dimensions: DIMS });
  console.log(`Corpus: ${DOCUMENTS} Markdown documents, ${PARAGRAPHS} paragraphs each (seed ${SEED}); chunks of ${settings.chunk.size} tokens, overlap ${settings.chunk.overlap}`);

  // 1. extract + chunk
  let started = performance.now();
  let chunkCount = 0;
  for (const [key, text] of corpus) {
    const extraction = extractText(key, new TextEncoder().encode(text));
    if (extraction.ok) chunkCount += chunkText(extraction.text, settings.chunk).length;
  }
  const cpuSeconds = (performance.now() - started) / 1000;

  // 2. whole pipeline on PGlite
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE ROLE rds_iam');
  const sql: SqlClient = { query: async (text, params) => ({ rows: (await db.query<Record<string, unknown>>(text, params)).rows }) };
  await applyMigrations(sql, vectorStoreMigrations([], { databaseName: 'bench' }), { log: () => undefined });
  const pipeline = new EmbeddingPipeline({ db: sql, source, embedderFor: () => embedder, settings });
  started = performance.now();
  for (const key of corpus.keys()) await pipeline.process({ kind: 'created', bucket: 'b', key, sequencer: '01' });
  const pipelineSeconds = (performance.now() - started) / 1000;
  const firstCalls = calls;

  // 3. edit one paragraph in 5 % of the documents, re-ingest everything
  const edited = Math.max(1, Math.round(DOCUMENTS * 0.05));
  const keys = [...corpus.keys()];
  for (let i = 0; i < edited; i += 1) {
    const key = keys[Math.floor((i * keys.length) / edited)];
    const paragraphs = (corpus.get(key) as string).split('\n\n');
    const target = 2 + Math.floor(random() * (paragraphs.length - 2));
    paragraphs[target] = paragraph();
    corpus.set(key, paragraphs.join('\n\n'));
  }
  calls = 0;
  started = performance.now();
  for (const key of corpus.keys()) await pipeline.process({ kind: 'created', bucket: 'b', key, sequencer: '02' });
  const reingestSeconds = (performance.now() - started) / 1000;
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM embedding_chunks WHERE collection = 'bench'`);
  const storedChunks = Number(rows[0].n);
  await db.close();

  const rate = (n: number, s: number) => (n / s).toFixed(0);
  console.log('');
  console.log('| measurement | documents | chunks | seconds | documents/s | chunks/s |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| extract + chunk (CPU only) | ${DOCUMENTS} | ${chunkCount} | ${cpuSeconds.toFixed(2)} | ${rate(DOCUMENTS, cpuSeconds)} | ${rate(chunkCount, cpuSeconds)} |`);
  console.log(`| whole pipeline, first ingest (PGlite, model excluded) | ${DOCUMENTS} | ${chunkCount} | ${pipelineSeconds.toFixed(2)} | ${rate(DOCUMENTS, pipelineSeconds)} | ${rate(chunkCount, pipelineSeconds)} |`);
  console.log(`| whole pipeline, re-ingest with 5 % edited | ${DOCUMENTS} | ${storedChunks} | ${reingestSeconds.toFixed(2)} | ${rate(DOCUMENTS, reingestSeconds)} | ${rate(storedChunks, reingestSeconds)} |`);
  console.log('');
  console.log(`Embedding calls: first ingest ${firstCalls} for ${chunkCount} chunks; re-ingest after editing one paragraph in ${edited} documents: ${calls} ` +
    `instead of ${storedChunks} without the ledger (${(100 * (1 - calls / storedChunks)).toFixed(1)} % saved).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
