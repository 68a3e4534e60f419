/**
 * Sends events to a dataset's Kinesis stream: maps each to the canonical record, validates it against
 * the dataset contract, packs the valid ones into PutRecords calls within the Kinesis limits, and
 * retries what failed with exponential backoff and full jitter. Every input ends up in exactly one of
 * `sent`, `rejected` or `failed` of the report; nothing is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { loadOptionalPeer } from '../constructs/common/optional-peer';
import type { DatasetDefinition } from '../constructs/datasets/model';
import { toCanonicalEvent, type CanonicalEvent } from './canonical-event';
import { checkRecord, KINESIS_LIMITS } from './validate';

/** What the producer needs of a Kinesis client: a `KinesisClient` fits. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

export interface EventProducerOptions {
  readonly client: PutRecordsClient;
  readonly streamName: string;
  readonly dataset: DatasetDefinition;
  /**
   * The partition key of a record (1-256 characters). Records with one key keep their order on one
   * shard. @default the record's `user_id` when it is a non-empty string, else a random UUID
   */
  readonly partitionKey?: (record: CanonicalEvent) => string;
  /** Attempts per record, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff before retry n (1-based) is random in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))). @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** Narrows the event-time window at both ends (see `ValidateOptions.windowMarginMs`). @default 0 */
  readonly windowMarginMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** The clock records are validated against. @default Date.now */
  readonly now?: () => Date | number;
  /**
   * Id of an event sent without `event_id`, generated once per record in `prepare` (so every retry of
   * the record carries the same id and the curated job can drop the duplicates). @default randomUUID
   */
  readonly newEventId?: () => string;
}

export interface RejectedEvent {
  /** Position in the input of `send`. */
  readonly index: number;
  readonly event: unknown;
  /** Why it was not sent: mapping or contract violations. */
  readonly reasons: readonly string[];
}

export interface FailedEvent {
  readonly index: number;
  readonly event: unknown;
  /** The per-record `ErrorCode`, or the name of the error the whole call failed with. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** PutRecords calls that carried this record. */
  readonly attempts: number;
}

export interface SendReport {
  /** Records Kinesis accepted. */
  readonly sent: number;
  /** Refused before sending (invalid), never sent. */
  readonly rejected: RejectedEvent[];
  /** Sent but not accepted after the last attempt, or refused by a non-retryable error. */
  readonly failed: FailedEvent[];
}

/** One valid record, ready to send. */
export interface PreparedRecord {
  readonly index: number;
  readonly event: unknown;
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Data plus partition key, in bytes. */
  readonly bytes: number;
}

export interface BatchLimits {
  readonly maxRecordsPerCall: number;
  readonly maxBytesPerCall: number;
}

/**
 * Packs records, in order, into batches of at most `maxRecordsPerCall` records and `maxBytesPerCall`
 * bytes (data and partition keys). A new batch starts only when the next record would not fit.
 */
export function planBatches<T extends { readonly bytes: number }>(records: readonly T[], limits: BatchLimits = KINESIS_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length > 0 && (current.length >= limits.maxRecordsPerCall || bytes + record.bytes > limits.maxBytesPerCall)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Whole-call errors worth retrying: throttling and server-side faults. */
const RETRYABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalFailureException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Whether a whole-call error is throttling or a 5xx. Anything else (access, missing stream, validation) is final. */
export function isRetryableCallError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorLike;
  if (typeof e.name === 'string' && RETRYABLE_ERRORS.has(e.name)) return true;
  if (e.$retryable?.throttling === true) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500 || status === 429;
  return e.$fault === 'server';
}

/** Full-jitter backoff before retry `retry` (1 = the first retry). */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const defaultPartitionKey = (record: CanonicalEvent): string =>
  typeof record.user_id === 'string' && record.user_id.length > 0 ? record.user_id : randomUUID();

const encoder = new TextEncoder();

export class EventProducer {
  readonly streamName: string;
  readonly dataset: DatasetDefinition;
  private readonly client: PutRecordsClient;
  /** Loaded when a producer is made, so a missing optional peer is reported there and by name. */
  private readonly PutRecordsCommand: typeof PutRecordsCommand;
  private readonly partitionKey: (record: CanonicalEvent) => string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly windowMarginMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date | number;
  private readonly newEventId: () => string;
  /** Whether the contract has an `event_id` column (a contract declared before ids existed has none). */
  private readonly storesEventId: boolean;

  constructor(options: EventProducerOptions) {
    this.PutRecordsCommand = loadOptionalPeer(
      '@aws-sdk/client-kinesis',
      // A literal require so that bundlers include the client; lazy so that its absence is reported by name.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis'),
    ).PutRecordsCommand;
    this.client = options.client;
    this.streamName = options.streamName;
    this.dataset = options.dataset;
    this.partitionKey = options.partitionKey ?? defaultPartitionKey;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.windowMarginMs = options.windowMarginMs ?? 0;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.newEventId = options.newEventId ?? randomUUID;
    this.storesEventId = options.dataset.columns.some((column) => column.name === 'event_id');
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer, got ${this.maxAttempts}`);
    if (!(this.baseDelayMs >= 0) || !(this.maxDelayMs >= 0)) throw new Error('baseDelayMs and maxDelayMs must be 0 or more');
  }

  /**
   * Maps and validates every event, then sends the valid ones. Resolves with a report in which every
   * input appears exactly once: counted in `sent`, or listed in `rejected` or `failed` with its index.
   * Never rejects for a Kinesis error; those are in `failed`.
   */
  async send(events: readonly unknown[]): Promise<SendReport> {
    const { prepared, rejected } = this.prepare(events);
    const failed: FailedEvent[] = [];
    let sent = 0;
    for (const batch of planBatches(prepared)) {
      const outcome = await this.sendBatch(batch);
      sent += outcome.sent;
      failed.push(...outcome.failed);
    }
    failed.sort((a, b) => a.index - b.index);
    if (sent + rejected.length + failed.length !== events.length) {
      throw new Error(`internal error: ${events.length} events but ${sent} sent, ${rejected.length} rejected, ${failed.length} failed`);
    }
    return { sent, rejected, failed };
  }

  /** Maps, validates and serializes; splits the input into records to send and rejections. */
  prepare(events: readonly unknown[]): { prepared: PreparedRecord[]; rejected: RejectedEvent[] } {
    const now = this.now();
    const prepared: PreparedRecord[] = [];
    const rejected: RejectedEvent[] = [];
    events.forEach((event, index) => {
      const mapped = toCanonicalEvent(event);
      if (!mapped.ok) {
        rejected.push({ index, event, reasons: mapped.reasons });
        return;
      }
      const record = this.withEventId(mapped.record);
      let partitionKey: string;
      try {
        partitionKey = this.partitionKey(record);
      } catch (error) {
        rejected.push({ index, event, reasons: [`partition key: ${error instanceof Error ? error.message : String(error)}`] });
        return;
      }
      if (typeof partitionKey !== 'string') {
        rejected.push({ index, event, reasons: [`partition key: expected a string, got ${typeof partitionKey}`] });
        return;
      }
      const check = checkRecord(record, this.dataset, now, { partitionKey, windowMarginMs: this.windowMarginMs });
      if (check.reasons.length > 0 || check.json === undefined || check.bytes === undefined) {
        rejected.push({ index, event, reasons: check.reasons });
        return;
      }
      prepared.push({ index, event, data: encoder.encode(check.json), partitionKey, bytes: check.bytes });
    });
    return { prepared, rejected };
  }

  /**
   * The record with an id: the sender's, or one generated here when the contract stores ids. Without an
   * `event_id` column the field is left out, so an older contract keeps accepting the record.
   */
  private withEventId(record: CanonicalEvent): CanonicalEvent {
    const missing = record.event_id === null || record.event_id === undefined;
    if (!this.storesEventId) {
      if (!missing) return record;
      const rest: CanonicalEvent = { ...record };
      delete (rest as { event_id?: unknown }).event_id;
      return rest;
    }
    return missing ? { ...record, event_id: this.newEventId() } : record;
  }

  /** Sends one batch, retrying only what failed, until everything is accepted or attempts run out. */
  private async sendBatch(batch: readonly PreparedRecord[]): Promise<{ sent: number; failed: FailedEvent[] }> {
    let pending = batch;
    let sent = 0;
    const failed: FailedEvent[] = [];
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const retry: PreparedRecord[] = [];
      const errors = new Map<PreparedRecord, { code: string; message: string }>();
      try {
        const response = await this.client.send(
          new this.PutRecordsCommand({
            StreamName: this.streamName,
            Records: pending.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })),
          }),
        );
        const results = response.Records ?? [];
        pending.forEach((record, position) => {
          const result = results[position];
          if (result && !result.ErrorCode) {
            sent += 1;
            return;
          }
          retry.push(record);
          errors.set(record, {
            code: result?.ErrorCode ?? 'MissingResult',
            message: result?.ErrorMessage ?? 'the response has no result for this record',
          });
        });
      } catch (error) {
        const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
        const code = typeof e.name === 'string' ? e.name : 'Error';
        const message = typeof e.message === 'string' ? e.message : String(error);
        if (!isRetryableCallError(error)) {
          for (const record of pending) failed.push(this.failure(record, code, message, attempt));
          return { sent, failed };
        }
        for (const record of pending) {
          retry.push(record);
          errors.set(record, { code, message });
        }
      }
      if (retry.length === 0) break;
      if (attempt >= this.maxAttempts) {
        for (const record of retry) {
          const last = errors.get(record) as { code: string; message: string };
          failed.push(this.failure(record, last.code, last.message, attempt));
        }
        break;
      }
      await this.sleep(backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random));
      pending = retry;
    }
    return { sent, failed };
  }

  private failure(record: PreparedRecord, errorCode: string, errorMessage: string, attempts: number): FailedEvent {
    return { index: record.index, event: record.event, errorCode, errorMessage, attempts };
  }
}
