/**
 * Embeddings pipeline benchmark: the pipeline's own work, without the model.
 *
 * 1. extract + chunk only (pure CPU): documents and chunks per second;
 * 2. the whole pipeline per event on PGlite with pgvector (ledger reads, reuse lookup, the swap
 *    transaction), with an instant local embedder and an in-memory object source, so neither Bedrock
 *    nor S3 is timed: documents and chunks per second;
 *    Measured twice on the same corpus: with the generation's HNSW index maintained on every insert (what
 *    the pipeline does), and with the index dropped (what it did before migration 0004);
 * 3. a re-ingest of every document after editing one paragraph in 5 % of them: embedding calls made,
 *    against the calls a pipeline without the ledger would make (every chunk again);
 * 4. document-aware search (`searchChunks`, k = 10) over the indexed generation: milliseconds per query
 *    through the generation's index and by exact scan (index scans off), and the index's recall@10.
 *
 * The stand-in embedder returns a pseudo-random unit vector per chunk text (seeded by the text), so the
 * HNSW graph sees realistic, distinct vectors.
 *
 * Usage: npx tsx bench/embeddings.ts [--documents 300] [--paragraphs 24] [--seed 7] [--searches 50]
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
import { generationIndexName } from '../constructs/vector-store/embeddings-generation-index';
import { createDocumentClient } from '../vector-client/documents';
import { seededRandom } from '../producer/sample-events';

const option = positiveIntegerOption;

const DOCUMENTS = option('documents', 300);
const PARAGRAPHS = option('paragraphs', 24);
const SEED = option('seed', 7);
const SEARCHES = option('searches', 50);
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
/** A unit vector that depends only on the text (FNV-1a seed, mulberry32 stream). */
function pseudoEmbedding(text: string): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i += 1) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const next = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const v = Array.from({ length: DIMS }, next);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
const embedder: Embedder = {
  model: EMBEDDING_MODELS['amazon.titan-embed-text-v2:0'],
  dimensions: DIMS,
  async embed(batch) {
    calls += batch.length; // Titan: one call per text
    return { vectors: batch.map(pseudoEmbedding), tokens: 0, calls: batch.length, throttled: 0 };
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
  // 2. Two collections on the same corpus, documents interleaved (one into each in turn) so that both
  // see the same machine load: one with its generation's index (the pipeline as it runs), one with the
  // index dropped as soon as it exists (the pipeline before migration 0004).
  const unindexed = new EmbeddingPipeline({ db: sql, source, embedderFor: () => embedder, settings: { ...settings, collection: 'bench_exact' } });
  const [exactGeneration] = await unindexed.live();
  await sql.query(`DROP INDEX public.${generationIndexName('bench_exact', exactGeneration.generation)}`);
  const pipeline = new EmbeddingPipeline({ db: sql, source, embedderFor: () => embedder, settings });
  let unindexedSeconds = 0;
  let pipelineSeconds = 0;
  let firstCalls = 0;
  for (const key of corpus.keys()) {
    started = performance.now();
    await unindexed.process({ kind: 'created', bucket: 'b', key, sequencer: '01' });
    unindexedSeconds += (performance.now() - started) / 1000;
    const before = calls;
    started = performance.now();
    await pipeline.process({ kind: 'created', bucket: 'b', key, sequencer: '01' });
    pipelineSeconds += (performance.now() - started) / 1000;
    firstCalls += calls - before;
  }
  await sql.query(`DELETE FROM embedding_chunks WHERE collection = 'bench_exact'`);
  await sql.query('VACUUM embedding_chunks');

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

  // 4. searches: through the index, then exact (index scans off), the same queries.
  const client = createDocumentClient({ queryable: sql });
  const queries = [...corpus.values()].slice(0, SEARCHES).map((text, i) => pseudoEmbedding(`query ${i} ${text.slice(0, 40)}`));
  const timed = async () => {
    const results: string[][] = [];
    const ms: number[] = [];
    for (const query of queries) {
      const t0 = performance.now();
      results.push((await client.searchChunks('bench', query, 10)).map((r) => `${r.sourceKey}#${r.ordinal}`));
      ms.push(performance.now() - t0);
    }
    return { results, ms: ms.sort((a, b) => a - b) };
  };
  const { rows: planRows } = await db.query<Record<string, unknown>>(
    `EXPLAIN SELECT 1 FROM embedding_chunks c WHERE c.collection = 'bench' AND c.generation = 1 ORDER BY (c.embedding::vector(${DIMS})) <=> '[${queries[0].join(',')}]'::vector(${DIMS}) LIMIT 10`,
  );
  const indexed = await timed();
  // Higher ef_search (a session or role setting, `hnsw.ef_search`): more candidates, better recall.
  const wider: Array<{ efSearch: number; run: Awaited<ReturnType<typeof timed>> }> = [];
  for (const efSearch of [100, 200]) {
    await sql.query(`SET hnsw.ef_search = ${efSearch}`);
    wider.push({ efSearch, run: await timed() });
  }
  await sql.query('RESET hnsw.ef_search');
  await sql.query('SET enable_indexscan = off');
  await sql.query('SET enable_bitmapscan = off');
  const exact = await timed();
  await sql.query('RESET enable_indexscan');
  await sql.query('RESET enable_bitmapscan');
  const recallOf = (run: Awaited<ReturnType<typeof timed>>) => run.results.reduce((sum, found, i) => sum + found.filter((id) => exact.results[i].includes(id)).length, 0) / (10 * queries.length);
  const recall = recallOf(indexed);
  await db.close();

  const rate = (n: number, s: number) => (n / s).toFixed(0);
  console.log('');
  console.log('| measurement | documents | chunks | seconds | documents/s | chunks/s |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| extract + chunk (CPU only) | ${DOCUMENTS} | ${chunkCount} | ${cpuSeconds.toFixed(2)} | ${rate(DOCUMENTS, cpuSeconds)} | ${rate(chunkCount, cpuSeconds)} |`);
  console.log(`| whole pipeline, first ingest, no vector index (PGlite, model excluded) | ${DOCUMENTS} | ${chunkCount} | ${unindexedSeconds.toFixed(2)} | ${rate(DOCUMENTS, unindexedSeconds)} | ${rate(chunkCount, unindexedSeconds)} |`);
  console.log(`| whole pipeline, first ingest, generation's HNSW index maintained | ${DOCUMENTS} | ${chunkCount} | ${pipelineSeconds.toFixed(2)} | ${rate(DOCUMENTS, pipelineSeconds)} | ${rate(chunkCount, pipelineSeconds)} |`);
  console.log(`| whole pipeline, re-ingest with 5 % edited | ${DOCUMENTS} | ${storedChunks} | ${reingestSeconds.toFixed(2)} | ${rate(DOCUMENTS, reingestSeconds)} | ${rate(storedChunks, reingestSeconds)} |`);
  console.log('');
  console.log(`Embedding calls: first ingest ${firstCalls} for ${chunkCount} chunks; re-ingest after editing one paragraph in ${edited} documents: ${calls} ` +
    `instead of ${storedChunks} without the ledger (${(100 * (1 - calls / storedChunks)).toFixed(1)} % saved).`);
  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2);
  console.log('');
  console.log(`Search plan: ${planRows.map((row) => String(row['QUERY PLAN']).trim()).find((line) => /Scan/.test(line))}`);
  console.log(`| searchChunks, k = 10, over ${storedChunks} chunks | p50 ms | p95 ms | recall@10 vs exact |`);
  console.log('|---|---|---|---|');
  console.log(`| generation's HNSW index (m 16, ef_construction 128, ef_search 40) | ${pct(indexed.ms, 50)} | ${pct(indexed.ms, 95)} | ${recall.toFixed(3)} |`);
  for (const { efSearch, run } of wider) console.log(`| the same index, ef_search ${efSearch} | ${pct(run.ms, 50)} | ${pct(run.ms, 95)} | ${recallOf(run).toFixed(3)} |`);
  console.log(`| exact scan of the generation (index scans off) | ${pct(exact.ms, 50)} | ${pct(exact.ms, 95)} | 1.000 |`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
