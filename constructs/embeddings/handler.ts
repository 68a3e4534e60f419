/**
 * Embeddings consumer (Lambda, SQS event source with `ReportBatchItemFailures`): SQS records carrying
 * EventBridge S3 events for one collection's source bucket.
 *
 * Per batch: one database connection; records are processed in order (so a duplicate or a reversed
 * pair in one batch meets the ledger's sequencer check); then, while a model change is being built,
 * up to `backfillPerInvocation` documents are re-embedded into the new generation.
 *
 * Outcomes per record: indexed, skipped (with a reason in the ledger), deleted, stale (an equal or newer
 * event was applied: a no-op) and malformed (not an S3 event: logged and acknowledged, since a retry
 * cannot fix it) are successes; a Bedrock or database error is a failure in `batchItemFailures`, so SQS
 * redelivers that record only (and, after the queue's maxReceiveCount, moves it to the dead-letter queue).
 * After a database error the connection is dropped and the rest of the batch is reported failed without
 * being attempted: they are retried on a fresh connection.
 *
 * A `rows` collection's Parquet file is applied row by row; when the invocation's remaining time falls
 * under a margin (a quarter of the time it started with, at most 60 s) the file stops before its next
 * row, and that record and the rest of the batch are reported failed: SQS redelivers them, the rows
 * already applied are `stale` then, so every delivery makes progress (see row-documents.ts).
 *
 * Environment (set by the CDK wiring): `EMBEDDINGS_SETTINGS` (JSON, see settings.ts), the vector store's
 * PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGUSER (`<db>_readwrite`, IAM authentication), AWS_REGION.
 * Metrics: CloudWatch embedded metric format, namespace `Lakehouse/Embeddings`, dimension `Collection`.
 *
 * The AWS SDK is imported here only (the modules next to it are plain library code): the S3 source and
 * the Bedrock invoker below adapt the SDK clients to the pipeline's interfaces.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { GetObjectCommand, GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { Signer } from '@aws-sdk/rds-signer';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Client } from 'pg';
import { createBedrockEmbedder, type Embedder, type ModelInvoker } from './bedrock';
import { parseRecord, type SqsEvent } from './events';
import { EmbeddingPipeline, type EventResult } from './pipeline';
import { settingsFromEnvironment, EMBEDDING_MODELS, type EmbeddingCollectionSettings } from './settings';
import type { ObjectSource } from './source';
import type { Generation } from './ledger';
import type { SqlClient } from '../vector-store/migrator';
import { connectionFromEnvironment } from '../../vector-client/environment';

export interface BatchResponse {
  readonly batchItemFailures: Array<{ readonly itemIdentifier: string }>;
}

/** A database session for one batch. */
export interface DatabaseSession extends SqlClient {
  end(): Promise<void>;
}

export interface ConsumerDependencies {
  readonly settings: EmbeddingCollectionSettings;
  readonly connect: () => Promise<DatabaseSession>;
  readonly source: ObjectSource;
  readonly embedderFor: (generation: Generation) => Embedder;
  /** @default console.log of JSON lines */
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Receives the metrics document (embedded metric format). @default console.log */
  readonly emitMetrics?: (document: Record<string, unknown>) => void;
}

export const METRIC_NAMESPACE = 'Lakehouse/Embeddings';

/** The part of the Lambda context the consumer reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Stop a Parquet file when less than this much time is left (or a quarter of the starting time, if less). */
export const ROWS_TIME_MARGIN_MS = 60_000;

export interface BatchTotals {
  indexed: number;
  skipped: number;
  deleted: number;
  stale: number;
  malformed: number;
  failed: number;
  chunksEmbedded: number;
  chunksReused: number;
  tokens: number;
  calls: number;
  throttled: number;
  costUsd: number;
  /** Row documents (rows collections): indexed, deleted by a tombstone row, stale, skipped; rows without a valid id or ordering value. */
  rowDocumentsIndexed: number;
  rowDocumentsDeleted: number;
  rowDocumentsStale: number;
  rowDocumentsSkipped: number;
  rowsInvalid: number;
}

export function createConsumer(deps: ConsumerDependencies): (event: SqsEvent, context?: InvocationContext) => Promise<BatchResponse> {
  const log = deps.log ?? ((message: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ message, ...fields })));
  const emit = deps.emitMetrics ?? ((document: Record<string, unknown>) => console.log(JSON.stringify(document)));

  return async (event, context) => {
    const records = Array.isArray(event?.Records) ? event.Records : [];
    const failures: string[] = [];
    // Files cut short by time: redelivered like failures, but not errors (not in RecordsFailed, the failure-rate alarm's input).
    const continued: string[] = [];
    const totals: BatchTotals = {
      ...{ indexed: 0, skipped: 0, deleted: 0, stale: 0, malformed: 0, failed: 0, chunksEmbedded: 0, chunksReused: 0, tokens: 0, calls: 0, throttled: 0, costUsd: 0 },
      ...{ rowDocumentsIndexed: 0, rowDocumentsDeleted: 0, rowDocumentsStale: 0, rowDocumentsSkipped: 0, rowsInvalid: 0 },
    };
    const margin = context ? Math.min(ROWS_TIME_MARGIN_MS, context.getRemainingTimeInMillis() / 4) : 0;
    let outOfTime = false;
    const shouldStop = () => (outOfTime ||= context !== undefined && context.getRemainingTimeInMillis() < margin);
    const add = (result: EventResult) => {
      totals[result.outcome] += 1;
      if (result.documents) {
        totals.rowDocumentsIndexed += result.documents.indexed;
        totals.rowDocumentsDeleted += result.documents.deleted;
        totals.rowDocumentsStale += result.documents.stale;
        totals.rowDocumentsSkipped += result.documents.skipped;
        totals.rowsInvalid += result.documents.invalid;
      }
      totals.chunksEmbedded += result.embedded;
      totals.chunksReused += result.reused;
      totals.tokens += result.tokens;
      totals.calls += result.calls;
      totals.throttled += result.throttled;
      totals.costUsd += result.costUsd;
    };

    let session: DatabaseSession | undefined;
    let broken = false;
    try {
      session = await deps.connect();
    } catch (error) {
      log('database connection failed; every record is retried', { error: describe(error) });
      broken = true;
    }
    const pipeline = session ? new EmbeddingPipeline({ db: session, source: deps.source, embedderFor: deps.embedderFor, settings: deps.settings, log, shouldStop }) : undefined;

    for (const record of records) {
      const parsed = parseRecord(record);
      if (!parsed.ok) {
        totals.malformed += 1;
        log('malformed record acknowledged', { messageId: parsed.messageId, reason: parsed.reason });
        continue;
      }
      if (broken || outOfTime || !pipeline) {
        (broken || !pipeline ? failures : continued).push(parsed.messageId);
        continue;
      }
      try {
        const result = await pipeline.process(parsed.event);
        add(result);
        log('processed', { messageId: parsed.messageId, key: parsed.event.key, kind: parsed.event.kind, outcome: result.outcome, skipReason: result.skipReason, embedded: result.embedded, reused: result.reused, ...(result.documents ? { documents: result.documents } : {}) });
        if (result.incomplete) {
          continued.push(parsed.messageId);
          log('time running out: the file stopped before its last row; it and the rest of the batch are retried (applied rows stay applied)', { messageId: parsed.messageId, key: parsed.event.key });
        }
      } catch (error) {
        failures.push(parsed.messageId);
        const database = isDatabaseError(error);
        broken = database;
        log(database ? 'database error; record and the rest of the batch retried' : 'record failed; retried', { messageId: parsed.messageId, key: parsed.event.key, error: describe(error) });
      }
    }

    if (pipeline && !broken && !shouldStop()) {
      try {
        const backfill = await pipeline.backfill();
        for (const result of backfill.result) add(result);
        if (backfill.processed > 0 || backfill.activated) log('backfill', { processed: backfill.processed, activated: backfill.activated });
      } catch (error) {
        // The batch's own records are done; the next invocation continues the backfill.
        log('backfill step failed', { error: describe(error) });
      }
    }
    await session?.end().catch(() => undefined);
    totals.failed = failures.length;
    emit(metricsDocument(deps.settings.collection, totals));
    return { batchItemFailures: [...failures, ...continued].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** CloudWatch embedded metric format: one document, every count as a metric. */
export function metricsDocument(collection: string, totals: BatchTotals): Record<string, unknown> {
  const metrics: Array<[string, keyof BatchTotals, string]> = [
    ['DocumentsIndexed', 'indexed', 'Count'],
    ['DocumentsSkipped', 'skipped', 'Count'],
    ['DocumentsDeleted', 'deleted', 'Count'],
    ['EventsStale', 'stale', 'Count'],
    ['RecordsMalformed', 'malformed', 'Count'],
    ['RecordsFailed', 'failed', 'Count'],
    ['ChunksEmbedded', 'chunksEmbedded', 'Count'],
    ['ChunksReused', 'chunksReused', 'Count'],
    ['EmbeddingTokens', 'tokens', 'Count'],
    ['EmbeddingCalls', 'calls', 'Count'],
    ['EmbeddingThrottles', 'throttled', 'Count'],
    ['EstimatedCostUSD', 'costUsd', 'None'],
    ['RowDocumentsIndexed', 'rowDocumentsIndexed', 'Count'],
    ['RowDocumentsDeleted', 'rowDocumentsDeleted', 'Count'],
    ['RowDocumentsStale', 'rowDocumentsStale', 'Count'],
    ['RowDocumentsSkipped', 'rowDocumentsSkipped', 'Count'],
    ['RowsInvalid', 'rowsInvalid', 'Count'],
  ];
  return {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Collection']], Metrics: metrics.map(([Name, , Unit]) => ({ Name, Unit })) }] },
    Collection: collection,
    ...Object.fromEntries(metrics.map(([name, key]) => [name, totals[key]])),
  };
}

/** pg errors carry an SQLSTATE `code`, connection errors a system code or a "Connection terminated" message. */
export function isDatabaseError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e?.code === 'string' && (/^[0-9A-Z]{5}$/.test(e.code) || /^E[A-Z]+$/.test(e.code))) return true;
  return typeof e?.message === 'string' && /connection|terminat/i.test(e.message) && e.name !== 'EmbeddingError';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The production wiring from the environment (read once per container). */
export function consumerFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): (event: SqsEvent, context?: InvocationContext) => Promise<BatchResponse> {
  const settings = settingsFromEnvironment(env);
  const connection = connectionFromEnvironment(env);
  const region = env.AWS_REGION;
  const signer = new Signer({ hostname: connection.host, port: connection.port, username: connection.user, region });
  const bedrock = newBedrockClient({ region });
  const embedders = new Map<string, Embedder>();
  return createConsumer({
    settings,
    source: s3Source(new S3Client({ region })),
    connect: async () => {
      const client = new Client({ ...connection, password: await signer.getAuthToken() });
      await client.connect();
      return client;
    },
    embedderFor: (generation) => {
      const key = `${generation.model}/${generation.dimensions}`;
      let embedder = embedders.get(key);
      if (!embedder) {
        embedder = createBedrockEmbedder({
          invoke: bedrockInvoker(bedrock),
          model: EMBEDDING_MODELS[generation.model] ?? EMBEDDING_MODELS[settings.model],
          dimensions: generation.dimensions,
          requestsPerSecond: settings.requestsPerSecond,
          maxAttempts: settings.maxAttempts,
          concurrency: settings.concurrency,
        });
        embedders.set(key, embedder);
      }
      return embedder;
    },
  });
}

/**
 * A Bedrock runtime client with the SDK's retries off (bedrock.ts retries) and HTTP/1.1 with timeouts
 * (the client defaults to HTTP/2, which only the streaming operations need; InvokeModel does not).
 */
export function newBedrockClient(config: ConstructorParameters<typeof BedrockRuntimeClient>[0] = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }), ...config, maxAttempts: 1 });
}

/** InvokeModel through the SDK: JSON body in, JSON text out. */
export function bedrockInvoker(client: Pick<BedrockRuntimeClient, 'send'>): ModelInvoker {
  return async (modelId, body) => {
    const response = await client.send(new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: new TextEncoder().encode(body) }));
    return new TextDecoder().decode(response.body);
  };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return NOT_FOUND.has(String(e?.name)) || e?.$metadata?.httpStatusCode === 404;
}

/** The object source over S3 (GetObject, GetObjectTagging); a missing key or version is `found: false`. */
export function s3Source(client: Pick<S3Client, 'send'>): ObjectSource {
  return {
    async fetch(bucket, key, versionId, maxBytes) {
      let response;
      try {
        response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      } catch (error) {
        if (isNotFound(error)) return { found: false };
        throw error;
      }
      const size = response.ContentLength ?? 0;
      if (size > maxBytes) {
        // Do not download what will not be used: close the stream.
        (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { found: true, tooLarge: true, size };
      }
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      let tags: Record<string, string> = {};
      try {
        const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: response.VersionId ?? versionId }));
        tags = Object.fromEntries((tagging.TagSet ?? []).map((tag) => [String(tag.Key).toLowerCase(), String(tag.Value)]));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return {
        found: true,
        bytes,
        size: bytes.length,
        contentType: response.ContentType,
        etag: response.ETag?.replace(/"/g, ''),
        versionId: response.VersionId,
        metadata: Object.fromEntries(Object.entries(response.Metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
        tags,
      };
    },
  };
}

let cached: ((event: SqsEvent, context?: InvocationContext) => Promise<BatchResponse>) | undefined;

/** Lambda entry point. A configuration error fails every record with a clear log line, not a stack trace. */
export async function handler(event: SqsEvent, context?: InvocationContext): Promise<BatchResponse> {
  try {
    cached ??= consumerFromEnvironment();
  } catch (error) {
    console.log(JSON.stringify({ message: 'embeddings consumer is misconfigured; every record is retried', error: error instanceof Error ? error.message : String(error) }));
    return { batchItemFailures: (event?.Records ?? []).map((record) => ({ itemIdentifier: record.messageId })) };
  }
  return cached(event, context);
}
