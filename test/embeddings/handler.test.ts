/**
 * The Lambda entry point as deployed: configuration from the environment, the `pg` driver over TCP
 * (PGlite served on 127.0.0.1) with an IAM token as password, S3 and Bedrock SDK clients from their
 * standard endpoint variables.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { batch, chunkRows, s3Record, startHarness, type Harness } from './harness';
import { serve, type ServedDatabase } from '../vector-store/pglite';

let h: Harness;
let served: ServedDatabase;
beforeAll(async () => {
  h = await startHarness();
  served = await serve(h.db, 4);
});
afterAll(async () => {
  await served?.stop();
  await h?.stop();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('embeddings Lambda entry point', () => {
  it('a misconfigured function fails every record with one clear log line, not a stack trace', async () => {
    vi.resetModules();
    const { handler } = await import('../../constructs/embeddings/handler');
    vi.stubEnv('EMBEDDINGS_SETTINGS', '{"collection": "Bad Name", "dimensions": 300}');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const record = s3Record('created', 'x.txt', '01');
    expect(await handler(batch(record))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0]);
    expect(logged.message).toBe('embeddings consumer is misconfigured; every record is retried');
    expect(logged.error).toContain('EMBEDDINGS_SETTINGS.collection "Bad Name"');
    expect(logged.error).toContain('EMBEDDINGS_SETTINGS.dimensions 300 is not offered by amazon.titan-embed-text-v2:0 (allowed: 1024, 512, 256)');
  });

  it('wired from the environment: indexes over TCP with an IAM token, emits metrics as EMF', async () => {
    vi.resetModules();
    const { handler } = await import('../../constructs/embeddings/handler');
    const env = {
      EMBEDDINGS_SETTINGS: JSON.stringify({ collection: 'wired', dimensions: 512 }),
      PGHOST: served.host,
      PGPORT: String(served.port),
      PGDATABASE: 'postgres',
      PGSSLMODE: 'disable',
      PGUSER: 'postgres',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL_S3: h.motoEndpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: h.bedrock.endpoint,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await h.put('wired/a.markdown', '# Wired\n\nThrough every real client.');
    const response = await handler(batch(s3Record('created', 'wired/a.markdown', '01'), s3Record('deleted', 'wired/gone.markdown', '01')));
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await chunkRows(h.sql, 'wired')).map((r) => [r.content, r.dims])).toEqual([['# Wired\n\nThrough every real client.', 512]]);
    const metrics = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    expect(metrics).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Lakehouse/Embeddings', Dimensions: [['Collection']] }] },
      Collection: 'wired',
      DocumentsIndexed: 1,
      DocumentsDeleted: 1,
      ChunksEmbedded: 1,
    });
  });
});
