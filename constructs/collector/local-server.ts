/**
 * A loopback HTTP server that invokes a REST-proxy handler the way API Gateway does (Lambda proxy
 * integration, payload format 1.0), so real HTTP clients (curl, a browser, Segment's SDKs) can talk to the
 * collector without AWS. What it reproduces, because the handler depends on it:
 * - `headers` holds the last value of each header, `multiValueHeaders` all of them, names as sent;
 * - a body whose Content-Type matches `binaryMediaTypes` arrives base64 with `isBase64Encoded: true`,
 *   any other as UTF-8 text (so the API must list the media types gzip bodies come with: `*\/*` by default);
 * - `requestContext.identity.sourceIp`, `requestId` and `requestTimeEpoch`;
 * - API Gateway's 10 MB payload limit (413 before the function runs).
 * Not reproduced: stages, authorizers, throttling, WAF, the 29 s integration timeout.
 * Used by `npm run collector:local` and the collector's HTTP tests; not part of the deployed function.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from './runtime/proxy-event';

/** API Gateway REST APIs refuse larger payloads. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface LocalServerOptions {
  /** @default 0: any free port */
  readonly port?: number;
  /** Media types API Gateway passes as base64 (`*\/*` for all, or `type/subtype`). @default ['*\/*'] */
  readonly binaryMediaTypes?: readonly string[];
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  return binaryMediaTypes.some((type) => type === '*/*' || type.toLowerCase() === mediaType || (type.endsWith('/*') && mediaType.startsWith(type.slice(0, -1).toLowerCase())));
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The proxy event API Gateway would build for this request. */
export function toProxyEvent(request: IncomingMessage, body: Buffer, binaryMediaTypes: readonly string[]): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const binary = isBinary(request.headers['content-type'], binaryMediaTypes);
  return {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    headers,
    multiValueHeaders,
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.length > 0 && binary,
    requestContext: { requestId: randomUUID(), requestTimeEpoch: Date.now(), identity: { sourceIp: request.socket.remoteAddress ?? null } },
  };
}

export async function startLocalServer(handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>, options: LocalServerOptions = {}): Promise<LocalServer> {
  const binaryMediaTypes = options.binaryMediaTypes ?? ['*/*'];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request, API_GATEWAY_MAX_PAYLOAD_BYTES);
      if (body === undefined) {
        response.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Too Long"}');
        return;
      }
      let result: APIGatewayProxyResult;
      try {
        result = await handler(toProxyEvent(request, body, binaryMediaTypes));
      } catch {
        // What API Gateway answers when the function itself fails.
        response.writeHead(502, { 'content-type': 'application/json' }).end('{"message": "Internal server error"}');
        return;
      }
      response.writeHead(result.statusCode, { ...result.headers }).end(result.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
