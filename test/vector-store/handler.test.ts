/**
 * The bootstrap handlers end to end: Provider-framework events → fake Secrets Manager → the real `pg`
 * driver → PGlite served on a socket (real pgvector). Only TLS is off (PGlite's socket has none); the
 * TLS settings are checked separately, including a refused self-signed server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { VectorCollection } from '../../constructs/vector-store/collections';
import {
  RDS_CA_BUNDLE,
  connectPg,
  connectWithTls,
  createHandlers,
  pgClientConfig,
  readDatabaseSecret,
  type ConnectionSettings,
  type SecretsClientLike,
  type VectorBootstrapEvent,
} from '../../constructs/vector-store/handler';
import { catalogSnapshot, newDatabase, pgliteClient, serve, type ServedDatabase } from './pglite';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vectors-master-AbCdEf';
const DATABASE = 'vectors';
const quiet = () => undefined;

const docs: VectorCollection = { name: 'document_embeddings', dimensions: 8, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const images: VectorCollection = { name: 'image_embeddings', dimensions: 4, metric: 'l2', index: { type: 'ivfflat', lists: 4 } };

function event(type: VectorBootstrapEvent['RequestType'], collections: readonly VectorCollection[], extra: Partial<VectorBootstrapEvent> = {}): VectorBootstrapEvent {
  return {
    RequestType: type,
    RequestId: `request-${Math.random()}`,
    LogicalResourceId: 'VectorBootstrap',
    PhysicalResourceId: type === 'Create' ? undefined : `${DATABASE}-vector-bootstrap`,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider', Collections: JSON.stringify(collections), SecretArn: SECRET_ARN, DatabaseName: DATABASE },
    ...extra,
  };
}

describe('bootstrap handlers through pglite-socket and the pg driver', () => {
  let db: PGlite;
  let served: ServedDatabase;
  const secretReads: string[] = [];
  const connections: ConnectionSettings[] = [];
  let handlers: ReturnType<typeof createHandlers>;

  beforeAll(async () => {
    db = await newDatabase();
    served = await serve(db);
    const secrets: SecretsClientLike = {
      async send(command: GetSecretValueCommand) {
        secretReads.push(String(command.input.SecretId));
        return {
          SecretString: JSON.stringify({ engine: 'postgres', host: served.host, port: served.port, username: 'postgres', password: 'not-used-by-pglite', dbname: DATABASE }),
        };
      },
    };
    handlers = createHandlers({
      secrets,
      // The production configuration with TLS turned off: PGlite's socket speaks no TLS.
      connect: (settings) => {
        connections.push(settings);
        return connectPg({ ...pgClientConfig(settings), ssl: false });
      },
      log: quiet,
    });
  });

  afterAll(async () => {
    await served?.stop();
    await db?.close();
  });

  /** What the Provider framework does: call isComplete until it says so. */
  async function untilComplete(onEventEvent: VectorBootstrapEvent, data?: Record<string, string>): Promise<number> {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const { IsComplete } = await handlers.isComplete({ ...onEventEvent, PhysicalResourceId: `${DATABASE}-vector-bootstrap`, Data: data });
      if (IsComplete) return attempt;
    }
    throw new Error('isComplete never completed');
  }

  it('Create: migrations in onEvent, indexes in isComplete', async () => {
    const create = event('Create', [docs, images]);
    const response = await handlers.onEvent(create);
    expect(response).toEqual({
      PhysicalResourceId: 'vectors-vector-bootstrap',
      Data: {
        DatabaseName: 'vectors',
        ReadWriteRole: 'vectors_readwrite',
        ReadOnlyRole: 'vectors_readonly',
        Collections: 'document_embeddings,image_embeddings',
        AppliedMigrations: '0001_vector_extension,0002_roles,collection/document_embeddings/0001_table,collection/image_embeddings/0001_table,0003_embeddings_ledger,0004_embeddings_generation_indexes,0005_privacy_role',
      },
    });
    expect(secretReads).toEqual([SECRET_ARN]);
    expect(connections[0]).toEqual({ host: served.host, port: served.port, user: 'postgres', password: 'not-used-by-pglite', database: 'vectors' });

    expect(await untilComplete(create, response.Data)).toBe(1);
    const { rows } = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE indexname ~ '_(hnsw|ivfflat)_' ORDER BY 1`);
    expect(rows.map((row) => row.indexname)).toEqual(['document_embeddings_hnsw_cos_m16_efc64', 'image_embeddings_ivfflat_l2_lists4']);
    // The session settings that let an abandoned build finish in the server.
    const { rows: settings } = await db.query(`SELECT current_setting('statement_timeout') AS st, current_setting('client_connection_check_interval') AS ccci`);
    expect(settings).toEqual([{ st: '0', ccci: '0' }]);
  });

  it('a repeated Create/Update with the same properties changes nothing', async () => {
    const before = await catalogSnapshot(pgliteClient(db));
    const update = event('Update', [docs, images], { OldResourceProperties: event('Create', [docs, images]).ResourceProperties });
    expect((await handlers.onEvent(update)).Data?.AppliedMigrations).toBe('');
    expect(await handlers.isComplete({ ...update, PhysicalResourceId: 'vectors-vector-bootstrap' })).toEqual({
      IsComplete: true,
      Data: { VectorIndexes: 'document_embeddings_hnsw_cos_m16_efc64,image_embeddings_ivfflat_l2_lists4' },
    });
    expect(await catalogSnapshot(pgliteClient(db))).toEqual(before);
  });

  it('Update with new index parameters and a new collection: new index built, old dropped, new table', async () => {
    await db.query(`INSERT INTO public.document_embeddings (document_id, content, embedding) VALUES ('keep-me', 'x', '[1,0,0,0,0,0,0,0]')`);
    const retuned: VectorCollection = { ...docs, index: { type: 'hnsw', m: 24, efConstruction: 128 } };
    const notes: VectorCollection = { name: 'notes', dimensions: 3, metric: 'inner_product', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
    const update = event('Update', [retuned, images, notes], { OldResourceProperties: event('Create', [docs, images]).ResourceProperties });
    const response = await handlers.onEvent(update);
    expect(response.PhysicalResourceId).toBe('vectors-vector-bootstrap');
    expect(response.Data?.AppliedMigrations).toBe('collection/notes/0001_table');

    // A budget of zero: nothing starts, the Provider framework is told to come back.
    const budgetless = createHandlers({ secrets: { send: async () => ({ SecretString: JSON.stringify({ host: served.host, port: served.port, username: 'postgres', password: 'x' }) }) }, connect: (s) => connectPg({ ...pgClientConfig(s), ssl: false }), log: quiet, indexBudgetMs: 0 });
    expect((await budgetless.isComplete({ ...update, PhysicalResourceId: 'vectors-vector-bootstrap' })).IsComplete).toBe(false);

    expect(await untilComplete(update)).toBe(1);
    const { rows } = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE indexname ~ '_(hnsw|ivfflat)_' ORDER BY 1`);
    expect(rows.map((row) => row.indexname)).toEqual(['document_embeddings_hnsw_cos_m24_efc128', 'image_embeddings_ivfflat_l2_lists4', 'notes_hnsw_ip_m16_efc64']);
    const { rows: kept } = await db.query(`SELECT document_id FROM public.document_embeddings`);
    expect(kept).toEqual([{ document_id: 'keep-me' }]);
  });

  it('Update that changes a collection dimensions fails (forward-only) and changes nothing', async () => {
    const before = await catalogSnapshot(pgliteClient(db));
    const update = event('Update', [{ ...docs, dimensions: 16 }, images], { OldResourceProperties: event('Create', [docs, images]).ResourceProperties });
    await expect(handlers.onEvent(update)).rejects.toThrow(/collection\/document_embeddings\/0001_table.*dimensions cannot change/s);
    expect(await catalogSnapshot(pgliteClient(db))).toEqual(before);
  });

  it('invalid collections fail before any secret is read or connection made', async () => {
    const reads = secretReads.length;
    const opened = connections.length;
    const bad = event('Create', [{ ...docs, metric: 'dot' as never }, { ...images, name: 'select' }]);
    await expect(handlers.onEvent(bad)).rejects.toThrow(/Invalid configuration in vector collections[\s\S]*collections\[0\]\.metric: got "dot"[\s\S]*collections\[1\]\.name: got "select"; an SQL reserved word/);
    await expect(handlers.onEvent({ ...bad, ResourceProperties: { ...bad.ResourceProperties, Collections: '{not json' } })).rejects.toThrow(/ResourceProperties.Collections is not valid JSON/);
    await expect(handlers.onEvent({ ...bad, ResourceProperties: { ...event('Create', [docs]).ResourceProperties, DatabaseName: 'Bad-Name' } })).rejects.toThrow(/Invalid database name "Bad-Name"/);
    expect(secretReads.length).toBe(reads);
    expect(connections.length).toBe(opened);
  });

  it('Delete does nothing: no secret read, no connection, every table and row stays; isComplete is immediate', async () => {
    const before = await catalogSnapshot(pgliteClient(db));
    const reads = secretReads.length;
    const opened = connections.length;
    const remove = event('Delete', [docs, images]);
    expect(await handlers.onEvent(remove)).toEqual({ PhysicalResourceId: 'vectors-vector-bootstrap' });
    expect(await handlers.isComplete(remove)).toEqual({ IsComplete: true });
    // Even a Delete whose properties are garbage (a failed Create rolling back) succeeds.
    expect(await handlers.onEvent({ ...remove, PhysicalResourceId: undefined, ResourceProperties: { Collections: 'garbage' } as never })).toEqual({
      PhysicalResourceId: 'unknown-vector-bootstrap',
    });
    expect(secretReads.length).toBe(reads);
    expect(connections.length).toBe(opened);
    expect(await catalogSnapshot(pgliteClient(db))).toEqual(before);
  });
});

describe('secret and TLS settings', () => {
  it('pg configuration: TLS with the RDS CA bundle, certificate and host name verified', () => {
    const config = pgClientConfig({ host: 'db.example.eu-west-1.rds.amazonaws.com', port: 5432, user: 'postgres', password: 'p', database: 'vectors' });
    expect(config.ssl).toEqual({ ca: [...RDS_CA_BUNDLE], rejectUnauthorized: true });
    expect(RDS_CA_BUNDLE.length).toBeGreaterThan(100);
    expect(RDS_CA_BUNDLE.every((pem) => pem.startsWith('-----BEGIN CERTIFICATE-----'))).toBe(true);
  });

  it('reads the RDS secret and explains what is missing, never showing the password', async () => {
    const secrets = (value: unknown): SecretsClientLike => ({ send: async () => ({ SecretString: typeof value === 'string' ? value : JSON.stringify(value) }) });
    expect(await readDatabaseSecret(secrets({ host: 'h', port: '5432', username: 'u', password: 'p', dbname: 'd' }), SECRET_ARN)).toEqual({
      host: 'h',
      port: 5432,
      username: 'u',
      password: 'p',
      dbname: 'd',
    });
    await expect(readDatabaseSecret(secrets({ username: 'u', password: 'hunter2' }), SECRET_ARN)).rejects.toThrow(/lacks host, port \(a generated secret gets host and port once it is attached/);
    await expect(readDatabaseSecret(secrets({ host: 'h', port: 'x', username: 'u', password: 'hunter2' }), SECRET_ARN)).rejects.toThrow(/invalid port "x"/);
    await expect(readDatabaseSecret(secrets('not json hunter2'), SECRET_ARN)).rejects.toThrow(/is not JSON/);
    const error = (await readDatabaseSecret(secrets({ host: 'h', port: 1, username: 7, password: 'hunter2' }), SECRET_ARN).catch((caught: Error) => caught)) as Error;
    expect(error.message).not.toContain('hunter2');
  });

  describe('a server whose certificate is not from the RDS CA', () => {
    let directory: string;
    let server: Server;
    let port: number;

    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'vector-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore' });
      const key = readFileSync(join(directory, 'key.pem'));
      const cert = readFileSync(join(directory, 'cert.pem'));
      // Just enough PostgreSQL: answer the SSLRequest with 'S', then offer TLS with a self-signed certificate.
      server = createServer((socket) => {
        socket.once('data', () => {
          socket.write('S');
          const tls = new TLSSocket(socket, { isServer: true, key, cert });
          tls.on('error', () => undefined);
        });
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    });

    it('is refused by the production connection (rejectUnauthorized)', async () => {
      const error = (await connectWithTls({ host: '127.0.0.1', port, user: 'postgres', password: 'p', database: 'vectors' }).catch((caught: Error) => caught)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect((error as NodeJS.ErrnoException).code ?? error.message).toMatch(/SELF_SIGNED|self.signed/i);
    });
  });
});
