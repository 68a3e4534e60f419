/**
 * The vector client against real pgvector (PGlite served over a socket), through the real `pg` Pool
 * that consumers use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import type { VectorCollection } from '../../constructs/vector-store/collections';
import { vectorIndexTasks, vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyIndexTasks, applyMigrations } from '../../constructs/vector-store/migrator';
import {
  MAX_UPSERT_BATCH,
  VectorClientInputError,
  VectorStoreEnvironmentError,
  connectionFromEnvironment,
  createVectorClient,
  type EmbeddingRecord,
  type Queryable,
  type VectorClient,
} from '../../vector-client';
import type { JsonValue } from '../../vector-client/client';
import { newDatabase, pgliteClient, serve, type ServedDatabase } from './pglite';

const quiet = () => undefined;
const cosine: VectorCollection = { name: 'cos_docs', dimensions: 3, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const euclid: VectorCollection = { name: 'l2_docs', dimensions: 3, metric: 'l2', index: { type: 'ivfflat', lists: 2 } };
const inner: VectorCollection = { name: 'ip_docs', dimensions: 3, metric: 'inner_product', index: { type: 'hnsw', m: 8, efConstruction: 32 } };
const wide: VectorCollection = { name: 'wide_docs', dimensions: 2001, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const COLLECTIONS = [cosine, euclid, inner, wide];

/**
 * Hand-checked set, query q = [1, 0, 0]. The three metrics order it differently:
 *
 * | doc | vector      | cosine similarity | l2 distance | inner product |
 * |-----|-------------|-------------------|-------------|---------------|
 * | a   | [1, 0, 0]   | 1                 | 0           | 1             |
 * | b   | [10, 1, 0]  | 10/√101 = 0.9950  | √82 = 9.055 | 10            |
 * | c   | [1.5, 1, 0] | 1.5/√3.25 = 0.8321| √1.25 = 1.118 | 1.5         |
 * | d   | [0, 1, 0]   | 0                 | √2 = 1.414  | 0             |
 * | e   | [-1, 0, 0]  | -1                | 2           | -1            |
 * | f   | [2, 3, 0]   | 2/√13 = 0.5547    | √10 = 3.162 | 2             |
 */
const HAND_SET: Record<string, [number, number, number]> = {
  a: [1, 0, 0],
  b: [10, 1, 0],
  c: [1.5, 1, 0],
  d: [0, 1, 0],
  e: [-1, 0, 0],
  f: [2, 3, 0],
};
const LANG: Record<string, string> = { a: 'en', b: 'fr', c: 'en', d: 'fr', e: 'en', f: 'fr' };
const q: [number, number, number] = [1, 0, 0];

function handRecords(): EmbeddingRecord[] {
  return Object.entries(HAND_SET).map(([id, embedding]) => ({ documentId: id, content: `doc ${id}`, embedding, metadata: { lang: LANG[id], tags: [id, 'all'] } }));
}

/** A sparse 2001-dimension vector with the given leading values. */
function wideVector(...leading: number[]): number[] {
  const vector = new Array<number>(2001).fill(0);
  leading.forEach((value, index) => (vector[index] = value));
  return vector;
}

describe('vector client on pgvector through pg.Pool', () => {
  let db: PGlite;
  let served: ServedDatabase;
  let pool: Pool;
  let client: VectorClient;
  /** Every statement the client sent. */
  const sent: Array<{ sql: string; params?: unknown[] }> = [];

  beforeAll(async () => {
    db = await newDatabase();
    const direct = pgliteClient(db);
    await applyMigrations(direct, vectorStoreMigrations(COLLECTIONS, { databaseName: 'vectors' }), { log: quiet });
    await applyIndexTasks(direct, vectorIndexTasks(COLLECTIONS), { log: quiet });
    served = await serve(db);
    pool = new Pool({ host: served.host, port: served.port, user: 'postgres', database: 'postgres', max: 2 });
    const recording = {
      query: (sql: string, params?: unknown[]) => {
        sent.push({ sql, params });
        return pool.query(sql, params);
      },
      connect: async () => {
        const connection = await pool.connect();
        return {
          query: (sql: string, params?: unknown[]) => {
            sent.push({ sql, params });
            return connection.query(sql, params);
          },
          release: (error?: Error | boolean) => connection.release(error),
        };
      },
    };
    client = createVectorClient({ pool: recording, collections: COLLECTIONS });
    for (const collection of [cosine, euclid, inner]) {
      expect(await client.upsertEmbeddings(collection.name, handRecords())).toEqual({ inserted: 6, updated: 0 });
    }
    await client.upsertEmbeddings(wide.name, [
      { documentId: 'w1', content: 'w1', embedding: wideVector(1, 0.1) },
      { documentId: 'w2', content: 'w2', embedding: wideVector(0, 1) },
      { documentId: 'w3', content: 'w3', embedding: wideVector(-1, 0) },
    ]);
  });

  afterAll(async () => {
    await pool?.end();
    await served?.stop();
    await db?.close();
  });

  it('cosine: true nearest neighbours in order, similarity = 1 - cosine distance', async () => {
    const results = await client.similaritySearch('cos_docs', q, 6);
    expect(results.map((r) => r.documentId)).toEqual(['a', 'b', 'c', 'f', 'd', 'e']);
    expect(results.map((r) => r.similarity)).toEqual([1, 10 / Math.sqrt(101), 1.5 / Math.sqrt(3.25), 2 / Math.sqrt(13), 0, -1].map((v) => expect.closeTo(v, 5)));
    expect(results[0]).toMatchObject({ content: 'doc a', metadata: { lang: 'en', tags: ['a', 'all'] }, distance: expect.closeTo(0, 6) });
    expect(results[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('l2 (IVFFlat, probes = lists for an exact answer): similarity = 1 / (1 + distance)', async () => {
    const results = await client.similaritySearch('l2_docs', q, 6, undefined, { probes: 2 });
    expect(results.map((r) => r.documentId)).toEqual(['a', 'c', 'd', 'e', 'f', 'b']);
    expect(results.map((r) => r.distance)).toEqual([0, Math.sqrt(1.25), Math.SQRT2, 2, Math.sqrt(10), Math.sqrt(82)].map((v) => expect.closeTo(v, 5)));
    expect(results[1].similarity).toBeCloseTo(1 / (1 + Math.sqrt(1.25)), 5);
  });

  it('inner product: similarity = the inner product, largest first', async () => {
    const results = await client.similaritySearch('ip_docs', q, 6);
    expect(results.map((r) => r.documentId)).toEqual(['b', 'f', 'c', 'a', 'd', 'e']);
    expect(results.map((r) => r.similarity)).toEqual([10, 2, 1.5, 1, 0, -1].map((v) => expect.closeTo(v, 5)));
  });

  it('above 2000 dimensions (halfvec index): nearest neighbours', async () => {
    const results = await client.similaritySearch('wide_docs', wideVector(1, 0), 2);
    expect(results.map((r) => r.documentId)).toEqual(['w1', 'w2']);
  });

  it('k limits the result', async () => {
    expect((await client.similaritySearch('cos_docs', q, 2)).map((r) => r.documentId)).toEqual(['a', 'b']);
  });

  it('metadata filters apply (jsonb containment), nested too, with the nearest first', async () => {
    expect((await client.similaritySearch('cos_docs', q, 6, { lang: 'fr' })).map((r) => r.documentId)).toEqual(['b', 'f', 'd']);
    expect((await client.similaritySearch('ip_docs', q, 6, { lang: 'en' })).map((r) => r.documentId)).toEqual(['c', 'a', 'e']);
    expect((await client.similaritySearch('cos_docs', q, 6, { tags: ['d'] })).map((r) => r.documentId)).toEqual(['d']);
    expect((await client.similaritySearch('cos_docs', q, 6, { lang: 'de' })).map((r) => r.documentId)).toEqual([]);
    expect(await client.similaritySearch('cos_docs', q, 6, {})).toHaveLength(6);
  });

  it('search settings run in one transaction on one connection, with bound values', async () => {
    sent.length = 0;
    const results = await client.similaritySearch('cos_docs', q, 3, { lang: 'en' }, { efSearch: 100, iterativeScan: 'relaxed_order' });
    expect(results.map((r) => r.documentId)).toEqual(['a', 'c', 'e']);
    expect(sent.map((s) => s.sql.split(' ')[0])).toEqual(['BEGIN', 'SELECT', 'SELECT', 'SELECT', 'COMMIT']);
    expect(sent.slice(1, 3).map((s) => s.params)).toEqual([
      ['hnsw.ef_search', '100'],
      ['hnsw.iterative_scan', 'relaxed_order'],
    ]);
    // SET LOCAL semantics: nothing leaks into the pooled session.
    const { rows } = await pool.query(`SELECT current_setting('hnsw.ef_search') AS ef`);
    expect(rows).toEqual([{ ef: '40' }]);
    await expect(client.similaritySearch('cos_docs', q, 3, undefined, { probes: 2 })).rejects.toThrow(/probes applies to IVFFlat/);
    await expect(client.similaritySearch('l2_docs', q, 3, undefined, { probes: 3 })).rejects.toThrow(/from 1 to the collection's lists \(2\)/);
  });

  it('the queries use the vector index (ORDER BY is the indexed expression), halfvec included', async () => {
    const explain = async (collection: string, vector: number[], filter?: Record<string, string>) => {
      sent.length = 0;
      await client.similaritySearch(collection, vector, 3, filter);
      const { sql, params } = sent[0];
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        await connection.query('SET LOCAL enable_seqscan = off');
        const { rows } = await connection.query(`EXPLAIN ${sql}`, params);
        await connection.query('COMMIT');
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        connection.release();
      }
    };
    expect(await explain('cos_docs', q)).toContain('Index Scan using cos_docs_hnsw_cos_m16_efc64');
    expect(await explain('l2_docs', q)).toContain('Index Scan using l2_docs_ivfflat_l2_lists2');
    expect(await explain('ip_docs', q)).toContain('Index Scan using ip_docs_hnsw_ip_m8_efc32');
    expect(await explain('wide_docs', wideVector(1))).toContain('Index Scan using wide_docs_hnsw_cos_m16_efc64');
  });

  it('the SQL is fixed per collection: every value is a bound parameter', async () => {
    sent.length = 0;
    await client.similaritySearch('cos_docs', q, 4, { lang: 'en' });
    expect(sent).toEqual([
      {
        sql:
          'SELECT id, document_id, content, metadata, 1 - (embedding <=> $1::vector(3)) AS similarity, embedding <=> $1::vector(3) AS distance ' +
          'FROM public."cos_docs" WHERE metadata @> $2::jsonb ORDER BY embedding <=> $1::vector(3) LIMIT $3',
        params: ['[1,0,0]', '{"lang":"en"}', 4],
      },
    ]);
  });

  it('upserts: one statement per batch, insert then update by document id', async () => {
    sent.length = 0;
    const batch = Array.from({ length: 250 }, (_, i): EmbeddingRecord => ({ documentId: `bulk-${i}`, content: `bulk ${i}`, embedding: [i, 1, 0.5], metadata: { bulk: true } }));
    expect(await client.upsertEmbeddings('l2_docs', batch)).toEqual({ inserted: 250, updated: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0].sql).toContain('ON CONFLICT (document_id) DO UPDATE');
    expect(await client.upsertEmbeddings('l2_docs', [{ ...batch[0], content: 'changed', embedding: [9, 9, 9], metadata: { bulk: false } }, { ...batch[1] }])).toEqual({
      inserted: 0,
      updated: 2,
    });
    const { rows } = await pool.query(`SELECT content, embedding::text AS embedding, metadata FROM public.l2_docs WHERE document_id = 'bulk-0'`);
    expect(rows).toEqual([{ content: 'changed', embedding: '[9,9,9]', metadata: { bulk: false } }]);
    await pool.query(`DELETE FROM public.l2_docs WHERE document_id LIKE 'bulk-%'`);
  });

  it('refuses bad input before sending anything', async () => {
    sent.length = 0;
    const bad: Array<[() => Promise<unknown>, RegExp]> = [
      [() => client.similaritySearch('nope', q, 1), /Unknown collection "nope": configured collections are "cos_docs", "l2_docs", "ip_docs", "wide_docs"/],
      [() => client.similaritySearch('cos_docs', [1, 0], 1), /has 2 dimensions; collection "cos_docs" has 3/],
      [() => client.similaritySearch('cos_docs', [1, Number.NaN, 0], 1), /embedding\[1\] is NaN/],
      [() => client.similaritySearch('cos_docs', [1, Infinity, 0], 1), /finite/],
      [() => client.similaritySearch('cos_docs', ['1', 0, 0] as never, 1), /embedding\[0\] is 1: every value must be a finite number/],
      [() => client.similaritySearch('cos_docs', q, 0), /k must be an integer from 1 to 1000/],
      [() => client.similaritySearch('cos_docs', q, 1001), /k must be/],
      [() => client.similaritySearch('cos_docs', q, 2.5), /k must be/],
      [() => client.similaritySearch('cos_docs', q, '5; DROP TABLE cos_docs' as never), /k must be/],
      [() => client.similaritySearch('cos_docs', q, 1, [] as never), /metadataFilter must be a plain JSON object/],
      [() => client.similaritySearch('cos_docs', q, 1, { a: '\u0000' }), /NUL/],
      [() => client.similaritySearch('wide_docs', wideVector(70000), 1), /halfvec range/],
      [() => client.similaritySearch('cos_docs', q, 1, undefined, { efSearch: 0 }), /efSearch/],
      [() => client.upsertEmbeddings('cos_docs', []), /1 to 1000 records/],
      [() => client.upsertEmbeddings('cos_docs', new Array(MAX_UPSERT_BATCH + 1).fill(handRecords()[0])), /1 to 1000 records/],
      [() => client.upsertEmbeddings('cos_docs', [handRecords()[0], handRecords()[0]]), /appears twice in the batch/],
      [() => client.upsertEmbeddings('cos_docs', [{ ...handRecords()[0], documentId: '' }]), /documentId must be a string of 1 to 255/],
      [() => client.upsertEmbeddings('cos_docs', [{ ...handRecords()[0], documentId: 'x'.repeat(256) }]), /1 to 255/],
      [() => client.upsertEmbeddings('cos_docs', [{ ...handRecords()[0], content: 'a\u0000b' }]), /content contains a NUL/],
      [() => client.upsertEmbeddings('cos_docs', [{ ...handRecords()[0], metadata: { n: 10n } as never }]), /bigint/],
    ];
    for (const [call, message] of bad) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error, String(message)).toBeInstanceOf(VectorClientInputError);
      expect((error as Error).message).toMatch(message);
    }
    expect(sent).toEqual([]);
  });

  it('injection attempts through every input are inert', async () => {
    const tables = async () => (await pool.query(`SELECT string_agg(relname, ',' ORDER BY relname) AS t, (SELECT count(*)::int FROM public.cos_docs) AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`)).rows[0];
    const before = await tables();

    // Collection names are looked up, never interpolated.
    for (const name of ['cos_docs; DROP TABLE public.cos_docs; --', 'cos_docs"', 'public.cos_docs', 'COS_DOCS', 'pg_class', 'schema_migrations']) {
      await expect(client.similaritySearch(name, q, 1)).rejects.toThrow(/Unknown collection/);
      await expect(client.upsertEmbeddings(name, handRecords())).rejects.toThrow(/Unknown collection/);
    }
    // Filter keys and values are JSON in a bound parameter: they match nothing, and break nothing.
    const hostile: Array<Record<string, JsonValue>> = [
      { "lang') OR 1=1 --": 'en' },
      { lang: "en' OR '1'='1" },
      { lang: 'en"}, "x": {"' },
      { "'; DROP TABLE public.cos_docs; --": { '$1': '\\' } },
    ];
    for (const filter of hostile) expect(await client.similaritySearch('cos_docs', q, 6, filter)).toEqual([]);

    // Ids, content and metadata are stored verbatim.
    const nasty = [
      "x'); DROP TABLE public.cos_docs; --",
      'quote " backslash \\ brace { } comma , null NULL',
      '{"a","b"}',
      '$1 $2 :name ? %s',
      'ünïcödé 🧪 \t\n\r',
    ];
    const records: EmbeddingRecord[] = nasty.map((text, i) => ({ documentId: text, content: text, embedding: [0.1 * (i + 1), -1, 0], metadata: { [text]: text, i } }));
    expect(await client.upsertEmbeddings('cos_docs', records)).toEqual({ inserted: 5, updated: 0 });
    const { rows } = await pool.query(`SELECT document_id, content, metadata FROM public.cos_docs WHERE document_id = ANY($1) ORDER BY (metadata->>'i')::int`, [nasty]);
    expect(rows).toEqual(nasty.map((text, i) => ({ document_id: text, content: text, metadata: { [text]: text, i } })));
    for (const [i, text] of nasty.entries()) {
      expect((await client.similaritySearch('cos_docs', [0.1 * (i + 1), -1, 0], 1, { [text]: text })).map((r) => r.documentId)).toEqual([text]);
    }

    await pool.query(`DELETE FROM public.cos_docs WHERE document_id = ANY($1)`, [nasty]);
    expect(await tables()).toEqual(before);
  });

  it('works on PGlite directly too (arrays travel as literals, so any driver binds them alike)', async () => {
    const direct = createVectorClient({ client: pgliteClient(db), collections: [euclid] });
    const records: EmbeddingRecord[] = [
      { documentId: 'direct "1"', content: 'back\\slash {brace}', embedding: [0, 0, 7], metadata: { via: 'pglite' } },
      { documentId: 'direct 2', content: 'plain', embedding: [0, 0, 8] },
    ];
    expect(await direct.upsertEmbeddings('l2_docs', records)).toEqual({ inserted: 2, updated: 0 });
    const results = await direct.similaritySearch('l2_docs', [0, 0, 7], 2, { via: 'pglite' }, { probes: 2 });
    expect(results.map((r) => [r.documentId, r.content])).toEqual([['direct "1"', 'back\\slash {brace}']]);
    await pool.query(`DELETE FROM public.l2_docs WHERE document_id LIKE 'direct%'`);
  });

  it('works with a single pg.Client-like object too, and refuses ambiguous options', async () => {
    const connection = await pool.connect();
    try {
      const single = createVectorClient({ client: connection as unknown as Queryable, collections: [cosine] });
      expect((await single.similaritySearch('cos_docs', q, 1, undefined, { efSearch: 10 })).map((r) => r.documentId)).toEqual(['a']);
      expect(single.collections).toEqual(['cos_docs']);
    } finally {
      connection.release();
    }
    expect(() => createVectorClient({ collections: [cosine] })).toThrow(/exactly one of/);
    expect(() => createVectorClient({ pool, client: pool, collections: [cosine] })).toThrow(/exactly one of/);
    expect(() => createVectorClient({ pool, collections: [{ ...cosine, metric: 'dot' as never }] })).toThrow(/metric/);
  });
});

describe('connectionFromEnvironment', () => {
  const env = { PGHOST: 'db.abc123.eu-west-1.rds.amazonaws.com', PGPORT: '5432', PGDATABASE: 'vectors', PGSSLMODE: 'verify-full', PGUSER: 'vectors_readonly' };

  it('verify-full: TLS verified against the RDS CA bundle', () => {
    const connection = connectionFromEnvironment(env);
    expect(connection).toMatchObject({ host: env.PGHOST, port: 5432, database: 'vectors', user: 'vectors_readonly', ssl: { rejectUnauthorized: true } });
    expect(connection.ssl && connection.ssl.ca.length).toBeGreaterThan(100);
    expect(connection.ssl && connection.ssl.ca.every((pem) => pem.includes('BEGIN CERTIFICATE'))).toBe(true);
    expect(connectionFromEnvironment(env, { ca: ['PEM'] }).ssl).toEqual({ ca: ['PEM'], rejectUnauthorized: true });
  });

  it('disable: no TLS (local databases)', () => {
    expect(connectionFromEnvironment({ ...env, PGHOST: '127.0.0.1', PGSSLMODE: 'disable' }).ssl).toBe(false);
  });

  it('names every missing variable at once', () => {
    const error = (() => {
      try {
        connectionFromEnvironment({});
      } catch (caught) {
        return caught as VectorStoreEnvironmentError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VectorStoreEnvironmentError);
    expect(error?.problems).toEqual(['PGHOST is not set', 'PGPORT is not set', 'PGDATABASE is not set', 'PGSSLMODE is not set', 'PGUSER is not set']);
  });

  it('refuses invalid values with the reason', () => {
    expect(() => connectionFromEnvironment({ ...env, PGPORT: '5432x' })).toThrow('PGPORT "5432x" is not a port number (1-65535)');
    expect(() => connectionFromEnvironment({ ...env, PGPORT: '70000' })).toThrow(/not a port number/);
    expect(() => connectionFromEnvironment({ ...env, PGHOST: 'host name with spaces' })).toThrow(/not a host name/);
    expect(() => connectionFromEnvironment({ ...env, PGSSLMODE: 'require' })).toThrow(/"require" is not accepted \(it encrypts but does not verify the server/);
    expect(() => connectionFromEnvironment({ ...env, PGSSLMODE: 'verify-ca' })).toThrow(/host name/);
    expect(() => connectionFromEnvironment({ ...env, PGUSER: '  ' })).toThrow('PGUSER is not set');
  });
});
