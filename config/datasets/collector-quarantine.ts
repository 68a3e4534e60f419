import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Events the HTTP collector refused (contract violations, unknown or revoked keys, limits, duplicates), with
 * every reason and the payload as received (and a top-level `kind`: contract, auth, limits, malformed or
 * duplicate, its partition): a sender can find and fix its data, and nothing is dropped
 * silently. Partitioned by arrival day; the handler writes one record per refused event to this dataset's
 * stream (constructs/collector/README.md, "Quarantine").
 */
export const collectorQuarantine: DatasetDefinition = {
  name: 'collector_quarantine',
  zone: 'raw',
  owner: 'data-platform-team',
  domain: 'operations',
  description: 'Events refused by the HTTP collector, with the reasons and the payload as received, for senders to fix their data.',
  columns: [
    { name: 'received_at', type: 'timestamp', description: 'When the collector received the request, UTC', classification: 'internal' },
    { name: 'source', type: 'string', description: 'Collector source (write key owner), or unknown when the key was not accepted', classification: 'internal' },
    { name: 'dataset', type: 'string', description: 'Dataset the event was meant for, when known', classification: 'internal' },
    { name: 'reasons', type: 'array<string>', description: 'Every reason the event was refused, for example "properties.plan: must be a string"', classification: 'internal' },
    { name: 'payload', type: 'string', description: 'The event as received (JSON text, cut at the event size limit); may hold personal data', classification: 'pii' },
    { name: 'message_id', type: 'string', description: 'The sender\'s messageId, when it sent one', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: {
    // What kind of refusal, from the record's top-level `kind`; anything else lands under kind=other,
    // where Athena still finds it. Arrival time, not event time: a refused event's own time may be the problem.
    keys: [{ kind: 'enum', name: 'kind', sourceField: 'kind', values: ['contract', 'auth', 'limits', 'malformed', 'duplicate'], otherValue: 'other' }],
    time: { granularity: 'day', source: { kind: 'ingestion-time' } },
  },
  // Long enough to triage a release, short enough not to keep refused personal data.
  retentionDays: { raw: 30 },
  freshnessSloMinutes: 15,
  ingestion: 'stream',
  // TEMPORARY (integration): replaced by a user_id key column at the final merge.
  dataSubject: { none: 'refused payloads; kept 30 days' },
  // The collector stack reads the base ingestion stack's streams; new since sharding, pinned to keep it there.
  shard: 'base',
};
