/**
 * Forgetting subjects in the vector store on PGlite (PostgreSQL 17, pgvector) with the real migrations:
 * migration 0005_privacy_role's grants (enforced, acting as the role), delete in one transaction, VACUUM
 * when permitted and an honest "not vacuumed" when not (PostgreSQL 16, or MAINTAIN missing), and the
 * forget-vectors handler reading the batch's subjects file from moto S3.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForgetVectors } from '../../constructs/privacy/handlers/forget-vectors';
import { forgetVectors, remainingVectors, vacuumProblem, type VectorSql } from '../../constructs/privacy/vector-forget';
import { readSubjectsFile, writeSubjectsFile } from '../../constructs/privacy/work-files';
import { DEFAULT_COLLECTION } from '../../constructs/vector-store/collections';
import { roleNames, vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyMigrations } from '../../constructs/vector-store/migrator';
import { privacyRoleStatements } from '../../constructs/vector-store/privacy-role';
import { captureConsole } from '../support/operator-scripts';
import { newDatabase, pgliteClient, serve } from '../vector-store/pglite';
import { createWorkBucket, startPrivacyMoto, type PrivacyMoto } from './harness';

const A = 'subject-a-91f2';
const B = 'subject-b-5c0e';
const C = 'subject-c-d4a7';
const ROLE = 'vectors_privacy';

let db: PGlite;
let admin: ReturnType<typeof pgliteClient>;
const quiet = () => undefined;

beforeEach(async () => {
  db = await newDatabase();
  admin = pgliteClient(db);
  const result = await applyMigrations(admin, vectorStoreMigrations([DEFAULT_COLLECTION], { databaseName: 'vectors' }), { log: quiet });
  expect(result.applied).toContain('0005_privacy_role');
  await seed();
});
afterEach(async () => {
  await db?.close();
});

/** Two documents per subject (one with chunks that carry the subject only through their document), plus a metadata-only chunk of A. */
async function seed() {
  await admin.query(`INSERT INTO embedding_generations (collection, generation, model, dimensions, chunker_version, state) VALUES ('documents', 1, 'm', 3, 'v1', 'active')`);
  for (const subject of [A, B, C]) {
    for (const doc of [1, 2]) {
      const key = `s3://docs/${subject.slice(8, 9)}-${doc}.txt`;
      await admin.query(`INSERT INTO embedding_documents (collection, generation, source_key, sequencer, status, dataset, data_subject_id, chunk_count) VALUES ('documents', 1, $1, '01', 'indexed', 'documents', $2, 2)`, [key, subject]);
      for (const ordinal of [0, 1]) {
        // Document 2's chunks do not carry the subject themselves: they go because their document does.
        const chunkSubject = doc === 1 ? subject : null;
        await admin.query(
          `INSERT INTO embedding_chunks (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding, metadata, data_subject_id)
           VALUES ('documents', 1, $1, $2, 'h', $3, 3, '[1,2,3]', $4::jsonb, $5)`,
          [key, ordinal, `text of ${subject} ${doc}/${ordinal}`, JSON.stringify(chunkSubject ? { data_subject_id: chunkSubject } : {}), chunkSubject],
        );
      }
    }
  }
  // A document without a subject whose one chunk names A in its metadata only (written by hand, not by the pipeline).
  await admin.query(`INSERT INTO embedding_documents (collection, generation, source_key, sequencer, status, chunk_count) VALUES ('documents', 1, 's3://docs/shared.txt', '01', 'indexed', 2)`);
  await admin.query(
    `INSERT INTO embedding_chunks (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding, metadata) VALUES
       ('documents', 1, 's3://docs/shared.txt', 0, 'h', 'about A', 2, '[0,0,1]', '{"data_subject_id": "${A}"}'),
       ('documents', 1, 's3://docs/shared.txt', 1, 'h', 'about nobody', 2, '[0,1,0]', '{}')`,
  );
}

/** The session acting as the privacy role (what forget-vectors signs in as). */
function asPrivacyRole(): VectorSql {
  return {
    async query(sql, params) {
      // Ending a transaction needs no role (and an aborted one accepts nothing else); SET ROLE inside a
      // transaction is undone by its ROLLBACK.
      if (/^(COMMIT|ROLLBACK)$/.test(sql)) return { rows: [], rowCount: (await db.query(sql)).affectedRows };
      await db.query(`SET ROLE ${ROLE}`);
      try {
        const result = await db.query<Record<string, unknown>>(sql, params);
        return { rows: result.rows, rowCount: result.affectedRows };
      } finally {
        await db.query('RESET ROLE').catch(() => undefined);
      }
    },
  };
}

const rowsOf = async (subjects: string[]) =>
  (
    await admin.query(
      `SELECT c.source_key, c.ordinal, c.content, c.embedding::text, c.metadata::text, c.data_subject_id, d.data_subject_id AS document_subject, d.status
         FROM embedding_chunks c JOIN embedding_documents d USING (collection, generation, source_key)
        WHERE d.data_subject_id = ANY($1::text[]) ORDER BY 1, 2`,
      [subjects],
    )
  ).rows;

describe('migration 0005_privacy_role', () => {
  it('role names: <db>_privacy beside the others', () => {
    expect(roleNames('vectors')).toEqual({ readWrite: 'vectors_readwrite', readOnly: 'vectors_readonly', privacy: 'vectors_privacy' });
  });

  it('creates an IAM-only login role with DELETE, MAINTAIN and column-limited SELECT on the two tables', async () => {
    const { rows } = await admin.query(
      `SELECT r.rolcanlogin, r.rolpassword IS NULL AS no_password, pg_has_role(r.rolname, 'rds_iam', 'MEMBER') AS iam,
              has_table_privilege($1, 'public.embedding_chunks', 'DELETE') AS chunks_delete,
              has_table_privilege($1, 'public.embedding_documents', 'DELETE') AS documents_delete,
              has_table_privilege($1, 'public.embedding_chunks', 'MAINTAIN') AS chunks_maintain,
              has_table_privilege($1, 'public.embedding_documents', 'MAINTAIN') AS documents_maintain,
              has_column_privilege($1, 'public.embedding_chunks', 'content', 'SELECT') AS reads_content,
              has_column_privilege($1, 'public.embedding_chunks', 'embedding', 'SELECT') AS reads_vectors,
              has_table_privilege($1, 'public.embedding_chunks', 'UPDATE') AS updates,
              has_table_privilege($1, 'public.embedding_generations', 'DELETE') AS generations_delete
         FROM pg_authid r WHERE r.rolname = $1`,
      [ROLE],
    );
    expect(rows).toEqual([
      { rolcanlogin: true, no_password: true, iam: true, chunks_delete: true, documents_delete: true, chunks_maintain: true, documents_maintain: true, reads_content: false, reads_vectors: false, updates: false, generations_delete: false },
    ]);
    // Enforced, not only catalogued.
    const role = asPrivacyRole();
    await expect(role.query('SELECT content FROM embedding_chunks')).rejects.toThrow(/permission denied/);
    await expect(role.query('DELETE FROM embedding_generations')).rejects.toThrow(/permission denied/);
    await expect(role.query(`UPDATE embedding_documents SET data_subject_id = NULL`)).rejects.toThrow(/permission denied/);
  });

  it('grants MAINTAIN only from PostgreSQL 17 on (16 has no such privilege)', () => {
    const guard = privacyRoleStatements(roleNames('vectors')).find((s) => s.includes('MAINTAIN'));
    expect(guard).toMatch(/IF current_setting\('server_version_num'\)::int >= 170000 THEN\s+EXECUTE 'GRANT MAINTAIN ON public\.embedding_chunks, public\.embedding_documents TO "vectors_privacy"'/);
    expect(guard).toMatch(/ELSE\s+RAISE NOTICE/);
  });
});

describe('forget and verify', () => {
  it('deletes exactly the subject\'s chunks and documents in one go and VACUUMs; the others are intact', async () => {
    const others = await rowsOf([B, C]);
    const role = asPrivacyRole();
    expect(await remainingVectors(role, [A])).toEqual({ chunks: 5, documents: 2 });
    const result = await forgetVectors(role, [A]);
    expect(result).toEqual({ chunks: 5, documents: 2, vacuumed: true });
    expect(await remainingVectors(role, [A])).toEqual({ chunks: 0, documents: 0 });
    expect(await rowsOf([B, C])).toEqual(others);
    const shared = await admin.query(`SELECT content FROM embedding_chunks WHERE source_key = 's3://docs/shared.txt'`);
    expect(shared.rows).toEqual([{ content: 'about nobody' }]);
    const { rows } = await admin.query(`SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname IN ('embedding_chunks', 'embedding_documents') ORDER BY relname`);
    expect(rows.map((r) => Number(r.vacuum_count))).toEqual([1, 1]);
    // Forgetting again finds nothing and is not an error.
    expect(await forgetVectors(role, [A])).toEqual({ chunks: 0, documents: 0, vacuumed: true });
  });

  it('a failure inside the transaction rolls back every delete', async () => {
    await admin.query(`REVOKE DELETE ON embedding_documents FROM ${ROLE}`);
    await expect(forgetVectors(asPrivacyRole(), [A, B])).rejects.toThrow(/permission denied/);
    expect(await remainingVectors(admin, [A, B])).toEqual({ chunks: 9, documents: 4 });
  });

  it('without MAINTAIN the delete happens and the result says VACUUM did not (PostgreSQL itself would only warn)', async () => {
    await admin.query(`REVOKE MAINTAIN ON embedding_chunks FROM ${ROLE}`);
    // What the check exists for: VACUUM without the privilege "succeeds" without vacuuming.
    await expect(asPrivacyRole().query('VACUUM public.embedding_chunks')).resolves.toBeDefined();
    const result = await forgetVectors(asPrivacyRole(), [C]);
    expect(result).toEqual({ chunks: 4, documents: 2, vacuumed: false, vacuumSkippedReason: expect.stringMatching(/role vectors_privacy lacks MAINTAIN/) });
    const { rows } = await admin.query(`SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'embedding_chunks'`);
    expect(Number(rows[0].vacuum_count)).toBe(0);
  });

  it('on PostgreSQL 16 VACUUM is reported skipped with the reason (the server version decides)', async () => {
    const sixteen: VectorSql = { query: async () => ({ rows: [{ version: 160004, who: ROLE }] }) };
    expect(await vacuumProblem(sixteen)).toMatch(/^PostgreSQL 16 has no MAINTAIN privilege .* autovacuum/);
    expect(await vacuumProblem(asPrivacyRole())).toBeUndefined();
  });

  it('refuses an empty subject list', async () => {
    await expect(forgetVectors(admin, [])).rejects.toThrow(/non-empty list of subject ids/);
    await expect(remainingVectors(admin, [''])).rejects.toThrow(/non-empty list/);
  });
});

describe('forget-vectors handler', () => {
  let env: PrivacyMoto;
  let work: string;
  beforeAll(async () => {
    env = await startPrivacyMoto();
    work = await createWorkBucket(env.s3);
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('reads the batch\'s subjects file, forgets, verifies, and logs counts only', async () => {
    await writeSubjectsFile(env.s3, work, 'batch-v', [B, A]);
    expect(await readSubjectsFile(env.s3, work, 'batch-v')).toEqual([A, B]);
    let ended = 0;
    const run = createForgetVectors({
      subjects: (batchId) => readSubjectsFile(env.s3, work, batchId),
      connect: async () => ({ ...asPrivacyRole(), end: async () => void (ended += 1) }),
    });
    const { result: forgot, stdout } = await captureConsole(() => run({ batchId: 'batch-v', mode: 'forget' }));
    expect(forgot).toEqual({ mode: 'forget', chunks: 9, documents: 4, vacuumed: true });
    expect(await run({ batchId: 'batch-v', mode: 'verify' })).toEqual({ mode: 'verify', chunks: 0, documents: 0 });
    expect(ended).toBe(2);
    expect(stdout.join('\n')).toMatch(/"vectors forgotten"/);
    for (const id of [A, B, C]) expect(stdout.join('\n')).not.toContain(id);
    expect(await remainingVectors(admin, [C])).toEqual({ chunks: 4, documents: 2 });
  });

  it('as deployed: the entry point reads its environment, connects with the pg driver and an IAM token, reads the subjects file from S3', async () => {
    const served = await serve(db, 2);
    try {
      await writeSubjectsFile(env.s3, work, 'batch-tcp', [C]);
      vi.resetModules();
      const { handler } = await import('../../constructs/privacy/handlers/forget-vectors');
      const variables = {
        WORK_BUCKET: work,
        PGHOST: served.host,
        PGPORT: String(served.port),
        PGDATABASE: 'postgres',
        PGSSLMODE: 'disable',
        PGUSER: 'postgres',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL_S3: env.moto.endpoint,
      };
      for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
      const { result } = await captureConsole(async () => [await handler({ batchId: 'batch-tcp', mode: 'forget' }), await handler({ batchId: 'batch-tcp', mode: 'verify' })]);
      expect(result).toEqual([
        { mode: 'forget', chunks: 4, documents: 2, vacuumed: true },
        { mode: 'verify', chunks: 0, documents: 0 },
      ]);
      expect(await remainingVectors(admin, [A, B])).toEqual({ chunks: 9, documents: 4 });
    } finally {
      vi.unstubAllEnvs();
      await served.stop();
    }
  });

  it('refuses a bad mode or batch id, and a missing subjects file is an error', async () => {
    const run = createForgetVectors({ subjects: (batchId) => readSubjectsFile(env.s3, work, batchId), connect: async () => ({ ...admin, end: async () => undefined }) });
    await expect(run({ batchId: 'b', mode: 'delete' })).rejects.toThrow(/mode must be "forget" or "verify"/);
    await expect(run({ batchId: '../x', mode: 'forget' })).rejects.toThrow(/batchId/);
    await expect(run({ batchId: 'never-claimed', mode: 'forget' })).rejects.toThrow(/NoSuchKey|does not exist/);
  });
});
