/**
 * The collector end to end against moto's Kinesis and Secrets Manager with the real AWS SDK: what a
 * Segment call becomes in the dataset's stream, batches, gzip, routing to a second dataset, throttling
 * mid-batch, CORS and the metrics line.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_NAMESPACE } from '../../constructs/collector/metrics';
import {
  BACKEND_KEY,
  buildCollector,
  EVENTS_STREAM,
  ORDERS_STREAM,
  parseAnswer,
  proxyEvent,
  QUARANTINE_STREAM,
  startMotoCollector,
  testSettings,
  trackCall,
  type MotoCollector,
  WEB_KEY,
} from './moto-collector';

let moto: MotoCollector;
beforeAll(async () => {
  moto = await startMotoCollector();
});
afterAll(async () => {
  await moto?.stop();
});

async function streamRecord(stream: string, messageId: string) {
  const found = (await moto.kinesis.readAll(stream)).filter((record) => (record.data as { event_id?: string }).event_id === messageId);
  return found;
}

async function quarantined(requestId: string) {
  return (await moto.kinesis.readAll(QUARANTINE_STREAM)).map((record) => record.data as Record<string, any>).filter((record) => record.request_id === requestId);
}

const NOW = Date.parse('2026-12-04T12:00:00.000Z');

describe('collector delivery (moto Kinesis and Secrets Manager)', () => {
  it('maps a track call to the canonical events record, with skew-corrected time, truncated IP and no user agent', async () => {
    const { collector } = buildCollector(moto, { now: () => NOW });
    // The device clock is 2 h behind; the call was made 5 s before it was sent.
    const call = trackCall({ timestamp: '2026-12-04T09:59:55.000Z', sentAt: '2026-12-04T10:00:00.000Z' });
    const answer = parseAnswer(await collector.handle(proxyEvent('track', call)));
    expect(answer).toMatchObject({ status: 200, body: { success: true, accepted: 1, rejected: [] } });

    const [record] = await streamRecord(EVENTS_STREAM, call.messageId as string);
    expect(record.partitionKey).toBe('u-1');
    expect(record.data).toEqual({
      event: 'signup_completed',
      user_id: 'u-1',
      event_time: '2026-12-04T11:59:55.000Z',
      context: { page_url: 'https://shop.example.com/signup', referrer: 'https://search.example/' },
      traits: null,
      properties: {
        plan: 'pro',
        items: '3',
        'segment.type': 'track',
        'segment.receivedAt': '2026-12-04T12:00:00.000Z',
        'segment.originalTimestamp': '2026-12-04T09:59:55.000Z',
        'segment.ip': '198.51.100.0',
      },
      event_id: call.messageId,
    });
  });

  it('accepts a gzip batch of every call type and partitions anonymous calls by anonymousId', async () => {
    const { collector } = buildCollector(moto);
    const base = { anonymousId: 'anon-7', userId: undefined };
    const batch = [
      trackCall(base),
      trackCall({ ...base, type: 'page', event: undefined, name: 'Pricing', properties: { url: 'https://shop.example.com/pricing', referrer: null }, context: {} }),
      trackCall({ ...base, type: 'screen', event: undefined, name: 'Home' }),
      trackCall({ type: 'identify', event: undefined, traits: { plan: 'team', email: 'a@example.com' } }),
      trackCall({ type: 'group', event: undefined, groupId: 'g-1', traits: { seats: 5 } }),
      trackCall({ type: 'alias', event: undefined, previousId: 'anon-7' }),
    ];
    const answer = parseAnswer(await collector.handle(proxyEvent('batch', { batch, sentAt: new Date().toISOString() }, { gzip: true })));
    expect(answer.body).toEqual({ success: true, accepted: 6, rejected: [] });

    const records = await Promise.all(batch.map(async (call) => (await streamRecord(EVENTS_STREAM, call.messageId as string))[0]));
    expect(records.map((record) => (record.data as { event: string }).event)).toEqual(['signup_completed', 'page_view', 'screen_view', 'identify', 'group', 'alias']);
    expect(records[0].partitionKey).toBe('anon-7');
    expect(records[1].data).toMatchObject({ user_id: null, context: { page_url: 'https://shop.example.com/pricing', referrer: null }, properties: { 'segment.name': 'Pricing' } });
    expect(records[3].data).toMatchObject({ traits: { plan: 'team', source: null }, properties: { 'traits.email': 'a@example.com' } });
    expect(records[4].data).toMatchObject({ properties: { 'segment.groupId': 'g-1', 'segment.groupTraits': '{"seats":5}' } });
    expect(records[5].data).toMatchObject({ properties: { 'segment.previousId': 'anon-7' } });
  });

  it("serves the one-letter paths of Segment's browser SDK (text/plain, key in the body)", async () => {
    const { collector } = buildCollector(moto);
    const page = trackCall({ type: 'page', event: undefined, name: 'Home', writeKey: WEB_KEY });
    const single = parseAnswer(await collector.handle(proxyEvent('p', page, { key: null, contentType: 'text/plain' })));
    expect(single.body).toEqual({ success: true, accepted: 1, rejected: [] });
    const batch = { writeKey: WEB_KEY, batch: [trackCall(), trackCall({ type: 'identify', event: undefined })], sentAt: new Date().toISOString() };
    const batched = parseAnswer(await collector.handle(proxyEvent('b', batch, { key: null, contentType: 'text/plain' })));
    expect(batched.body).toEqual({ success: true, accepted: 2, rejected: [] });
    expect((await streamRecord(EVENTS_STREAM, page.messageId as string))[0].data).toMatchObject({ event: 'page_view', properties: { 'segment.name': 'Home' } });
  });

  it('routes a call naming context.dataset to that dataset when the source owns it', async () => {
    const { collector } = buildCollector(moto);
    const call = trackCall({ context: { dataset: 'orders' } });
    const answer = parseAnswer(await collector.handle(proxyEvent('track', call, { key: BACKEND_KEY })));
    expect(answer.status).toBe(200);
    expect(await streamRecord(ORDERS_STREAM, call.messageId as string)).toHaveLength(1);
    expect(await streamRecord(EVENTS_STREAM, call.messageId as string)).toHaveLength(0);
  });

  it('retries the records Kinesis throttled mid-batch and delivers each exactly once', async () => {
    let calls = 0;
    // Kinesis's partial failure: on the first call every second record is refused as throttled, the rest reach moto.
    const throttling = {
      send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        calls += 1;
        const records = command.input.Records ?? [];
        if (calls > 1) return moto.kinesis.client.send(command);
        const passed = records.filter((_, i) => i % 2 === 0);
        const response = await moto.kinesis.client.send(new PutRecordsCommand({ ...command.input, Records: passed }));
        let next = 0;
        return {
          ...response,
          FailedRecordCount: records.length - passed.length,
          Records: records.map((_, i) =>
            i % 2 === 0 ? (response.Records ?? [])[next++] : { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
          ),
        };
      },
    };
    const { collector } = buildCollector(moto, { client: throttling as unknown as KinesisClient });
    const batch = Array.from({ length: 10 }, (_, i) => trackCall({ userId: `u-${i}` }));
    const answer = parseAnswer(await collector.handle(proxyEvent('batch', { batch })));
    expect(answer.body).toEqual({ success: true, accepted: 10, rejected: [] });
    expect(calls).toBe(2);
    for (const call of batch) expect(await streamRecord(EVENTS_STREAM, call.messageId as string)).toHaveLength(1);
  });

  it('answers 503 with Retry-After when Kinesis throttles every attempt, and quarantines the calls', async () => {
    const alwaysThrottled = {
      send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        if (command.input.StreamName === QUARANTINE_STREAM) return moto.kinesis.client.send(command);
        throw Object.assign(new Error('Rate exceeded for stream'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      },
    };
    const { collector } = buildCollector(moto, { client: alwaysThrottled as unknown as KinesisClient });
    const batch = [trackCall(), trackCall()];
    const event = proxyEvent('batch', { batch });
    const answer = parseAnswer(await collector.handle(event));
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body.rejected.map((call) => [call.index, call.stage])).toEqual([
      [0, 'delivery'],
      [1, 'delivery'],
    ]);
    expect(answer.body.rejected[0].reasons[0]).toMatch(/not delivered to dataset "events" after retries \(ProvisionedThroughputExceededException/);
    const records = await quarantined(event.requestContext?.requestId as string);
    expect(records.map((record) => record.stage)).toEqual(['delivery', 'delivery']);
  });

  it('answers 200 when some calls were delivered and lists the undeliverable ones, which are in quarantine', async () => {
    const ordersThrottled = {
      send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        if (command.input.StreamName !== ORDERS_STREAM) return moto.kinesis.client.send(command);
        throw Object.assign(new Error('Rate exceeded for stream'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      },
    };
    const { collector } = buildCollector(moto, { client: ordersThrottled as unknown as KinesisClient });
    const toEvents = trackCall();
    const toOrders = trackCall({ context: { dataset: 'orders' } });
    const event = proxyEvent('batch', { batch: [toEvents, toOrders] }, { key: BACKEND_KEY });
    const answer = parseAnswer(await collector.handle(event));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, accepted: 1, rejected: [{ index: 1, stage: 'delivery', messageId: toOrders.messageId }] });
    expect(await streamRecord(EVENTS_STREAM, toEvents.messageId as string)).toHaveLength(1);
    expect(await quarantined(event.requestContext?.requestId as string)).toMatchObject([{ stage: 'delivery', dataset: 'orders', event_id: toOrders.messageId, source: 'backend' }]);
  });

  it('keeps in the log what the quarantine stream refuses too', async () => {
    const nothingWorks = {
      send: async (): Promise<PutRecordsCommandOutput> => {
        throw Object.assign(new Error('Stream not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
      },
    };
    const { collector, lines } = buildCollector(moto, { client: nothingWorks as unknown as KinesisClient });
    const call = trackCall();
    const answer = parseAnswer(await collector.handle(proxyEvent('track', call)));
    expect(answer.status).toBe(503);
    const kept = lines.filter((line) => line.message === 'quarantine record not written to the stream; kept here');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ problem: 'ResourceNotFoundException: Stream not found', record: { stage: 'delivery', event_id: call.messageId } });
  });

  it('publishes accepted and rejected counts per source as one embedded-metric-format line', async () => {
    const { collector, lines } = buildCollector(moto);
    await collector.handle(proxyEvent('batch', { batch: [trackCall(), trackCall({ userId: null })] }));
    const metrics = lines.find((line) => line._aws !== undefined) as Record<string, any>;
    expect(metrics._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: COLLECTOR_NAMESPACE, Dimensions: [['Source']] });
    expect(metrics).toMatchObject({ Source: 'web', AcceptedEvents: 1, RejectedEvents: 1, status: 200 });
  });

  it('lets allowed browser origins read the answer, answers their preflight, and no one else', async () => {
    const { collector } = buildCollector(moto);
    const allowed = await collector.handle(proxyEvent('track', trackCall(), { headers: { Origin: 'https://shop.example.com' } }));
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'https://shop.example.com', vary: 'Origin' });
    const other = await collector.handle(proxyEvent('track', trackCall(), { headers: { Origin: 'https://evil.example' } }));
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
    const preflight = await collector.handle(proxyEvent('track', undefined, { method: 'OPTIONS', rawBody: '', headers: { Origin: 'https://shop.example.com' } }));
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.['access-control-allow-headers']).toBe('authorization, content-type, content-encoding');
    const anyOrigin = buildCollector(moto, { settings: testSettings({ allowedOrigins: ['*'] }) }).collector;
    expect((await anyOrigin.handle(proxyEvent('track', trackCall(), { headers: { Origin: 'https://a.example' } }))).headers?.['access-control-allow-origin']).toBe('*');
  });
});
