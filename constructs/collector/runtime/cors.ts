/**
 * CORS for browsers sending directly. With API Gateway's proxy integration the answer's headers are the
 * function's, so `Access-Control-Allow-Origin` must come from here; an origin not in `allowedOrigins`
 * gets none, and the browser keeps the answer from the page (the call itself is still processed:
 * CORS protects readers, not the collector, which the write key protects).
 */
import type { APIGatewayProxyResult } from './proxy-event';

export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (allowedOrigins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin !== undefined && allowedOrigins.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
  return {};
}

/** The answer to a preflight: POST with the headers Segment's browser SDK sends. */
export function preflight(cors: Readonly<Record<string, string>>): APIGatewayProxyResult {
  if (cors['access-control-allow-origin'] === undefined) return { statusCode: 403, headers: {}, body: '' };
  return {
    statusCode: 204,
    headers: {
      ...cors,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, content-encoding',
      'access-control-max-age': '600',
    },
    body: '',
  };
}
