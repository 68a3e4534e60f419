/**
 * The Bedrock embedder with the real AWS SDK client against a loopback server speaking InvokeModel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { EmbeddingError, RateLimiter, backoffDelay, createBedrockEmbedder as createEmbedder, isRetryable, type BedrockEmbedderOptions } from '../../constructs/embeddings/bedrock';
import { bedrockInvoker, newBedrockClient } from '../../constructs/embeddings/handler';
import { EMBEDDING_MODELS } from '../../constructs/embeddings/settings';
import { fakeEmbedding, startBedrockServer, type BedrockServer } from './bedrock-server';

/** The embedder over the real SDK client (the invoker handler.ts wires in production). */
const createBedrockEmbedder = ({ client: sdk, ...options }: Omit<BedrockEmbedderOptions, 'invoke'> & { client: BedrockRuntimeClient }) =>
  createEmbedder({ ...options, invoke: bedrockInvoker(sdk) });

const TITAN = EMBEDDING_MODELS['amazon.titan-embed-text-v2:0'];
const COHERE = EMBEDDING_MODELS['cohere.embed-english-v3'];

let server: BedrockServer;
let client: BedrockRuntimeClient;
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeAll(async () => {
  server = await startBedrockServer();
  // newBedrockClient speaks HTTP/1.1, as the loopback server does.
  client = newBedrockClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});
beforeEach(() => {
  server.requests.length = 0;
  sleeps.length = 0;
  server.throttleNext(0);
  server.rejectTextsContaining(undefined);
});

describe('Bedrock embedder (real SDK, loopback InvokeModel)', () => {
  it('Titan v2: one call per text, the requested dimensions, normalized, the model token count', async () => {
    const embedder = createBedrockEmbedder({ client, model: TITAN, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 3, sleep });
    const result = await embedder.embed(['first text here', 'second']);
    expect(server.requests.map((r) => [r.modelId, r.texts])).toEqual([
      ['amazon.titan-embed-text-v2:0', ['first text here']],
      ['amazon.titan-embed-text-v2:0', ['second']],
    ]);
    expect(result.vectors).toEqual([fakeEmbedding('first text here', 256, TITAN.id), fakeEmbedding('second', 256, TITAN.id)]);
    expect(result).toMatchObject({ tokens: 4, calls: 2, throttled: 0 });
  });

  it('Cohere v3: batches of up to 96 texts per call, tokens estimated', async () => {
    const embedder = createBedrockEmbedder({ client, model: COHERE, dimensions: 1024, requestsPerSecond: 1000, maxAttempts: 3, sleep });
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const result = await embedder.embed(texts);
    expect(server.requests.map((r) => r.texts.length)).toEqual([96, 4]);
    expect(result.vectors).toHaveLength(100);
    expect(result.vectors[99]).toEqual(fakeEmbedding('text 99', 1024, COHERE.id));
    expect(result.tokens).toBe(200);
  });

  it('runs up to `concurrency` calls at once and keeps the input order; after a failure no new call starts', async () => {
    const embedder = createBedrockEmbedder({ client, model: TITAN, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 1, concurrency: 3, sleep });
    const texts = Array.from({ length: 9 }, (_, i) => `text ${i}`);
    server.delay(20);
    try {
      const result = await embedder.embed(texts);
      expect(result.vectors).toEqual(texts.map((t) => fakeEmbedding(t, 256, TITAN.id)));
      expect(server.maxInFlight()).toBeGreaterThan(1);
      expect(server.maxInFlight()).toBeLessThanOrEqual(3);

      server.requests.length = 0;
      server.rejectTextsContaining('text 0');
      await expect(embedder.embed(texts)).rejects.toThrow(EmbeddingError);
      // Three start together; text 0 fails with the first answers, so at most the two workers that were
      // answered at the same moment start one more call each: the rest are never sent.
      expect(server.requests.length).toBeLessThanOrEqual(5);
    } finally {
      server.delay(0);
    }
  });

  it('a throttle storm is ridden out with jittered backoff, and counted', async () => {
    server.throttleNext(4);
    const embedder = createBedrockEmbedder({ client, model: TITAN, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 6, baseDelayMs: 100, random: () => 0.5, sleep });
    const result = await embedder.embed(['x']);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 429, 429, 200]);
    expect(result).toMatchObject({ calls: 5, throttled: 4 });
    expect(sleeps).toEqual([50, 100, 200, 400]);
  });

  it('gives up after maxAttempts with a retryable EmbeddingError', async () => {
    server.throttleNext(10);
    const embedder = createBedrockEmbedder({ client, model: TITAN, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 3, sleep });
    const error = await embedder.embed(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('after 3 attempts: ThrottlingException') });
    expect(server.requests).toHaveLength(3);
  });

  it('a validation error is not retried', async () => {
    server.rejectTextsContaining('poison');
    const embedder = createBedrockEmbedder({ client, model: TITAN, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 5, sleep });
    const error = await embedder.embed(['fine', 'a poison chunk']).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EmbeddingError', retryable: false, message: expect.stringContaining('ValidationException') });
    expect(server.requests.map((r) => r.status)).toEqual([200, 400]);
  });

  it('refuses a response with the wrong dimensions', async () => {
    const embedder = createBedrockEmbedder({ client, model: COHERE, dimensions: 256, requestsPerSecond: 1000, maxAttempts: 1, sleep });
    await expect(embedder.embed(['x'])).rejects.toThrow(/not 256 finite numbers/);
  });

  it('classifies errors: throttling, 5xx and SDK-retryable are retried; 4xx are not', () => {
    expect(isRetryable({ name: 'ThrottlingException' })).toBe(true);
    expect(isRetryable({ name: 'X', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryable({ name: 'Error', code: 'ECONNRESET' })).toBe(true);
    expect(isRetryable({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });

  it('backoff is full jitter, capped', () => {
    expect(backoffDelay(1, { maxAttempts: 5, random: () => 0.999 })).toBe(199);
    expect(backoffDelay(20, { maxAttempts: 5, maxDelayMs: 1000, random: () => 1 })).toBe(1000);
    expect(backoffDelay(3, { maxAttempts: 5, random: () => 0 })).toBe(0);
  });

  it('the rate limiter spaces calls beyond the one-second burst (virtual clock)', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(2, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    for (let i = 0; i < 5; i += 1) await limiter.take();
    // 2 immediately (burst), then one every 500 ms.
    expect(waits).toEqual([500, 500, 500]);
    expect(now).toBe(1500);
  });
});
