import { describe, expect, it } from 'vitest';
import { eventTime } from '../../constructs/collector/runtime/event-time';
import { storedIp, storedUserAgent, truncateIp } from '../../constructs/collector/runtime/privacy';
import { mapSegmentCall, type RequestFacts } from '../../constructs/collector/runtime/segment-mapping';
import { toCanonicalEvent } from '../../producer/canonical-event';

const RECEIVED = Date.parse('2026-12-04T12:00:00.000Z');

describe('IP truncation', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:0db8:0000::1', '2001:db8::'],
    ['::1', '::'],
    ['64:ff9b::192.0.2.33', '64:ff9b::'],
    ['2001:db8:1:0:0:0:0:1', '2001:db8:1::'],
  ])('%s → %s', (ip, truncated) => {
    expect(truncateIp(ip)).toBe(truncated);
  });

  it('stores nothing for what is not an address, and nothing at all under "drop"', () => {
    expect(truncateIp('localhost')).toBeUndefined();
    expect(storedIp('203.0.113.77', 'drop')).toBeUndefined();
    expect(storedIp('203.0.113.77', 'keep')).toBe('203.0.113.77');
    expect(storedIp(undefined, 'keep')).toBeUndefined();
  });

  it('keeps the user agent only when asked to', () => {
    expect(storedUserAgent('Mozilla/5.0', { ip: 'truncate', keepUserAgent: false })).toBeUndefined();
    expect(storedUserAgent('Mozilla/5.0', { ip: 'truncate', keepUserAgent: true })).toBe('Mozilla/5.0');
  });
});

describe('event time with clock-skew correction', () => {
  it('corrects a device clock that is off: receivedAt − (sentAt − originalTimestamp)', () => {
    const result = eventTime({ timestamp: '2026-12-04T09:59:50Z' }, '2026-12-04T10:00:00Z', RECEIVED);
    expect(result).toMatchObject({ ok: true, epochMs: RECEIVED - 10_000 });
  });

  it('prefers originalTimestamp over timestamp, and a call sentAt over the batch sentAt', () => {
    const result = eventTime({ originalTimestamp: 1_000, timestamp: 'ignored', sentAt: 4_000 }, 'ignored', RECEIVED);
    expect(result).toMatchObject({ ok: true, epochMs: RECEIVED - 3_000 });
  });

  it('takes the time as sent without sentAt, and the receive time without any time', () => {
    expect(eventTime({ timestamp: '2026-12-04T11:00:00+01:00' }, undefined, RECEIVED)).toMatchObject({ epochMs: Date.parse('2026-12-04T10:00:00Z') });
    expect(eventTime({}, '2026-12-04T10:00:00Z', RECEIVED)).toMatchObject({ epochMs: RECEIVED });
  });

  it('refuses an unparseable time, naming the field', () => {
    expect(eventTime({ timestamp: '2026-12-04 10:00' }, undefined, RECEIVED)).toEqual({
      ok: false,
      reason: 'timestamp: "2026-12-04 10:00" is not an ISO-8601 timestamp with a UTC offset (it has no UTC offset: add Z or +hh:mm)',
    });
    expect(eventTime({ timestamp: 1 }, 'yesterday', RECEIVED)).toMatchObject({ ok: false, reason: expect.stringMatching(/^sentAt: /) });
  });
});

describe('Segment mapping under the privacy settings', () => {
  const facts = (privacy: RequestFacts['privacy']): RequestFacts => ({
    receivedAt: RECEIVED,
    sourceIp: '2001:db8:85a3:8d3:1319:8a2e:370:7348',
    userAgent: 'curl/8.5',
    privacy,
    source: { name: 'web', writeKeySecretArn: 'web', datasets: ['events'] },
  });
  const call = { userId: 'u', event: 'e', messageId: 'm-1' };
  const properties = (privacy: RequestFacts['privacy']) => {
    const mapped = mapSegmentCall('track', call, facts(privacy));
    if (!mapped.ok) throw new Error(mapped.reasons.join());
    return mapped.input.properties as Record<string, unknown>;
  };

  it('uses the request address when the call has no context.ip, truncated to /48', () => {
    expect(properties({ ip: 'truncate', keepUserAgent: false })).toMatchObject({ 'segment.ip': '2001:db8:85a3::' });
    expect(properties({ ip: 'truncate', keepUserAgent: false })['segment.userAgent']).toBeUndefined();
  });

  it('drops or keeps the address, and keeps the User-Agent header when configured', () => {
    expect(properties({ ip: 'drop', keepUserAgent: true })).not.toHaveProperty(['segment.ip']);
    expect(properties({ ip: 'keep', keepUserAgent: true })).toMatchObject({ 'segment.ip': '2001:db8:85a3:8d3:1319:8a2e:370:7348', 'segment.userAgent': 'curl/8.5' });
  });

  it('gives a call without messageId a server-made id, and keeps unknown top-level fields as properties', () => {
    const mapped = mapSegmentCall('track', { userId: 'u', event: 'e', experiment: 'b' }, facts({ ip: 'drop', keepUserAgent: false }));
    expect(mapped).toMatchObject({ ok: true, messageId: expect.stringMatching(/^srv-[0-9a-f-]{36}$/), input: { properties: { experiment: 'b' } } });
  });

  it("keeps a mobile SDK's context.referrer object as a property instead of refusing it as the referrer column", () => {
    const mapped = mapSegmentCall('screen', { ...call, context: { referrer: { type: 'dataplane', id: 'r-1' }, app: { version: '2.1' } } }, facts({ ip: 'drop', keepUserAgent: false }));
    expect(mapped).toMatchObject({
      ok: true,
      input: { context: { page_url: null, referrer: null, app: { version: '2.1' } }, properties: { 'context.referrer': { type: 'dataplane', id: 'r-1' } } },
    });
    const record = toCanonicalEvent((mapped as { input: unknown }).input);
    expect(record).toMatchObject({ ok: true, record: { context: { page_url: null, referrer: null }, properties: { 'context.referrer': '{"type":"dataplane","id":"r-1"}', 'context.app': '{"version":"2.1"}' } } });
  });

  it('reports every problem of a call at once', () => {
    const mapped = mapSegmentCall('group', { userId: 5, event: 'e', context: 'web' }, facts({ ip: 'drop', keepUserAgent: false }));
    expect(mapped).toMatchObject({
      ok: false,
      reasons: ['userId must be a string, got number', 'userId or anonymousId is required (Segment: every call names its user)', 'group calls need a groupId', 'context must be an object, got string'],
    });
  });
});
