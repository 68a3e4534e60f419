/**
 * From a proxy event to parsed JSON: content type, content encoding, the decompression cap, the size
 * limit and JSON syntax, each refused with its own HTTP status and a message the sender can act on.
 */
import { gunzipSync } from 'node:zlib';
import { header, type APIGatewayProxyEvent } from './proxy-event';

/** A refusal of the whole request, before any event is looked at. */
export interface RequestRefusal {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
}

export type BodyResult = { readonly ok: true; readonly json: unknown; readonly bytes: number } | RequestRefusal;

/**
 * `application/json` is what the SDKs send; `text/plain` is what a browser's `navigator.sendBeacon` and
 * a CORS "simple request" send (no preflight), so the browser snippet can post without one.
 */
const ACCEPTED_MEDIA_TYPES = ['application/json', 'text/plain'];

function refuse(status: number, message: string): RequestRefusal {
  return { ok: false, status, message };
}

/**
 * Decodes and parses the body. `maxBytes` bounds the body after decompression: a gzip body is inflated
 * with zlib's `maxOutputLength`, which stops inflating at the cap, so a gzip bomb costs at most
 * `maxBytes` of memory and is refused with 413.
 */
export function readJsonBody(event: APIGatewayProxyEvent, maxBytes: number): BodyResult {
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (mediaType === undefined || !ACCEPTED_MEDIA_TYPES.includes(mediaType)) {
    return refuse(415, `Content-Type must be application/json (or text/plain for sendBeacon), got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`);
  }
  const charset = /charset=([^;]+)/i.exec(contentType ?? '')?.[1]?.trim().replace(/^"|"$/g, '').toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return refuse(415, `the body must be UTF-8, got charset ${JSON.stringify(charset)}`);

  const encoding = (header(event, 'content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') return refuse(415, `Content-Encoding must be gzip or absent, got ${JSON.stringify(encoding)}`);

  const raw = event.body ?? '';
  let bytes: Buffer = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (encoding === 'gzip') {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes + 1 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) return refuse(413, `the body inflates to more than ${maxBytes} bytes (the batch limit)`);
      return refuse(400, `the body is not valid gzip (${(error as Error).message})`);
    }
  }
  if (bytes.length > maxBytes) return refuse(413, `the body is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`);
  if (bytes.length === 0) return refuse(400, 'the body is empty: send one JSON object');

  const text = bytes.toString('utf8');
  try {
    return { ok: true, json: JSON.parse(text), bytes: bytes.length };
  } catch (error) {
    return refuse(400, `Invalid JSON: ${(error as Error).message}`);
  }
}
