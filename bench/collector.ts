/**
 * Collector handler speed, in process: `npm run bench:collector -- [--requests 2000] [--runs 3]`.
 *
 * What is timed: `Collector.handle(event)` on REST proxy events built beforehand (as API Gateway would hand
 * them over), one request at a time (a Lambda instance serves one request at a time), with a warm write-key
 * cache. **Kinesis is an in-process fake** that accepts every PutRecords call at once: the figures are the
 * handler's own CPU (body decoding, auth, Segment mapping, the producer's contract check, serialization,
 * batching, the answer), not network or Kinesis latency, which in AWS adds one PutRecords round trip per
 * dataset per request (typically 10-30 ms).
 *
 * Baseline in the same run: a no-op handler that does what any JSON handler must (decode the body,
 * `JSON.parse`, answer `{"success":true}`); the ratios say what the collector costs on top of that.
 * Cases: one track call per request; 100-call batches, as JSON and gzip.
 * Prints numbers only: no assertions, no thresholds.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { events } from '../config/datasets/events';
import { Collector } from '../constructs/collector/runtime/collector';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from '../constructs/collector/runtime/proxy-event';
import { WriteKeyStore } from '../constructs/collector/runtime/write-keys';
import { DEFAULT_COLLECTOR_LIMITS, type CollectorSettings } from '../constructs/collector/settings';
import { hashWriteKey } from '../constructs/collector/write-key-document';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, runs: { type: 'string', default: '3' } } });
const REQUESTS = Number(values.requests);
const RUNS = Number(values.runs);
if (!Number.isInteger(REQUESTS) || REQUESTS < 10 || !Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`bench:collector: --requests must be a whole number of at least 10 and --runs at least 1, got ${values.requests} and ${values.runs}`);
  process.exit(1);
}
const KEY = 'bench-key-0123456789abcdefghijklmnopqrstuvw';

/** The in-process Kinesis stand-in: accepts everything, counts records and bytes. */
class AcceptingKinesis {
  records = 0;
  bytes = 0;
  async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const records = command.input.Records ?? [];
    this.records += records.length;
    for (const record of records) this.bytes += (record.Data as Uint8Array).length;
    return { FailedRecordCount: 0, Records: records.map(() => ({ SequenceNumber: '1', ShardId: 'shardId-000000000000' })), $metadata: {} };
  }
}

const settings: CollectorSettings = {
  version: 1,
  sources: [{ name: 'bench', writeKeySecretArn: 'bench', datasets: ['events'] }],
  datasets: [{ name: 'events', streamName: 'bench-events', definition: events }],
  quarantine: { streamName: 'bench-quarantine' },
  limits: DEFAULT_COLLECTOR_LIMITS,
  privacy: { ip: 'truncate', keepUserAgent: false },
  keyCacheSeconds: 3_600,
};

let sequence = 0;
function call(): Record<string, unknown> {
  sequence += 1;
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'product_viewed',
    userId: `user-${sequence % 500}`,
    messageId: `bench-${sequence}`,
    timestamp: now,
    properties: { sku: `sku-${sequence % 97}`, price: 19.99, currency: 'EUR', position: sequence % 10 },
    context: { page: { url: 'https://shop.example.com/p/1', referrer: 'https://search.example/', title: 'Product' }, ip: '198.51.100.23', locale: 'de-DE' },
  };
}

function proxyEvent(path: string, body: unknown, gzip = false): APIGatewayProxyEvent {
  const text = JSON.stringify(body);
  return {
    httpMethod: 'POST',
    path,
    headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
    body: gzip ? gzipSync(text).toString('base64') : text,
    isBase64Encoded: gzip,
    requestContext: { requestId: 'bench', identity: { sourceIp: '203.0.113.9' } },
  };
}

/** The floor: decode, parse, answer. */
async function noOpHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const bytes = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  const text = event.headers?.['Content-Encoding'] === 'gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  JSON.parse(text);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ success: true }) };
}

interface Timing {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

async function time(handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>, requests: readonly APIGatewayProxyEvent[]): Promise<Timing> {
  const latencies: number[] = [];
  const started = performance.now();
  for (const request of requests) {
    const t0 = performance.now();
    const result = await handler(request);
    latencies.push(performance.now() - t0);
    if (result.statusCode !== 200) throw new Error(`bench request refused: ${result.body}`);
  }
  const total = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (requests.length / total) * 1000, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] };
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function main() {
  const kinesis = new AcceptingKinesis();
  const keys = new WriteKeyStore(settings.sources, async () => JSON.stringify({ keys: [{ id: 'bench', sha256: hashWriteKey(KEY) }] }), settings.keyCacheSeconds);
  const collector = new Collector({ settings, keys, kinesis, log: () => undefined });
  const collectorHandler = (event: APIGatewayProxyEvent) => collector.handle(event);

  const batchRequests = Math.max(10, Math.round(REQUESTS / 10));
  const cases = [
    { name: 'single track call', calls: 1, make: () => Array.from({ length: REQUESTS }, () => proxyEvent('/v1/track', call())) },
    { name: '100-call batch', calls: 100, make: () => Array.from({ length: batchRequests }, () => proxyEvent('/v1/batch', { batch: Array.from({ length: 100 }, call) })) },
    { name: '100-call batch, gzip', calls: 100, make: () => Array.from({ length: batchRequests }, () => proxyEvent('/v1/batch', { batch: Array.from({ length: 100 }, call) }, true)) },
  ];

  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(`collector bench: Collector.handle in process, one request at a time, median of ${RUNS} runs after a warm-up`);
  console.log('Kinesis: an in-process fake that accepts every record (no network); write keys: cached');
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('');
  console.log('case                     handler  req/s   p50 ms   p99 ms   events/s   ratio req/s  ratio p50  ratio p99');
  for (const entry of cases) {
    const requests = entry.make();
    await time(collectorHandler, requests.slice(0, Math.ceil(requests.length / 4)));
    await time(noOpHandler, requests.slice(0, Math.ceil(requests.length / 4)));
    const runs = { collector: [] as Timing[], noop: [] as Timing[] };
    for (let run = 0; run < RUNS; run += 1) {
      runs.noop.push(await time(noOpHandler, requests));
      runs.collector.push(await time(collectorHandler, requests));
    }
    const pick = (list: Timing[]) => ({ perSecond: median(list.map((t) => t.perSecond)), p50: median(list.map((t) => t.p50)), p99: median(list.map((t) => t.p99)) });
    const c = pick(runs.collector);
    const n = pick(runs.noop);
    for (const [label, t] of [['no-op', n], ['collector', c]] as const) {
      const ratios = label === 'collector' ? `${fmt(n.perSecond / c.perSecond, 1).padStart(10)}x ${fmt(c.p50 / n.p50, 1).padStart(9)}x ${fmt(c.p99 / n.p99, 1).padStart(9)}x` : '';
      console.log(
        `${entry.name.padEnd(24)} ${label.padEnd(9)} ${fmt(t.perSecond).padStart(6)} ${fmt(t.p50, 3).padStart(8)} ${fmt(t.p99, 3).padStart(8)} ${fmt(t.perSecond * entry.calls).padStart(10)}   ${ratios}`,
      );
    }
  }
  console.log('');
  console.log(`records delivered to the fake: ${fmt(kinesis.records)}, mean record ${fmt(kinesis.bytes / kinesis.records)} bytes`);
  console.log('ratio req/s = no-op req/s ÷ collector req/s (how many times slower); ratio p50/p99 = collector ÷ no-op');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
