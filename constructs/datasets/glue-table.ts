import { parseGlueType, renderGlueType } from './glue-type';
import type { Classification, DatasetDefinition } from './model';
import { partitionKeys, projectionParameters } from './partitioning';

/** A Glue column as CloudFormation takes it (`AWS::Glue::Table` Column). */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** Stored columns, types canonicalised the way Glue stores them, descriptions as comments. */
export function glueColumns(dataset: DatasetDefinition): GlueColumn[] {
  return dataset.columns.map((column) => ({
    name: column.name,
    type: renderGlueType(parseGlueType(column.type)),
    comment: `${column.description} [${column.classification}]`,
  }));
}

/** Partition columns, in path order. */
export function gluePartitionKeys(dataset: DatasetDefinition): GlueColumn[] {
  return partitionKeys(dataset).map((key) => ({ name: key.name, type: key.glueType, comment: key.description }));
}

/** How many columns carry each classification, e.g. `internal:3,pii:1`. */
export function classificationSummary(dataset: DatasetDefinition): string {
  const counts = new Map<Classification, number>();
  for (const column of dataset.columns) counts.set(column.classification, (counts.get(column.classification) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([classification, count]) => `${classification}:${count}`)
    .join(',');
}

/** Parameters every table carries, whatever its format: who owns it and what it promises. */
export function contractParameters(dataset: DatasetDefinition): Record<string, string> {
  return {
    owner: dataset.owner,
    domain: dataset.domain,
    freshness_slo_minutes: String(dataset.freshnessSloMinutes),
    ingestion: dataset.ingestion,
    column_classifications: classificationSummary(dataset),
  };
}

/**
 * The table parameter carrying the whole dataset contract, as JSON: the data-quality checks read their
 * rules from the catalog itself, so what runs is what the table declares.
 */
export const CONTRACT_PARAMETER = 'lakehouse.contract';

/** Parameters of a Parquet table with partition projection (`bucketName` may be a CDK token). */
export function parquetTableParameters(dataset: DatasetDefinition, bucketName: string): Record<string, string> {
  return {
    EXTERNAL: 'TRUE',
    classification: 'parquet',
    'parquet.compression': 'SNAPPY',
    ...contractParameters(dataset),
    [CONTRACT_PARAMETER]: JSON.stringify(tableContract(dataset)),
    ...projectionParameters(dataset, bucketName),
  };
}

/**
 * The contract as the table carries it: everything but `shard`, which says which stack deploys the table,
 * not what the data is; pinning or moving a dataset therefore never updates its table.
 */
export function tableContract(dataset: DatasetDefinition): Omit<DatasetDefinition, 'shard'> {
  const contract: DatasetDefinition = { ...dataset };
  delete (contract as { shard?: string }).shard;
  return contract;
}

/** Parquet storage in Glue's terms: the formats and SerDe Athena and Firehose conversion expect. */
export const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;
