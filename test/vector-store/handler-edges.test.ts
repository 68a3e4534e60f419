/**
 * The bootstrap handler's edges: malformed events and secrets (refused before any connection), a
 * session that cannot be set up (closed, not leaked), the index budget from the Lambda's remaining time
 * and from VECTOR_INDEX_BUDGET_MS, an index build abandoned at the budget (the handler returns without
 * waiting for the busy connection), and the exported Lambda entry points. Databases are real PGlite
 * (pgvector) reached through the migrator's client interface; handler.test.ts covers the pg driver path.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VectorCollection } from '../../constructs/vector-store/collections';
import {
  createHandlers,
  isComplete as isCompleteEntryPoint,
  onEvent as onEventEntryPoint,
  type BootstrapConnection,
  type ConnectionSettings,
  type SecretsClientLike,
  type VectorBootstrapEvent,
} from '../../constructs/vector-store/handler';
import { newDatabase, pgliteClient } from './pglite';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vectors-master-AbCdEf';
const docs: VectorCollection = { name: 'document_embeddings', dimensions: 8, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const HNSW_INDEX = 'document_embeddings_hnsw_cos_m16_efc64';
const quiet = () => undefined;

function event(type: string, properties: Record<string, unknown> = {}): VectorBootstrapEvent {
  return {
    RequestType: type as VectorBootstrapEvent['RequestType'],
    PhysicalResourceId: type === 'Create' ? undefined : 'vectors-vector-bootstrap',
    ResourceProperties: { Collections: JSON.stringify([docs]), SecretArn: SECRET_ARN, DatabaseName: 'vectors', ...properties } as VectorBootstrapEvent['ResourceProperties'],
  };
}

const goodSecret: SecretsClientLike = { send: async () => ({ SecretString: JSON.stringify({ host: 'db.internal', port: 5432, username: 'postgres', password: 'p' }) }) };

/** Records what the handler opened; every test asserts on it. */
function recorder() {
  const opened: ConnectionSettings[] = [];
  const ended: string[] = [];
  return { opened, ended };
}

/** A connection to PGlite through the migrator's interface, with hooks for the query and end(). */
function pgliteConnection(
  db: PGlite,
  record: ReturnType<typeof recorder>,
  hooks: { readonly query?: (sql: string, run: () => Promise<{ rows: unknown[] }>) => Promise<{ rows: unknown[] }>; readonly end?: () => Promise<void> } = {},
) {
  return async (settings: ConnectionSettings): Promise<BootstrapConnection> => {
    record.opened.push(settings);
    const client = pgliteClient(db);
    return {
      query: (sql: string, params?: unknown[]) => (hooks.query ? hooks.query(sql, () => client.query(sql, params)) : client.query(sql, params)) as never,
      end: async () => {
        record.ended.push(settings.database);
        if (hooks.end) await hooks.end();
      },
    };
  };
}

const vectorIndexes = async (db: PGlite) =>
  (await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE indexname ~ '_(hnsw|ivfflat)_' ORDER BY 1`)).rows.map((row) => row.indexname);

describe('events and secrets the handler refuses before connecting', () => {
  const refusals: Array<[string, VectorBootstrapEvent, SecretsClientLike, RegExp]> = [
    ['no SecretArn', event('Create', { SecretArn: '' }), goodSecret, /^ResourceProperties\.SecretArn is missing$/],
    ['no Collections', event('Update', { Collections: undefined }), goodSecret, /^ResourceProperties\.Collections is missing \(expected a JSON array of collections\)$/],
    ['an unknown RequestType', event('Replace'), goodSecret, /^Unknown RequestType "Replace"$/],
    ['a secret without SecretString (a binary secret)', event('Create'), { send: async () => ({ SecretString: undefined }) }, /has no SecretString \(expected the RDS JSON secret\)$/],
    ['a secret whose fields are not strings', event('Create'), { send: async () => ({ SecretString: JSON.stringify({ host: 'h', port: 5432, username: ['u'], password: 'p' }) }) }, /host, username and password must be strings$/],
  ];

  it.each(refusals)('%s', async (_, bad, secrets, message) => {
    const record = recorder();
    const connect = async (settings: ConnectionSettings): Promise<BootstrapConnection> => {
      record.opened.push(settings);
      throw new Error('must not connect');
    };
    await expect(createHandlers({ secrets, connect, log: quiet }).onEvent(bad)).rejects.toThrow(message);
    expect(record.opened).toEqual([]);
  });
});

describe('against PGlite', () => {
  let db: PGlite;
  beforeEach(async () => {
    db = await newDatabase();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await db.close();
  });

  it('closes the connection and fails when the session settings cannot be applied, before any migration', async () => {
    const record = recorder();
    const statements: string[] = [];
    const connect = pgliteConnection(db, record, {
      query: async (sql, run) => {
        statements.push(sql);
        if (sql.includes('set_config')) throw new Error('permission denied to set parameter "client_connection_check_interval"');
        return run();
      },
    });
    const handlers = createHandlers({ secrets: goodSecret, connect, log: quiet });
    await expect(handlers.onEvent(event('Create'))).rejects.toThrow('permission denied to set parameter "client_connection_check_interval"');
    expect(statements).toHaveLength(1);
    expect(record.ended).toEqual(['vectors']);
    expect((await db.query(`SELECT 1 FROM pg_tables WHERE tablename IN ('schema_migrations', 'document_embeddings')`)).rows).toEqual([]);
  });

  it('caps the index budget at the remaining Lambda time less 30 s: nothing started with 30 s left, built with 15 minutes', async () => {
    const record = recorder();
    const handlers = createHandlers({ secrets: goodSecret, connect: pgliteConnection(db, record), log: quiet, concurrently: false });
    await handlers.onEvent(event('Create'));
    expect(await handlers.isComplete(event('Create'), { getRemainingTimeInMillis: () => 30_000 })).toEqual({ IsComplete: false, Data: { VectorIndexes: HNSW_INDEX } });
    expect(await vectorIndexes(db)).toEqual([]);
    expect(await handlers.isComplete(event('Create'), { getRemainingTimeInMillis: () => 15 * 60_000 })).toEqual({ IsComplete: true, Data: { VectorIndexes: HNSW_INDEX } });
    expect(await vectorIndexes(db)).toEqual([HNSW_INDEX]);
    expect(record.ended).toHaveLength(3);
  });

  it('takes the budget from VECTOR_INDEX_BUDGET_MS, and refuses a value that is not a positive number', async () => {
    const record = recorder();
    // A clock that moves 100 ms per reading: a 1 ms budget is spent before the first task.
    let clock = 0;
    const now = () => (clock += 100);
    const handlers = createHandlers({ secrets: goodSecret, connect: pgliteConnection(db, record), log: quiet, concurrently: false, now });
    await handlers.onEvent(event('Create'));
    vi.stubEnv('VECTOR_INDEX_BUDGET_MS', '1');
    expect((await handlers.isComplete(event('Update'))).IsComplete).toBe(false);
    expect(await vectorIndexes(db)).toEqual([]);
    for (const raw of ['0', '-5', 'ten minutes']) {
      vi.stubEnv('VECTOR_INDEX_BUDGET_MS', raw);
      const opened = record.opened.length;
      await expect(handlers.isComplete(event('Update'))).rejects.toThrow(`VECTOR_INDEX_BUDGET_MS must be a positive number of milliseconds, got "${raw}"`);
      expect(record.opened).toHaveLength(opened);
    }
    vi.stubEnv('VECTOR_INDEX_BUDGET_MS', '60000');
    expect((await handlers.isComplete(event('Update'))).IsComplete).toBe(true);
    expect(await vectorIndexes(db)).toEqual([HNSW_INDEX]);
  });

  it('returns at the budget with an index build still running, without waiting for the busy connection to close', async () => {
    const record = recorder();
    let releaseBuild: () => void = () => undefined;
    const buildHeld = new Promise<void>((resolve) => (releaseBuild = resolve));
    let building = false;
    let endSettled = false;
    const connect = pgliteConnection(db, record, {
      // The build reaches the server only once released: still "running" when the budget ends.
      query: async (sql, run) => {
        if (sql.startsWith('CREATE INDEX') && sql.includes(`"${HNSW_INDEX}"`)) {
          building = true;
          await buildHeld;
        }
        return run();
      },
      // A connection with a build in flight does not finish closing until the build does.
      end: async () => {
        if (building) await buildHeld;
        endSettled = true;
      },
    });
    const logs: string[] = [];
    // The handler's clock stands still until the build is in flight, so the budget cannot run out
    // earlier on a slow machine; the build is held, so the 50 ms wait for it always times out.
    const now = () => (building ? 1_000_000 : 0);
    const handlers = createHandlers({ secrets: goodSecret, connect, log: (message) => logs.push(message), concurrently: false, indexBudgetMs: 50, now });
    await handlers.onEvent(event('Create'));
    expect(endSettled).toBe(true); // onEvent closed its connection (no build in flight)
    endSettled = false;
    const result = await handlers.isComplete(event('Create'));
    expect(result).toEqual({ IsComplete: false, Data: { VectorIndexes: HNSW_INDEX } });
    expect(building).toBe(true);
    expect(endSettled).toBe(false);
    expect(record.ended).toHaveLength(2);
    expect(logs).toContain(`Build of ${HNSW_INDEX} still running at the deadline; the server finishes it, the next check picks it up`);
    releaseBuild();
    await vi.waitFor(async () => expect(await vectorIndexes(db)).toEqual([HNSW_INDEX]));
    // The next check finds the finished index and completes.
    const next = createHandlers({ secrets: goodSecret, connect: pgliteConnection(db, record), log: quiet, concurrently: false });
    expect((await next.isComplete(event('Create'))).IsComplete).toBe(true);
  });
});

describe('the Lambda entry points (default clients)', () => {
  it('answer Delete at once, touching neither Secrets Manager nor the database, and log that nothing is dropped', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await onEventEntryPoint(event('Delete'))).toEqual({ PhysicalResourceId: 'vectors-vector-bootstrap' });
      expect(await isCompleteEntryPoint(event('Delete'))).toEqual({ IsComplete: true });
      expect(log.mock.calls.map((args) => String(args[0]))).toEqual([
        'Delete of vectors-vector-bootstrap: nothing dropped (tables, indexes, roles and data are retained)',
      ]);
    } finally {
      log.mockRestore();
    }
  });

  it('refuse a malformed event with the property it lacks', async () => {
    await expect(onEventEntryPoint(event('Create', { SecretArn: undefined }))).rejects.toThrow('ResourceProperties.SecretArn is missing');
    await expect(isCompleteEntryPoint(event('Create', { Collections: '{not json' }))).rejects.toThrow(/ResourceProperties.Collections is not valid JSON/);
  });
});
