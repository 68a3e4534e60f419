import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BATCH_ID_COLUMN, ERASURE_SUBJECTS_TABLE, SUBJECT_ID_COLUMN, SUBJECTS_PREFIX } from './names';

/**
 * The privacy Glue database and its `erasure_subjects` table: JSON Lines files
 * `subjects/batch_id=<batchId>/subjects.json` in the work bucket, one `{"subject_id": "…"}` per line.
 * `batch_id` is an injected projection, so every query must name its batch (Athena refuses a query that
 * does not), and a batch's subjects exist only while its file does.
 */
export function createSubjectsTable(scope: Construct, databaseName: string, workBucket: s3.IBucket): { database: glue.CfnDatabase; table: glue.CfnTable } {
  const catalogId = Stack.of(scope).account;
  const database = new glue.CfnDatabase(scope, 'Database', {
    catalogId,
    databaseInput: { name: databaseName, description: 'Erasure workflow: the subjects of the running erasure batches (files deleted when a batch ends)' },
  });
  const location = `s3://${workBucket.bucketName}/${SUBJECTS_PREFIX}`;
  const table = new glue.CfnTable(scope, 'SubjectsTable', {
    catalogId,
    databaseName,
    tableInput: {
      name: ERASURE_SUBJECTS_TABLE,
      description: 'Subjects of one erasure batch per partition; read by the erasure queries, never by people',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        classification: 'json',
        'projection.enabled': 'true',
        [`projection.${BATCH_ID_COLUMN}.type`]: 'injected',
        'storage.location.template': `${location}${BATCH_ID_COLUMN}=\${${BATCH_ID_COLUMN}}/`,
      },
      partitionKeys: [{ name: BATCH_ID_COLUMN, type: 'string', comment: 'The erasure batch (the execution that claimed the requests)' }],
      storageDescriptor: {
        columns: [{ name: SUBJECT_ID_COLUMN, type: 'string', comment: 'A data subject identifier as the datasets store it' }],
        location,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'FALSE' } },
        compressed: false,
        storedAsSubDirectories: false,
      },
    },
  });
  table.addResourceDependency(database);
  return { database, table };
}
