/**
 * What the erasure workflow consumes of an erasure plan (`erasurePlan`): one entry per dataset
 * whose contract names data-subject keys. Only the fields the state machine and the functions' grants
 * read are listed here; the plan may carry more (why a dataset is excluded, for the docs).
 */
export type ErasureDatasetKind = 'iceberg' | 'parquet';

/** Partition values of one partition the find phase returned, by partition column. */
export type PartitionValues = Readonly<Record<string, string | number>>;

export interface ErasurePlanEntry {
  /** Dataset (and Glue table) name. */
  readonly dataset: string;
  /** Iceberg tables are forgotten with Athena DML; Parquet objects are rewritten by a function. */
  readonly kind: ErasureDatasetKind;
  /** Glue database of the table. */
  readonly database: string;
  readonly table: string;
  /** Bucket name of the dataset's data (may be a token). */
  readonly bucket: string;
  /** The dataset's key prefix in that bucket, ending in `/`. */
  readonly prefix: string;
  /** Columns that identify a data subject. */
  readonly keyColumns: readonly string[];
  /** Athena SQL: paths and row counts of the batch's subjects, grouped by path and partition. */
  findSql(batchId: string): string;
  /** Athena SQL: the same question after the forget phase (every count must be 0). */
  verifySql(batchId: string): string;
  /** Athena SQL (Iceberg): DELETE the batch's subjects' rows. */
  deleteSql(batchId: string): string;
  /** Athena SQL (Iceberg): OPTIMIZE … REWRITE DATA USING BIN_PACK WHERE <the partitions found>. */
  optimizeSql(partitions: readonly PartitionValues[]): string;
  /** Athena SQL (Iceberg): VACUUM the table. */
  vacuumSql: string;
  /** Days the dataset keeps data (the find queries are restricted to that window). */
  readonly retentionDays?: number;
}
