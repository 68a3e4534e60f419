/**
 * Every bad input of issue 12, against moto's Kinesis and Secrets Manager: the sender gets a clear
 * answer, the good calls of the same request still go through, and what was refused is in the
 * quarantine stream with its reasons (nothing is dropped silently).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../constructs/collector/write-key-document';
import {
  buildCollector,
  EVENTS_STREAM,
  parseAnswer,
  proxyEvent,
  QUARANTINE_STREAM,
  REVOKED_KEY,
  startMotoCollector,
  testSettings,
  trackCall,
  webKeyDocument,
  type MotoCollector,
  type RequestOptions,
} from './moto-collector';

let moto: MotoCollector;
beforeAll(async () => {
  moto = await startMotoCollector();
});
afterAll(async () => {
  await moto?.stop();
});

async function send(path: string, body: unknown, options: RequestOptions = {}) {
  const { collector } = buildCollector(moto);
  const event = proxyEvent(path, body, options);
  const answer = parseAnswer(await collector.handle(event));
  const requestId = event.requestContext?.requestId as string;
  const quarantine = async () =>
    (await moto.kinesis.readAll(QUARANTINE_STREAM)).map((record) => record.data as Record<string, any>).filter((record) => record.request_id === requestId);
  return { answer, quarantine };
}

const delivered = async (messageId: unknown) => (await moto.kinesis.readAll(EVENTS_STREAM)).filter((record) => (record.data as { event_id?: string }).event_id === messageId);
const DAY = 86_400_000;

describe('collector bad input: whole requests', () => {
  it('malformed JSON: 400 Invalid JSON, and a quarantine record without the unreadable text', async () => {
    const { answer, quarantine } = await send('track', undefined, { rawBody: '{"type":"track",' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, accepted: 0, message: expect.stringMatching(/^Invalid JSON: /) });
    const [record] = await quarantine();
    expect(record).toMatchObject({ stage: 'request', source: 'web', payload: '(a body of 16 bytes as sent, not stored: it could not be read)' });
  });

  it('wrong content type: 415', async () => {
    const { answer } = await send('track', trackCall(), { contentType: 'application/x-www-form-urlencoded' });
    expect(answer).toMatchObject({ status: 415, body: { message: 'Content-Type must be application/json (or text/plain for sendBeacon), got "application/x-www-form-urlencoded"' } });
  });

  it('a gzip bomb: 413 from the decompression cap', async () => {
    // 50 MB of zeros compress to about 50 KB: far under the batch limit as sent, 100 times over it inflated.
    const bomb = gzipSync(Buffer.alloc(50_000_000, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const { collector } = buildCollector(moto);
    const event = { ...proxyEvent('batch', {}, { gzip: true }), body: bomb.toString('base64') };
    const answer = parseAnswer(await collector.handle(event));
    expect(answer).toMatchObject({ status: 413, body: { message: 'the body inflates to more than 512000 bytes (the batch limit)' } });
  });

  it('an oversize single call: 413 with the 32 KB limit', async () => {
    const { answer } = await send('track', trackCall({ properties: { blob: 'x'.repeat(33_000) } }));
    expect(answer.status).toBe(413);
    expect(answer.body.message).toMatch(/over the limit of 32768 bytes$/);
  });

  it('an oversize batch: 413 with the 500 KB limit', async () => {
    const batch = Array.from({ length: 20 }, () => trackCall({ properties: { blob: 'x'.repeat(30_000) } }));
    const { answer } = await send('batch', { batch });
    expect(answer.status).toBe(413);
    expect(answer.body.message).toMatch(/over the limit of 512000 bytes$/);
  });

  it('2,501 calls in one batch: 413, nothing delivered, the request quarantined', async () => {
    const batch = Array.from({ length: 2_501 }, () => ({ type: 'track', event: 'e', userId: 'u' }));
    const { answer, quarantine } = await send('batch', { batch });
    expect(answer).toMatchObject({ status: 413, body: { accepted: 0, message: 'batch has 2501 calls, over the limit of 2500: split it' } });
    expect((await quarantine()).map((record) => record.stage)).toEqual(['request']);
  });

  it('an empty batch and a batch that is not an array: 400', async () => {
    expect((await send('batch', { batch: [] })).answer).toMatchObject({ status: 400, body: { message: 'batch is empty: send at least one call' } });
    expect((await send('batch', { batch: {} })).answer).toMatchObject({ status: 400, body: { message: 'batch must be an array of calls, got object' } });
    expect((await send('track', [trackCall()])).answer).toMatchObject({ status: 400, body: { message: 'the body must be a JSON object, got array' } });
  });

  it('an unknown path or method: 404 and 405', async () => {
    expect((await send('purchase', trackCall())).answer.status).toBe(404);
    expect((await send('track', trackCall(), { method: 'GET' })).answer.status).toBe(405);
  });
});

describe('collector bad input: write keys', () => {
  it('a missing key: 401 with a Basic challenge, nothing quarantined under any source', async () => {
    const { answer, quarantine } = await send('track', trackCall(), { key: null });
    expect(answer.status).toBe(401);
    expect(await quarantine()).toEqual([]);
    expect(answer.headers['www-authenticate']).toBe('Basic realm="collector"');
    expect(answer.body.message).toMatch(/^missing write key/);
  });

  it('an unknown key: 401', async () => {
    expect((await send('track', trackCall(), { key: 'not-a-key' })).answer).toMatchObject({ status: 401, body: { message: 'unknown write key' } });
  });

  it('a revoked key: 401 naming the key id', async () => {
    expect((await send('track', trackCall(), { key: REVOKED_KEY })).answer).toMatchObject({ status: 401, body: { message: 'write key "web-leaked" has been revoked' } });
  });

  it('a key outside its validity: 401 before notBefore and after notAfter', async () => {
    const early = buildCollector(moto, { now: () => Date.parse('2025-12-31T00:00:00Z') }).collector;
    expect(parseAnswer(await early.handle(proxyEvent('track', trackCall())))).toMatchObject({
      status: 401,
      body: { message: 'write key "web-2026-12" is not valid before 2026-01-01T00:00:00Z' },
    });
  });

  it('the key in the body (sendBeacon cannot set headers) is accepted when there is no Authorization header', async () => {
    const call = trackCall();
    const { answer } = await send('track', { ...call, writeKey: 'web-key-0123456789abcdefghijklmnopqrstuvwx' }, { key: null, contentType: 'text/plain' });
    expect(answer).toMatchObject({ status: 200, body: { accepted: 1 } });
  });

  it('a revocation is seen after keyCacheSeconds, and keys are not re-read before', async () => {
    let now = Date.parse('2026-12-04T12:00:00Z');
    const { collector } = buildCollector(moto, { now: () => now, settings: testSettings({ keyCacheSeconds: 60 }) });
    expect((await collector.handle(proxyEvent('track', trackCall()))).statusCode).toBe(200);
    const reads = moto.secretReads();
    await moto.putKeyDocument('lakehouse/collector/web', { keys: webKeyDocument().keys.map((key) => ({ ...key, revoked: true })) });
    try {
      now += 30_000;
      expect((await collector.handle(proxyEvent('track', trackCall()))).statusCode).toBe(200);
      expect(moto.secretReads()).toBe(reads);
      now += 31_000;
      expect(parseAnswer(await collector.handle(proxyEvent('track', trackCall())))).toMatchObject({ status: 401, body: { message: 'write key "web-2026-12" has been revoked' } });
    } finally {
      await moto.putKeyDocument('lakehouse/collector/web', webKeyDocument());
    }
  });

  it('a source whose secret cannot be read: its senders get 503 (retry), other sources still work', async () => {
    const settings = testSettings({ sources: [...testSettings().sources, { name: 'ghost', writeKeySecretArn: 'lakehouse/collector/missing', datasets: ['events'] }] });
    const { collector, lines } = buildCollector(moto, { settings });
    expect((await collector.handle(proxyEvent('track', trackCall()))).statusCode).toBe(200);
    const answer = parseAnswer(await collector.handle(proxyEvent('track', trackCall(), { key: 'maybe-a-ghost-key' })));
    expect(answer).toMatchObject({ status: 503, body: { message: 'the write keys cannot be checked right now; retry later' } });
    expect(lines.some((line) => line.message === 'write-key document unusable' && line.source === 'ghost')).toBe(true);
  });

  it('a secret holding plain keys instead of hashes is refused as a document, not matched', async () => {
    await moto.putKeyDocument('lakehouse/collector/backend', { keys: [{ id: 'plain', sha256: 'not-a-hash' }] } as never);
    try {
      const { collector, lines } = buildCollector(moto);
      expect((await collector.handle(proxyEvent('track', trackCall(), { key: 'not-a-hash' }))).statusCode).toBe(503);
      expect(lines.find((line) => line.source === 'backend')?.problem).toMatch(/keys\[0\]\.sha256: got "not-a-hash"; must match/);
    } finally {
      await moto.putKeyDocument('lakehouse/collector/backend', { keys: [{ id: 'backend-1', sha256: hashWriteKey('backend-key-0123456789abcdefghijklmnopqrst') }] });
    }
  });
});

describe('collector bad input: calls', () => {
  it('a key writing a dataset it does not own: 403 for a single call, the call quarantined as forbidden', async () => {
    const call = trackCall({ context: { dataset: 'orders' } });
    const { answer, quarantine } = await send('track', call);
    expect(answer).toMatchObject({ status: 403, body: { rejected: [{ index: 0, stage: 'forbidden', reasons: ['source "web" may not write dataset "orders" (it may write: events)'] }] } });
    expect(await quarantine()).toMatchObject([{ stage: 'forbidden', dataset: 'orders', event_id: call.messageId }]);
  });

  it('a batch mixing good and bad calls: 200, the good ones delivered, each bad one listed with its reasons and quarantined', async () => {
    const now = Date.now();
    const good = trackCall();
    const batch = [
      good,
      trackCall({ userId: null, anonymousId: undefined }),
      trackCall({ timestamp: new Date(now + 2 * 3_600_000).toISOString(), sentAt: undefined }),
      trackCall({ timestamp: new Date(now - 8 * DAY).toISOString(), sentAt: undefined }),
      trackCall({ type: 'purchase' }),
      trackCall({ type: undefined }),
      trackCall({ timestamp: new Date(now - 7 * DAY + 30_000).toISOString(), sentAt: undefined }),
      trackCall({ traits: undefined, context: { traits: { plan: 3 } } }),
      trackCall({ properties: { blob: 'x'.repeat(33_000) } }),
      { ...trackCall(), messageId: good.messageId, event: 'second_with_same_id' },
      trackCall({ context: { dataset: 'orders' } }),
      'not an object',
    ];
    // Two minutes inside the 7 days: outside the margin, accepted.
    const oldButInside = trackCall({ timestamp: new Date(now - 7 * DAY + 120_000).toISOString(), sentAt: undefined });
    batch.push(oldButInside);
    const { answer, quarantine } = await send('batch', { batch });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(false);
    expect(answer.body.accepted).toBe(2);
    expect(await delivered(oldButInside.messageId)).toHaveLength(1);
    const reasons = Object.fromEntries(answer.body.rejected.map((call) => [call.index, `${call.stage}: ${call.reasons.join(' | ')}`]));
    expect(reasons).toEqual({
      1: 'contract: userId or anonymousId is required (Segment: every call names its user)',
      2: expect.stringMatching(/^contract: event_time: .* is too far in the future: more than 1 h ahead/),
      3: expect.stringMatching(/^contract: event_time: .* is too late: older than 7 days/),
      4: 'contract: unknown type "purchase": must be one of track, identify, page, screen, group, alias',
      5: 'contract: a batch call needs a type: must be one of track, identify, page, screen, group, alias',
      // Inside the contract's 7 days, but within the minute a record may wait before Firehose checks it.
      6: expect.stringMatching(/^contract: event_time: .* is too late: older than 7 days/),
      7: 'contract: traits.plan must be a string, got number',
      8: expect.stringMatching(/^contract: the call is \d+ bytes, over the limit of 32768 bytes per call$/),
      9: `duplicate: duplicate messageId "${good.messageId as string}": the call at index 0 has it and was kept`,
      10: 'forbidden: source "web" may not write dataset "orders" (it may write: events)',
      11: 'contract: a call must be a JSON object, got string',
    });
    const kept = await delivered(good.messageId);
    expect(kept.map((record) => (record.data as { event: string }).event)).toEqual(['signup_completed']);
    const records = await quarantine();
    expect(records).toHaveLength(11);
    // The quarantined payload is under the privacy settings: the IP truncated, the user agent gone.
    const payload = JSON.parse(records.find((record) => record.stage === 'duplicate')?.payload);
    expect(payload.context).toEqual({ page: { url: 'https://shop.example.com/signup', referrer: 'https://search.example/' }, ip: '198.51.100.0' });
  });

  it('non-string property values are stored as strings (the column is map<string,string>); a non-object properties is refused', async () => {
    const call = trackCall({ properties: { items: 3, paid: true, cart: { sku: 'a-1' }, tags: ['x'], gone: null } });
    expect((await send('track', call)).answer.status).toBe(200);
    const [record] = await delivered(call.messageId);
    expect((record.data as { properties: Record<string, unknown> }).properties).toMatchObject({ items: '3', paid: 'true', cart: '{"sku":"a-1"}', tags: '["x"]', gone: null });
    const refused = await send('track', trackCall({ properties: 'items=3' }));
    expect(refused.answer).toMatchObject({ status: 400, body: { rejected: [{ reasons: ['properties must be an object, got string'] }] } });
  });

  it('a messageId that cannot be an event id is refused with what is allowed', async () => {
    const { answer } = await send('track', trackCall({ messageId: 'has spaces in it' }));
    expect(answer.body.rejected[0].reasons).toEqual(['messageId must be 1-128 printable ASCII characters without spaces, got "has spaces in it"']);
  });
});
