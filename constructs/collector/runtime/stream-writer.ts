/**
 * PutRecords with partial-failure retries for the collector: the producer's batching (`planBatches`,
 * within 500 records and 5 MiB per call), backoff (`backoffDelay`, full jitter) and retry rule
 * (`isRetryableCallError`), with attempts and delays sized for a request that API Gateway cuts at 29 s.
 * Resolves with what was accepted and what was not; never rejects.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { backoffDelay, isRetryableCallError, planBatches, type PutRecordsClient } from '../../../producer/producer';

export interface OutgoingRecord<T> {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Data plus partition key, in bytes. */
  readonly bytes: number;
  /** What the caller needs back for a failed record (its position, its call). */
  readonly tag: T;
}

export interface WriteFailure<T> {
  readonly tag: T;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface WriteOutcome<T> {
  readonly accepted: number;
  readonly failed: WriteFailure<T>[];
  /** PutRecords calls made, retries included. */
  readonly calls: number;
}

export interface RetryPolicy {
  /** Attempts per record, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** 4 attempts, 50 ms doubling up to 1 s: at most about 1.75 s of waiting, well inside API Gateway's 29 s. */
export const REQUEST_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export async function writeRecords<T>(client: PutRecordsClient, streamName: string, records: readonly OutgoingRecord<T>[], policy: RetryPolicy = REQUEST_RETRY_POLICY): Promise<WriteOutcome<T>> {
  let accepted = 0;
  let calls = 0;
  const failed: WriteFailure<T>[] = [];
  for (const batch of planBatches(records)) {
    let pending: readonly OutgoingRecord<T>[] = batch;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const retry: Array<{ record: OutgoingRecord<T>; code: string; message: string }> = [];
      calls += 1;
      try {
        const response = await client.send(
          new PutRecordsCommand({ StreamName: streamName, Records: pending.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })) }),
        );
        const results = response.Records ?? [];
        pending.forEach((record, position) => {
          const result = results[position];
          if (result && !result.ErrorCode) accepted += 1;
          else retry.push({ record, code: result?.ErrorCode ?? 'MissingResult', message: result?.ErrorMessage ?? 'the response has no result for this record' });
        });
      } catch (error) {
        const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
        const code = typeof e.name === 'string' ? e.name : 'Error';
        const message = typeof e.message === 'string' ? e.message : String(error);
        if (!isRetryableCallError(error)) {
          for (const record of pending) failed.push({ tag: record.tag, errorCode: code, errorMessage: message });
          break;
        }
        for (const record of pending) retry.push({ record, code, message });
      }
      if (retry.length === 0) break;
      if (attempt >= policy.maxAttempts) {
        for (const item of retry) failed.push({ tag: item.record.tag, errorCode: item.code, errorMessage: item.message });
        break;
      }
      await policy.sleep(backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.random));
      pending = retry.map((item) => item.record);
    }
  }
  return { accepted, failed, calls };
}
