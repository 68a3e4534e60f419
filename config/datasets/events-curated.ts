import type { DatasetDefinition } from '../../constructs/datasets';
import { events } from './events';

/**
 * `events` cleaned and deduplicated, one row per event: the curated job (constructs/elt/sql/events_curated.sql)
 * replaces each day from the raw partitions, and the metrics ELT reads this table instead of raw.
 *
 * Columns: every column of `events` with the same name and type (a test keeps them in step), then what the
 * job adds. A column added to `events` is added here at the end (Iceberg ADD COLUMNS appends; earlier rows
 * read it as null), never between existing columns.
 */
const raw = (name: string) => {
  const column = events.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`events has no column ${name}`);
  return column;
};

export const eventsCurated: DatasetDefinition = {
  name: 'events_curated',
  zone: 'curated',
  owner: 'product-analytics',
  domain: 'product_analytics',
  description:
    'Product-analytics events, one row per event_id: trimmed, event names lowercased, empty strings as null, duplicates removed (the most complete copy is kept). Replaced per day by the ELT.',
  columns: [
    { ...raw('event'), description: 'Event name, trimmed and lowercased (null when empty)' },
    { ...raw('user_id'), description: 'Identifier of the user who triggered the event, trimmed (null when empty)' },
    raw('event_time'),
    raw('context'),
    raw('traits'),
    raw('properties'),
    {
      ...raw('event_id'),
      description: "Unique id of the event: the raw event_id trimmed and lowercased, or, when raw had none, a hash of the record (see event_id_generated)",
    },
    { name: 'event_date', type: 'date', description: 'Day of event_time, UTC (partition source)', classification: 'internal' },
    {
      name: 'event_id_generated',
      type: 'boolean',
      description: 'True when raw had no event_id (records written before the column existed) and event_id is the record hash',
      classification: 'internal',
    },
  ],
  format: 'iceberg',
  partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'event_date' } } },
  freshnessSloMinutes: 26 * 60, // daily ELT plus two hours of slack
  ingestion: 'batch',
  // Whose rows these are: an erasure request finds a person by these columns.
  dataSubject: { keys: ['user_id'] },
  // Pinned to the base stacks, next to events and the ELT (README, "Sharding").
  shard: 'base',
  quality: {
    uniqueKey: ['event_id'],
    completeness: { event: 0.999, event_time: 1, event_id: 1, event_date: 1 },
    formats: { event: '^[a-z][a-z0-9_]*$' },
  },
};
