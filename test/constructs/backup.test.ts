import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { LakehouseBackup, RestoreTesting, type LakehouseBackupProps } from '../../constructs/backup';
import { constructStack } from '../support/construct-stack';

function build(overrides: Partial<LakehouseBackupProps> = {}) {
  const stack = constructStack();
  const key = new kms.Key(stack, 'BackupKey');
  const backup = new LakehouseBackup(stack, 'Backup', { encryptionKey: key, vaultName: 'lakehouse-test', ...overrides });
  return { stack, key, backup };
}

describe('LakehouseBackup default settings', () => {
  const { stack, key, backup } = build({ breakGlassRoleArn: 'arn:aws:iam::123456789012:role/BreakGlass' });
  const bucket = new s3.Bucket(stack, 'Data', { versioned: true });
  backup.selectBuckets(stack, 'Buckets', [bucket]);
  const template = Template.fromStack(stack);

  it('creates a named vault encrypted with the backup key, retained', () => {
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BackupVaultName: 'lakehouse-test', EncryptionKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } }),
    });
  });

  it('denies deleting recovery points, the vault, its policy or its lock to everyone but the break-glass role', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      AccessPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyBreakGlassDeletesRecoveryPointsOrTheVault',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: '*',
            Action: [
              'backup:DeleteRecoveryPoint',
              'backup:UpdateRecoveryPointLifecycle',
              'backup:DeleteBackupVault',
              'backup:DeleteBackupVaultAccessPolicy',
              'backup:DeleteBackupVaultLockConfiguration',
            ],
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/BreakGlass' } },
          },
        ]),
      },
    });
  });

  it('lets only the break-glass role and the deployment role set the access policy or the lock', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      AccessPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyBreakGlassOrDeploymentChangesPolicyOrLock',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: '*',
            Action: ['backup:PutBackupVaultAccessPolicy', 'backup:PutBackupVaultLockConfiguration'],
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::123456789012:role/BreakGlass',
                  { 'Fn::Sub': Match.stringLikeRegexp('cfn-exec-role-\\$\\{AWS::AccountId\\}-\\$\\{AWS::Region\\}') },
                ],
              },
            },
          },
        ]),
      },
    });
  });

  it('plans continuous backup (35 days, point-in-time recovery) and daily recovery points (35 days)', () => {
    const [plan] = Object.values(template.findResources('AWS::Backup::BackupPlan'));
    const rules = plan.Properties.BackupPlan.BackupPlanRule;
    expect(rules.find((r: any) => r.RuleName === 'Continuous')).toMatchObject({ EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 35 } });
    expect(rules.find((r: any) => r.RuleName === 'Daily')).toMatchObject({ Lifecycle: { DeleteAfterDays: 35 }, ScheduleExpression: 'cron(0 3 * * ? *)' });
    expect(rules.find((r: any) => r.RuleName === 'Monthly')).toBeUndefined();
  });

  it('selects buckets with a role holding the S3 backup and restore policies', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket), 'Arn'] }] }),
    });
    const roles = JSON.stringify(template.findResources('AWS::IAM::Role'));
    for (const policy of ['AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore', 'service-role/AWSBackupServiceRolePolicyForBackup']) {
      expect(roles).toContain(policy);
    }
  });
});

describe('LakehouseBackup options and refusals', () => {
  it('adds a monthly long-term rule', () => {
    const { stack } = build({ monthlyRetention: Duration.days(365) });
    const [plan] = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan'));
    expect(plan.Properties.BackupPlan.BackupPlanRule.find((r: any) => r.RuleName === 'Monthly')).toMatchObject({ Lifecycle: { DeleteAfterDays: 365 } });
  });

  it('without a break-glass role, writes no access policy (dev)', () => {
    const { stack } = build();
    const [vault] = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupVault'));
    expect(vault.Properties.AccessPolicy).toBeUndefined();
  });

  it('with uniqueVaultName, suffixes the name with the first block of the stack ID (new on every stack creation)', () => {
    const { stack, backup } = build({ uniqueVaultName: true });
    const [vault] = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupVault'));
    const suffix = { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] };
    expect(vault.Properties.BackupVaultName).toEqual({ 'Fn::Join': ['', ['lakehouse-test-', suffix]] });
    const [logicalId] = Object.keys(Template.fromStack(stack).findResources('AWS::Backup::BackupVault'));
    expect(stack.resolve(backup.vaultName)).toEqual({ 'Fn::GetAtt': [logicalId, 'BackupVaultName'] });
  });

  it('refuses a vault lock that excludes a rule writing into the vault', () => {
    expect(() => build({ monthlyRetention: Duration.days(365), lock: { minRetention: Duration.days(7), maxRetention: Duration.days(100) } })).toThrow(
      'Invalid configuration in LakehouseBackup (ConstructUnderTest/Backup) (nothing was synthesized):\n  - lock.maxRetention: got 100 days; must be at least the monthly retention (365 days)',
    );
    expect(() => build({ dailyRetention: Duration.days(14), continuousRetention: Duration.days(14), lock: { minRetention: Duration.days(21) } })).toThrow(
      '  - lock.minRetention: got 21 days; must not exceed the continuous retention (14 days)',
    );
  });

  it('refuses a restore-testing schedule AWS Backup would reject', () => {
    const stack = constructStack();
    const vault = new LakehouseBackup(stack, 'Backup', { encryptionKey: new kms.Key(stack, 'Key'), vaultName: 'lakehouse-test' }).vault;
    expect(() => new RestoreTesting(stack, 'Tests', { planName: 'p', vault, scheduleExpression: 'cron(0 5 * * SUN *)' })).toThrow(
      '  - scheduleExpression: got "cron(0 5 * * SUN *)"; must have "?" in exactly one of day-of-month and day-of-week',
    );
    expect(() => new RestoreTesting(stack, 'Rate', { planName: 'p', vault, scheduleExpression: 'rate(1 day)' })).toThrow('is a rate expression');
  });

  it('refuses point-in-time retention over 35 days', () => {
    expect(() => build({ continuousRetention: Duration.days(36) })).toThrow('continuous backup retention must be at most 35 days, got 36');
  });
});
