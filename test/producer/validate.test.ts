import { describe, expect, it } from 'vitest';
import { clientErrors } from '../../config/datasets/client-errors';
import { events } from '../../config/datasets/events';
import { jqExtractionQuery, maxFutureSkewHours, maxLatenessDays, type DatasetDefinition } from '../../constructs/datasets';
import { KINESIS_LIMITS, toCanonicalEvent, validateRecord } from '../../producer';
import { runJq } from '../support/firehose-model';

/**
 * validateRecord against the contracts in config/datasets (and one synthetic dataset for every Glue type).
 * Pure functions; the window test at the end runs the real jq 1.6 with the contract's own query.
 */

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const good = {
  event: 'page_view',
  user_id: 'user-0001',
  event_time: '2026-03-01T11:59:00.000Z',
  context: { page_url: 'https://shop.example.com/', referrer: null },
  traits: { plan: 'free', source: 'organic' },
  properties: { session_id: 's-1' },
};

describe('validateRecord: the events contract', () => {
  it('accepts a good canonical record, with or without milliseconds, and with nulls', () => {
    expect(validateRecord(good, events, NOW)).toEqual([]);
    expect(validateRecord({ ...good, event_time: '2026-03-01T11:59:00Z' }, events, NOW)).toEqual([]);
    expect(validateRecord({ ...good, user_id: null, context: null, traits: { plan: null }, properties: { a: null } }, events, NOW)).toEqual([]);
    expect(validateRecord({ event_time: good.event_time }, events, NOW)).toEqual([]);
  });

  it('reports every wrong type with its path', () => {
    const reasons = validateRecord(
      {
        event: 7,
        user_id: { id: 'u' },
        event_time: good.event_time,
        context: { page_url: 1, referrer: 'https://a/' },
        traits: 'pro',
        properties: { ok: 'yes', count: 3, nested: { a: 1 } },
      },
      events,
      NOW,
    );
    expect(reasons).toEqual([
      'event: expected string, got number 7',
      'user_id: expected string, got object ',
      'context.page_url: expected string, got number 1',
      'traits: expected struct, got string "pro"',
      'properties["count"]: expected string, got number 3',
      'properties["nested"]: expected string, got object ',
    ]);
  });

  it('timestamps must be ISO-8601 UTC ending in Z, in the stored form', () => {
    for (const time of ['2026-03-01T12:59:00+01:00', '2026-03-01T11:59:00', '2026-03-01T11:59:00.1234Z', '2026-02-30T11:59:00Z']) {
      expect(validateRecord({ ...good, event_time: time }, events, NOW)[0]).toMatch(/^event_time: "/);
    }
    expect(validateRecord({ ...good, event_time: Date.parse(good.event_time) }, events, NOW)[0]).toMatch(/^event_time: expected timestamp, got number/);
  });

  it('refuses fields that are not columns', () => {
    expect(validateRecord({ ...good, timestamp: good.event_time }, events, NOW)).toEqual([
      'timestamp: unknown field, not a column of events (columns: event, user_id, event_time, context, traits, properties, event_id)',
    ]);
    expect(validateRecord({ ...good, context: { ...good.context, title: 'Home' } }, events, NOW)).toEqual([
      'context.title: unknown field (the struct has: page_url, referrer)',
    ]);
  });

  it('requires the event-time column: events is partitioned by it', () => {
    expect(validateRecord({ ...good, event_time: null }, events, NOW)).toEqual([
      'event_time: required, events is partitioned by it (without it Firehose writes the record to the error prefix)',
    ]);
  });

  it('refuses a record that is too late, from the contract’s maxLatenessDays, bounds included', () => {
    expect(maxLatenessDays(events)).toBe(7);
    const earliest = NOW - 7 * DAY;
    expect(validateRecord({ ...good, event_time: new Date(earliest).toISOString() }, events, NOW)).toEqual([]);
    // Firehose's jq compares whole seconds (it cuts the fraction): 1 ms before the bound is already a second too late.
    expect(validateRecord({ ...good, event_time: new Date(earliest - 1).toISOString() }, events, NOW)[0]).toContain('too late');
    expect(validateRecord({ ...good, event_time: new Date(earliest - 1000).toISOString() }, events, NOW)).toEqual([
      'event_time: 2026-02-22T11:59:59.000Z is too late: older than 7 days (earliest accepted 2026-02-22T12:00:00.000Z); Firehose would write it to the error prefix',
    ]);
  });

  it('refuses a record too far in the future, from the contract’s maxFutureSkewHours, bounds included', () => {
    expect(maxFutureSkewHours(events)).toBe(1);
    const latest = NOW + HOUR;
    expect(validateRecord({ ...good, event_time: new Date(latest).toISOString() }, events, NOW)).toEqual([]);
    expect(validateRecord({ ...good, event_time: new Date(latest + 999).toISOString() }, events, NOW)).toEqual([]);
    expect(validateRecord({ ...good, event_time: new Date(latest + 1000).toISOString() }, events, NOW)).toEqual([
      'event_time: 2026-03-01T13:00:01.000Z is too far in the future: more than 1 h ahead (latest accepted 2026-03-01T13:00:00.000Z); Firehose would write it to the error prefix',
    ]);
  });

  it('the window follows the contract, not constants: a dataset with other bounds moves it', () => {
    const strict: DatasetDefinition = { ...events, partitioning: { time: { ...events.partitioning.time, maxLatenessDays: 1, maxFutureSkewHours: 2 } } };
    const twoDaysAgo = { ...good, event_time: new Date(NOW - 2 * DAY).toISOString() };
    const inNinetyMinutes = { ...good, event_time: new Date(NOW + 1.5 * HOUR).toISOString() };
    expect(validateRecord(twoDaysAgo, events, NOW)).toEqual([]);
    expect(validateRecord(twoDaysAgo, strict, NOW)[0]).toContain('too late: older than 1 days');
    expect(validateRecord(inNinetyMinutes, events, NOW)[0]).toContain('too far in the future');
    expect(validateRecord(inNinetyMinutes, strict, NOW)).toEqual([]);
  });

  it('a window margin narrows both ends', () => {
    const nearlyTooLate = { ...good, event_time: new Date(NOW - 7 * DAY + 30_000).toISOString() };
    expect(validateRecord(nearlyTooLate, events, NOW)).toEqual([]);
    expect(validateRecord(nearlyTooLate, events, NOW, { windowMarginMs: 60_000 })[0]).toContain('too late');
  });

  it('accepts a record of exactly 1 MiB with its partition key, and refuses one byte more', () => {
    const partitionKey = 'user-0001';
    const base = Buffer.byteLength(JSON.stringify({ ...good, properties: { pad: '' } })) + partitionKey.length;
    const sized = (bytes: number) => ({ ...good, properties: { pad: 'x'.repeat(bytes - base) } });
    expect(validateRecord(sized(KINESIS_LIMITS.maxBytesPerRecord), events, NOW, { partitionKey })).toEqual([]);
    expect(validateRecord(sized(KINESIS_LIMITS.maxBytesPerRecord + 1), events, NOW, { partitionKey })).toEqual([
      'the record is 1048577 bytes with its partition key, over the Kinesis limit of 1048576 bytes (1 MiB)',
    ]);
    // Multi-byte characters count as UTF-8 bytes, not characters.
    const euro = { ...good, properties: { pad: '€'.repeat(Math.ceil(KINESIS_LIMITS.maxBytesPerRecord / 3)) } };
    expect(validateRecord(euro, events, NOW)[0]).toMatch(/^the record is \d+ bytes, over the Kinesis limit/);
  });

  it('checks the partition key length when given', () => {
    expect(validateRecord(good, events, NOW, { partitionKey: '' })).toEqual(['partition key: must be 1-256 characters, got 0']);
    expect(validateRecord(good, events, NOW, { partitionKey: 'k'.repeat(257) })).toEqual(['partition key: must be 1-256 characters, got 257']);
    expect(validateRecord(good, events, NOW, { partitionKey: 'k'.repeat(256) })).toEqual([]);
  });

  it('refuses what is not a JSON object, and what cannot be serialized', () => {
    expect(validateRecord([good], events, NOW)).toEqual(['a events record must be a JSON object, got array']);
    const cyclic: Record<string, unknown> = { ...good, properties: {} };
    (cyclic.properties as Record<string, unknown>).self = cyclic;
    expect(validateRecord(cyclic, events, NOW).some((reason) => reason.startsWith('the record cannot be serialized as JSON'))).toBe(true);
  });
});

describe('validateRecord: value partition keys (client_errors: an enum key, ingestion time)', () => {
  const report = {
    error_id: 'e-1',
    app_version: '1.2.3',
    message: 'TypeError: x is undefined',
    stack: ['at a (app.js:1:1)', 'at b (app.js:2:2)'],
    user_id: null,
    reported_at: '2026-01-01T00:00:00Z',
    platform: 'ios',
  };

  it('allows the enum source field, which is not a column, and ignores time windows (ingestion-time)', () => {
    expect(validateRecord(report, clientErrors, NOW)).toEqual([]);
  });

  const withoutPlatform = Object.fromEntries(Object.entries(report).filter(([key]) => key !== 'platform'));

  it('requires the source field to be present', () => {
    expect(validateRecord(withoutPlatform, clientErrors, NOW)).toEqual([
      'platform: required for partition key platform (web, ios, android); a missing value is filed under "unknown"',
    ]);
  });

  it('arrays are checked element by element', () => {
    expect(validateRecord({ ...report, stack: ['ok', 3] }, clientErrors, NOW)).toEqual(['stack[1]: expected string, got number 3']);
  });

  it('an injected key needs a non-empty string', () => {
    const tenants: DatasetDefinition = {
      ...clientErrors,
      partitioning: { keys: [{ kind: 'injected', name: 'tenant', sourceField: 'tenant_id' }], time: clientErrors.partitioning.time },
    };
    const rest = withoutPlatform;
    expect(validateRecord({ ...rest, tenant_id: 't-1' }, tenants, NOW)).toEqual([]);
    expect(validateRecord({ ...rest, tenant_id: '' }, tenants, NOW)).toEqual(['tenant_id: partition key tenant needs a non-empty string, got string ""']);
    expect(validateRecord(rest, tenants, NOW)).toEqual([
      'tenant_id: required for partition key tenant; without it Firehose writes the record to the error prefix',
    ]);
  });
});

describe('validateRecord: every Glue type, from the column declarations', () => {
  const allTypes: DatasetDefinition = {
    ...clientErrors,
    name: 'all_types',
    partitioning: { time: { granularity: 'day', source: { kind: 'ingestion-time' } } },
    columns: [
      ['b', 'boolean'],
      ['t', 'tinyint'],
      ['s', 'smallint'],
      ['i', 'int'],
      ['l', 'bigint'],
      ['f', 'float'],
      ['d', 'double'],
      ['day', 'date'],
      ['at', 'timestamp'],
      ['bin', 'binary'],
      ['amount', 'decimal(5,2)'],
      ['code', 'varchar(3)'],
      ['flag', 'char(1)'],
      ['tags', 'array<string>'],
      ['matrix', 'array<array<int>>'],
      ['counts', 'map<string,bigint>'],
      ['by_hour', 'map<int,double>'],
      ['address', 'struct<city:string,zip:varchar(5),geo:struct<lat:double,lon:double>,since:date>'],
      ['lines', 'array<struct<sku:string,qty:int>>'],
    ].map(([name, type]) => ({ name, type, description: name, classification: 'internal' as const })),
  };
  const valid = {
    b: true,
    t: -128,
    s: 32_767,
    i: 2_147_483_647,
    l: Number.MAX_SAFE_INTEGER,
    f: 1.5,
    d: -0.25,
    day: '2024-02-29',
    at: '2026-03-01T00:00:00.000Z',
    bin: 'aGVsbG8=',
    amount: 123.45,
    code: 'abc',
    flag: 'y',
    tags: ['a', null],
    matrix: [[1, 2], [], null],
    counts: { a: 1, b: null },
    by_hour: { '0': 1.5, '23': 2 },
    address: { city: 'Lyon', zip: '69001', geo: { lat: 45.76, lon: 4.83 }, since: '2020-01-01' },
    lines: [{ sku: 'x', qty: 1 }, { sku: 'y' }],
  };

  it('accepts values of every type, nulls included', () => {
    expect(validateRecord(valid, allTypes, NOW)).toEqual([]);
    expect(validateRecord(Object.fromEntries(Object.keys(valid).map((key) => [key, null])), allTypes, NOW)).toEqual([]);
    expect(validateRecord({ ...valid, amount: '-999.99' }, allTypes, NOW)).toEqual([]);
  });

  it.each([
    ['b', 'true', 'b: expected boolean, got string "true"'],
    ['t', 128, 't: 128 is outside the tinyint range -128..127'],
    ['s', 1.5, 's: expected smallint, got number 1.5'],
    ['i', 2_147_483_648, 'i: 2147483648 is outside the int range -2147483648..2147483647'],
    ['l', 2 ** 60, 'l: 1152921504606847000 is outside the bigint range -9007199254740991..9007199254740991 (exact integers in JSON from JavaScript)'],
    ['f', '1.5', 'f: expected float, got string "1.5"'],
    ['d', Number.NaN, 'd: NaN cannot be sent (JSON has no NaN or Infinity; it would be stored as null)'],
    ['day', '2023-02-29', 'day: "2023-02-29" is not a date of the form yyyy-mm-dd'],
    ['day', '2023-2-28', 'day: "2023-2-28" is not a date of the form yyyy-mm-dd'],
    ['at', '2026-03-01', 'at: "2026-03-01" is not an ISO-8601 UTC timestamp of the form yyyy-MM-ddTHH:mm:ss[.SSS]Z'],
    ['bin', 'not base64!', 'bin: binary values are sent as base64 strings'],
    ['amount', 1234.5, 'amount: 1234.5 does not fit decimal(5,2)'],
    ['amount', 1.234, 'amount: 1.234 does not fit decimal(5,2)'],
    ['amount', '1e3', 'amount: "1e3" is not a plain decimal number'],
    ['code', 'abcd', 'code: 4 characters exceed varchar(3)'],
    ['flag', 'no', 'flag: 2 characters exceed char(1)'],
    ['tags', 'a,b', 'tags: expected array, got string "a,b"'],
    ['matrix', [[1], ['2']], 'matrix[1][0]: expected int, got string "2"'],
    ['counts', { a: 1.5 }, 'counts["a"]: expected bigint, got number 1.5'],
    ['by_hour', { noon: 1 }, 'by_hour key "noon": not a int'],
    ['address', { city: 'Lyon', geo: { lat: '45' } }, 'address.geo.lat: expected double, got string "45"'],
    ['address', { town: 'Lyon' }, 'address.town: unknown field (the struct has: city, zip, geo, since)'],
    ['lines', [{ sku: 'x', qty: 'one' }], 'lines[0].qty: expected int, got string "one"'],
  ])('%s = %o is refused', (column, value, reason) => {
    expect(validateRecord({ ...valid, [column]: value }, allTypes, NOW)).toEqual([reason]);
  });
});

describe('validateRecord agrees with the contract’s JQ query (real jq 1.6, its own clock)', () => {
  it('every record accepted here is partitioned by Firehose; every time refused here goes to its error prefix', () => {
    const query = jqExtractionQuery(events) as string;
    const now = Date.now();
    // Well inside, and a minute beyond each bound (jq reads its own clock, a few ms after ours).
    const offsets = [-7 * DAY + 60_000, -7 * DAY - 60_000, -DAY, -HOUR, 0, HOUR - 60_000, HOUR + 60_000, 2 * HOUR, -30 * DAY];
    const records = offsets.map((offset) => {
      const result = toCanonicalEvent({ event: 'page_view', properties: { user_id: 'u', timestamp: now + offset } });
      if (!result.ok) throw new Error(result.reasons.join('; '));
      return result.record;
    });
    const verdicts = records.map((record) => validateRecord(record, events, now).length === 0);
    expect(verdicts).toEqual([true, false, true, true, true, true, false, false, false]);
    const extractions = runJq(query, records);
    expect(extractions.map((extraction) => 'keys' in extraction)).toEqual(verdicts);
  });
});
