/**
 * The erasure horizon: after an erasure completes, how long each kind of copy can still hold the erased
 * rows, and so the day after which no backup, version or snapshot of the environment holds them. A
 * restore from a copy younger than the horizon brings erased rows back: it must be followed by a replay
 * of the ledger (docs/runbooks/erasure.md, "Restores"). Pure: no CDK.
 */

/** What an environment keeps, in days (from its backup, storage, vector store and dataset settings). */
export interface HorizonInputs {
  /** AWS Backup continuous (point-in-time) backups of the zone buckets and the database. */
  readonly continuousRetentionDays: number;
  /** AWS Backup daily recovery points. */
  readonly dailyRetentionDays: number;
  /** AWS Backup monthly recovery points, when configured. */
  readonly monthlyRetentionDays?: number;
  /** Whether recovery points are copied to a DR vault (with the same retention). */
  readonly disasterRecovery: boolean;
  /** The vault lock, when configured: recovery points cannot be deleted early. */
  readonly vaultLock?: { readonly mode: 'governance' | 'compliance' };
  /** RDS automated backups (point-in-time) of the vector store. */
  readonly databaseBackupRetentionDays: number;
  /** Longest noncurrent-version expiry of the zone buckets (versions of rewritten objects the workflow missed). */
  readonly noncurrentVersionDays: number;
  /** Longest Iceberg snapshot retention of a dataset with subject keys (files stay referenced until then). */
  readonly icebergSnapshotRetentionDays?: number;
  /** DynamoDB point-in-time recovery of the request table (35 days), which holds subject IDs of open requests. */
  readonly requestTablePitrDays: number;
}

export interface HorizonRow {
  /** What keeps a copy. */
  readonly copy: string;
  /** Days after the erasure until the copy no longer holds the rows. */
  readonly days: number;
  /** Why, and what a restore from it must re-apply. */
  readonly note: string;
}

export interface ErasureHorizon {
  readonly rows: readonly HorizonRow[];
  /** The longest of the rows: no copy of the environment holds an erased subject after this many days. */
  readonly days: number;
}

/** The horizon of one environment (see the file comment). */
export function erasureHorizon(inputs: HorizonInputs): ErasureHorizon {
  const replay = 'a restore re-applies the ledger (replay) before the data is used';
  const locked = inputs.vaultLock ? ` (vault lock, ${inputs.vaultLock.mode} mode: ${inputs.vaultLock.mode === 'compliance' ? 'nobody can delete a recovery point early' : 'only a privileged role can delete one early'})` : '';
  const dr = inputs.disasterRecovery ? ', and its copy in the DR vault' : '';
  const rows: HorizonRow[] = [
    { copy: 'AWS Backup continuous backups (zone buckets, database)', days: inputs.continuousRetentionDays, note: `point-in-time recovery window; ${replay}` },
    { copy: `AWS Backup daily recovery points (zone buckets, database, request table)${dr}`, days: inputs.dailyRetentionDays, note: `the last daily point taken before the erasure expires then${locked}; ${replay}` },
  ];
  if (inputs.monthlyRetentionDays !== undefined) {
    rows.push({ copy: `AWS Backup monthly recovery points (zone buckets, database, request table)${dr}`, days: inputs.monthlyRetentionDays, note: `the last monthly point taken before the erasure expires then${locked}; ${replay}` });
  }
  rows.push(
    { copy: 'RDS automated backups (vector store)', days: inputs.databaseBackupRetentionDays, note: `point-in-time recovery of the database; ${replay}` },
    { copy: 'S3 noncurrent object versions (zone buckets)', days: inputs.noncurrentVersionDays, note: 'the workflow removes the versions it rewrote; lifecycle expiry removes any other' },
  );
  if (inputs.icebergSnapshotRetentionDays !== undefined) {
    // VACUUM expires snapshots older than the retention; the daily physical check then removes the files' versions.
    rows.push({ copy: 'Iceberg snapshots (time travel)', days: inputs.icebergSnapshotRetentionDays + 1, note: 'older snapshots still reference the rewritten files until VACUUM expires them; the daily physical check then deletes every version' });
  }
  rows.push({ copy: 'Request table point-in-time recovery', days: inputs.requestTablePitrDays, note: 'subject IDs of requests open within the window; a restored table is purged of closed requests\' subjects by the workflow\'s next record' });
  return { rows, days: Math.max(...rows.map((row) => row.days)) };
}

/** The horizon as a Markdown table with its total, for docs/privacy.md. */
export function horizonTable(horizon: ErasureHorizon): string {
  const lines = ['| copy | days after the erasure | what it means |', '|---|---|---|', ...horizon.rows.map((row) => `| ${row.copy} | ${row.days} | ${row.note} |`)];
  return `${lines.join('\n')}\n\nNo copy holds an erased subject after **${horizon.days} days**.`;
}
