/**
 * Embeddings from Amazon Bedrock (InvokeModel) with a client-side rate limit and jittered backoff.
 *
 * - Titan Text Embeddings v2: one text per call, `{ inputText, dimensions, normalize: true }` →
 *   `{ embedding, inputTextTokenCount }`.
 * - Cohere Embed v3: up to 96 texts per call, `{ texts, input_type: 'search_document' }` →
 *   `{ embeddings }` (no token count in the body: the estimate is used).
 *
 * The SDK's own retries are off (maxAttempts 1) so that one policy decides: throttling (429,
 * ThrottlingException), ServiceUnavailable, ModelNotReady and 5xx are retried with "full jitter"
 * exponential backoff (a random wait in [0, min(cap, base·2^attempt)]); anything else (validation,
 * access denied) fails at once. A token bucket spaces calls so that a batch does not start a throttle
 * storm in the first place.
 *
 * No AWS SDK import here (library code under constructs/ may only need aws-cdk-lib at run time): the
 * call itself is a `ModelInvoker`, which handler.ts makes from the SDK's BedrockRuntimeClient.
 */
import type { EmbeddingModel } from './settings';
import { estimateTokens } from './chunk';

export interface EmbeddingResult {
  readonly vectors: number[][];
  /** Input tokens (the model's count when it returns one, else the estimate). */
  readonly tokens: number;
  /** InvokeModel calls made, retries included. */
  readonly calls: number;
  readonly throttled: number;
}

/** What the pipeline needs: vectors for texts, in order. */
export interface Embedder {
  readonly model: EmbeddingModel;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<EmbeddingResult>;
}

/** The model refused or kept failing; `retryable` says whether a later delivery may succeed. */
export class EmbeddingError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** @default 200 */
  readonly baseDelayMs?: number;
  /** @default 20000 */
  readonly maxDelayMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One InvokeModel call: the JSON request body in, the response body out; SDK errors propagate as thrown. */
export type ModelInvoker = (modelId: string, body: string) => Promise<string>;

export interface BedrockEmbedderOptions extends RetryPolicy {
  readonly invoke: ModelInvoker;
  readonly model: EmbeddingModel;
  readonly dimensions: number;
  readonly requestsPerSecond: number;
  /** InvokeModel calls in flight at once (results keep the input order). @default 1 */
  readonly concurrency?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const RETRYABLE_NAMES = new Set(['ThrottlingException', 'ServiceUnavailableException', 'ModelNotReadyException', 'InternalServerException', 'ModelTimeoutException', 'TooManyRequestsException']);

/** Connection-level failures: the request may not have reached the model. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError']);

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  return (
    RETRYABLE_NAMES.has(String(e?.name)) ||
    NETWORK_CODES.has(String(e?.code)) ||
    status === 429 ||
    (typeof status === 'number' && status >= 500) ||
    e?.$retryable !== undefined
  );
}

export function isThrottle(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'ThrottlingException' || e?.name === 'TooManyRequestsException' || e?.$metadata?.httpStatusCode === 429;
}

/** Spaces calls to at most `perSecond` (a token bucket of one second's burst). */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  async take(): Promise<void> {
    for (;;) {
      const time = this.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((time - this.last) / 1000) * this.perSecond);
      this.last = time;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
    }
  }
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff before retry `attempt` (1-based): full jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = policy.baseDelayMs ?? 200;
  const cap = policy.maxDelayMs ?? 20_000;
  return Math.floor((policy.random ?? Math.random)() * Math.min(cap, base * 2 ** (attempt - 1)));
}

export function createBedrockEmbedder(options: BedrockEmbedderOptions): Embedder {
  const { model, dimensions } = options;
  const sleep = options.sleep ?? defaultSleep;
  const limiter = new RateLimiter(options.requestsPerSecond, options.now ?? Date.now, sleep);

  async function invoke(texts: readonly string[]): Promise<{ vectors: number[][]; tokens: number; calls: number; throttled: number }> {
    const body = model.family === 'titan-v2' ? { inputText: texts[0], dimensions, normalize: true } : { texts, input_type: 'search_document', truncate: 'NONE' };
    let throttled = 0;
    for (let attempt = 1; ; attempt += 1) {
      await limiter.take();
      try {
        const response = await options.invoke(model.id, JSON.stringify(body));
        const parsed = parseResponse(response, texts, model, dimensions);
        return { ...parsed, calls: attempt, throttled };
      } catch (error) {
        if (error instanceof EmbeddingError) throw error;
        if (isThrottle(error)) throttled += 1;
        if (!isRetryable(error)) throw new EmbeddingError(`Bedrock refused ${model.id}: ${describe(error)}`, false, error);
        if (attempt >= options.maxAttempts) {
          throw new EmbeddingError(`Bedrock ${model.id} still failing after ${attempt} attempts: ${describe(error)}`, true, error);
        }
        await sleep(backoffDelay(attempt, options));
      }
    }
  }

  return {
    model,
    dimensions,
    async embed(texts) {
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += model.maxBatch) batches.push(texts.slice(i, i + model.maxBatch));
      const results: Array<Awaited<ReturnType<typeof invoke>>> = new Array(batches.length);
      let next = 0;
      let failed = false;
      // A small pool: each worker takes the next batch; the rate limiter still spaces every call. After
      // a failure no new call starts (the document is retried as a whole).
      const worker = async () => {
        while (next < batches.length && !failed) {
          const index = next;
          next += 1;
          try {
            results[index] = await invoke(batches[index]);
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      };
      // Settled, not raced: no call of this document is still running when embed() returns or throws.
      const settled = await Promise.allSettled(Array.from({ length: Math.min(options.concurrency ?? 1, batches.length) }, worker));
      const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure) throw failure.reason;
      const vectors = results.flatMap((result) => result.vectors);
      const tokens = results.reduce((sum, result) => sum + result.tokens, 0);
      const calls = results.reduce((sum, result) => sum + result.calls, 0);
      const throttled = results.reduce((sum, result) => sum + result.throttled, 0);
      return { vectors, tokens, calls, throttled };
    },
  };
}

function parseResponse(text: string, texts: readonly string[], model: EmbeddingModel, dimensions: number): { vectors: number[][]; tokens: number } {
  let json: { embedding?: unknown; embeddings?: unknown; inputTextTokenCount?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new EmbeddingError(`Bedrock ${model.id} returned a body that is not JSON`, true);
  }
  const vectors = model.family === 'titan-v2' ? [json.embedding] : json.embeddings;
  if (!Array.isArray(vectors) || vectors.length !== texts.length) throw new EmbeddingError(`Bedrock ${model.id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} embeddings for ${texts.length} texts`, true);
  for (const vector of vectors) {
    if (!Array.isArray(vector) || vector.length !== dimensions || !vector.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new EmbeddingError(`Bedrock ${model.id} returned an embedding that is not ${dimensions} finite numbers`, true);
    }
  }
  const counted = typeof json.inputTextTokenCount === 'number' ? json.inputTextTokenCount : undefined;
  return { vectors: vectors as number[][], tokens: counted ?? texts.reduce((sum, t) => sum + estimateTokens(t), 0) };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
