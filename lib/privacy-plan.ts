import { dataPrefix, type DatasetDefinition } from '../constructs/datasets';
import { ERASURE_SUBJECTS_TABLE } from '../constructs/privacy/names';
import type { ErasurePlanEntry } from '../constructs/privacy/plan-entry';

/** Where each dataset of the plan lives in this environment (what the plan needs besides the contracts). */
export interface PlanContext {
  /** Glue database of a dataset's zone. */
  readonly databaseName: (dataset: DatasetDefinition) => string;
  /** Bucket name (a token) of a dataset's zone. */
  readonly bucketName: (dataset: DatasetDefinition) => string;
  /** The privacy database holding `erasure_subjects`. */
  readonly privacyDatabaseName: string;
}

/**
 * The environment's erasure plan: one entry per dataset whose contract names data-subject keys.
 *
 * placeholder: replaced at merge by prv-plan (the plan module's `erasurePlan`), which renders
 * the retention-window restriction, non-string keys, `"$path"` grouping and OPTIMIZE's partitions. This
 * stand-in renders the plainest statements of the same shape so that the stack, its grants and the state
 * machine are built from the real datasets; it is never the plan of a deployment.
 */
export function erasurePlanFor(datasets: readonly DatasetDefinition[], context: PlanContext): ErasurePlanEntry[] {
  return datasets.flatMap((dataset): ErasurePlanEntry[] => {
    const decision = dataset.dataSubject;
    if (!decision || !('keys' in decision) || decision.keys.length === 0) return [];
    const database = context.databaseName(dataset);
    const table = `"${database}"."${dataset.name}"`;
    const subjects = (batchId: string) => `SELECT subject_id FROM "${context.privacyDatabaseName}"."${ERASURE_SUBJECTS_TABLE}" WHERE batch_id = '${batchId}'`;
    const where = (batchId: string) => decision.keys.map((key) => `CAST("${key}" AS varchar) IN (${subjects(batchId)})`).join(' OR ');
    const find = (batchId: string) => `SELECT "$path" AS path, count(*) AS rows FROM ${table} WHERE ${where(batchId)} GROUP BY 1`;
    return [
      {
        dataset: dataset.name,
        kind: dataset.format === 'iceberg' ? 'iceberg' : 'parquet',
        database,
        table: dataset.name,
        bucket: context.bucketName(dataset),
        prefix: dataPrefix(dataset),
        keyColumns: [...decision.keys],
        findSql: find,
        verifySql: find,
        deleteSql: (batchId) => `DELETE FROM ${table} WHERE ${where(batchId)}`,
        optimizeSql: () => `OPTIMIZE ${table} REWRITE DATA USING BIN_PACK`,
        vacuumSql: `VACUUM ${table}`,
      },
    ];
  });
}
