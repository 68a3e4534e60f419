import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Product-analytics events in the canonical flat record (docs/architecture.md, "The events record"). Producers may
 * send the nested seed shape; the producer library maps it to this before sending.
 */
export const events: DatasetDefinition = {
  name: 'events',
  zone: 'raw',
  owner: 'product-analytics',
  domain: 'product_analytics',
  description: 'Product-analytics events (page views, clicks, sign-ups) as sent by web and app clients.',
  columns: [
    { name: 'event', type: 'string', description: 'Event name, for example page_view or signup_completed', classification: 'internal' },
    { name: 'user_id', type: 'string', description: 'Identifier of the user who triggered the event', classification: 'pii' },
    { name: 'event_time', type: 'timestamp', description: 'When the event happened, UTC', classification: 'internal' },
    {
      name: 'context',
      type: 'struct<page_url:string,referrer:string>',
      description: 'Where the event happened: page URL and referrer',
      classification: 'confidential',
    },
    { name: 'traits', type: 'struct<plan:string,source:string>', description: 'User traits at event time: plan and acquisition source', classification: 'internal' },
    { name: 'properties', type: 'map<string,string>', description: 'Any other event properties, as strings', classification: 'confidential' },
    // Added after the first deploy, so it is last: Parquet columns are matched by name and older files read it as null.
    {
      name: 'event_id',
      type: 'string',
      description: "Unique id of the event (the HTTP collector's messageId; the producer generates a UUID when absent); the curated job keeps one row per id",
      classification: 'internal',
    },
  ],
  format: 'parquet',
  partitioning: {
    time: { granularity: 'hour', source: { kind: 'event-time', column: 'event_time' }, maxLatenessDays: 7, maxFutureSkewHours: 1 },
  },
  retentionDays: { raw: 400 },
  freshnessSloMinutes: 5,
  ingestion: 'stream',
  // Whose rows these are: an erasure request finds a person by these columns.
  dataSubject: { keys: ['user_id'] },
  // Deployed before sharding: pinned to the base stacks so its resources never move (README, "Sharding").
  shard: 'base',
  quality: {
    completeness: { event: 0.999, user_id: 0.99, event_time: 0.999 },
    formats: { event: '^[a-z][a-z0-9_]*$' },
    rowCount: { min: 1 },
  },
};
