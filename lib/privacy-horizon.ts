import type { EnvironmentConfig } from '../config/schema';
import type { DatasetDefinition } from '../constructs/datasets';
import { icebergUpkeep } from '../constructs/datasets/iceberg-upkeep';
import { erasureHorizon, type ErasureHorizon } from '../constructs/privacy/horizon';

/** DynamoDB's point-in-time recovery window of the request table (the service default, days). */
export const REQUEST_TABLE_PITR_DAYS = 35;

/** An environment's erasure horizon, from its backup, storage and vector store settings and its datasets. */
export function environmentHorizon(config: EnvironmentConfig, datasets: readonly DatasetDefinition[]): ErasureHorizon {
  const subjectIceberg = datasets.filter((dataset) => dataset.format === 'iceberg' && dataset.dataSubject !== undefined && 'keys' in dataset.dataSubject);
  const snapshotDays = subjectIceberg.map((dataset) => icebergUpkeep(dataset).snapshotRetentionDays);
  const backup = config.backup;
  return erasureHorizon({
    continuousRetentionDays: backup.continuousRetentionDays,
    dailyRetentionDays: backup.dailyRetentionDays,
    monthlyRetentionDays: backup.monthlyRetentionDays,
    disasterRecovery: backup.disasterRecovery !== undefined,
    vaultLock: backup.vaultLock ? { mode: backup.vaultLock.mode } : undefined,
    databaseBackupRetentionDays: config.vectorStore.backupRetentionDays,
    noncurrentVersionDays: Math.max(...config.storage.zones.map((zone) => zone.noncurrentVersionExpirationDays)),
    icebergSnapshotRetentionDays: snapshotDays.length > 0 ? Math.max(...snapshotDays) : undefined,
    requestTablePitrDays: REQUEST_TABLE_PITR_DAYS,
  });
}
