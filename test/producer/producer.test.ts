/**
 * EventProducer end to end.
 *
 * Which backend each test uses:
 * - "against moto": a real moto server (python3 -m moto.server, the Kinesis wire protocol) started on a
 *   free loopback port for this file and stopped after it. The happy path and every batching boundary run
 *   there, and records are read back with GetShardIterator/GetRecords. moto enforces the PutRecords limits
 *   itself (500 records, 5 MiB per call, 1 MiB per record), so a batch the producer got wrong would fail.
 * - "with aws-sdk-client-mock": partial failures (per-record ErrorCode), whole-call throttling and 5xx,
 *   backoff and give-up. moto always accepts every record, so it cannot produce these.
 */
import {
  InternalFailureException,
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  ResourceNotFoundException,
  type PutRecordsCommandInput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { events } from '../../config/datasets/events';
import {
  backoffDelay,
  EventProducer,
  KINESIS_LIMITS,
  planBatches,
  sampleSeedEvents,
  seededRandom,
  toCanonicalEvent,
  type CanonicalEvent,
  type PutRecordsClient,
  type SendReport,
} from '../../producer';
import { CREDENTIALS, REGION, startMotoKinesis, type MotoKinesis } from './moto-kinesis';

const canonicalOf = (event: unknown): CanonicalEvent => {
  const result = toCanonicalEvent(event);
  if (!result.ok) throw new Error(result.reasons.join('; '));
  return result.record;
};

/** A seed event numbered by `properties.seq`, stamped `ageMs` before now. */
const seedEvent = (seq: number, extra: Record<string, unknown> = {}, ageMs = 60_000) => ({
  event: 'page_view',
  properties: { user_id: `user-${seq % 7}`, timestamp: new Date(Date.now() - ageMs).toISOString(), seq, ...extra },
});

/** A seed event whose canonical record plus partition key (its user_id) is exactly `bytes` long. */
function seedEventOfSize(seq: number, bytes: number) {
  const timestamp = new Date(Date.now() - 60_000).toISOString();
  // A fixed id: a generated one would be 36 more bytes than this function measured.
  const make = (pad: string) => ({ event: 'bulk_upload', event_id: `evt-${seq}`, properties: { user_id: `user-${seq}`, timestamp, seq, pad } });
  const base = Buffer.byteLength(JSON.stringify(canonicalOf(make('')))) + Buffer.byteLength(`user-${seq}`);
  const event = make('x'.repeat(bytes - base));
  expect(Buffer.byteLength(JSON.stringify(canonicalOf(event))) + Buffer.byteLength(`user-${seq}`)).toBe(bytes);
  return event;
}

/** Every input in exactly one place: sent (as counted), rejected or failed, no index twice. */
function expectEveryInputAccountedFor(report: SendReport, inputs: number, sentIndices?: readonly number[]) {
  const rejected = report.rejected.map((entry) => entry.index);
  const failed = report.failed.map((entry) => entry.index);
  expect(new Set([...rejected, ...failed]).size).toBe(rejected.length + failed.length);
  expect(report.sent + rejected.length + failed.length).toBe(inputs);
  if (sentIndices) {
    expect(new Set(sentIndices).size).toBe(sentIndices.length);
    expect(sentIndices.length).toBe(report.sent);
    expect([...sentIndices, ...rejected, ...failed].sort((a, b) => a - b)).toEqual([...Array(inputs).keys()]);
  }
}

describe('planBatches (pure)', () => {
  const sized = (...bytes: number[]) => bytes.map((b) => ({ bytes: b }));
  it('cuts at 500 records and at 5 MiB, and never before a record that still fits', () => {
    expect(planBatches(sized(...Array(1001).fill(1))).map((batch) => batch.length)).toEqual([500, 500, 1]);
    const MiB = 1024 * 1024;
    expect(planBatches(sized(MiB, MiB, MiB, MiB, MiB)).map((batch) => batch.length)).toEqual([5]);
    expect(planBatches(sized(MiB, MiB, MiB, MiB, MiB, 1)).map((batch) => batch.length)).toEqual([5, 1]);
    expect(planBatches(sized(3 * MiB, 2 * MiB + 1, 2 * MiB - 1)).map((batch) => batch.length)).toEqual([1, 2]);
    expect(planBatches([])).toEqual([]);
  });
});

describe('against moto (real Kinesis wire protocol)', () => {
  let moto: MotoKinesis;
  let streamCounter = 0;

  beforeAll(async () => {
    moto = await startMotoKinesis();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  async function newStream(shards = 1): Promise<string> {
    streamCounter += 1;
    const name = `lakehouse-test-events-${streamCounter}`;
    await moto.createStream(name, shards);
    return name;
  }

  /** A producer on a fresh stream, with a spy that records every PutRecords call it makes. */
  async function producerOnMoto(shards = 1) {
    const streamName = await newStream(shards);
    const send = vi.spyOn(moto.client, 'send');
    send.mockClear();
    const producer = new EventProducer({ client: moto.client, streamName, dataset: events });
    const recorded = () =>
      send.mock.calls
        .map(([command]) => command)
        .filter((command) => command instanceof PutRecordsCommand)
        .map((command) => (command as unknown as PutRecordsCommand).input.Records ?? []);
    // mockRestore forgets the calls: keep them.
    let kept: ReturnType<typeof recorded> | undefined;
    const restore = () => {
      kept = recorded();
      send.mockRestore();
    };
    return { producer, streamName, calls: () => kept ?? recorded(), restore };
  }

  it('the happy path: seed-shaped events arrive as canonical records, keyed by user_id; invalid ones are rejected, not sent', async () => {
    const { producer, streamName, restore } = await producerOnMoto(2);
    const good = sampleSeedEvents(40, { random: seededRandom(7) });
    const bad = [
      { event: 'page_view', properties: { user_id: 'u-1', timestamp: 'yesterday' } },
      { event: 'page_view', properties: { user_id: 'u-1', timestamp: Date.now() - 8 * 86_400_000 } },
      { event: 'page_view', properties: { user_id: 'u-1', timestamp: Date.now() + 2 * 3_600_000 } },
      'not an object',
    ];
    const inputs = [...good.slice(0, 20), ...bad, ...good.slice(20)];
    const report = await producer.send(inputs);
    restore();

    expect(report.sent).toBe(40);
    expect(report.failed).toEqual([]);
    expect(report.rejected.map((entry) => entry.index)).toEqual([20, 21, 22, 23]);
    expect(report.rejected.map((entry) => entry.reasons[0])).toEqual([
      'properties.timestamp: "yesterday" is not an ISO-8601 timestamp with a UTC offset',
      expect.stringContaining('is too late: older than 7 days'),
      expect.stringContaining('is too far in the future: more than 1 h ahead'),
      'an event must be a JSON object, got string',
    ]);
    expect(report.rejected[3].event).toBe('not an object');
    expectEveryInputAccountedFor(report, inputs.length);

    const stored = await moto.readAll(streamName);
    // Sent without ids, each record got a generated UUID (distinct); otherwise it is the canonical mapping.
    const ids = stored.map((record) => (record.data as CanonicalEvent).event_id);
    expect(new Set(ids).size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const key = (record: unknown) => JSON.stringify(record);
    const withoutId = (record: CanonicalEvent) => key(Object.fromEntries(Object.entries(record).filter(([field]) => field !== 'event_id')));
    expect(stored.map((record) => withoutId(record.data as CanonicalEvent)).sort()).toEqual(good.map((event) => key(canonicalOf(event))).sort());
    for (const record of stored) {
      expect(record.partitionKey).toBe((record.data as CanonicalEvent).user_id);
      expect((record.data as CanonicalEvent).event_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('500 records go in one call; 501 in two (500 + 1), and all arrive', async () => {
    const one = await producerOnMoto();
    const inputs500 = Array.from({ length: 500 }, (_, i) => seedEvent(i));
    expect((await one.producer.send(inputs500)).sent).toBe(500);
    one.restore();
    expect(one.calls().map((records) => records.length)).toEqual([500]);

    const two = await producerOnMoto();
    const inputs501 = Array.from({ length: 501 }, (_, i) => seedEvent(i));
    const report = await two.producer.send(inputs501);
    two.restore();
    expect(report).toEqual({ sent: 501, rejected: [], failed: [] });
    expect(two.calls().map((records) => records.length)).toEqual([500, 1]);
    const stored = await moto.readAll(two.streamName);
    expect(stored.map((record) => (record.data as CanonicalEvent).properties.seq).sort((a, b) => Number(a) - Number(b))).toEqual(
      inputs501.map((_, i) => String(i)),
    );
  });

  it('records of exactly 1 MiB each (with their partition keys): five make exactly 5 MiB, one call; a sixth starts a second call', async () => {
    const MiB = KINESIS_LIMITS.maxBytesPerRecord;
    const five = await producerOnMoto();
    const inputs = Array.from({ length: 5 }, (_, i) => seedEventOfSize(i, MiB));
    expect(await five.producer.send(inputs)).toEqual({ sent: 5, rejected: [], failed: [] });
    five.restore();
    const callBytes = (records: NonNullable<PutRecordsCommandInput['Records']>) =>
      records.reduce((sum, record) => sum + (record.Data?.length ?? 0) + Buffer.byteLength(record.PartitionKey ?? ''), 0);
    expect(five.calls().map(callBytes)).toEqual([KINESIS_LIMITS.maxBytesPerCall]);
    const stored = await moto.readAll(five.streamName);
    expect(stored.map((record) => record.bytes + Buffer.byteLength(record.partitionKey))).toEqual([MiB, MiB, MiB, MiB, MiB]);
    expect(stored.map((record) => record.data)).toEqual(inputs.map(canonicalOf));

    const six = await producerOnMoto();
    const report = await six.producer.send([...Array.from({ length: 5 }, (_, i) => seedEventOfSize(i, MiB)), seedEvent(5)]);
    six.restore();
    expect(report).toEqual({ sent: 6, rejected: [], failed: [] });
    expect(six.calls().map((records) => records.length)).toEqual([5, 1]);
  });

  it('records summing past 5 MiB are split where the next one would not fit', async () => {
    const { producer, streamName, calls, restore } = await producerOnMoto();
    const size = 600_000;
    const inputs = Array.from({ length: 11 }, (_, i) => seedEventOfSize(i, size));
    expect(await producer.send(inputs)).toEqual({ sent: 11, rejected: [], failed: [] });
    restore();
    const perCall = Math.floor(KINESIS_LIMITS.maxBytesPerCall / size); // 8
    expect(calls().map((records) => records.length)).toEqual([perCall, 11 - perCall]);
    expect(await moto.readAll(streamName)).toHaveLength(11);
  });

  it('a record one byte over 1 MiB is rejected with its size, and the rest are sent', async () => {
    const { producer, streamName, restore } = await producerOnMoto();
    const report = await producer.send([seedEvent(0), seedEventOfSize(1, KINESIS_LIMITS.maxBytesPerRecord + 1), seedEvent(2)]);
    restore();
    expect(report.sent).toBe(2);
    expect(report.rejected).toEqual([
      expect.objectContaining({ index: 1, reasons: ['the record is 1048577 bytes with its partition key, over the Kinesis limit of 1048576 bytes (1 MiB)'] }),
    ]);
    expect(await moto.readAll(streamName)).toHaveLength(2);
  });

  it('control: moto itself refuses a call over 5 MiB, so the boundaries above are checked by the server', async () => {
    const streamName = await newStream();
    const data = new Uint8Array(KINESIS_LIMITS.maxBytesPerRecord - 1);
    const records = Array.from({ length: 5 }, () => ({ Data: data, PartitionKey: 'k' }));
    await expect(moto.client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }))).resolves.toBeDefined();
    await expect(
      moto.client.send(new PutRecordsCommand({ StreamName: streamName, Records: [...records, { Data: new Uint8Array(1), PartitionKey: 'k' }] })),
    ).rejects.toThrow('Records size exceeds 5 MB limit');
  });
});

describe('with aws-sdk-client-mock (partial failures and throttling, which moto cannot produce)', () => {
  const client = new KinesisClient({ region: REGION, credentials: CREDENTIALS });
  const kinesis = mockClient(client);

  afterEach(() => {
    kinesis.reset();
  });

  const seqOf = (data: Uint8Array | undefined) => Number((JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as CanonicalEvent).properties.seq);
  const callSeqs = () => kinesis.commandCalls(PutRecordsCommand).map((call) => (call.args[0].input.Records ?? []).map((record) => seqOf(record.Data)));
  const ok = (n: number): PutRecordsResultEntry[] => Array.from({ length: n }, (_, i) => ({ SequenceNumber: String(1000 + i), ShardId: 'shardId-000000000000' }));
  const throttled = (): PutRecordsResultEntry => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' });
  const internal = (): PutRecordsResultEntry => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' });

  function producer(options: Partial<ConstructorParameters<typeof EventProducer>[0]> = {}) {
    const waits: number[] = [];
    const instance = new EventProducer({
      client,
      streamName: 'lakehouse-dev-events',
      dataset: events,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
      ...options,
    });
    return { producer: instance, waits };
  }

  it('a KinesisClient is a PutRecordsClient', () => {
    const typed: PutRecordsClient = client;
    expect(typed).toBe(client);
  });

  it('retries only the entries that failed, then reports everything sent', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({ FailedRecordCount: 2, Records: [ok(1)[0], throttled(), ok(1)[0], internal(), ok(1)[0]] })
      .resolves({ FailedRecordCount: 0, Records: ok(2) });
    const { producer: p, waits } = producer();
    const report = await p.send([0, 1, 2, 3, 4].map((seq) => seedEvent(seq)));
    expect(report).toEqual({ sent: 5, rejected: [], failed: [] });
    expect(callSeqs()).toEqual([[0, 1, 2, 3, 4], [1, 3]]);
    expect(waits).toEqual([50]);
  });

  it('gives up after maxAttempts and reports the entry as failed with the last ErrorCode and its attempts', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: 1,
      Records: (input.Records ?? []).map((record) => (seqOf(record.Data) === 2 ? throttled() : ok(1)[0])),
    }));
    const { producer: p, waits } = producer({ maxAttempts: 3 });
    const inputs = [0, 1, 2, 3].map((seq) => seedEvent(seq));
    const report = await p.send(inputs);
    expect(report.sent).toBe(3);
    expect(report.rejected).toEqual([]);
    expect(report.failed).toEqual([
      {
        index: 2,
        event: inputs[2],
        errorCode: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate exceeded for shard shardId-000000000000',
        attempts: 3,
      },
    ]);
    expect(callSeqs()).toEqual([[0, 1, 2, 3], [2], [2]]);
    expect(waits).toEqual([50, 100]);
    expectEveryInputAccountedFor(report, inputs.length);
  });

  it('retries a throttled call as a whole, with the same records', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'Rate exceeded for stream lakehouse-dev-events', $metadata: { httpStatusCode: 400 } }))
      .resolves({ FailedRecordCount: 0, Records: ok(3) });
    const { producer: p, waits } = producer();
    expect(await p.send([0, 1, 2].map((seq) => seedEvent(seq)))).toEqual({ sent: 3, rejected: [], failed: [] });
    expect(callSeqs()).toEqual([[0, 1, 2], [0, 1, 2]]);
    expect(waits).toEqual([50]);
  });

  it('retries 5xx errors, and reports the whole batch failed when they persist', async () => {
    const unavailable = Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    kinesis.on(PutRecordsCommand).rejects(unavailable);
    const { producer: p, waits } = producer({ maxAttempts: 4 });
    const inputs = [0, 1].map((seq) => seedEvent(seq));
    const report = await p.send(inputs);
    expect(report.sent).toBe(0);
    expect(report.failed).toEqual([0, 1].map((index) => ({ index, event: inputs[index], errorCode: 'ServiceUnavailable', errorMessage: 'Service Unavailable', attempts: 4 })));
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(4);
    expect(waits).toEqual([50, 100, 200]);

    kinesis.reset();
    kinesis
      .on(PutRecordsCommand)
      .rejectsOnce(new InternalFailureException({ message: 'Internal service failure.', $metadata: { httpStatusCode: 500 } }))
      .resolves({ FailedRecordCount: 0, Records: ok(2) });
    expect((await producer().producer.send(inputs)).sent).toBe(2);
  });

  it('does not retry an error that is not throttling or 5xx: one call, reported failed after 1 attempt', async () => {
    kinesis.on(PutRecordsCommand).rejects(new ResourceNotFoundException({ message: 'Stream lakehouse-dev-events not found', $metadata: { httpStatusCode: 400 } }));
    const { producer: p, waits } = producer();
    const report = await p.send([seedEvent(0)]);
    expect(report.failed).toEqual([expect.objectContaining({ index: 0, errorCode: 'ResourceNotFoundException', attempts: 1 })]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a response without a result for an entry counts as a failure of that entry (retried, never assumed sent)', async () => {
    kinesis.on(PutRecordsCommand).resolvesOnce({ FailedRecordCount: 0, Records: ok(1) }).resolves({ FailedRecordCount: 0, Records: ok(1) });
    const { producer: p } = producer();
    expect(await p.send([seedEvent(0), seedEvent(1)])).toEqual({ sent: 2, rejected: [], failed: [] });
    expect(callSeqs()).toEqual([[0, 1], [1]]);
  });

  it('backoff is exponential with full jitter: each wait is random in [0, min(maxDelayMs, baseDelayMs × 2^(n-1)))', async () => {
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [throttled()] });
    const nearlyOne = 1 - Number.EPSILON;
    const top = producer({ maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1000, random: () => nearlyOne });
    await top.producer.send([seedEvent(0)]);
    expect(top.waits).toEqual([99, 199, 399, 799, 999, 999, 999]);

    const bottom = producer({ maxAttempts: 8, random: () => 0 });
    await bottom.producer.send([seedEvent(0)]);
    expect(bottom.waits).toEqual([0, 0, 0, 0, 0, 0, 0]);

    const random = seededRandom(42);
    const drawn: number[] = [];
    const jittered = producer({ maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5000, random: () => drawn[drawn.push(random()) - 1] });
    await jittered.producer.send([seedEvent(0)]);
    expect(jittered.waits).toHaveLength(9);
    jittered.waits.forEach((wait, i) => {
      const ceiling = Math.min(5000, 100 * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(ceiling);
      expect(wait).toBe(Math.floor(drawn[i] * ceiling));
    });
    expect(new Set(jittered.waits).size).toBeGreaterThan(1);
    expect(backoffDelay(20, 100, 5000, () => 0.5)).toBe(2500);
  });

  it('the default sleep really waits (small delays)', async () => {
    kinesis.on(PutRecordsCommand).resolvesOnce({ FailedRecordCount: 1, Records: [throttled()] }).resolves({ FailedRecordCount: 0, Records: ok(1) });
    const p = new EventProducer({ client, streamName: 's', dataset: events, baseDelayMs: 40, random: () => 0.99 });
    const started = Date.now();
    expect((await p.send([seedEvent(0)])).sent).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('the partition key defaults to user_id, else a random UUID, and can be chosen', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({ FailedRecordCount: 0, Records: ok(input.Records?.length ?? 0) }));
    await producer().producer.send([seedEvent(0), { event: 'x', properties: { timestamp: Date.now() } }]);
    const [withUser, withoutUser] = kinesis.commandCalls(PutRecordsCommand)[0].args[0].input.Records ?? [];
    expect(withUser.PartitionKey).toBe('user-0');
    expect(withoutUser.PartitionKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    kinesis.resetHistory();
    const byEvent = producer({ partitionKey: (record) => record.event ?? 'none' });
    await byEvent.producer.send([seedEvent(0)]);
    expect(kinesis.commandCalls(PutRecordsCommand)[0].args[0].input.Records?.[0].PartitionKey).toBe('page_view');

    const throwing = producer({
      partitionKey: () => {
        throw new Error('no tenant');
      },
    });
    expect((await throwing.producer.send([seedEvent(0)])).rejected).toEqual([expect.objectContaining({ index: 0, reasons: ['partition key: no tenant'] })]);
    const tooLong = producer({ partitionKey: () => 'k'.repeat(257) });
    expect((await tooLong.producer.send([seedEvent(0)])).rejected[0].reasons).toEqual(['partition key: must be 1-256 characters, got 257']);
  });

  it('validates against the injected clock', async () => {
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: ok(1) });
    const old = { event: 'x', properties: { user_id: 'u', timestamp: '2020-01-01T00:00:00Z' } };
    expect((await producer().producer.send([old])).rejected).toHaveLength(1);
    expect(await producer({ now: () => new Date('2020-01-01T00:30:00Z') }).producer.send([old])).toEqual({ sent: 1, rejected: [], failed: [] });
  });

  it('an empty input makes no call', async () => {
    expect(await producer().producer.send([])).toEqual({ sent: 0, rejected: [], failed: [] });
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it('invariant: under random partial failures, throttling and bad inputs, every input is sent, rejected or failed, exactly once', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      kinesis.reset();
      const random = seededRandom(seed);
      const accepted: number[] = [];
      kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
        const roll = random();
        if (roll < 0.1) throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
        if (roll < 0.15) throw Object.assign(new Error('Bad Gateway'), { name: 'BadGateway', $metadata: { httpStatusCode: 502 } });
        const records = (input.Records ?? []).map((record) => {
          if (random() < 0.3) return random() < 0.5 ? throttled() : internal();
          accepted.push(seqOf(record.Data));
          return ok(1)[0];
        });
        return { FailedRecordCount: records.filter((record) => record.ErrorCode).length, Records: records };
      });
      const inputs = Array.from({ length: 1200 }, (_, i) => {
        const roll = random();
        if (roll < 0.05) return { event: 'x', properties: { seq: i, timestamp: 'not a time' } };
        if (roll < 0.08) return { event: 'x', properties: { seq: i, timestamp: Date.now() - 30 * 86_400_000 } };
        if (roll < 0.1) return i;
        return seedEvent(i);
      });
      const { producer: p } = producer({ maxAttempts: 3, random });
      const report = await p.send(inputs);
      expectEveryInputAccountedFor(report, inputs.length, accepted);
      expect(report.rejected.length).toBeGreaterThan(0);
      expect(report.failed.length).toBeGreaterThan(0);
      expect(report.failed.every((entry) => entry.attempts >= 1 && entry.attempts <= 3)).toBe(true);
      for (const call of kinesis.commandCalls(PutRecordsCommand)) expect(call.args[0].input.Records?.length).toBeLessThanOrEqual(KINESIS_LIMITS.maxRecordsPerCall);
    }
  });
});

describe('event ids', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const event = (extra: Record<string, unknown> = {}) => ({ event: 'page_view', properties: { user_id: 'u-1', timestamp: '2026-03-01T11:00:00Z' }, ...extra });
  const noClient = { send: () => Promise.reject(new Error('not called')) };
  const decoded = (record: { data: Uint8Array }) => JSON.parse(Buffer.from(record.data).toString('utf8')) as Record<string, unknown>;

  it('generates one id per record, once: a retry sends the same bytes, a sender-given id is kept', () => {
    let n = 0;
    const producer = new EventProducer({ client: noClient, streamName: 's', dataset: events, now: () => now, newEventId: () => `gen-${++n}` });
    const { prepared, rejected } = producer.prepare([event(), event({ event_id: 'client-7' }), event()]);
    expect(rejected).toEqual([]);
    expect(prepared.map((record) => decoded(record).event_id)).toEqual(['gen-1', 'client-7', 'gen-2']);
    expect(n).toBe(2);
  });

  it('a contract without an event_id column gets no id (older contracts keep working); a sender-given id is then refused as not a column', () => {
    const legacy = { ...events, columns: events.columns.filter((column) => column.name !== 'event_id') };
    const producer = new EventProducer({ client: noClient, streamName: 's', dataset: legacy, now: () => now, newEventId: () => 'never' });
    const { prepared, rejected } = producer.prepare([event(), event({ event_id: 'client-7' })]);
    expect(prepared.map((record) => Object.keys(decoded(record)))).toEqual([['event', 'user_id', 'event_time', 'context', 'traits', 'properties']]);
    expect(rejected.map((entry) => entry.reasons)).toEqual([[expect.stringMatching(/^event_id: unknown field, not a column of events/)]]);
  });
});
