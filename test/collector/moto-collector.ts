/**
 * A collector against moto: real Kinesis streams (the events dataset's and the quarantine's) and a real
 * Secrets Manager secret holding a source's hashed keys, reached through the real AWS SDK clients.
 * Test files start one per file and build Collectors on it with the settings they need.
 */
import { gzipSync } from 'node:zlib';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { events } from '../../config/datasets/events';
import { Collector } from '../../constructs/collector/runtime/collector';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from '../../constructs/collector/runtime/proxy-event';
import type { RetryPolicy } from '../../constructs/collector/runtime/stream-writer';
import { WriteKeyStore } from '../../constructs/collector/runtime/write-keys';
import { DEFAULT_COLLECTOR_LIMITS, type CollectorSettings } from '../../constructs/collector/settings';
import { hashWriteKey, type WriteKeyDocument } from '../../constructs/collector/write-key-document';
import { CREDENTIALS, REGION, startMotoKinesis, type MotoKinesis } from '../producer/moto-kinesis';

export const WEB_KEY = 'web-key-0123456789abcdefghijklmnopqrstuvwx';
export const REVOKED_KEY = 'web-key-revoked-000000000000000000000000000';
export const BACKEND_KEY = 'backend-key-0123456789abcdefghijklmnopqrst';
export const EVENTS_STREAM = 'lakehouse-test-events';
export const ORDERS_STREAM = 'lakehouse-test-orders';
export const QUARANTINE_STREAM = 'lakehouse-test-collector_quarantine';

/** A second dataset of the same record shape that only the backend source may write. */
export const orders = { ...events, name: 'orders' };

export function webKeyDocument(): WriteKeyDocument {
  return {
    keys: [
      { id: 'web-2026-12', sha256: hashWriteKey(WEB_KEY), notBefore: '2026-01-01T00:00:00Z' },
      { id: 'web-leaked', sha256: hashWriteKey(REVOKED_KEY), revoked: true },
    ],
  };
}

export function testSettings(overrides: Partial<CollectorSettings> = {}): CollectorSettings {
  return {
    version: 1,
    sources: [
      { name: 'web', writeKeySecretArn: 'lakehouse/collector/web', datasets: ['events'] },
      { name: 'backend', writeKeySecretArn: 'lakehouse/collector/backend', datasets: ['events', 'orders'] },
    ],
    datasets: [
      { name: 'events', streamName: EVENTS_STREAM, definition: events },
      { name: 'orders', streamName: ORDERS_STREAM, definition: orders },
    ],
    quarantine: { streamName: QUARANTINE_STREAM },
    limits: DEFAULT_COLLECTOR_LIMITS,
    privacy: { ip: 'truncate', keepUserAgent: false },
    keyCacheSeconds: 300,
    allowedOrigins: ['https://shop.example.com'],
    ...overrides,
  };
}

/** No waiting between retries: the retry logic runs, the test does not sleep. */
export const NO_WAIT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1000, sleep: async () => undefined, random: () => 0.5 };

export interface MotoCollector {
  readonly kinesis: MotoKinesis;
  readonly secrets: SecretsManagerClient;
  readonly endpoint: string;
  /** Reads a secret from moto, counting the reads. */
  readonly readSecret: (id: string) => Promise<string>;
  secretReads(): number;
  putKeyDocument(secretId: string, document: WriteKeyDocument): Promise<void>;
  stop(): Promise<void>;
}

export async function startMotoCollector(): Promise<MotoCollector> {
  const kinesis = await startMotoKinesis();
  const secrets = new SecretsManagerClient({ endpoint: kinesis.endpoint, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
  for (const stream of [EVENTS_STREAM, ORDERS_STREAM, QUARANTINE_STREAM]) await kinesis.createStream(stream, 2);
  await secrets.send(new CreateSecretCommand({ Name: 'lakehouse/collector/web', SecretString: JSON.stringify(webKeyDocument()) }));
  await secrets.send(
    new CreateSecretCommand({ Name: 'lakehouse/collector/backend', SecretString: JSON.stringify({ keys: [{ id: 'backend-1', sha256: hashWriteKey(BACKEND_KEY) }] }) }),
  );
  let reads = 0;
  return {
    kinesis,
    secrets,
    endpoint: kinesis.endpoint,
    readSecret: async (id) => {
      reads += 1;
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
      return SecretString ?? '';
    },
    secretReads: () => reads,
    async putKeyDocument(secretId, document) {
      await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(document) }));
    },
    async stop() {
      secrets.destroy();
      await kinesis.stop();
    },
  };
}

export interface CollectorUnderTest {
  readonly collector: Collector;
  /** Log lines the collector wrote (metrics lines, errors). */
  readonly lines: Array<Record<string, unknown>>;
}

export function buildCollector(
  moto: MotoCollector,
  options: { settings?: CollectorSettings; now?: () => number; client?: KinesisClient | { send: KinesisClient['send'] }; retry?: RetryPolicy } = {},
): CollectorUnderTest {
  const settings = options.settings ?? testSettings();
  const lines: Array<Record<string, unknown>> = [];
  const log = (line: Record<string, unknown>) => void lines.push(line);
  const collector = new Collector({
    settings,
    kinesis: (options.client ?? moto.kinesis.client) as KinesisClient,
    keys: new WriteKeyStore(settings.sources, moto.readSecret, settings.keyCacheSeconds, log),
    now: options.now,
    retry: options.retry ?? NO_WAIT_RETRY,
    log,
  });
  return { collector, lines };
}

export interface RequestOptions {
  readonly key?: string | null;
  readonly contentType?: string | null;
  readonly gzip?: boolean;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly method?: string;
  readonly sourceIp?: string;
  readonly requestId?: string;
}

let requests = 0;

/** A REST proxy event (v1) as API Gateway builds it for `POST /v1/<path>`; each gets its own request id. */
export function proxyEvent(path: string, body: unknown, options: RequestOptions = {}): APIGatewayProxyEvent {
  const text = options.rawBody ?? JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  const key = options.key === undefined ? WEB_KEY : options.key;
  if (key !== null) headers.Authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  if (options.gzip) headers['Content-Encoding'] = 'gzip';
  return {
    httpMethod: options.method ?? 'POST',
    path: `/v1/${path}`,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body: options.gzip ? gzipSync(Buffer.from(text)).toString('base64') : text,
    isBase64Encoded: options.gzip === true,
    requestContext: { requestId: options.requestId ?? `req-${(requests += 1)}-${process.pid}`, requestTimeEpoch: Date.now(), identity: { sourceIp: options.sourceIp ?? '203.0.113.77' } },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { success: boolean; accepted: number; rejected: Array<{ index: number; messageId?: string; stage: string; reasons: string[] }>; message?: string };
}

export function parseAnswer(result: APIGatewayProxyResult): Answer {
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) };
}

/** A valid track call sent now, with a unique messageId. */
export function trackCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'signup_completed',
    userId: 'u-1',
    messageId: `m-${Math.random().toString(36).slice(2)}`,
    timestamp: now,
    sentAt: now,
    properties: { plan: 'pro', items: 3 },
    context: { page: { url: 'https://shop.example.com/signup', referrer: 'https://search.example/' }, ip: '198.51.100.23', userAgent: 'Mozilla/5.0 test' },
    ...overrides,
  };
}
