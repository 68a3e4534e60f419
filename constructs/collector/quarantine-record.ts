/**
 * One record of the quarantine dataset (config/datasets/collector-quarantine.ts), as the handler writes it
 * to the quarantine stream: the contract's columns plus `kind`, the field its enum partition key reads.
 * test/collector/quarantine-record.test.ts keeps this list and the contract in step.
 */

export const QUARANTINE_KINDS = ['contract', 'auth', 'limits', 'malformed', 'duplicate'] as const;
export type QuarantineKind = (typeof QUARANTINE_KINDS)[number];

export interface QuarantineRecord {
  /** When the collector received the request: ISO-8601 UTC ending in `Z` (Firehose converts it to a timestamp). */
  readonly received_at: string;
  /** The source whose key was accepted, or `unknown`. */
  readonly source: string;
  /** The dataset the event was meant for, when known, else an empty string. */
  readonly dataset: string;
  /** Every reason, each naming the field and what is allowed (`properties.plan: must be a string`). */
  readonly reasons: readonly string[];
  /** The event as received (JSON text), cut at the event size limit. */
  readonly payload: string;
  /** The sender's messageId, or an empty string. */
  readonly message_id: string;
  /** Partition of the record; anything else lands under `other`. */
  readonly kind: QuarantineKind;
}

/** The fields of a QuarantineRecord, in the contract's column order, then the partition field. */
export const QUARANTINE_RECORD_FIELDS = ['received_at', 'source', 'dataset', 'reasons', 'payload', 'message_id', 'kind'] as const satisfies ReadonlyArray<keyof QuarantineRecord>;
