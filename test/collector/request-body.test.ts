import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from '../../constructs/collector/runtime/request-body';
import type { APIGatewayProxyEvent } from '../../constructs/collector/runtime/proxy-event';

const event = (body: string | Buffer, headers: Record<string, string>, base64 = Buffer.isBuffer(body)): APIGatewayProxyEvent => ({
  httpMethod: 'POST',
  path: '/v1/track',
  headers,
  body: Buffer.isBuffer(body) ? body.toString('base64') : body,
  isBase64Encoded: base64,
});
const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

describe('request body', () => {
  it('reads JSON sent as text, as base64 (a binary media type), and gzip-compressed', () => {
    expect(readJsonBody(event('{"a":1}', JSON_TYPE), 100)).toEqual({ ok: true, json: { a: 1 }, bytes: 7 });
    expect(readJsonBody(event(Buffer.from('{"a":1}'), JSON_TYPE), 100)).toMatchObject({ ok: true, json: { a: 1 } });
    expect(readJsonBody(event(gzipSync('{"a":1}'), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }), 100)).toMatchObject({ ok: true, json: { a: 1 } });
  });

  it('counts the limit after decompression, and stops inflating at it', () => {
    const inflated = JSON.stringify({ pad: 'x'.repeat(200) });
    expect(readJsonBody(event(gzipSync(inflated), { ...JSON_TYPE, 'content-encoding': 'gzip' }), 100)).toEqual({
      ok: false,
      status: 413,
      message: 'the body inflates to more than 100 bytes (the batch limit)',
    });
    expect(readJsonBody(event(inflated, JSON_TYPE), 100)).toEqual({ ok: false, status: 413, message: 'the body is 210 bytes, over the limit of 100 bytes' });
  });

  it.each([
    ['no content type', {}, 415, 'Content-Type must be application/json (or text/plain for sendBeacon), got none'],
    ['a form', { 'Content-Type': 'multipart/form-data' }, 415, 'Content-Type must be application/json (or text/plain for sendBeacon), got "multipart/form-data"'],
    ['a charset other than UTF-8', { 'Content-Type': 'application/json; charset=iso-8859-1' }, 415, 'the body must be UTF-8, got charset "iso-8859-1"'],
    ['deflate', { ...JSON_TYPE, 'Content-Encoding': 'deflate' }, 415, 'Content-Encoding must be gzip or absent, got "deflate"'],
  ])('refuses %s', (_title, headers, status, message) => {
    expect(readJsonBody(event('{}', headers), 100)).toEqual({ ok: false, status, message });
  });

  it('refuses a body that claims gzip but is not, an empty body, and malformed JSON', () => {
    expect(readJsonBody(event(Buffer.from('{}'), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }), 100)).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^the body is not valid gzip/) });
    expect(readJsonBody(event('', JSON_TYPE), 100)).toEqual({ ok: false, status: 400, message: 'the body is empty: send one JSON object' });
    expect(readJsonBody(event('{"a":', JSON_TYPE), 100)).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^Invalid JSON: /) });
  });
});
