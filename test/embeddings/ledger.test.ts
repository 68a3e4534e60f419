/**
 * Ledger rules on PGlite that the consumer tests do not reach on their own: a swap into a generation
 * retired in the meantime (by a switch in another invocation) writes nothing; a swap rewrites only the
 * chunk rows that changed (row identity read from ctid, which changes whenever a row is rewritten).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { activateIfComplete, liveGenerations, swapDocument, type Generation } from '../../constructs/embeddings/ledger';
import { vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyMigrations } from '../../constructs/vector-store/migrator';
import { newDatabase, pgliteClient } from '../vector-store/pglite';

let db: PGlite;
let sql: ReturnType<typeof pgliteClient>;
beforeAll(async () => {
  db = await newDatabase();
  sql = pgliteClient(db);
  await applyMigrations(sql, vectorStoreMigrations([], { databaseName: 'vectors' }), { log: () => undefined });
});
afterAll(async () => {
  await db.close();
});

const spec = { collection: 'c', model: 'amazon.titan-embed-text-v2:0', chunkerVersion: 'structure-v1:300:60' };
const chunk = (dims: number) => ({ ordinal: 0, hash: 'h', content: 'text', tokens: 1, embedding: `[${Array(dims).fill(0.5).join(',')}]`, metadata: {} });

describe('embeddings ledger', () => {
  it('a swap into a generation retired by a switch writes nothing', async () => {
    const [first] = await liveGenerations(sql, { ...spec, dimensions: 3 });
    expect(first).toMatchObject({ generation: 1, state: 'active' });
    const [active, building] = await liveGenerations(sql, { ...spec, dimensions: 4 });
    expect(building).toMatchObject({ generation: 2, state: 'building', dimensions: 4 });
    expect(await activateIfComplete(sql, active, building as Generation)).toBe(true);
    // An invocation that read the generations before the switch still holds generation 1.
    expect(await swapDocument(sql, { generation: active, sourceKey: 's3://b/k', sequencer: '01', status: 'indexed', chunks: [chunk(3)] })).toBe(false);
    expect(await swapDocument(sql, { generation: building as Generation, sourceKey: 's3://b/k', sequencer: '01', status: 'indexed', chunks: [chunk(4)] })).toBe(true);
    const { rows } = await sql.query(`SELECT generation, count(*)::int AS n FROM embedding_chunks GROUP BY generation`);
    expect(rows).toEqual([{ generation: 2, n: 1 }]);
  });

  it('settings changed back before a switch completes: the building generation is retired with its rows', async () => {
    const [, building] = await liveGenerations(sql, { ...spec, dimensions: 3 });
    expect(building).toMatchObject({ generation: 3, state: 'building', dimensions: 3 });
    await swapDocument(sql, { generation: building as Generation, sourceKey: 's3://b/k', sequencer: '02', status: 'indexed', chunks: [chunk(3)] });
    expect(await liveGenerations(sql, { ...spec, dimensions: 4 })).toMatchObject([{ generation: 2, state: 'active' }]);
    const { rows } = await sql.query(`SELECT generation, state FROM embedding_generations ORDER BY generation`);
    expect(rows).toEqual([
      { generation: 1, state: 'retired' },
      { generation: 2, state: 'active' },
      { generation: 3, state: 'retired' },
    ]);
    expect((await sql.query(`SELECT DISTINCT generation FROM embedding_chunks`)).rows).toEqual([{ generation: 2 }]);
  });

  // Last: the tests above read the whole tables.
  it('a swap replaces only the chunk rows that changed; unchanged rows keep their tuple (no index churn)', async () => {
    const [g] = await liveGenerations(sql, { ...spec, collection: 'keep', dimensions: 3 });
    const rows = (texts: string[], metadata: Record<string, unknown> = {}) =>
      texts.map((content, ordinal) => ({ ordinal, hash: `h-${content}`, content, tokens: 1, embedding: '[1,0,0]', metadata }));
    const swap = (sequencer: string, chunks: ReturnType<typeof rows>, governance = {}) =>
      swapDocument(sql, { generation: g, sourceKey: 's3://b/keep', sequencer, status: 'indexed', chunks, governance });
    const tuples = async () =>
      (await sql.query(`SELECT content, dataset, ctid::text AS tid FROM embedding_chunks WHERE collection = 'keep' ORDER BY ordinal`)).rows as Array<{ content: string; dataset: string | null; tid: string }>;

    expect(await swap('01', rows(['a', 'b', 'c']))).toBe(true);
    const first = await tuples();
    expect(await swap('02', rows(['a', 'B', 'c']))).toBe(true);
    const second = await tuples();
    expect(second.map((r) => r.content)).toEqual(['a', 'B', 'c']);
    expect([second[0].tid === first[0].tid, second[1].tid === first[1].tid, second[2].tid === first[2].tid]).toEqual([true, false, true]);

    // A shorter document: the rows past its end go, the first stays.
    await swap('03', rows(['a']));
    expect((await tuples()).map((r) => [r.content, r.tid])).toEqual([['a', first[0].tid]]);
    // Changed metadata, then changed governance: rewritten.
    await swap('04', rows(['a'], { status: 'archived' }));
    const relabelled = await tuples();
    expect(relabelled[0].tid).not.toBe(first[0].tid);
    await swap('05', rows(['a'], { status: 'archived' }), { dataset: 'handbook' });
    const governed = await tuples();
    expect(governed.map((r) => [r.content, r.dataset])).toEqual([['a', 'handbook']]);
    expect(governed[0].tid).not.toBe(relabelled[0].tid);
  });
});
