import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { resourcesOfType, synthCached } from '../support/synth';

describe.each(ENVIRONMENT_NAMES)('%s backups', (environment) => {
  const { templates, config } = synthCached(environment);
  const storage = templates[`lakehouse-${environment}-storage`];
  const vector = templates[`lakehouse-${environment}-vector`];

  it('select every zone bucket from the storage stack and the database from its own stack', () => {
    const [bucketSelection] = resourcesOfType(storage, 'AWS::Backup::BackupSelection');
    const selected = JSON.stringify(bucketSelection.Properties!.BackupSelection.Resources);
    for (const zone of config.storage.zones) expect(selected).toContain(`DataLake${zone.name.charAt(0).toUpperCase()}${zone.name.slice(1)}ZoneBucket`);
    const [databaseSelection] = resourcesOfType(vector, 'AWS::Backup::BackupSelection');
    const [instance] = resourcesOfType(vector, 'AWS::RDS::DBInstance');
    expect(JSON.stringify(databaseSelection.Properties!.BackupSelection.Resources)).toContain(instance.logicalId);
  });

  it('keep continuous backups for the configured point-in-time window (RPO < 1 h)', () => {
    const [plan] = resourcesOfType(storage, 'AWS::Backup::BackupPlan');
    const continuous = plan.Properties!.BackupPlan.BackupPlanRule.find((rule: { RuleName: string }) => rule.RuleName === 'Continuous');
    expect(continuous).toMatchObject({ EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: config.backup.continuousRetentionDays } });
  });

  it('outside dev, only the break-glass role may delete recovery points', () => {
    const [vault] = resourcesOfType(storage, 'AWS::Backup::BackupVault');
    if (environment === 'dev') {
      // dev names each deployment's vault apart (see security.test.ts); it has no break-glass role.
      expect(JSON.stringify(vault.Properties!.BackupVaultName)).toContain('lakehouse-dev-');
      expect(vault.Properties!.AccessPolicy).toBeUndefined();
      return;
    }
    expect(vault.Properties!.BackupVaultName).toBe(`lakehouse-${environment}`);
    expect(JSON.stringify(vault.Properties!.AccessPolicy)).toContain(config.backup.breakGlassRoleArn!);
  });
});
