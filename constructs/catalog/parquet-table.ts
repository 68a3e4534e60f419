import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  glueColumns,
  gluePartitionKeys,
  PARQUET_STORAGE,
  parquetTableParameters,
  tableLocation,
  type DatasetDefinition,
} from '../datasets';

/**
 * A Parquet dataset's Glue table in plain CloudFormation: an external table whose columns, partition
 * keys, projection and `storage.location.template` all come from the dataset contract. Partitions are
 * never registered: Athena computes them from the projection, so no crawler or MSCK REPAIR is needed.
 */
export function createParquetTable(scope: Construct, id: string, dataset: DatasetDefinition, databaseName: string, bucket: s3.IBucket): glue.CfnTable {
  return new glue.CfnTable(scope, id, {
    catalogId: Stack.of(scope).account,
    databaseName,
    tableInput: {
      name: dataset.name,
      description: dataset.description,
      tableType: 'EXTERNAL_TABLE',
      parameters: parquetTableParameters(dataset, bucket.bucketName),
      partitionKeys: gluePartitionKeys(dataset),
      storageDescriptor: {
        columns: glueColumns(dataset),
        location: tableLocation(dataset, bucket.bucketName),
        inputFormat: PARQUET_STORAGE.inputFormat,
        outputFormat: PARQUET_STORAGE.outputFormat,
        serdeInfo: { serializationLibrary: PARQUET_STORAGE.serializationLibrary, parameters: { 'serialization.format': '1' } },
        compressed: false,
        storedAsSubDirectories: false,
      },
    },
  });
}
