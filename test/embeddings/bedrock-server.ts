/**
 * A loopback HTTP server speaking Bedrock's InvokeModel wire format (restJson1: `POST
 * /model/{modelId}/invoke`, JSON body in and out, errors as a status plus `x-amzn-ErrorType`), so the
 * real AWS SDK client is exercised end to end: signing, serialisation, error parsing.
 *
 * Embeddings are deterministic (a hash of the text spread over the dimensions, normalised), so tests
 * can compare vectors. Behaviour knobs: throttle the next N calls; fail every call whose text contains
 * a marker.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BedrockServer {
  readonly endpoint: string;
  /** Every request: model id and the texts it carried. */
  readonly requests: Array<{ modelId: string; texts: string[]; status: number }>;
  /** The next `n` calls answer 429 ThrottlingException. */
  throttleNext(n: number): void;
  /** Calls whose text contains `marker` answer 400 ValidationException. */
  rejectTextsContaining(marker: string | undefined): void;
  /** Delay every answer by this many milliseconds (to observe concurrency). */
  delay(ms: number): void;
  /** The most requests that were in flight at once. */
  maxInFlight(): number;
  /** Texts embedded successfully, in order. */
  embeddedTexts(): string[];
  stop(): Promise<void>;
}

/** The deterministic embedding the fake model returns (exported so tests can compute expected vectors). */
export function fakeEmbedding(text: string, dimensions: number, salt = ''): number[] {
  const values: number[] = [];
  let block = Buffer.alloc(0);
  for (let i = 0; values.length < dimensions; i += 1) {
    if (block.length === 0) block = createHash('sha256').update(`${salt}${i}:${text}`).digest();
    values.push(block.readInt8(0) / 128);
    block = block.subarray(1);
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}

async function body(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startBedrockServer(): Promise<BedrockServer> {
  const requests: BedrockServer['requests'] = [];
  let throttle = 0;
  let marker: string | undefined;
  let delayMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((request, response) => {
    void (async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const text = await body(request);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight -= 1;
      const match = /^\/model\/([^/]+)\/invoke$/.exec(request.url ?? '');
      const reply = (status: number, payload: unknown, errorType?: string) => {
        response.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        response.end(JSON.stringify(payload));
      };
      if (request.method !== 'POST' || !match) return reply(404, { message: 'not found' }, 'ResourceNotFoundException');
      const modelId = decodeURIComponent(match[1]);
      const input = JSON.parse(text) as { inputText?: string; dimensions?: number; texts?: string[] };
      const texts = input.texts ?? [input.inputText ?? ''];
      const record = (status: number) => requests.push({ modelId, texts, status });
      if (throttle > 0) {
        throttle -= 1;
        record(429);
        return reply(429, { message: 'Too many requests, please wait before trying again.' }, 'ThrottlingException');
      }
      if (marker !== undefined && texts.some((t) => t.includes(marker as string))) {
        record(400);
        return reply(400, { message: 'Malformed input request' }, 'ValidationException');
      }
      record(200);
      if (modelId.startsWith('amazon.titan-embed-text-v2')) {
        return reply(200, { embedding: fakeEmbedding(texts[0], input.dimensions ?? 1024, modelId), inputTextTokenCount: texts[0].split(/\s+/).filter(Boolean).length });
      }
      return reply(200, { embeddings: texts.map((t) => fakeEmbedding(t, 1024, modelId)), id: 'x', response_type: 'embeddings_floats' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    throttleNext: (n) => {
      throttle = n;
    },
    rejectTextsContaining: (m) => {
      marker = m;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    maxInFlight: () => maxInFlight,
    embeddedTexts: () => requests.filter((r) => r.status === 200).flatMap((r) => r.texts),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
