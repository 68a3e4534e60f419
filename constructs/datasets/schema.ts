import { BASE_SHARD, MAX_SHARD_LENGTH, SHARD_PATTERN } from './shard';
import { anyOf, array, number, object, optional, record, string, tagged, type Shape, type ShapeIssue } from '../common/shape';

/**
 * The runtime shape of a dataset contract (model.ts), checked before any semantic rule in
 * validation.ts: every nested object is present and of the right type, and no unknown key is accepted
 * (a misspelt optional field, `retentionDay` for `retentionDays`, would otherwise keep data forever).
 *
 * Values with their own semantic rule (classifications, formats, granularities, ranges) are only
 * type-checked here, so that their messages stay the ones validation.ts words with a fix.
 */

const text = string();
const numberValue = number();

const column = object({
  name: text,
  type: text,
  description: text,
  classification: text,
});

const timeSource = tagged('kind', {
  'ingestion-time': object({ kind: text }),
  'event-time': object({ kind: text, column: text }),
});

const partitionKey = tagged('kind', {
  enum: object({ kind: text, name: text, sourceField: text, values: array(text), otherValue: optional(text) }),
  injected: object({ kind: text, name: text, sourceField: text }),
});

const bounds = object({ min: optional(numberValue), max: optional(numberValue) });

const quality = object({
  completeness: optional(record(numberValue)),
  uniqueKey: optional(array(text)),
  acceptedValues: optional(record(array(text))),
  ranges: optional(record(bounds)),
  formats: optional(record(text)),
  rowCount: optional(bounds),
  freshnessColumn: optional(text),
});

const icebergUpkeep = object({
  compaction: optional(text),
  snapshotRetentionDays: optional(numberValue),
  minSnapshotsToKeep: optional(numberValue),
  orphanFileRetentionDays: optional(numberValue),
});

/**
 * Pins a dataset to a shard stack (lib/placement.ts): `base` or a shard name. Its length and spelling
 * are checked here; `shardProblems` (shard.ts) says the same with the fix, for library users too.
 */
const shard = anyOf(
  [string({ pattern: new RegExp(`^(?=.{1,${MAX_SHARD_LENGTH}}$)${SHARD_PATTERN.source.slice(1)}`) })],
  `must be "${BASE_SHARD}" or a shard name of 1-${MAX_SHARD_LENGTH} lowercase letters, digits and single hyphens, starting with a letter (for example "product-analytics-03")`,
);

/** `{ keys: [...] }` or `{ none: "why" }`; which columns and what reason are checked in validation.ts. */
const dataSubject = anyOf(
  [object({ keys: array(text) }), object({ none: text })],
  'must be { keys: ["<column>", ...] } (the columns that identify the person) or { none: "<why no column does>" }',
);

export const DATASET_SHAPE: Shape = object({
  name: text,
  zone: text,
  owner: text,
  domain: text,
  description: text,
  columns: array(column),
  format: text,
  partitioning: object({
    time: object({
      granularity: text,
      source: timeSource,
      maxLatenessDays: optional(numberValue),
      maxFutureSkewHours: optional(numberValue),
    }),
    keys: optional(array(partitionKey)),
  }),
  retentionDays: optional(record(numberValue)),
  freshnessSloMinutes: numberValue,
  ingestion: text,
  quality: optional(quality),
  dataSubject: optional(dataSubject),
  iceberg: optional(icebergUpkeep),
  shard: optional(shard),
});

/** Every shape issue of one declaration (empty when its shape is right). */
export function datasetShapeIssues(dataset: unknown): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  DATASET_SHAPE(dataset, [], issues);
  return issues;
}
