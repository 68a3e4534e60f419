import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import { erasureHorizon, type HorizonInputs } from '../../constructs/privacy/horizon';
import { environmentHorizon } from '../../lib/privacy-horizon';
import { PRIVACY_DOC, renderPrivacyDoc } from '../../scripts/privacy-doc';

const BASE: HorizonInputs = {
  continuousRetentionDays: 14,
  dailyRetentionDays: 35,
  disasterRecovery: false,
  databaseBackupRetentionDays: 7,
  noncurrentVersionDays: 30,
  requestTablePitrDays: 35,
};
const daysOf = (inputs: HorizonInputs) => Object.fromEntries(erasureHorizon(inputs).rows.map((row) => [row.copy.split(' (')[0].replace(/, and its copy.*/, ''), row.days]));

describe('the erasure horizon', () => {
  it('is the longest copy: daily recovery points and the request table at 35 days', () => {
    expect(erasureHorizon(BASE).days).toBe(35);
    expect(daysOf(BASE)).toEqual({
      'AWS Backup continuous backups': 14,
      'AWS Backup daily recovery points': 35,
      'RDS automated backups': 7,
      'S3 noncurrent object versions': 30,
      'Request table point-in-time recovery': 35,
    });
  });

  it('grows to the monthly retention when monthly points are kept, and names the DR copies and the lock', () => {
    const horizon = erasureHorizon({ ...BASE, monthlyRetentionDays: 365, disasterRecovery: true, vaultLock: { mode: 'compliance' } });
    expect(horizon.days).toBe(365);
    const monthly = horizon.rows.find((row) => row.copy.startsWith('AWS Backup monthly'))!;
    expect(monthly.copy).toContain('DR vault');
    expect(monthly.note).toContain('nobody can delete a recovery point early');
  });

  it('counts Iceberg snapshots one day past their retention (the daily physical check), only when such a table holds subjects', () => {
    expect(daysOf({ ...BASE, icebergSnapshotRetentionDays: 5 })['Iceberg snapshots']).toBe(6);
    expect(daysOf(BASE)['Iceberg snapshots']).toBeUndefined();
    expect(erasureHorizon({ ...BASE, icebergSnapshotRetentionDays: 60 }).days).toBe(61);
  });

  it('follows each environment\'s configuration: prod keeps monthly points a year', () => {
    expect(environmentHorizon(loadEnvironmentConfig('prod'), DATASETS).days).toBe(loadEnvironmentConfig('prod').backup.monthlyRetentionDays);
    const dev = environmentHorizon(loadEnvironmentConfig('dev'), DATASETS);
    expect(dev.rows.find((row) => row.copy.startsWith('AWS Backup daily'))!.days).toBe(loadEnvironmentConfig('dev').backup.dailyRetentionDays);
    expect(dev.rows.find((row) => row.copy.startsWith('Iceberg'))!.days).toBe(6);
  });

  it('docs/privacy.md shows the generated tables of every environment (run npm run docs:privacy to refresh)', () => {
    const committed = readFileSync(PRIVACY_DOC, 'utf8');
    expect(committed).toBe(renderPrivacyDoc(committed));
    for (const name of ['dev', 'staging', 'prod']) expect(committed).toContain(`### ${name}\n\n| copy |`);
  });
});
