import { describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import { normalizeTimestamp, toCanonicalEvent, validateRecord, type CanonicalEvent } from '../../producer';

/** Mapping from the seed shape and the canonical shape to the canonical record. Pure functions, no AWS. */

const seed = {
  event: 'button_clicked',
  event_id: 'evt-7f3a2c',
  properties: {
    user_id: 'user-0042',
    timestamp: '2026-03-01T12:30:15.250+02:00',
    context: { page_url: 'https://shop.example.com/pricing', referrer: 'https://www.google.com/' },
    traits: { plan: 'pro', source: 'ads' },
    button_id: 'cta-hero',
    revenue: 19.99,
    logged_in: true,
    items: [{ sku: 'sku-1', qty: 2 }],
    experiment: { id: 'exp-12', variant: 'b' },
    coupon: null,
  },
};

const canonical: CanonicalEvent = {
  event: 'button_clicked',
  user_id: 'user-0042',
  event_time: '2026-03-01T10:30:15.250Z',
  context: { page_url: 'https://shop.example.com/pricing', referrer: 'https://www.google.com/' },
  traits: { plan: 'pro', source: 'ads' },
  properties: {
    button_id: 'cta-hero',
    revenue: '19.99',
    logged_in: 'true',
    items: '[{"sku":"sku-1","qty":2}]',
    experiment: '{"id":"exp-12","variant":"b"}',
    coupon: null,
  },
  event_id: 'evt-7f3a2c',
};

function mapped(input: unknown) {
  const result = toCanonicalEvent(input);
  if (!result.ok) throw new Error(`expected a record, got: ${result.reasons.join('; ')}`);
  return result;
}

function refused(input: unknown): readonly string[] {
  const result = toCanonicalEvent(input);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.record)}`);
  return result.reasons;
}

describe('toCanonicalEvent: the seed shape', () => {
  it('maps the nested seed shape to the flat canonical record', () => {
    const result = mapped(seed);
    expect(result.shape).toBe('seed');
    expect(result.record).toEqual(canonical);
  });

  it('the result satisfies the events contract (validated at its own time)', () => {
    expect(validateRecord(mapped(seed).record, events, Date.parse('2026-03-01T11:00:00Z'))).toEqual([]);
  });

  it('every other property becomes a string in the map; objects and arrays as JSON', () => {
    const { record } = mapped({ event: 'x', properties: { timestamp: 0 + Date.parse('2026-01-01T00:00:00Z'), n: 3, big: 12345678901234567890n, nested: { a: [1, 'b'] }, s: 'plain' } });
    expect(record.properties).toEqual({ n: '3', big: '12345678901234567890', nested: '{"a":[1,"b"]}', s: 'plain' });
    expect(Object.values(record.properties).every((value) => value === null || typeof value === 'string')).toBe(true);
  });

  it('fields of context/traits the table does not declare are kept in properties, prefixed', () => {
    const { record } = mapped({
      event: 'page_view',
      properties: { timestamp: '2026-01-01T00:00:00Z', context: { page_url: '/a', user_agent: 'Firefox', screen: { w: 1 } }, traits: { plan: 'free', age: 30 } },
    });
    expect(record.context).toEqual({ page_url: '/a', referrer: null });
    expect(record.traits).toEqual({ plan: 'free', source: null });
    expect(record.properties).toEqual({ 'context.user_agent': 'Firefox', 'context.screen': '{"w":1}', 'traits.age': '30' });
  });

  it('missing user_id, context and traits become null', () => {
    expect(mapped({ event: 'app_opened', properties: { timestamp: '2026-01-01T00:00:00Z' } }).record).toEqual({
      event: 'app_opened',
      user_id: null,
      event_time: '2026-01-01T00:00:00.000Z',
      context: null,
      traits: null,
      properties: {},
    });
  });

  it('refuses wrong kinds of the fields it maps, naming each', () => {
    const reasons = refused({
      event: 42,
      properties: { user_id: 7, timestamp: '2026-01-01T00:00:00Z', context: 'home', traits: { plan: ['pro'] } },
      anonymous_id: 'a-1',
    });
    expect(reasons).toEqual([
      'unknown field "anonymous_id" (the seed shape has: event, properties, event_id)',
      'event must be a string, got number',
      'properties.user_id must be a string, got number',
      'properties.context must be an object, got string',
      'properties.traits.plan must be a string, got array',
    ]);
  });
});

describe('toCanonicalEvent: the event id', () => {
  it('keeps a sender-given id in either shape, byte for byte', () => {
    expect(mapped({ ...seed, event_id: 'ajs-next-0123456789abcdef0123456789abcdef' }).record.event_id).toBe('ajs-next-0123456789abcdef0123456789abcdef');
    expect(mapped({ ...canonical, event_id: 'A'.repeat(128) }).record.event_id).toBe('A'.repeat(128));
  });

  it.each([
    ['', 'must be 1-128 printable ASCII characters without spaces, got ""'],
    ['has space', 'must be 1-128 printable ASCII characters without spaces, got "has space"'],
    ['é-1', 'must be 1-128 printable ASCII characters without spaces, got "é-1"'],
    ['A'.repeat(129), `must be 1-128 printable ASCII characters without spaces, got "${'A'.repeat(40)}"…`],
    [42, 'must be a string, got number'],
    [{ id: 1 }, 'must be a string, got object'],
  ])('refuses %j as an id', (value, reason) => {
    expect(refused({ ...canonical, event_id: value })).toEqual([`event_id ${reason}`]);
    expect(refused({ ...seed, event_id: value })).toEqual([`event_id ${reason}`]);
  });
});

describe('toCanonicalEvent: the canonical shape', () => {
  it('is detected by event_time and passes through unchanged when already canonical', () => {
    const result = mapped(canonical);
    expect(result.shape).toBe('canonical');
    expect(result.record).toEqual(canonical);
  });

  it('normalises its event_time and stringifies its properties', () => {
    const { record } = mapped({ ...canonical, event_time: '2026-03-01T10:30:15+00:00', properties: { n: 1, o: { a: 1 } } });
    expect(record.event_time).toBe('2026-03-01T10:30:15.000Z');
    expect(record.properties).toEqual({ n: '1', o: '{"a":1}' });
  });

  it('refuses unknown top-level fields and non-object properties', () => {
    expect(refused({ ...canonical, session: 's-1', properties: 'x' })).toEqual([
      'unknown field "session" (the canonical shape has: event, user_id, event_time, context, traits, properties, event_id)',
      'properties must be an object, got string',
    ]);
  });

  it('refuses something that is neither shape', () => {
    expect(refused({ event: 'x', properties: { user_id: 'u' } })).toEqual([
      'the event has no time: expected properties.timestamp (seed shape) or event_time (canonical shape)',
    ]);
    expect(refused('page_view')).toEqual(['an event must be a JSON object, got string']);
    expect(refused(null)).toEqual(['an event must be a JSON object, got null']);
    expect(refused([seed])).toEqual(['an event must be a JSON object, got array']);
  });
});

describe('timestamp normalisation', () => {
  const time = (value: unknown) => mapped({ event: 'e', properties: { timestamp: value } }).record.event_time;

  it.each([
    ['2026-03-01T10:30:15Z', '2026-03-01T10:30:15.000Z'],
    ['2026-03-01T10:30:15.1Z', '2026-03-01T10:30:15.100Z'],
    ['2026-03-01T10:30:15.123456789Z', '2026-03-01T10:30:15.123Z'],
    ['2026-03-01T12:30:15+02:00', '2026-03-01T10:30:15.000Z'],
    ['2026-03-01T05:30:15-0500', '2026-03-01T10:30:15.000Z'],
    ['2026-03-01T00:30:00+05:30', '2026-02-28T19:00:00.000Z'],
    ['2026-03-01 10:30Z', '2026-03-01T10:30:00.000Z'],
    ['2024-02-29T23:59:59.999-01:00', '2024-03-01T00:59:59.999Z'],
    [Date.parse('2026-03-01T10:30:15.250Z'), '2026-03-01T10:30:15.250Z'],
    [0, '1970-01-01T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(time(input)).toBe(expected);
  });

  it.each([
    ['2026-03-01T10:30:15', 'is not an ISO-8601 timestamp with a UTC offset (it has no UTC offset: add Z or +hh:mm)'],
    ['2026-03-01', 'is not an ISO-8601 timestamp with a UTC offset'],
    ['1772361015000', 'is not an ISO-8601 timestamp with a UTC offset (epoch milliseconds must be sent as a number)'],
    ['yesterday', 'is not an ISO-8601 timestamp with a UTC offset'],
    ['2026-02-30T10:00:00Z', 'day 30 does not exist in 2026-02'],
    ['2025-02-29T10:00:00Z', 'day 29 does not exist in 2025-02'],
    ['2026-13-01T10:00:00Z', 'month 13 is not 1-12'],
    ['2026-03-01T24:00:00Z', 'hour 24 is not 0-23'],
    ['2026-03-01T10:60:00Z', 'minute 60 is not 0-59'],
    ['2026-03-01T10:00:60Z', 'second 60 is not 0-59'],
    ['2026-03-01T10:00:00+25:00', 'offset +25:00 is not valid'],
    ['0070-01-01T00:00:00Z', 'is outside the years 1970-9999'],
  ])('refuses %s', (input, reason) => {
    const reasons = refused({ event: 'e', properties: { timestamp: input } });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('properties.timestamp: ');
    expect(reasons[0]).toContain(reason);
  });

  it.each([
    [Number.NaN, 'NaN is not a finite number of epoch milliseconds'],
    [Number.POSITIVE_INFINITY, 'Infinity is not a finite number of epoch milliseconds'],
    [-1, '-1 is outside the years 1970-9999'],
    [null, 'expected an ISO-8601 string or epoch milliseconds, got null'],
    [true, 'expected an ISO-8601 string or epoch milliseconds, got boolean'],
    [{ seconds: 1 }, 'expected an ISO-8601 string or epoch milliseconds, got object'],
  ])('refuses %s', (input, reason) => {
    expect(refused({ event: 'e', properties: { timestamp: input } })).toEqual([`properties.timestamp: ${reason}`]);
  });

  it('a bad event_time in the canonical shape names event_time', () => {
    expect(refused({ ...canonical, event_time: 'soon' })).toEqual(['event_time: "soon" is not an ISO-8601 timestamp with a UTC offset']);
  });

  it('normalised times are what the contract stores: every output parses back to the same instant', () => {
    for (const input of ['2026-03-01T12:30:15.5+02:00', 1_772_361_015_001, '2030-12-31T23:59:59Z']) {
      const result = normalizeTimestamp(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(Date.parse(result.iso as string)).toBe(result.epochMs);
    }
  });
});
