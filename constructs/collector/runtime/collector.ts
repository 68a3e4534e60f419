/**
 * The collector's request handling, free of Lambda and of SDK construction (the handler wires those):
 * route → write key → body → calls → Segment mapping → the producer's contract check → delivery →
 * quarantine → answer. Every call of an authenticated request ends up accepted (in its dataset's stream)
 * or rejected (listed in the answer and written to the quarantine stream, or to the log when even that
 * fails); nothing is dropped silently.
 */
import { EventProducer, type PutRecordsClient } from '../../../producer/producer';
import type { CollectorDataset, CollectorSettings, CollectorSource } from '../settings';
import { callsAnswer, refusal, type RejectedCall } from './answer';
import { corsHeaders, preflight } from './cors';
import { metricsLine, UNAUTHENTICATED_SOURCE } from './metrics-line';
import { header, type APIGatewayProxyEvent, type APIGatewayProxyResult } from './proxy-event';
import { writeQuarantine, type QuarantineItem } from './quarantine-writer';
import { readJsonBody } from './request-body';
import { callType, mapSegmentCall, SEGMENT_TYPES, segmentPartitionKey, type RequestFacts, type SegmentType } from './segment-mapping';
import { REQUEST_RETRY_POLICY, writeRecords, type RetryPolicy } from './stream-writer';
import { basicUserName, type AuthResult, type WriteKeyStore } from './write-keys';

/**
 * How much the contract's event-time window is narrowed at both ends: an accepted record waits in the
 * stream (retries, a Firehose read lag) before Firehose's jq compares its time with its own clock, and a
 * record the collector accepted must not then land in the error prefix. A minute covers the retries and a
 * normal read lag; the sender is told the exact bounds it missed.
 */
export const WINDOW_MARGIN_MS = 60_000;

/**
 * The one-letter paths Segment's browser SDK (analytics.js 2.0, `@segment/analytics-next`) posts to: the
 * type's first letter, and `b` for its batching mode. It sends `text/plain` with the key in the body.
 */
const SHORT_ROUTES: Readonly<Record<string, string>> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias', b: 'batch' };
/** Every `/v1/<path>` the handler serves: the single calls, `batch` (with `import`, Segment's older name for it), the short paths. */
export const ROUTED_PATHS: readonly string[] = ['track', 'identify', 'page', 'screen', 'group', 'alias', 'batch', 'import', ...Object.keys(SHORT_ROUTES)];
const ROUTE = new RegExp(`/v1/(${ROUTED_PATHS.join('|')})/?$`);

export interface CollectorDependencies {
  readonly settings: CollectorSettings;
  readonly keys: WriteKeyStore;
  readonly kinesis: PutRecordsClient;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default REQUEST_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** One JSON object per line: the metrics line, and errors. @default process.stdout */
  readonly log?: (line: Record<string, unknown>) => void;
}

/** A call of the request, once its type and target are known. */
interface PendingCall {
  readonly index: number;
  readonly raw: unknown;
  readonly messageId: string;
  readonly input: Record<string, unknown>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const writeLine = (line: Record<string, unknown>) => void process.stdout.write(`${JSON.stringify(line)}\n`);

export class Collector {
  private readonly settings: CollectorSettings;
  private readonly keys: WriteKeyStore;
  private readonly kinesis: PutRecordsClient;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  private readonly log: (line: Record<string, unknown>) => void;
  private readonly datasets: ReadonlyMap<string, CollectorDataset>;
  /** One producer per dataset, made on first use (making one loads the Kinesis client module). */
  private readonly producers = new Map<string, EventProducer>();
  /** The receive time of the request being checked: the contract's event-time window is relative to it. */
  private contractClock = 0;

  constructor(dependencies: CollectorDependencies) {
    this.settings = dependencies.settings;
    this.keys = dependencies.keys;
    this.kinesis = dependencies.kinesis;
    this.now = dependencies.now ?? Date.now;
    this.retry = dependencies.retry ?? REQUEST_RETRY_POLICY;
    this.log = dependencies.log ?? writeLine;
    this.datasets = new Map(this.settings.datasets.map((dataset) => [dataset.name, dataset]));
  }

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const receivedAt = this.now();
    const cors = corsHeaders(header(event, 'origin'), this.settings.allowedOrigins ?? []);
    const requestId = event.requestContext?.requestId ?? null;
    const finish = (result: APIGatewayProxyResult, source: string, accepted: number, rejected: number) => {
      this.log({ ...metricsLine(source, accepted, rejected, receivedAt), requestId, path: event.path, status: result.statusCode });
      return result;
    };

    if (event.httpMethod === 'OPTIONS') return preflight(cors);
    if (event.httpMethod !== 'POST') return refusal(405, `use POST, not ${event.httpMethod}`, { ...cors, allow: 'POST, OPTIONS' });
    const matched = ROUTE.exec(event.path ?? '')?.[1];
    const route = matched === undefined ? undefined : (SHORT_ROUTES[matched] ?? matched);
    if (route === undefined) return refusal(404, `no such endpoint ${JSON.stringify(event.path)}: POST /v1/track, identify, page, screen, group, alias or batch`, cors);
    const isBatch = route === 'batch' || route === 'import';
    const { limits } = this.settings;

    const refuseKey = (auth: Extract<AuthResult, { ok: false }>) =>
      finish(refusal(auth.status, auth.message, auth.status === 401 ? { ...cors, 'www-authenticate': 'Basic realm="collector"' } : cors), UNAUTHENTICATED_SOURCE, 0, 1);
    // A key in the header is checked before the body is read: an unauthenticated body costs nothing.
    const headerKey = basicUserName(header(event, 'authorization'));
    let source: CollectorSource | undefined;
    if (headerKey !== undefined) {
      const auth = await this.keys.authenticate(headerKey, receivedAt);
      if (!auth.ok) return refuseKey(auth);
      source = auth.source;
    }

    const facts = (from: CollectorSource): RequestFacts => ({
      receivedAt,
      sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
      userAgent: header(event, 'user-agent'),
      privacy: this.settings.privacy,
      source: from,
    });
    const refuseRequest = async (status: number, message: string, from: CollectorSource | undefined, payload: unknown) => {
      if (from === undefined) return finish(refusal(status, message, cors), UNAUTHENTICATED_SOURCE, 0, 1);
      // An authenticated sender's refused request is kept too, for the data owner to see.
      await this.quarantine([{ stage: 'request', reasons: [message], payload }], facts(from), requestId);
      return finish(refusal(status, message, cors), from.name, 0, 1);
    };

    const body = readJsonBody(event, isBatch ? limits.maxBatchBytes : limits.maxEventBytes);
    if (!body.ok) return refuseRequest(body.status, body.message, source, unreadBody(event));
    if (source === undefined) {
      const bodyKey = isPlainObject(body.json) && typeof body.json.writeKey === 'string' ? body.json.writeKey : undefined;
      const auth = await this.keys.authenticate(bodyKey, receivedAt);
      if (!auth.ok) return refuseKey(auth);
      source = auth.source;
    }

    if (!isPlainObject(body.json)) return refuseRequest(400, `the body must be a JSON object, got ${kindOf(body.json)}`, source, body.json);
    let calls: readonly unknown[];
    if (isBatch) {
      const batch = body.json.batch;
      if (!Array.isArray(batch)) return refuseRequest(400, `batch must be an array of calls, got ${kindOf(batch)}`, source, body.json);
      if (batch.length === 0) return refuseRequest(400, 'batch is empty: send at least one call', source, body.json);
      if (batch.length > limits.maxBatchEvents) return refuseRequest(413, `batch has ${batch.length} calls, over the limit of ${limits.maxBatchEvents}: split it`, source, body.json);
      calls = batch;
    } else {
      calls = [body.json];
    }

    const requestFacts: RequestFacts = { ...facts(source), batchSentAt: isBatch ? body.json.sentAt : undefined };
    const { accepted, rejected, quarantined } = await this.process(calls, isBatch ? undefined : (route as SegmentType), requestFacts);
    await this.quarantine(quarantined, requestFacts, requestId);
    return finish(callsAnswer(accepted, rejected, cors), source.name, accepted, rejected.length);
  }

  /** Maps, checks, de-duplicates and delivers the calls of one request. */
  private async process(calls: readonly unknown[], singleType: SegmentType | undefined, facts: RequestFacts) {
    const rejected: RejectedCall[] = [];
    const quarantined: QuarantineItem[] = [];
    const reject = (index: number, raw: unknown, call: Omit<RejectedCall, 'index'>, dataset?: string) => {
      rejected.push({ index, ...call });
      quarantined.push({ stage: call.stage, reasons: call.reasons, payload: raw, messageId: call.messageId, dataset });
    };
    const firstIndex = new Map<string, number>();
    const byDataset = new Map<string, PendingCall[]>();
    const { maxEventBytes } = this.settings.limits;

    calls.forEach((raw, index) => {
      if (!isPlainObject(raw)) return reject(index, raw, { stage: 'contract', reasons: [`a call must be a JSON object, got ${kindOf(raw)}`] });
      const messageId = typeof raw.messageId === 'string' ? raw.messageId : undefined;
      const bytes = Buffer.byteLength(JSON.stringify(raw), 'utf8');
      if (bytes > maxEventBytes) return reject(index, raw, { messageId, stage: 'contract', reasons: [`the call is ${bytes} bytes, over the limit of ${maxEventBytes} bytes per call`] });
      if (messageId !== undefined) {
        const first = firstIndex.get(messageId);
        if (first !== undefined) return reject(index, raw, { messageId, stage: 'duplicate', reasons: [`duplicate messageId "${messageId}": the call at index ${first} has it and was kept`] });
        firstIndex.set(messageId, index);
      }
      const type = singleType ?? callType(raw.type);
      if (type === undefined) {
        const got = raw.type === undefined ? 'a batch call needs a type' : `unknown type ${JSON.stringify(raw.type)}`;
        return reject(index, raw, { messageId, stage: 'contract', reasons: [`${got}: must be one of ${SEGMENT_TYPES.join(', ')}`] });
      }
      const mapped = mapSegmentCall(type, raw, facts);
      if (!mapped.ok) return reject(index, raw, { messageId: mapped.messageId, stage: mapped.kind === 'forbidden' ? 'forbidden' : 'contract', reasons: mapped.reasons }, mapped.dataset);
      const list = byDataset.get(mapped.dataset) ?? [];
      list.push({ index, raw, messageId: mapped.messageId, input: mapped.input });
      byDataset.set(mapped.dataset, list);
    });

    const outcomes = await Promise.all([...byDataset].map(([name, pending]) => this.deliver(this.datasets.get(name) as CollectorDataset, pending, facts.receivedAt)));
    let accepted = 0;
    for (const outcome of outcomes) {
      accepted += outcome.accepted;
      for (const item of outcome.rejected) reject(item.call.index, item.call.raw, { messageId: item.call.messageId, stage: item.stage, reasons: item.reasons }, outcome.dataset);
    }
    return { accepted, rejected, quarantined };
  }

  /** The producer's own mapping and contract check (`EventProducer.prepare`), then PutRecords with retries. */
  private async deliver(dataset: CollectorDataset, pending: readonly PendingCall[], receivedAt: number) {
    let producer = this.producers.get(dataset.name);
    if (producer === undefined) {
      producer = new EventProducer({
        client: this.kinesis,
        streamName: dataset.streamName,
        dataset: dataset.definition,
        partitionKey: segmentPartitionKey,
        now: () => this.contractClock,
        windowMarginMs: WINDOW_MARGIN_MS,
      });
      this.producers.set(dataset.name, producer);
    }
    // `prepare` is synchronous and reads the clock once at its start: concurrent requests cannot interleave here.
    this.contractClock = receivedAt;
    const { prepared, rejected } = producer.prepare(pending.map((call) => call.input));
    const result: Array<{ call: PendingCall; stage: 'contract' | 'delivery'; reasons: readonly string[] }> = rejected.map((item) => ({
      call: pending[item.index],
      stage: 'contract',
      reasons: item.reasons,
    }));
    const outcome = await writeRecords(
      this.kinesis,
      dataset.streamName,
      prepared.map((record) => ({ data: record.data, partitionKey: record.partitionKey, bytes: record.bytes, tag: pending[record.index] })),
      this.retry,
    );
    for (const failure of outcome.failed) {
      result.push({ call: failure.tag, stage: 'delivery', reasons: [`not delivered to dataset "${dataset.name}" after retries (${failure.errorCode}: ${failure.errorMessage}); send it again`] });
    }
    return { dataset: dataset.name, accepted: outcome.accepted, rejected: result };
  }

  private async quarantine(items: readonly QuarantineItem[], facts: RequestFacts, requestId: string | null): Promise<void> {
    if (items.length === 0) return;
    await writeQuarantine(items, { ...facts, requestId, streamName: this.settings.quarantine.streamName, client: this.kinesis, retry: this.retry, log: this.log });
  }
}

/**
 * What the quarantine keeps of a body that could not be read: its size only. Unparsed text cannot be
 * put under the privacy settings (it may hold a full IP address), and the sender has the reason.
 */
function unreadBody(event: APIGatewayProxyEvent): string {
  const bytes = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').length : Buffer.byteLength(event.body ?? '', 'utf8');
  return `(a body of ${bytes} bytes as sent, not stored: it could not be read)`;
}
