import type { DatasetDefinition, EnumPartitionKey, ValuePartitionKey } from './model';

/** Every default of the contract, resolved in one place. */
export const DATASET_DEFAULTS = {
  maxLatenessDays: 7,
  maxFutureSkewHours: 1,
  enumOtherValue: 'unknown',
  /** Projection look-back when the dataset's zone has no retention (ten years). */
  unboundedProjectionDays: 3650,
  completeness: 0.99,
} as const;

export const maxLatenessDays = (dataset: DatasetDefinition) =>
  dataset.partitioning.time.maxLatenessDays ?? DATASET_DEFAULTS.maxLatenessDays;

export const maxFutureSkewHours = (dataset: DatasetDefinition) =>
  dataset.partitioning.time.maxFutureSkewHours ?? DATASET_DEFAULTS.maxFutureSkewHours;

export const enumOtherValue = (key: EnumPartitionKey) => key.otherValue ?? DATASET_DEFAULTS.enumOtherValue;

export const valueKeys = (dataset: DatasetDefinition): readonly ValuePartitionKey[] => dataset.partitioning.keys ?? [];

/** Retention of the dataset in its own zone, if any. */
export const retentionInZone = (dataset: DatasetDefinition): number | undefined => dataset.retentionDays?.[dataset.zone];

/** How many days back the partition projection reaches: the retention in the dataset's zone. */
export const projectionDays = (dataset: DatasetDefinition) => retentionInZone(dataset) ?? DATASET_DEFAULTS.unboundedProjectionDays;
