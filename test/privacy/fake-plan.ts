/**
 * A stand-in erasure plan with one Parquet and one Iceberg dataset (the shape of events and
 * events_curated), for the workflow's definition and construct tests. The real plan (plan.ts) renders
 * its SQL from the dataset contracts; here each statement just names its dataset and the batch.
 */
import type { ErasurePlanEntry } from '../../constructs/privacy/plan-entry';

const subjects = (batchId: string) => `SELECT subject_id FROM "lakehouse_dev_privacy"."erasure_subjects" WHERE batch_id = '${batchId}'`;

export function fakeEntry(dataset: string, kind: 'iceberg' | 'parquet', database: string, bucket = 'lake-bucket'): ErasurePlanEntry {
  const table = `"${database}"."${dataset}"`;
  return {
    dataset,
    kind,
    database,
    table: dataset,
    bucket,
    prefix: `${dataset}/`,
    keyColumns: ['user_id'],
    findSql: (batchId) => `SELECT "$path", count(*) AS rows FROM ${table} WHERE "user_id" IN (${subjects(batchId)}) GROUP BY 1`,
    verifySql: (batchId) => `SELECT "$path", count(*) AS rows FROM ${table} WHERE "user_id" IN (${subjects(batchId)}) GROUP BY 1 -- verify`,
    deleteSql: (batchId) => `DELETE FROM ${table} WHERE "user_id" IN (${subjects(batchId)})`,
    optimizeSql: () => `OPTIMIZE ${table} REWRITE DATA USING BIN_PACK`,
    vacuumSql: `VACUUM ${table}`,
    retentionDays: 30,
  };
}

export const FAKE_PLAN: readonly ErasurePlanEntry[] = [
  fakeEntry('events', 'parquet', 'lakehouse_dev_raw'),
  fakeEntry('events_curated', 'iceberg', 'lakehouse_dev_curated'),
];
