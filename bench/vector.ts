/**
 * Vector index benchmark on real pgvector (PGlite 0.4.6: PostgreSQL 17.5, pgvector 0.8.1, in-process
 * WebAssembly, single-threaded): recall@10 against exact search, and query latency as ratios to the exact
 * scan, for the index settings the construct could default to.
 *
 * Data: a fixed-seed Gaussian mixture (clustered, like real embeddings): `clusters` random unit centres;
 * each point = centre + a Gaussian along `rank` random directions of the cluster (spread 1) + isotropic
 * noise (0.2), normalised; queries are fresh draws from the same mixture. Ground truth is a brute-force top 10 computed here in JavaScript (float64), and the
 * exact scan (no index) is checked against it.
 *
 * Everything goes through the library: the migrations create the table, the vector client loads the
 * rows (upserts of 1000) and runs the similarity query, the index tasks build each index.
 *
 * Usage: npx tsx bench/vector.ts [--rows 20000] [--dims 384] [--queries 200] [--clusters 50] [--rank 24] [--seed 42]
 *        [--repeats 1]                              (HNSW builds per configuration: pgvector's HNSW levels are random)
 *        [--candidates m16:efc200,m24:efc96,...]    (extra HNSW settings to explore, at --ef 40,64,100)
 * Prints a markdown table; asserts nothing. Absolute times are PGlite's (WASM), not RDS's: compare ratios.
 */
import { positiveIntegerOption } from './fixtures/options';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { DEFAULT_COLLECTION, type VectorCollection, type VectorIndex } from '../constructs/vector-store/collections';
import { vectorIndexTasks, vectorStoreMigrations } from '../constructs/vector-store/migrations';
import { applyIndexTasks, applyMigrations, type SqlClient } from '../constructs/vector-store/migrator';
import { seededRandom } from '../producer/sample-events';
import { createVectorClient, type EmbeddingRecord, type VectorClient } from '../vector-client';

const option = positiveIntegerOption;

const ROWS = option('rows', 20_000);
const DIMS = option('dims', 384);
const QUERIES = option('queries', 200);
const CLUSTERS = option('clusters', 50);
const SEED = option('seed', 42);
/** Intrinsic dimensions per cluster, and the spread along them / the isotropic noise, relative to the centre's norm (1). */
const RANK = option('rank', 24);
const SPREAD = 1;
const NOISE = 0.2;
const K = 10;
const WARMUP = 10;
/** The construct's HNSW defaults (DEFAULT_COLLECTION; see constructs/vector-store/BENCHMARK.md), at pgvector's ef_search. */
const DEFAULT_INDEX = DEFAULT_COLLECTION.index as Extract<VectorIndex, { type: 'hnsw' }>;
const PROPOSED = { m: DEFAULT_INDEX.m, efConstruction: DEFAULT_INDEX.efConstruction, efSearch: 40 };
/** Each HNSW configuration is built this many times (pgvector's HNSW levels are random, so builds differ). */
const REPEATS = option('repeats', 1);
const efArg = process.argv.indexOf('--ef');
const CANDIDATE_EF_SEARCH = efArg < 0 ? [40, 64, 100] : process.argv[efArg + 1].split(',').map(Number);
const candidatesArg = process.argv.indexOf('--candidates');
const CANDIDATES: Array<{ m: number; efConstruction: number }> =
  candidatesArg < 0
    ? []
    : process.argv[candidatesArg + 1].split(',').map((spec) => {
        const match = /^m(\d+):efc(\d+)$/.exec(spec);
        if (!match) throw new Error(`--candidates: expected m<m>:efc<ef>, got ${spec}`);
        return { m: Number(match[1]), efConstruction: Number(match[2]) };
      });

function gaussian(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

function normalise(values: Float64Array): Float64Array {
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm);
  for (let i = 0; i < values.length; i += 1) values[i] /= norm;
  return values;
}

/** Rounded to 6 significant digits so that the text sent to PostgreSQL is what the truth is computed on. */
function rounded(values: Float64Array): number[] {
  return Array.from(values, (value) => Number(value.toPrecision(6)));
}

/**
 * Each cluster is a Gaussian with a low-rank covariance (RANK random directions) plus a little isotropic
 * noise: real embeddings have a low intrinsic dimension, which is what makes nearest neighbours
 * meaningful (isotropic noise in 384 dimensions makes every neighbour equidistant).
 */
function mixture(): { data: number[][]; queries: number[][] } {
  const uniform = seededRandom(SEED);
  const normal = gaussian(uniform);
  const clusters = Array.from({ length: CLUSTERS }, () => ({
    centre: normalise(Float64Array.from({ length: DIMS }, normal)),
    basis: Array.from({ length: RANK }, () => normalise(Float64Array.from({ length: DIMS }, normal))),
  }));
  const spread = SPREAD / Math.sqrt(RANK);
  const noise = NOISE / Math.sqrt(DIMS);
  const draw = () => {
    const { centre, basis } = clusters[Math.floor(uniform() * CLUSTERS)];
    const point = Float64Array.from(centre, (c) => c + noise * normal());
    for (const direction of basis) {
      const weight = spread * normal();
      for (let i = 0; i < DIMS; i += 1) point[i] += weight * direction[i];
    }
    return rounded(normalise(point));
  };
  return { data: Array.from({ length: ROWS }, draw), queries: Array.from({ length: QUERIES }, draw) };
}

/** Exact top-k by cosine distance (data and queries are unit vectors, but normalise anyway). */
function groundTruth(data: number[][], queries: number[][]): string[][] {
  const norms = data.map((row) => Math.sqrt(row.reduce((sum, value) => sum + value * value, 0)));
  return queries.map((query) => {
    const queryNorm = Math.sqrt(query.reduce((sum, value) => sum + value * value, 0));
    const scored = data.map((row, index) => {
      let dot = 0;
      for (let i = 0; i < DIMS; i += 1) dot += row[i] * query[i];
      return { index, distance: 1 - dot / (norms[index] * queryNorm) };
    });
    scored.sort((a, b) => a.distance - b.distance);
    return scored.slice(0, K).map((entry) => `doc-${entry.index}`);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Measurement {
  readonly label: string;
  readonly recall: number;
  /** Lowest and highest mean recall over the builds (REPEATS > 1). */
  readonly recallRange?: readonly [number, number];
  /** The lowest recall@10 of a single query. */
  readonly worst: number;
  readonly p50: number;
  readonly p95: number;
  readonly buildSeconds?: number;
  readonly plan: string;
}

interface Run {
  readonly recall: number;
  readonly worst: number;
  readonly latencies: number[];
  readonly plan: string;
}

async function run(sql: SqlClient, client: VectorClient, queries: number[][], truth: string[][]): Promise<Run> {
  for (const query of queries.slice(0, WARMUP)) await client.similaritySearch('bench', query, K);
  const latencies: number[] = [];
  let hits = 0;
  let worst = K;
  for (const [i, query] of queries.entries()) {
    const started = process.hrtime.bigint();
    const results = await client.similaritySearch('bench', query, K);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    const expected = new Set(truth[i]);
    const found = results.filter((result) => expected.has(result.documentId)).length;
    hits += found;
    worst = Math.min(worst, found);
  }
  const vectorText = `[${queries[0].join(',')}]`;
  const { rows } = await sql.query(`EXPLAIN SELECT id FROM public.bench ORDER BY embedding <=> $1::vector(${DIMS}) LIMIT ${K}`, [vectorText]);
  const plan = rows.map((row) => String(row['QUERY PLAN'])).find((line) => /Scan/.test(line))?.trim().replace(/\s+\(cost.*$/, '').replace(/^->\s+/, '') ?? '?';
  return { recall: hits / (queries.length * K), worst: worst / K, latencies, plan };
}

/** Combines the runs of one configuration over several builds: mean recall, pooled latencies. */
function summarise(label: string, runs: readonly Run[], buildSeconds?: number): Measurement {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const recalls = runs.map((r) => r.recall);
  const measurement: Measurement = {
    label,
    recall: recalls.reduce((sum, value) => sum + value, 0) / recalls.length,
    recallRange: runs.length > 1 ? [Math.min(...recalls), Math.max(...recalls)] : undefined,
    worst: Math.min(...runs.map((r) => r.worst)),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    buildSeconds,
    plan: runs[0].plan,
  };
  const range = measurement.recallRange ? ` [${measurement.recallRange.map((v) => v.toFixed(3)).join('–')}]` : '';
  console.error(
    `  ${label}: recall@10 ${measurement.recall.toFixed(3)}${range} (worst query ${measurement.worst.toFixed(1)}), ` +
      `p50 ${measurement.p50.toFixed(2)} ms, p95 ${measurement.p95.toFixed(2)} ms (${measurement.plan})`,
  );
  return measurement;
}

async function main(): Promise<void> {
  const totalStart = Date.now();
  console.error(`Generating ${ROWS} × ${DIMS} vectors (${CLUSTERS} clusters, seed ${SEED}) and ${QUERIES} queries…`);
  const { data, queries } = mixture();
  const truthStart = Date.now();
  const truth = groundTruth(data, queries);
  console.error(`  ground truth (brute force in JS): ${((Date.now() - truthStart) / 1000).toFixed(1)} s`);

  let db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE ROLE rds_iam');
  const sql: SqlClient = { query: async (text, params) => ({ rows: (await db.query<Record<string, unknown>>(text, params)).rows }) };
  const collection = (index: VectorIndex): VectorCollection => ({ name: 'bench', dimensions: DIMS, metric: 'cosine', index });
  const hnswDefault = collection({ type: 'hnsw', m: 16, efConstruction: 64 });
  await applyMigrations(sql, vectorStoreMigrations([hnswDefault], { databaseName: 'bench' }), { log: () => undefined });
  const client = createVectorClient({ client: sql, collections: [hnswDefault] });

  const loadStart = Date.now();
  for (let start = 0; start < ROWS; start += 1000) {
    const batch: EmbeddingRecord[] = data.slice(start, start + 1000).map((embedding, offset) => ({
      documentId: `doc-${start + offset}`,
      content: `synthetic ${start + offset}`,
      embedding,
      metadata: { cluster_batch: Math.floor((start + offset) / 1000) },
    }));
    await client.upsertEmbeddings('bench', batch);
  }
  await db.exec('VACUUM ANALYZE public.bench');
  console.error(`  loaded through upsertEmbeddings: ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);
  // Every index build starts from a fresh instance loaded from this snapshot: PGlite's 32-bit WASM heap
  // runs out after a few HNSW builds in one instance ("could not map shared memory segment").
  const snapshot = await db.dumpDataDir('none');
  const restart = async () => {
    await db.close();
    db = await PGlite.create({ loadDataDir: snapshot, extensions: { vector } });
    await db.exec(`SET maintenance_work_mem = '512MB'`);
  };

  const results: Measurement[] = [];
  results.push(summarise('exact scan (no index)', [await run(sql, client, queries, truth)]));

  const build = async (index: VectorIndex): Promise<number> => {
    const started = Date.now();
    const outcome = await applyIndexTasks(sql, vectorIndexTasks([collection(index)]), { log: () => undefined });
    if (!outcome.complete) throw new Error(`index build incomplete: ${JSON.stringify(outcome.pending)}`);
    return (Date.now() - started) / 1000;
  };
  const hnsw = async (m: number, efConstruction: number, efSearches: number[], note = '') => {
    const runs = new Map<number, Run[]>(efSearches.map((ef) => [ef, []]));
    const seconds: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      await restart();
      seconds.push(await build({ type: 'hnsw', m, efConstruction }));
      console.error(`  built HNSW m=${m} ef_construction=${efConstruction} in ${seconds[repeat].toFixed(1)} s (build ${repeat + 1}/${REPEATS})`);
      for (const efSearch of efSearches) {
        await db.exec(`SET hnsw.ef_search = ${efSearch}`);
        runs.get(efSearch)?.push(await run(sql, client, queries, truth));
      }
    }
    const meanSeconds = seconds.reduce((sum, value) => sum + value, 0) / seconds.length;
    for (const efSearch of efSearches) {
      results.push(summarise(`HNSW m=${m}, ef_construction=${efConstruction}, ef_search=${efSearch}${note}`, runs.get(efSearch) ?? [], meanSeconds));
    }
  };

  await hnsw(16, 64, [40, 100], ' (pgvector defaults)');
  if (PROPOSED.m !== 16 || PROPOSED.efConstruction !== 64) await hnsw(PROPOSED.m, PROPOSED.efConstruction, [PROPOSED.efSearch], ' (construct default)');
  for (const candidate of CANDIDATES) await hnsw(candidate.m, candidate.efConstruction, CANDIDATE_EF_SEARCH);

  const lists = Math.max(1, Math.round(ROWS / 1000));
  await restart();
  const ivfSeconds = await build({ type: 'ivfflat', lists });
  console.error(`  built IVFFlat lists=${lists} in ${ivfSeconds.toFixed(1)} s`);
  for (const probes of [1, 10]) {
    await db.exec(`SET ivfflat.probes = ${probes}`);
    results.push(summarise(`IVFFlat lists=${lists} (rows/1000), probes=${probes}`, [await run(sql, client, queries, truth)], ivfSeconds));
  }
  await db.close();

  const exact = results[0];
  const lines = [
    `${ROWS.toLocaleString('en-US')} × ${DIMS} vectors, ${CLUSTERS}-cluster Gaussian mixture (rank ${RANK}), seed ${SEED}, ${QUERIES} queries, k = ${K}, cosine, ` +
      `${REPEATS} build(s) per HNSW configuration (recall: mean (min–max over builds); latency percentiles pooled); ` +
      `PGlite 0.4.6 (PostgreSQL 17.5, pgvector 0.8.1, WASM), ${process.platform} ${process.arch}, Node ${process.versions.node}`,
    '',
    '| configuration | recall@10 | worst query | p50 latency (× exact) | p95 latency (× exact) | p50 / p95 ms | index build s | plan |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.recall.toFixed(3)}${r.recallRange ? ` (${r.recallRange.map((v) => v.toFixed(3)).join('–')})` : ''} | ${r.worst.toFixed(1)} | ${(r.p50 / exact.p50).toFixed(3)} | ${(r.p95 / exact.p95).toFixed(3)} | ${r.p50.toFixed(2)} / ${r.p95.toFixed(2)} | ` +
        `${r.buildSeconds === undefined ? '–' : r.buildSeconds.toFixed(1)} | ${r.plan} |`,
    ),
    '',
    `Total run: ${((Date.now() - totalStart) / 1000).toFixed(0)} s.`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
