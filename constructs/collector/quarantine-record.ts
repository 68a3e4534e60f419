/**
 * The quarantine record: one per call the collector did not deliver to its dataset (refused by the
 * contract, malformed, forbidden, a duplicate, or undeliverable), with the reasons, so nothing a sender
 * sent is dropped silently and a data owner can query what was refused and why. The contract below is
 * the quarantine dataset's: records are checked against it with the producer's `checkRecord` like any
 * other, and it is partitioned by arrival time, because a refused call's own time may be the problem.
 */
import type { DatasetDefinition } from '../datasets/model';

export type QuarantineStage = 'request' | 'contract' | 'forbidden' | 'duplicate' | 'delivery';

export interface QuarantineRecord {
  readonly received_at: string;
  readonly source: string;
  /** The dataset the call was meant for, when known. */
  readonly dataset: string | null;
  /** The call's messageId, when it had a usable one. */
  readonly event_id: string | null;
  readonly stage: QuarantineStage;
  readonly reasons: readonly string[];
  /** The call as received (JSON), with the IP address and user agent already under the privacy settings. */
  readonly payload: string;
  /** API Gateway's request id: ties the record to the access log and the answer the sender got. */
  readonly request_id: string | null;
  /** The call's userId, else its anonymousId: whose data the payload is, so an erasure request finds it. */
  readonly user_id: string | null;
}

export const QUARANTINE_DATASET_NAME = 'collector_quarantine';

export const collectorQuarantineDataset: DatasetDefinition = {
  name: QUARANTINE_DATASET_NAME,
  zone: 'raw',
  owner: 'data-platform',
  domain: 'product_analytics',
  description: 'Calls the HTTP collector refused or could not deliver, with the reasons; for senders and data owners to fix data at the source.',
  columns: [
    { name: 'received_at', type: 'timestamp', description: 'When the collector received the call, UTC', classification: 'internal' },
    { name: 'source', type: 'string', description: 'Collector source (sender) the write key belongs to', classification: 'internal' },
    { name: 'dataset', type: 'string', description: 'Dataset the call was meant for, when known', classification: 'internal' },
    { name: 'event_id', type: 'string', description: "The call's messageId, when it had a usable one", classification: 'internal' },
    { name: 'reasons', type: 'array<string>', description: 'Every problem found, as sent back to the sender', classification: 'internal' },
    { name: 'payload', type: 'string', description: 'The call as received (JSON), IP and user agent under the privacy settings', classification: 'pii' },
    { name: 'request_id', type: 'string', description: "API Gateway's request id of the call", classification: 'internal' },
    { name: 'user_id', type: 'string', description: "The call's userId, else its anonymousId, when it had one (a whole refused batch has none)", classification: 'pii' },
  ],
  format: 'parquet',
  partitioning: {
    time: { granularity: 'day', source: { kind: 'ingestion-time' } },
    // Firehose's dynamic partitioning needs a key from the record: why the call is here. It is the
    // partition column `stage` (request, contract, forbidden, duplicate or delivery), not a data column.
    keys: [{ kind: 'enum', name: 'stage', sourceField: 'stage', values: ['request', 'contract', 'forbidden', 'duplicate', 'delivery'], otherValue: 'other' }],
  },
  retentionDays: { raw: 30 },
  freshnessSloMinutes: 15,
  ingestion: 'stream',
  // Erasure requests find a person's refused calls by user_id; a refused whole body (no single sender)
  // carries none and expires with the 30-day retention.
  dataSubject: { keys: ['user_id'] },
};
