/**
 * One HNSW index per embeddings generation, on PGlite (PostgreSQL 17.5, pgvector 0.8.1), with the
 * pipeline's own role (`vectors_readwrite`, not the table owner) doing the ledger work.
 *
 * About `enable_seqscan = off`: on a corpus this small a sequential scan plus a sort is cheaper than an
 * index scan, so the planner rightly picks it. Turning sequential scans off prices them out and asks
 * "can this query use the generation's index at all?": yes only when the search's expression and
 * predicate match the index's. The control (same query with the predicate as bound parameters, as the
 * search was written before) stays a sequential scan even then, so the check can fail.
 *
 * What PGlite cannot show: it is a single backend, so no second session can wait on a lock. The tests
 * read the lock modes the build and the drop take (pg_locks) and exercise the drop's lock-timeout path
 * through a client that fails the way PostgreSQL does (SQLSTATE 55P03).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import {
  activateIfComplete,
  dropRetiredGenerationIndexes,
  liveGenerations,
  swapDocument,
  type ChunkRow,
  type Generation,
} from '../../constructs/embeddings/ledger';
import { generationIndexName } from '../../constructs/vector-store/embeddings-generation-index';
import { vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyMigrations, inTransaction } from '../../constructs/vector-store/migrator';
import { createDocumentClient, type ChunkSearchResult } from '../../vector-client/documents';
import { newDatabase, pgliteClient } from '../vector-store/pglite';

let db: PGlite;
let sql: ReturnType<typeof pgliteClient>;
const quiet = () => undefined;
beforeAll(async () => {
  db = await newDatabase();
  sql = pgliteClient(db);
  await applyMigrations(sql, vectorStoreMigrations([], { databaseName: 'vectors' }), { log: quiet });
});
afterAll(async () => {
  await db.close();
});

/** Runs `work` as the pipeline's role, which has DML grants and EXECUTE on the index functions only. */
async function asReadWrite<T>(work: () => Promise<T>): Promise<T> {
  await sql.query('SET ROLE vectors_readwrite');
  try {
    return await work();
  } finally {
    await sql.query('RESET ROLE');
  }
}

/** Deterministic pseudo-random unit vectors (mulberry32). */
function vectors(seed: number, count: number, dims: number): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const v = Array.from({ length: dims }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const spec = { collection: 'docs', model: 'amazon.titan-embed-text-v2:0', chunkerVersion: 'structure-v1:300:60' };
const DOCUMENTS = 12;
const CHUNKS_PER_DOCUMENT = 5;

/** Fills a generation: 12 documents of 5 chunks, content tagged with the generation. */
async function fill(generation: Generation, seed: number): Promise<void> {
  const all = vectors(seed, DOCUMENTS * CHUNKS_PER_DOCUMENT, generation.dimensions);
  for (let d = 0; d < DOCUMENTS; d += 1) {
    const chunks: ChunkRow[] = Array.from({ length: CHUNKS_PER_DOCUMENT }, (_, ordinal) => ({
      ordinal,
      hash: `g${generation.generation}-d${d}-c${ordinal}`,
      content: `generation ${generation.generation} document ${d} chunk ${ordinal}`,
      tokens: 5,
      embedding: `[${all[d * CHUNKS_PER_DOCUMENT + ordinal].join(',')}]`,
      metadata: { status: d % 2 === 0 ? 'active' : 'archived' },
    }));
    expect(await swapDocument(sql, { generation, sourceKey: `s3://lake/documents/d${d}.md`, sequencer: '0A', status: 'indexed', chunks })).toBe(true);
  }
}

/** The SQL and parameters of the client's search, for EXPLAIN. */
function recordingClient() {
  const seen: Array<{ text: string; params?: unknown[] }> = [];
  const client = createDocumentClient({
    queryable: {
      query: async (text: string, params?: unknown[]) => {
        seen.push({ text, params });
        return sql.query(text, params);
      },
    },
  });
  return { client, lastSearch: () => seen.filter((q) => q.text.includes('ORDER BY')).at(-1) as { text: string; params: unknown[] } };
}

async function plan(text: string, params: unknown[]): Promise<string> {
  const { rows } = await sql.query(`EXPLAIN ${text}`, params);
  return rows.map((row) => String(row['QUERY PLAN'])).join('\n');
}

/** EXPLAIN (GENERIC_PLAN): the plan without parameter values (simple protocol: no bind message). */
async function genericPlan(text: string): Promise<string> {
  const [result] = await db.exec(`EXPLAIN (GENERIC_PLAN) ${text}`);
  return result.rows.map((row) => String((row as Record<string, unknown>)['QUERY PLAN'])).join('\n');
}

async function withSettings<T>(settings: Record<string, string>, work: () => Promise<T>): Promise<T> {
  for (const [name, value] of Object.entries(settings)) await sql.query(`SET ${name} = ${value}`);
  try {
    return await work();
  } finally {
    for (const name of Object.keys(settings)) await sql.query(`RESET ${name}`);
  }
}

const indexes = async () =>
  (await sql.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'embedding_chunks' AND indexdef LIKE '%hnsw%' ORDER BY indexname`)).rows.map((row) => ({
    name: String(row.indexname),
    definition: String(row.indexdef),
  }));

const summary = (results: readonly ChunkSearchResult[]) => results.map((r) => `${r.sourceKey}#${r.ordinal}@${r.distance.toFixed(6)}`);

describe('generation indexes', () => {
  let first: Generation;

  it('the pipeline role cannot create an index itself, only call the functions', async () => {
    await asReadWrite(async () => {
      await expect(sql.query(`CREATE INDEX nope ON public.embedding_chunks (chunk_hash)`)).rejects.toThrow(/must be owner/);
    });
    const { rows } = await sql.query(
      `SELECT has_function_privilege('vectors_readwrite', 'public.embedding_generation_index_build(text, integer)', 'EXECUTE') AS rw,
              has_function_privilege('vectors_readonly', 'public.embedding_generation_index_build(text, integer)', 'EXECUTE') AS ro,
              has_function_privilege('vectors_readonly', 'public.embedding_generation_indexes_drop_retired(text)', 'EXECUTE') AS ro_drop`,
    );
    expect(rows[0]).toEqual({ rw: true, ro: false, ro_drop: false });
  });

  it('a new generation gets its own partial HNSW index on its cast vectors, built while it is empty', async () => {
    [first] = await asReadWrite(() => liveGenerations(sql, { ...spec, dimensions: 8 }));
    expect(first).toMatchObject({ generation: 1, state: 'active' });
    expect(await indexes()).toEqual([
      {
        name: generationIndexName('docs', 1),
        definition: expect.stringMatching(/USING hnsw \(\(\(embedding\)::vector\(8\)\) vector_cosine_ops\) WITH \(m='16', ef_construction='128'\) WHERE \(\(collection = 'docs'::text\) AND \(generation = 1\)\)/),
      },
    ]);
    // The SQL function and the TypeScript name agree (the search does not need the name; operators do).
    expect((await sql.query(`SELECT public.embedding_generation_index_name('docs', 1) AS name`)).rows[0].name).toBe(generationIndexName('docs', 1));
    await asReadWrite(() => fill(first, 1));
  });

  it('the search can use the index (exact expression and literal predicate); the bound-parameter form cannot', async () => {
    const { client, lastSearch } = recordingClient();
    const [query] = vectors(99, 1, 8);
    await client.searchChunks('docs', query, 5);
    const { text, params } = lastSearch();
    await withSettings({ enable_seqscan: 'off' }, async () => {
      expect(await plan(text, params)).toMatch(new RegExp(`Index Scan using ${generationIndexName('docs', 1)} on embedding_chunks c`));
      const control = text.replace(`c.collection = 'docs' AND c.generation = 1`, `c.collection = $${params.length + 1} AND c.generation = $${params.length + 2}`);
      expect(control).not.toBe(text);
      // A generic plan (what a prepared statement gets after a few executions) cannot prove the partial
      // index's predicate from parameters; with the predicate as literals it can.
      expect(await genericPlan(control)).not.toMatch(/Index Scan using embedding_chunks_hnsw/);
      expect(await genericPlan(text)).toMatch(new RegExp(`Index Scan using ${generationIndexName('docs', 1)}`));
    });
  });

  it('results are identical with and without the index', async () => {
    const client = createDocumentClient({ queryable: sql });
    for (const query of vectors(7, 5, 8)) {
      const indexed = await withSettings({ enable_seqscan: 'off' }, () => client.searchChunks('docs', query, 10));
      const exact = await withSettings({ enable_indexscan: 'off', enable_bitmapscan: 'off' }, () => client.searchChunks('docs', query, 10));
      expect(indexed).toHaveLength(10);
      expect(summary(indexed)).toEqual(summary(exact));
    }
    // A metadata filter is applied to the index's candidates (ef_search 40 > 30 matching rows here).
    const query = vectors(8, 1, 8)[0];
    const filtered = await withSettings({ enable_seqscan: 'off' }, () => client.searchChunks('docs', query, 5, { metadataEquals: { status: 'active' } }));
    const filteredExact = await withSettings({ enable_indexscan: 'off', enable_bitmapscan: 'off' }, () => client.searchChunks('docs', query, 5, { metadataEquals: { status: 'active' } }));
    expect(summary(filtered)).toEqual(summary(filteredExact));
    expect(filtered.every((r) => r.metadata.status === 'active')).toBe(true);
  });

  it('a model change builds the next generation with its own index side by side; searches read the active one only', async () => {
    const [active, building] = await asReadWrite(() => liveGenerations(sql, { ...spec, dimensions: 12 }));
    expect(building).toMatchObject({ generation: 2, state: 'building', dimensions: 12 });
    await asReadWrite(() => fill(building as Generation, 2));
    expect((await indexes()).map((index) => index.name)).toEqual([generationIndexName('docs', 1), generationIndexName('docs', 2)].sort());
    expect((await indexes()).find((index) => index.name === generationIndexName('docs', 2))?.definition).toMatch(/::vector\(12\)\) vector_cosine_ops\) .* WHERE \(\(collection = 'docs'::text\) AND \(generation = 2\)\)/);

    const client = createDocumentClient({ queryable: sql });
    const during = await client.searchChunks('docs', vectors(3, 1, 8)[0], 20);
    expect(during.every((r) => r.content.startsWith('generation 1 '))).toBe(true);
    await expect(client.searchChunks('docs', vectors(3, 1, 12)[0], 5)).rejects.toThrow(/served by amazon\.titan-embed-text-v2:0 at 8 dimensions/);

    expect(await asReadWrite(() => activateIfComplete(sql, active, building as Generation))).toBe(true);
    expect(await asReadWrite(() => dropRetiredGenerationIndexes(sql, 'docs'))).toEqual({ dropped: [generationIndexName('docs', 1)], deferred: false });
    expect((await indexes()).map((index) => index.name)).toEqual([generationIndexName('docs', 2)]);
    // Again: nothing left to drop, and no lock taken for nothing.
    expect(await asReadWrite(() => dropRetiredGenerationIndexes(sql, 'docs'))).toEqual({ dropped: [], deferred: false });

    const { client: recording, lastSearch } = recordingClient();
    const after = await withSettings({ enable_seqscan: 'off' }, () => recording.searchChunks('docs', vectors(4, 1, 12)[0], 20));
    expect(after).toHaveLength(20);
    expect(after.every((r) => r.content.startsWith('generation 2 '))).toBe(true);
    await withSettings({ enable_seqscan: 'off' }, async () => {
      const { text, params } = lastSearch();
      expect(await plan(text, params)).toMatch(new RegExp(`Index Scan using ${generationIndexName('docs', 2)}`));
    });
    expect((await sql.query(`SELECT DISTINCT generation FROM embedding_chunks WHERE collection = 'docs'`)).rows).toEqual([{ generation: 2 }]);
  });

  it('an abandoned building generation loses its index with its rows', async () => {
    const [, building] = await asReadWrite(() => liveGenerations(sql, { ...spec, dimensions: 16 }));
    expect(building).toMatchObject({ generation: 3, state: 'building' });
    expect((await indexes()).map((index) => index.name)).toContain(generationIndexName('docs', 3));
    await asReadWrite(() => liveGenerations(sql, { ...spec, dimensions: 12 }));
    expect(await asReadWrite(() => dropRetiredGenerationIndexes(sql, 'docs'))).toEqual({ dropped: [generationIndexName('docs', 3)], deferred: false });
    expect((await indexes()).map((index) => index.name)).toEqual([generationIndexName('docs', 2)]);
  });

  it('the build takes a SHARE lock (writers wait, searches do not); the drop takes ACCESS EXCLUSIVE under a lock_timeout', async () => {
    const lockModes = async () =>
      (await sql.query(`SELECT mode FROM pg_locks WHERE relation = 'public.embedding_chunks'::regclass AND pid = pg_backend_pid() ORDER BY mode`)).rows.map((row) => String(row.mode));
    const held = await inTransaction(sql, async () => {
      await sql.query(`INSERT INTO embedding_generations (collection, generation, model, dimensions, chunker_version, state) VALUES ('locks', 1, 'm', 4, 'v', 'active')`);
      await sql.query(`SELECT public.embedding_generation_index_build('locks', 1)`);
      const build = await lockModes();
      await sql.query(`UPDATE embedding_generations SET state = 'retired' WHERE collection = 'locks'`);
      await sql.query(`SELECT public.embedding_generation_indexes_drop_retired('locks')`);
      return { build, drop: await lockModes() };
    });
    expect(held.build).toContain('ShareLock');
    expect(held.build).not.toContain('AccessExclusiveLock');
    expect(held.drop).toContain('AccessExclusiveLock');

    const issued: string[] = [];
    const busy = {
      async query(text: string) {
        issued.push(text);
        if (text.includes('drop_retired')) throw Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
        return { rows: [] };
      },
    };
    expect(await dropRetiredGenerationIndexes(busy, 'docs')).toEqual({ dropped: [], deferred: true });
    expect(issued).toEqual(['BEGIN', `SET LOCAL lock_timeout = '500ms'`, 'SELECT public.embedding_generation_indexes_drop_retired($1) AS dropped', 'ROLLBACK']);
  });

  it('above 2,000 dimensions the index is on halfvec; above 4,000 there is none and the search scans exactly', async () => {
    const half = await liveGenerations(sql, { ...spec, collection: 'wide', dimensions: 3000 });
    expect((await indexes()).find((index) => index.name === generationIndexName('wide', half[0].generation))?.definition).toMatch(/::halfvec\(3000\)\) halfvec_cosine_ops/);
    const [huge] = await liveGenerations(sql, { ...spec, collection: 'huge', dimensions: 5000 });
    expect((await indexes()).some((index) => index.name === generationIndexName('huge', huge.generation))).toBe(false);
    await swapDocument(sql, { generation: huge, sourceKey: 's3://lake/documents/h.txt', sequencer: '01', status: 'indexed', chunks: [{ ordinal: 0, hash: 'h', content: 'huge', tokens: 1, embedding: `[${Array(5000).fill(0.01).join(',')}]`, metadata: {} }] });
    const client = createDocumentClient({ queryable: sql });
    expect((await client.searchChunks('huge', Array(5000).fill(0.01), 1)).map((r) => r.content)).toEqual(['huge']);
  });
});

describe('migration 0004_embeddings_generation_indexes', () => {
  it('indexes the live generations of a database migrated before it, and is idempotent', async () => {
    const legacy = await newDatabase();
    try {
      const client = pgliteClient(legacy);
      const all = vectorStoreMigrations([], { databaseName: 'vectors' });
      const upTo0003 = all.slice(0, all.findIndex((m) => m.version === '0003_embeddings_ledger') + 1);
      await applyMigrations(client, upTo0003, { log: quiet });
      await client.query(
        `INSERT INTO embedding_generations (collection, generation, model, dimensions, chunker_version, state) VALUES ('old', 1, 'm', 3, 'v', 'retired'), ('old', 2, 'm', 4, 'v', 'active')`,
      );
      expect((await applyMigrations(client, all, { log: quiet })).applied).toEqual(['0004_embeddings_generation_indexes', '0005_privacy_role']);
      const names = async () => (await client.query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE 'embedding_chunks_hnsw_%' ORDER BY 1`)).rows.map((r) => r.indexname);
      expect(await names()).toEqual([generationIndexName('old', 2)]);
      for (const statement of all.find((m) => m.version === '0004_embeddings_generation_indexes')?.statements ?? []) await client.query(statement);
      expect(await names()).toEqual([generationIndexName('old', 2)]);
    } finally {
      await legacy.close();
    }
  });
});
