import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { VectorCollection } from '../../constructs/vector-store/collections';
import {
  createIndexStatement,
  migration,
  roleNames,
  vectorIndexTasks,
  vectorStoreMigrations,
  type IndexTask,
} from '../../constructs/vector-store/migrations';
import {
  MigrationChecksumError,
  MigrationFailedError,
  applyIndexTasks,
  applyMigrations,
  pendingIndexTasks,
  tableIndexes,
  type SqlClient,
} from '../../constructs/vector-store/migrator';
import { catalogSnapshot, newDatabase, pgliteClient } from './pglite';

const DB = 'vectors';
const quiet = () => undefined;

const docs: VectorCollection = { name: 'docs', dimensions: 3, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const images: VectorCollection = { name: 'images', dimensions: 4, metric: 'l2', index: { type: 'ivfflat', lists: 10 } };
const scores: VectorCollection = { name: 'scores', dimensions: 2, metric: 'inner_product', index: { type: 'hnsw', m: 8, efConstruction: 32 } };
const wide: VectorCollection = { name: 'wide', dimensions: 3000, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const ALL = [docs, images, scores, wide];

async function bootstrap(client: SqlClient, collections: readonly VectorCollection[]) {
  const migrations = await applyMigrations(client, vectorStoreMigrations(collections, { databaseName: DB }), { log: quiet });
  const indexes = await applyIndexTasks(client, vectorIndexTasks(collections), { log: quiet });
  return { migrations, indexes };
}

describe('generated migrations (pure)', () => {
  it('have stable versions and checksums; a collection change only changes its own migration', () => {
    const first = vectorStoreMigrations([docs, images], { databaseName: DB });
    const again = vectorStoreMigrations([docs, images], { databaseName: DB });
    expect(again).toEqual(first);
    expect(first.map((m) => m.version)).toEqual([
      '0001_vector_extension',
      '0002_roles',
      'collection/docs/0001_table',
      'collection/images/0001_table',
      '0003_embeddings_ledger',
      '0004_embeddings_generation_indexes',
      '0005_privacy_role',
    ]);
    expect(first.every((m) => /^[0-9a-f]{64}$/.test(m.checksum))).toBe(true);

    const changed = vectorStoreMigrations([{ ...docs, dimensions: 4 }, images], { databaseName: DB });
    expect(changed.map((m) => m.checksum === first.find((f) => f.version === m.version)?.checksum)).toEqual([true, true, false, true, true, true, true]);
    // Index parameters are not part of any migration: they are index tasks.
    const reindexed = vectorStoreMigrations([{ ...docs, metric: 'l2', index: { type: 'ivfflat', lists: 5 } }, images], { databaseName: DB });
    expect(reindexed).toEqual(first);
  });

  it('the checksum ignores whitespace only', () => {
    expect(migration('v', 'd', ['SELECT  1\n']).checksum).toBe(migration('v', 'd', ['SELECT 1']).checksum);
    expect(migration('v', 'd', ['SELECT 2']).checksum).not.toBe(migration('v', 'd', ['SELECT 1']).checksum);
  });

  it('index statements: operator class from the metric, halfvec above 2000 dimensions, parameters in the name', () => {
    const statements = vectorIndexTasks(ALL).map((task) => createIndexStatement(task));
    expect(statements).toEqual([
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "docs_hnsw_cos_m16_efc64" ON public."docs" USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "images_ivfflat_l2_lists10" ON public."images" USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "scores_hnsw_ip_m8_efc32" ON public."scores" USING hnsw (embedding vector_ip_ops) WITH (m = 8, ef_construction = 32)',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "wide_hnsw_cos_m16_efc64" ON public."wide" USING hnsw ((embedding::halfvec(3000)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)',
    ]);
    expect(createIndexStatement(vectorIndexTasks([docs])[0], { concurrently: false })).toMatch(/^CREATE INDEX IF NOT EXISTS /);
  });

  it('role names carry the database name', () => {
    expect(roleNames('vectors')).toEqual({ readWrite: 'vectors_readwrite', readOnly: 'vectors_readonly', privacy: 'vectors_privacy' });
  });

  it('refuse invalid collections before generating anything', () => {
    expect(() => vectorStoreMigrations([{ ...docs, metric: 'dot' as never }], { databaseName: DB })).toThrow(/metric/);
    expect(() => vectorIndexTasks([{ ...docs, index: { type: 'ivfflat', lists: 0 } }])).toThrow(/index.lists/);
  });
});

describe('migrations and index tasks on pgvector (PGlite)', () => {
  let db: PGlite;
  /** The library's statements go through `client` (recorded); the test's own checks through `admin`. */
  let client: ReturnType<typeof pgliteClient>;
  let admin: ReturnType<typeof pgliteClient>;

  beforeAll(async () => {
    db = await newDatabase();
    client = pgliteClient(db);
    admin = pgliteClient(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('creates the extension, tables, metadata indexes, vector indexes, roles and grants', async () => {
    const { migrations, indexes } = await bootstrap(client, ALL);
    expect(migrations.applied).toHaveLength(9);
    expect(indexes).toMatchObject({ complete: true, built: ['docs_hnsw_cos_m16_efc64', 'images_ivfflat_l2_lists10', 'scores_hnsw_ip_m8_efc32', 'wide_hnsw_cos_m16_efc64'] });

    const { rows: extensions } = await admin.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    expect(extensions).toEqual([{ extversion: '0.8.1' }]);

    const { rows: columns } = await admin.query(
      `SELECT column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value
         FROM pg_attribute a JOIN information_schema.columns c ON c.table_name = 'docs' AND c.column_name = a.attname
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = 'public.docs'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    expect(columns).toEqual([
      { column_name: 'id', type: 'uuid', not_null: true, default_value: 'gen_random_uuid()' },
      { column_name: 'document_id', type: 'character varying(255)', not_null: true, default_value: null },
      { column_name: 'content', type: 'text', not_null: true, default_value: null },
      { column_name: 'embedding', type: 'vector(3)', not_null: true, default_value: null },
      { column_name: 'metadata', type: 'jsonb', not_null: false, default_value: `'{}'::jsonb` },
      { column_name: 'created_at', type: 'timestamp with time zone', not_null: false, default_value: 'now()' },
    ]);

    // The embeddings ledger's tables (migration 0003) are checked in test/embeddings/ledger-migration.test.ts.
    const { rows: defs } = await admin.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations' AND tablename NOT LIKE 'embedding\\_%' ORDER BY indexname`,
    );
    expect(Object.fromEntries(defs.map((row) => [row.indexname, row.indexdef]))).toEqual({
      docs_document_id_key: 'CREATE UNIQUE INDEX docs_document_id_key ON public.docs USING btree (document_id)',
      docs_hnsw_cos_m16_efc64: 'CREATE INDEX docs_hnsw_cos_m16_efc64 ON public.docs USING hnsw (embedding vector_cosine_ops) WITH (m=\'16\', ef_construction=\'64\')',
      docs_metadata_gin: 'CREATE INDEX docs_metadata_gin ON public.docs USING gin (metadata)',
      docs_pkey: 'CREATE UNIQUE INDEX docs_pkey ON public.docs USING btree (id)',
      images_document_id_key: 'CREATE UNIQUE INDEX images_document_id_key ON public.images USING btree (document_id)',
      images_ivfflat_l2_lists10: 'CREATE INDEX images_ivfflat_l2_lists10 ON public.images USING ivfflat (embedding) WITH (lists=\'10\')',
      images_metadata_gin: 'CREATE INDEX images_metadata_gin ON public.images USING gin (metadata)',
      images_pkey: 'CREATE UNIQUE INDEX images_pkey ON public.images USING btree (id)',
      scores_document_id_key: 'CREATE UNIQUE INDEX scores_document_id_key ON public.scores USING btree (document_id)',
      scores_hnsw_ip_m8_efc32: 'CREATE INDEX scores_hnsw_ip_m8_efc32 ON public.scores USING hnsw (embedding vector_ip_ops) WITH (m=\'8\', ef_construction=\'32\')',
      scores_metadata_gin: 'CREATE INDEX scores_metadata_gin ON public.scores USING gin (metadata)',
      scores_pkey: 'CREATE UNIQUE INDEX scores_pkey ON public.scores USING btree (id)',
      wide_document_id_key: 'CREATE UNIQUE INDEX wide_document_id_key ON public.wide USING btree (document_id)',
      wide_hnsw_cos_m16_efc64: 'CREATE INDEX wide_hnsw_cos_m16_efc64 ON public.wide USING hnsw (((embedding)::halfvec(3000)) halfvec_cosine_ops) WITH (m=\'16\', ef_construction=\'64\')',
      wide_metadata_gin: 'CREATE INDEX wide_metadata_gin ON public.wide USING gin (metadata)',
      wide_pkey: 'CREATE UNIQUE INDEX wide_pkey ON public.wide USING btree (id)',
    });

    // Index parameters as PostgreSQL stores them (pg_class.reloptions), and validity (pg_index.indisvalid).
    const { rows: reloptions } = await admin.query(
      `SELECT c.relname, c.reloptions, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname LIKE '%\\_hnsw\\_%' OR c.relname LIKE '%\\_ivfflat\\_%' ORDER BY 1`,
    );
    expect(reloptions).toEqual([
      { relname: 'docs_hnsw_cos_m16_efc64', reloptions: ['m=16', 'ef_construction=64'], indisvalid: true },
      { relname: 'images_ivfflat_l2_lists10', reloptions: ['lists=10'], indisvalid: true },
      { relname: 'scores_hnsw_ip_m8_efc32', reloptions: ['m=8', 'ef_construction=32'], indisvalid: true },
      { relname: 'wide_hnsw_cos_m16_efc64', reloptions: ['m=16', 'ef_construction=64'], indisvalid: true },
    ]);

    const { rows: roles } = await admin.query(
      `SELECT r.rolname, r.rolcanlogin, r.rolpassword IS NULL AS no_password, pg_has_role(r.rolname, 'rds_iam', 'MEMBER') AS iam
         FROM pg_authid r WHERE r.rolname LIKE 'vectors\\_%' ORDER BY 1`,
    );
    expect(roles).toEqual([
      { rolname: 'vectors_privacy', rolcanlogin: true, no_password: true, iam: true },
      { rolname: 'vectors_readonly', rolcanlogin: true, no_password: true, iam: true },
      { rolname: 'vectors_readwrite', rolcanlogin: true, no_password: true, iam: true },
    ]);

    const privileges = async (role: string, table: string) =>
      (
        await admin.query(
          `SELECT array_agg(p ORDER BY p) AS granted FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p WHERE has_table_privilege($1, $2, p)`,
          [role, table],
        )
      ).rows[0].granted;
    for (const table of ['public.docs', 'public.images', 'public.scores', 'public.wide']) {
      expect(await privileges('vectors_readonly', table)).toEqual(['SELECT']);
      expect(await privileges('vectors_readwrite', table)).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    }
    expect(await privileges('vectors_readwrite', 'public.schema_migrations')).toBeNull();
    const { rows: access } = await admin.query(
      `SELECT has_database_privilege('vectors_readonly', current_database(), 'CONNECT') AS connect, has_schema_privilege('vectors_readonly', 'public', 'USAGE') AS usage, has_schema_privilege('vectors_readwrite', 'public', 'CREATE') AS can_create`,
    );
    expect(access).toEqual([{ connect: true, usage: true, can_create: false }]);

    // Enforced, not just catalogued: act as each role.
    await admin.query('SET ROLE vectors_readonly');
    try {
      await expect(admin.query('SELECT count(*) FROM public.docs')).resolves.toBeDefined();
      await expect(admin.query(`INSERT INTO public.docs (document_id, content, embedding) VALUES ('x', 'x', '[1,2,3]')`)).rejects.toThrow(/permission denied for table docs/);
      await expect(admin.query('SELECT count(*) FROM public.schema_migrations')).rejects.toThrow(/permission denied/);
      await expect(admin.query('CREATE TABLE public.sneaky (id int)')).rejects.toThrow(/permission denied for schema public/);
    } finally {
      await admin.query('RESET ROLE');
    }
    await admin.query('SET ROLE vectors_readwrite');
    try {
      await admin.query(`INSERT INTO public.docs (document_id, content, embedding) VALUES ('rw', 'rw', '[1,2,3]')`);
      await admin.query(`UPDATE public.docs SET content = 'rw2' WHERE document_id = 'rw'`);
      await admin.query(`DELETE FROM public.docs WHERE document_id = 'rw'`);
      await expect(admin.query('TRUNCATE public.docs')).rejects.toThrow(/permission denied/);
      await expect(admin.query('DROP TABLE public.docs')).rejects.toThrow(/must be owner/);
    } finally {
      await admin.query('RESET ROLE');
    }

    // Default privileges: a table the bootstrap user creates later is granted too.
    await admin.query('CREATE TABLE public.later (id int)');
    expect(await privileges('vectors_readonly', 'public.later')).toEqual(['SELECT']);
    expect(await privileges('vectors_readwrite', 'public.later')).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    await admin.query('DROP TABLE public.later');
  });

  it('running everything again changes nothing (catalog snapshot, ledger included)', async () => {
    const before = await catalogSnapshot(admin);
    const { migrations, indexes } = await bootstrap(client, ALL);
    expect(migrations).toEqual({ applied: [], skipped: expect.arrayContaining(['0001_vector_extension']), retained: [] });
    expect(indexes).toMatchObject({ built: [], dropped: [], complete: true });
    expect(await catalogSnapshot(admin)).toEqual(before);
  });

  it('every statement is idempotent on its own: with the ledger emptied, a re-run changes nothing else', async () => {
    const before = await catalogSnapshot(admin, { ledger: false });
    await admin.query('DELETE FROM schema_migrations');
    const { migrations } = await bootstrap(client, ALL);
    expect(migrations.applied).toHaveLength(9);
    const after = await catalogSnapshot(admin, { ledger: false });
    // GRANT rewrites the ACL rows (new xmin) even when nothing changes; everything else is identical.
    const withoutXmin = (snapshot: Record<string, unknown>) => JSON.parse(JSON.stringify(snapshot, (key, value) => (key === 'xmin' ? undefined : value)));
    expect(withoutXmin(after)).toEqual(withoutXmin(before));
  });

  it('a failing migration rolls back completely (its statements and its ledger row)', async () => {
    const good = migration('9001_good', 'a good one', ['CREATE TABLE public.good_table (id int)']);
    const bad = migration('9002_bad', 'fails at its third statement', [
      'CREATE TABLE public.half_done (id int)',
      'INSERT INTO public.half_done VALUES (1)',
      'SELECT 1 / 0',
    ]);
    const never = migration('9003_never', 'after the bad one', ['CREATE TABLE public.never_made (id int)']);
    const error = await applyMigrations(client, [good, bad, never], { log: quiet }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationFailedError).message).toMatch(/Migration 9002_bad failed at statement 3 \(SELECT 1 \/ 0\): division by zero\. It was rolled back/);

    const { rows } = await admin.query(
      `SELECT to_regclass('public.good_table') IS NOT NULL AS good, to_regclass('public.half_done') IS NOT NULL AS half, to_regclass('public.never_made') IS NOT NULL AS never,
              (SELECT array_agg(version ORDER BY version) FROM schema_migrations WHERE version LIKE '900%') AS ledger`,
    );
    expect(rows).toEqual([{ good: true, half: false, never: false, ledger: ['9001_good'] }]);
    const { rows: tx } = await admin.query(`SELECT count(*)::int AS open FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'`);
    expect(tx).toEqual([{ open: 0 }]);
    await admin.query('DROP TABLE public.good_table');
    await admin.query(`DELETE FROM schema_migrations WHERE version LIKE '900%'`);
  });

  it('refuses an applied migration whose checksum changed, before applying anything (forward-only)', async () => {
    const before = await catalogSnapshot(admin);
    const changed = vectorStoreMigrations([{ ...docs, dimensions: 8 }, images, scores, wide, { ...docs, name: 'newcomer' }], { databaseName: DB });
    const error = await applyMigrations(client, changed, { log: quiet }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationChecksumError);
    expect((error as Error).message).toContain('collection/docs/0001_table');
    expect((error as Error).message).toContain(`a collection's dimensions cannot change`);
    expect(await catalogSnapshot(admin)).toEqual(before); // "newcomer" was not created either
  });

  it('an index parameter change builds the new index, then drops the old one', async () => {
    await admin.query(`INSERT INTO public.docs (document_id, content, embedding) VALUES ('a', 'a', '[1,0,0]'), ('b', 'b', '[0,1,0]')`);
    const retuned: VectorCollection = { ...docs, index: { type: 'hnsw', m: 24, efConstruction: 96 } };
    const tasks = vectorIndexTasks([retuned, images, scores, wide]);
    expect(await pendingIndexTasks(client, tasks)).toEqual([{ task: tasks[0], state: 'missing', superseded: ['docs_hnsw_cos_m16_efc64'] }]);

    const statements = client.statements.length;
    const result = await applyIndexTasks(client, tasks, { log: quiet });
    expect(result).toMatchObject({ built: ['docs_hnsw_cos_m24_efc96'], dropped: ['docs_hnsw_cos_m16_efc64'], complete: true, pending: [] });
    const issued = client.statements.slice(statements).filter((sql) => /^(CREATE|DROP) INDEX/.test(sql));
    expect(issued).toEqual([
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "docs_hnsw_cos_m24_efc96" ON public."docs" USING hnsw (embedding vector_cosine_ops) WITH (m = 24, ef_construction = 96)',
      'DROP INDEX CONCURRENTLY IF EXISTS public."docs_hnsw_cos_m16_efc64"',
    ]);
    const vectorIndexes = (await tableIndexes(client, 'docs')).filter((index) => index.method === 'hnsw' || index.method === 'ivfflat');
    expect(vectorIndexes).toEqual([{ name: 'docs_hnsw_cos_m24_efc96', valid: true, method: 'hnsw', reloptions: ['m=24', 'ef_construction=96'] }]);

    // Metric and type change too: a new index with a new operator class; the rows are untouched.
    const switched = vectorIndexTasks([{ ...docs, metric: 'l2', index: { type: 'ivfflat', lists: 2 } }]);
    expect(await applyIndexTasks(client, switched, { log: quiet })).toMatchObject({ built: ['docs_ivfflat_l2_lists2'], dropped: ['docs_hnsw_cos_m24_efc96'], complete: true });
    const { rows } = await admin.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'docs_ivfflat_l2_lists2'`);
    // vector_l2_ops is the default operator class, which pg_get_indexdef leaves out.
    expect(rows[0].indexdef).toContain('USING ivfflat (embedding) WITH (lists=\'2\')');
    const { rows: count } = await admin.query('SELECT count(*)::int AS n FROM public.docs');
    expect(count).toEqual([{ n: 2 }]);
    await applyIndexTasks(client, vectorIndexTasks(ALL), { log: quiet });
  });

  it('drops an INVALID leftover (interrupted concurrent build) and rebuilds it', async () => {
    const [task] = vectorIndexTasks([docs]);
    // What an interrupted CREATE INDEX CONCURRENTLY leaves behind: the index, marked invalid.
    await admin.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.docs_hnsw_cos_m16_efc64'::regclass`);
    expect(await pendingIndexTasks(client, [task])).toEqual([{ task, state: 'invalid', superseded: [] }]);
    const result = await applyIndexTasks(client, [task], { log: quiet });
    expect(result).toMatchObject({ built: ['docs_hnsw_cos_m16_efc64'], dropped: ['docs_hnsw_cos_m16_efc64'], complete: true });
    expect((await tableIndexes(client, 'docs')).find((index) => index.name === task.indexName)?.valid).toBe(true);
  });

  it('stops at the deadline: no build starts after it, and a build still running is abandoned, then picked up', async () => {
    const retuned: VectorCollection = { ...scores, index: { type: 'hnsw', m: 4, efConstruction: 16 } };
    const tasks = vectorIndexTasks([retuned]);
    const expired = await applyIndexTasks(client, tasks, { log: quiet, deadline: Date.now() - 1 });
    expect(expired).toMatchObject({ built: [], complete: false, pending: [{ state: 'missing' }] });

    // A build slower than the budget: the caller gets control back and must discard the connection.
    let build: Promise<unknown> | undefined;
    const slow: SqlClient = {
      query: (sql, params) => {
        if (!sql.startsWith('CREATE INDEX')) return client.query(sql, params);
        build = new Promise((resolve) => setTimeout(resolve, 300)).then(() => client.query(sql, params));
        return build as ReturnType<SqlClient['query']>;
      },
    };
    const abandoned = await applyIndexTasks(slow, tasks, { log: quiet, deadline: Date.now() + 50 });
    expect(abandoned).toMatchObject({ abandoned: 'scores_hnsw_ip_m4_efc16', complete: false, pending: [{ state: 'building' }] });
    await build;
    // The server finished the build on its own; the next check drops the superseded index and completes.
    expect(await applyIndexTasks(client, tasks, { log: quiet })).toMatchObject({ built: [], dropped: ['scores_hnsw_ip_m8_efc32'], complete: true });
    await applyIndexTasks(client, vectorIndexTasks(ALL), { log: quiet });
  });

  it('never drops a table or data: a collection removed from the list keeps its table, rows and index', async () => {
    await admin.query(`INSERT INTO public.images (document_id, content, embedding) VALUES ('kept', 'kept', '[1,2,3,4]')`);
    const before = await catalogSnapshot(admin);
    const remaining = [docs, scores, wide];
    const { migrations, indexes } = await bootstrap(client, remaining);
    expect(migrations.retained).toEqual(['collection/images/0001_table']);
    expect(indexes.complete).toBe(true);
    expect(await catalogSnapshot(admin)).toEqual(before);
    const { rows } = await admin.query(`SELECT document_id FROM public.images`);
    expect(rows).toEqual([{ document_id: 'kept' }]);
  });

  it('every statement the bootstrap ever issued: no DROP TABLE, DELETE or TRUNCATE', () => {
    expect(client.statements.length).toBeGreaterThan(100);
    expect(client.statements.filter((sql) => /\b(DROP\s+(TABLE|SCHEMA|ROLE|OWNED|DATABASE|EXTENSION)|TRUNCATE|DELETE\s+FROM|UPDATE\s)/i.test(sql))).toEqual([]);
    expect(client.statements.filter((sql) => /^DROP INDEX/.test(sql)).every((sql) => sql.startsWith('DROP INDEX CONCURRENTLY IF EXISTS public."'))).toBe(true);
  });
});

describe('a table that already exists with another shape', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await newDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('is refused, not silently adopted', async () => {
    const client = pgliteClient(db);
    await client.query('CREATE EXTENSION vector');
    await client.query('CREATE TABLE public.docs (id uuid PRIMARY KEY, document_id varchar(255) UNIQUE NOT NULL, content text NOT NULL, embedding vector(768) NOT NULL)');
    const error = await applyMigrations(client, vectorStoreMigrations([docs], { databaseName: DB }), { log: quiet }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as Error).message).toContain('table public.docs already exists with embedding vector(768), but the collection declares vector(3)');
    const { rows } = await client.query(`SELECT version FROM schema_migrations ORDER BY 1`);
    expect(rows).toEqual([{ version: '0001_vector_extension' }, { version: '0002_roles' }]);
  });
});

describe('without rds_iam (not RDS)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await newDatabase({ rdsIam: false });
  });
  afterAll(async () => {
    await db.close();
  });

  it('the roles migration fails clearly and leaves no role behind', async () => {
    const client = pgliteClient(db);
    const error = await applyMigrations(client, vectorStoreMigrations([docs], { databaseName: DB }), { log: quiet }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/Migration 0002_roles failed at statement 2 .*role rds_iam does not exist.*rolled back/);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'vectors\\_%'`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('index tasks before the migrations fail with a clear message', async () => {
    const task: IndexTask = vectorIndexTasks([docs])[0];
    await expect(applyIndexTasks(pgliteClient(db), [task], { log: quiet })).rejects.toThrow('Table public.docs does not exist: apply the migrations before the index tasks');
  });
});
