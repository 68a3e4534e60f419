/**
 * The dataset contract: what a dataset declares, once. Partitioning, Firehose prefixes, the Glue table,
 * Lake Formation tags, lifecycle rules, quality checks and the data dictionary are all derived from it
 * (see the other files in this folder); nothing downstream restates any of it.
 */

/** Sensitivity of a column; becomes the column's Lake Formation `classification` tag. */
export type Classification = 'public' | 'internal' | 'confidential' | 'pii';
export const CLASSIFICATIONS: readonly Classification[] = ['public', 'internal', 'confidential', 'pii'];

export type StorageFormat = 'parquet' | 'iceberg';
export type IngestionMode = 'stream' | 'batch' | 'none';
export type TimeGranularity = 'hour' | 'day' | 'month';

/** One column of the stored record. */
export interface ColumnDefinition {
  /** snake_case; not an Athena reserved word. */
  readonly name: string;
  /**
   * Glue/Athena (Hive DDL) type: string, boolean, tinyint, smallint, int, bigint, float, double, date,
   * timestamp, binary, decimal(p,s), varchar(n), char(n), array<T>, map<K,V>, struct<name:T,...>.
   */
  readonly type: string;
  readonly description: string;
  readonly classification: Classification;
}

/** Where a record's time partition comes from. */
export type TimeSource =
  /** Firehose's approximate arrival time: every record is addressable, but late events land in "now". */
  | { readonly kind: 'ingestion-time' }
  /**
   * A timestamp column of the record, sent as an ISO-8601 UTC string ending in `Z`. Records outside
   * the accepted window (or with a malformed time) go to the error prefix, never to a partition that
   * the projection does not list.
   */
  | { readonly kind: 'event-time'; readonly column: string };

export interface TimePartitioning {
  readonly granularity: TimeGranularity;
  readonly source: TimeSource;
  /**
   * Event-time only: how late a record may arrive and still be partitioned (older ones go to the error
   * prefix). Must be shorter than the dataset's retention in its zone, which bounds the projection.
   * @default 7
   */
  readonly maxLatenessDays?: number;
  /**
   * Event-time only: how far in the future an event time may be (clock skew). At most 24, the
   * projection's look-ahead.
   * @default 1
   */
  readonly maxFutureSkewHours?: number;
}

/** A partition key with a fixed list of values, extracted from a field of the incoming JSON. */
export interface EnumPartitionKey {
  readonly kind: 'enum';
  readonly name: string;
  /** JSON field (top level) the value is read from. It is not a stored column: the value lives in the path. */
  readonly sourceField: string;
  readonly values: readonly string[];
  /**
   * Value written for anything not in `values` (including a missing field), so such rows stay visible
   * to Athena instead of landing in a partition the projection never lists.
   * @default 'unknown'
   */
  readonly otherValue?: string;
}

/** A partition key of unbounded values; queries must filter it with `=` or `IN`. */
export interface InjectedPartitionKey {
  readonly kind: 'injected';
  readonly name: string;
  readonly sourceField: string;
}

export type ValuePartitionKey = EnumPartitionKey | InjectedPartitionKey;

export interface PartitioningDefinition {
  readonly time: TimePartitioning;
  /** Keys before the time keys in the object path, in this order. @default none */
  readonly keys?: readonly ValuePartitionKey[];
}

/** Data-quality rules, checked by the quality issue's Athena queries. Every column named must exist. */
export interface QualityRules {
  /** Minimum share of non-null values per column (0-1). @default 0.99 for every column listed */
  readonly completeness?: Readonly<Record<string, number>>;
  /** Columns whose combination must be unique. */
  readonly uniqueKey?: readonly string[];
  readonly acceptedValues?: Readonly<Record<string, readonly string[]>>;
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
  /** Regular expressions values must match (Athena `regexp_like`). */
  readonly formats?: Readonly<Record<string, string>>;
  readonly rowCount?: { readonly min?: number; readonly max?: number };
  /**
   * Timestamp column whose newest value must be within the freshness SLO.
   * @default the event-time column, for event-time partitioned datasets; otherwise no freshness check
   */
  readonly freshnessColumn?: string;
}

/**
 * Whose data the rows are, for erasure requests (the right to be forgotten): the columns whose value
 * identifies the person (`keys`), or why no column does (`none`). Required when any column is `pii`.
 */
export type DataSubjectDecision =
  /** Columns of a scalar type that hold the subject's id; an erasure deletes rows matching any of them. */
  | { readonly keys: readonly string[] }
  /** Why the dataset holds nothing an erasure must find (for example: aggregates only). */
  | { readonly none: string };

/**
 * Iceberg table upkeep, run by Glue table optimizers (one each for compaction, snapshot retention and
 * orphan-file deletion). Only for `format: 'iceberg'`; Parquet data expires with `retentionDays`.
 */
export interface IcebergUpkeepSettings {
  /**
   * `'binpack'` merges small files (and applies delete files) into files of the target size; `'off'`
   * turns compaction off. Sort and z-order are not offered: they need a table sort order, which Athena
   * DDL cannot set.
   * @default 'binpack'
   */
  readonly compaction?: 'binpack' | 'off';
  /**
   * Snapshots older than this many days are expired (their unreferenced files deleted); time travel
   * reaches back this far. Also the table's `vacuum_max_snapshot_age_seconds`, so a manual `VACUUM`
   * agrees with the optimizer.
   * @default 5
   */
  readonly snapshotRetentionDays?: number;
  /** Snapshots always kept, however old. Also `vacuum_min_snapshots_to_keep`. @default 1 */
  readonly minSnapshotsToKeep?: number;
  /**
   * Files under the table's location that no snapshot references are deleted once they are this many
   * days old (failed writes leave them behind). Must exceed the longest write, which is minutes here.
   * @default 3
   */
  readonly orphanFileRetentionDays?: number;
}

/** Retention in days per zone the dataset is stored in; omitted means kept until deleted by hand. */
export type RetentionByZone = Readonly<Record<string, number>>;

export interface DatasetDefinition {
  /** snake_case; the Glue table name, the S3 prefix and part of stream names. */
  readonly name: string;
  /** Zone (bucket) the dataset lives in. */
  readonly zone: string;
  /** Team accountable for the data. */
  readonly owner: string;
  /** Business domain; becomes the Lake Formation `domain` tag of the table. */
  readonly domain: string;
  readonly description: string;
  readonly columns: readonly ColumnDefinition[];
  readonly format: StorageFormat;
  readonly partitioning: PartitioningDefinition;
  readonly retentionDays?: RetentionByZone;
  /** Newest data must be at most this old, in minutes. Drives Firehose buffering and the freshness alarm. */
  readonly freshnessSloMinutes: number;
  readonly ingestion: IngestionMode;
  readonly quality?: QualityRules;
  /** Who the rows are about (see DataSubjectDecision). @default none; required when a column is `pii` */
  readonly dataSubject?: DataSubjectDecision;
  /** Iceberg only: compaction, snapshot expiry and orphan-file removal. @default every default of IcebergUpkeepSettings */
  readonly iceberg?: IcebergUpkeepSettings;
  /**
   * The shard stack family member this dataset's per-dataset resources (table, streams, alarms) live in.
   * `'base'` is the layer's first stack (`<project>-<env>-<layer>`, today's name); any other value names
   * the stack `<project>-<env>-<layer>-<shard>`: 1-40 lowercase letters, digits and single hyphens,
   * starting with a letter. Set it to pin a dataset where it is deployed: a dataset never moves unless
   * this value (or, when unset, its name or domain) changes.
   * @default - derived from the domain and a stable hash of the name (`<domain>-<bucket>`)
   */
  readonly shard?: string;
}
