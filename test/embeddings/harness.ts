/**
 * The embeddings consumer on real engines: PGlite with pgvector (migrated like the bootstrap does),
 * moto's S3, and the loopback InvokeModel server with the real Bedrock SDK client.
 */
import type { PGlite } from '@electric-sql/pglite';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockEmbedder } from '../../constructs/embeddings/bedrock';
import { bedrockInvoker, createConsumer, newBedrockClient, s3Source, type BatchResponse, type ConsumerDependencies, type DatabaseSession, type InvocationContext } from '../../constructs/embeddings/handler';
import type { SqsEvent, SqsRecord } from '../../constructs/embeddings/events';
import { EMBEDDING_MODELS, resolveSettings, type EmbeddingCollectionSettings, type EmbeddingSettingsInput } from '../../constructs/embeddings/settings';
import { vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { applyMigrations, type SqlClient } from '../../constructs/vector-store/migrator';
import { newDatabase, pgliteClient } from '../vector-store/pglite';
import { startMotoServer } from '../support/moto-server';
import { startBedrockServer, type BedrockServer } from './bedrock-server';

export const BUCKET = 'docs-bucket';

export interface Harness {
  readonly db: PGlite;
  readonly sql: SqlClient;
  readonly s3: S3Client;
  readonly motoEndpoint: string;
  readonly bedrock: BedrockServer;
  readonly bedrockClient: BedrockRuntimeClient;
  readonly logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  readonly metrics: Array<Record<string, unknown>>;
  consumer(settings?: Partial<EmbeddingSettingsInput>, overrides?: Partial<ConsumerDependencies>): (event: SqsEvent, context?: InvocationContext) => Promise<BatchResponse>;
  remove(key: string): Promise<void>;
  put(key: string, body: string | Uint8Array, options?: { metadata?: Record<string, string>; tags?: string; contentType?: string }): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [moto, bedrock, db] = await Promise.all([startMotoServer(), startBedrockServer(), newDatabase()]);
  const sql = pgliteClient(db);
  await applyMigrations(sql, vectorStoreMigrations([], { databaseName: 'vectors' }), { log: () => undefined });
  const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const bedrockClient = newBedrockClient({ region: 'us-east-1', endpoint: bedrock.endpoint, credentials });
  const logs: Harness['logs'] = [];
  const metrics: Harness['metrics'] = [];
  return {
    db,
    sql,
    s3,
    motoEndpoint: moto.endpoint,
    bedrock,
    bedrockClient,
    logs,
    metrics,
    consumer(input = {}, overrides = {}) {
      const settings: EmbeddingCollectionSettings = resolveSettings({ collection: 'docs', dimensions: 256, chunk: { size: 40, overlap: 8 }, requestsPerSecond: 10_000, ...input });
      return createConsumer({
        settings,
        connect: async (): Promise<DatabaseSession> => ({ query: (text, params) => sql.query(text, params), end: async () => undefined }),
        source: s3Source(s3),
        embedderFor: (generation) =>
          createBedrockEmbedder({
            invoke: bedrockInvoker(bedrockClient),
            model: EMBEDDING_MODELS[generation.model],
            dimensions: generation.dimensions,
            requestsPerSecond: settings.requestsPerSecond,
            maxAttempts: settings.maxAttempts,
            concurrency: settings.concurrency,
            baseDelayMs: 1,
          }),
        log: (message, fields) => logs.push({ message, fields }),
        emitMetrics: (document) => metrics.push(document),
        ...overrides,
      });
    },
    async remove(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    },
    async put(key, body, options = {}) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body, Metadata: options.metadata, Tagging: options.tags, ContentType: options.contentType }));
    },
    async stop() {
      s3.destroy();
      bedrockClient.destroy();
      await Promise.all([moto.stop(), bedrock.stop(), db.close()]);
    },
  };
}

let messages = 0;

/** An SQS record carrying an EventBridge S3 event. */
export function s3Record(kind: 'created' | 'deleted', key: string, sequencer: string, extra: { size?: number; versionId?: string } = {}): SqsRecord {
  messages += 1;
  return {
    messageId: `m-${messages}`,
    body: JSON.stringify({
      version: '0',
      id: `e-${messages}`,
      'detail-type': kind === 'created' ? 'Object Created' : 'Object Deleted',
      source: 'aws.s3',
      time: '2026-12-04T10:00:00Z',
      detail: { version: '0', bucket: { name: BUCKET }, object: { key, sequencer, ...(extra.size === undefined ? {} : { size: extra.size }), ...(extra.versionId ? { 'version-id': extra.versionId } : {}) }, reason: 'PutObject' },
    }),
  };
}

export const batch = (...records: SqsRecord[]): SqsEvent => ({ Records: records });

/** The chunk rows of a collection: source key, ordinal, content, generation. */
export async function chunkRows(sql: SqlClient, collection = 'docs'): Promise<Array<Record<string, unknown>>> {
  return (
    await sql.query(
      `SELECT source_key, ordinal, generation, content, dataset, classification, data_subject_id, metadata, vector_dims(embedding) AS dims
         FROM embedding_chunks WHERE collection = $1 ORDER BY source_key, generation, ordinal`,
      [collection],
    )
  ).rows;
}

export async function documentRows(sql: SqlClient, collection = 'docs'): Promise<Array<Record<string, unknown>>> {
  return (await sql.query(`SELECT source_key, generation, status, skip_reason, chunk_count FROM embedding_documents WHERE collection = $1 ORDER BY source_key, generation`, [collection])).rows;
}
