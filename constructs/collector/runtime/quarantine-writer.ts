/**
 * Writes rejected calls to the quarantine stream, each checked against the quarantine contract by the
 * producer's `checkRecord`. What cannot be written there (the stream refuses it after retries) is written
 * to the function's log instead, whole, so that a rejected call is never lost without a trace.
 */
import { checkRecord } from '../../../producer/validate';
import type { PutRecordsClient } from '../../../producer/producer';
import { collectorQuarantineDataset, type QuarantineRecord, type QuarantineStage } from '../quarantine-record';
import { storedIp, storedUserAgent } from './privacy';
import type { RequestFacts } from './segment-mapping';
import { writeRecords, type RetryPolicy } from './stream-writer';

export interface QuarantineItem {
  readonly stage: QuarantineStage;
  readonly reasons: readonly string[];
  /** The call (or the request body) as received; objects are stored as JSON under the privacy settings. */
  readonly payload: unknown;
  readonly messageId?: string;
  readonly dataset?: string;
}

export interface QuarantineTarget extends RequestFacts {
  readonly requestId: string | null;
  readonly streamName: string;
  readonly client: PutRecordsClient;
  readonly retry: RetryPolicy;
  readonly log: (line: Record<string, unknown>) => void;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A call with `context.ip` and `context.userAgent` as the privacy settings allow; a batch body call by call. */
export function underPrivacy(payload: unknown, facts: Pick<RequestFacts, 'privacy'>): unknown {
  if (!isPlainObject(payload)) return payload;
  if (Array.isArray(payload.batch)) return { ...payload, batch: payload.batch.map((call) => underPrivacy(call, facts)) };
  if (!isPlainObject(payload.context)) return payload;
  const context: Record<string, unknown> = { ...payload.context };
  if (typeof context.ip === 'string') context.ip = storedIp(context.ip, facts.privacy.ip);
  if (typeof context.userAgent === 'string') context.userAgent = storedUserAgent(context.userAgent, facts.privacy);
  for (const key of ['ip', 'userAgent']) if (context[key] === undefined) delete context[key];
  return { ...payload, context };
}

const encoder = new TextEncoder();

/** Whose call it is: its userId, else its anonymousId (strings only); none for a batch body or anything else. */
export function subjectOf(payload: unknown): string | null {
  if (!isPlainObject(payload)) return null;
  for (const field of ['userId', 'anonymousId']) {
    const value = payload[field];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

export async function writeQuarantine(items: readonly QuarantineItem[], target: QuarantineTarget): Promise<void> {
  const receivedAt = new Date(target.receivedAt).toISOString();
  const records = items.map((item) => {
    const record: QuarantineRecord = {
      received_at: receivedAt,
      source: target.source.name,
      dataset: item.dataset ?? null,
      event_id: item.messageId ?? null,
      stage: item.stage,
      reasons: item.reasons,
      payload: typeof item.payload === 'string' ? item.payload : (JSON.stringify(underPrivacy(item.payload, target)) ?? String(item.payload)),
      request_id: target.requestId,
      user_id: subjectOf(item.payload),
    };
    // Spread over shards: a flood of one sender's bad calls must not make one hot shard.
    const partitionKey = (item.messageId ?? `${target.requestId ?? target.source.name}-${Math.random()}`).slice(0, 256);
    return { record, partitionKey, check: checkRecord(record, collectorQuarantineDataset, target.receivedAt, { partitionKey }) };
  });
  const unwritable = records.filter((entry) => entry.check.reasons.length > 0 || entry.check.json === undefined);
  const outcome = await writeRecords(
    target.client,
    target.streamName,
    records
      .filter((entry) => !unwritable.includes(entry))
      .map((entry) => ({ data: encoder.encode(entry.check.json), partitionKey: entry.partitionKey, bytes: entry.check.bytes as number, tag: entry.record })),
    target.retry,
  );
  const lost = [
    ...unwritable.map((entry) => ({ record: entry.record, problem: entry.check.reasons.join('; ') })),
    ...outcome.failed.map((failure) => ({ record: failure.tag, problem: `${failure.errorCode}: ${failure.errorMessage}` })),
  ];
  for (const { record, problem } of lost) target.log({ level: 'error', message: 'quarantine record not written to the stream; kept here', problem, record });
}
