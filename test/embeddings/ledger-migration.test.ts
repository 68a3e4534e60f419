/**
 * Migration 0003_embeddings_ledger on PGlite + pgvector: appended to a database bootstrapped before it,
 * grants for the application roles, and the constraints the pipeline relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyMigrations } from '../../constructs/vector-store/migrator';
import { DEFAULT_COLLECTION } from '../../constructs/vector-store/collections';
import { newDatabase, pgliteClient } from '../vector-store/pglite';

let db: PGlite;
let sql: ReturnType<typeof pgliteClient>;
const quiet = () => undefined;
beforeAll(async () => {
  db = await newDatabase();
  sql = pgliteClient(db);
});
afterAll(async () => {
  await db.close();
});

describe('migration 0003_embeddings_ledger', () => {
  it('is appended: a database bootstrapped before it gets exactly this migration', async () => {
    const all = vectorStoreMigrations([DEFAULT_COLLECTION], { databaseName: 'vectors' });
    const at = all.findIndex((m) => m.version === '0003_embeddings_ledger');
    await applyMigrations(sql, all.slice(0, at), { log: quiet });
    const result = await applyMigrations(sql, all, { log: quiet });
    expect(result.applied).toEqual(['0003_embeddings_ledger', '0004_embeddings_generation_indexes', '0005_privacy_role']);
    expect((await applyMigrations(sql, all, { log: quiet })).applied).toEqual([]);
  });

  it('grants read-write to <db>_readwrite and read to <db>_readonly', async () => {
    const { rows } = await sql.query(
      `SELECT t, has_table_privilege('vectors_readwrite', t, 'INSERT, UPDATE, DELETE, SELECT') AS rw,
              has_table_privilege('vectors_readonly', t, 'SELECT') AS ro, has_table_privilege('vectors_readonly', t, 'INSERT') AS ro_insert
         FROM unnest(ARRAY['public.embedding_generations', 'public.embedding_documents', 'public.embedding_chunks']) AS t`,
    );
    expect(rows.map((r) => [r.rw, r.ro, r.ro_insert])).toEqual([
      [true, true, false],
      [true, true, false],
      [true, true, false],
    ]);
  });

  it('one active and one building generation per collection at most', async () => {
    const insert = (generation: number, state: string) =>
      sql.query(`INSERT INTO embedding_generations (collection, generation, model, dimensions, chunker_version, state) VALUES ('c', $1, 'm', 3, 'v', $2)`, [generation, state]);
    await insert(1, 'active');
    await insert(2, 'building');
    await expect(insert(3, 'active')).rejects.toThrow(/embedding_generations_one_active/);
    await expect(insert(4, 'building')).rejects.toThrow(/embedding_generations_one_building/);
    await expect(insert(5, 'paused')).rejects.toThrow(/check constraint/);
  });

  it('chunks belong to a document (removed with it) and vectors of any dimension share the table', async () => {
    await sql.query(`INSERT INTO embedding_documents (collection, generation, source_key, sequencer, status) VALUES ('c', 1, 's3://b/k', '01', 'indexed'), ('c', 2, 's3://b/k', '01', 'indexed')`);
    await sql.query(
      `INSERT INTO embedding_chunks (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding) VALUES
         ('c', 1, 's3://b/k', 0, 'h', 'text', 1, '[1,0,0]'), ('c', 2, 's3://b/k', 0, 'h', 'text', 1, '[1,0,0,0,0]')`,
    );
    await expect(
      sql.query(`INSERT INTO embedding_chunks (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding) VALUES ('c', 1, 's3://b/other', 0, 'h', 't', 1, '[1]')`),
    ).rejects.toThrow(/foreign key/);
    await sql.query(`DELETE FROM embedding_documents WHERE generation = 1`);
    expect((await sql.query(`SELECT generation, vector_dims(embedding) AS dims FROM embedding_chunks`)).rows).toEqual([{ generation: 2, dims: 5 }]);
  });
});
