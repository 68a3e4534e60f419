import type { DatasetDefinition, IcebergUpkeepSettings } from './model';

/**
 * The contract's Iceberg upkeep settings with every default resolved. The defaults are Glue's own
 * optimizer defaults (5 days of snapshots, at least 1 kept, orphan files removed after 3 days), so a
 * table declared without `iceberg` behaves as AWS documents it.
 */
export const ICEBERG_UPKEEP_DEFAULTS: Required<IcebergUpkeepSettings> = {
  compaction: 'binpack',
  snapshotRetentionDays: 5,
  minSnapshotsToKeep: 1,
  orphanFileRetentionDays: 3,
};

/** Compaction strategies a contract may name (see IcebergUpkeepSettings.compaction). */
export const COMPACTION_SETTINGS: readonly string[] = ['binpack', 'off'];

/** Resolved upkeep of an Iceberg dataset. */
export function icebergUpkeep(dataset: DatasetDefinition): Required<IcebergUpkeepSettings> {
  return { ...ICEBERG_UPKEEP_DEFAULTS, ...definedOnly(dataset.iceberg ?? {}) };
}

/**
 * The Iceberg table properties that make Athena's `VACUUM` agree with the snapshot-retention optimizer
 * (a manual VACUUM, for example after an erasure, then expires exactly what the optimizer would).
 */
export function icebergVacuumProperties(dataset: DatasetDefinition): Record<string, string> {
  const upkeep = icebergUpkeep(dataset);
  return {
    vacuum_max_snapshot_age_seconds: String(upkeep.snapshotRetentionDays * 86_400),
    vacuum_min_snapshots_to_keep: String(upkeep.minSnapshotsToKeep),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
