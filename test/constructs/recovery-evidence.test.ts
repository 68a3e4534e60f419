import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { LakehouseBackup, RecoveryEvidence, type RecoveryEvidenceProps } from '../../constructs/backup';
import { ValidationReport } from '../../constructs/common/validation-report';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { LakehouseNetwork } from '../../constructs/network';
import { constructStack } from '../support/construct-stack';

function build(overrides: Partial<RecoveryEvidenceProps> = {}, objectives?: { rpoMinutes: number; rtoMinutes: number }) {
  const stack = constructStack();
  const key = new kms.Key(stack, 'Key');
  const backup = new LakehouseBackup(stack, 'Backup', { encryptionKey: key, vaultName: 'lakehouse-test' });
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: key });
  const bucket = new s3.Bucket(stack, 'Raw', { versioned: true, encryptionKey: key });
  const evidence = new RecoveryEvidence(stack, 'RecoveryEvidence', {
    vault: backup.vault,
    protectedResources: [
      { name: 'bucket-raw', arn: bucket.bucketArn, type: 'S3' },
      { name: 'database', arn: 'arn:aws:rds:eu-west-1:111111111111:db:vector', type: 'RDS' },
    ],
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    logsKey: key,
    restoredDataKeys: [key],
    ...overrides,
  });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', { topicKey: key, dashboardName: 'test' });
  monitoring.watchRecovery(evidence, objectives);
  monitoring.finish();
  return { stack, evidence, monitoring, template: Template.fromStack(stack) };
}

const alarmsOf = (template: Template, kind: string) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) => String(alarm.Properties.AlarmDescription).includes(`#${kind.toLowerCase()}`));

describe('RecoveryEvidence', () => {
  const { stack, evidence, template } = build();
  const json = template.toJSON();
  const resolve = (value: unknown) => stack.resolve(value);

  it('measures recovery-point age every 15 minutes and records every restore job state change', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const schedule = rules.find((rule) => rule.Properties.ScheduleExpression);
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    const restores = rules.find((rule) => JSON.stringify(rule.Properties.EventPattern ?? {}).includes('Restore Job State Change'));
    expect(restores?.Properties.EventPattern).toEqual({ source: ['aws.backup'], 'detail-type': ['Restore Job State Change'] });
    expect(JSON.stringify(restores?.Properties.Targets)).toContain(resolve(evidence.restoreEvidenceFunction.functionArn)['Fn::GetAtt'][0]);
  });

  it('tells the age function the vault and each protected resource with its name and type', () => {
    const fn = json.Resources[resolve(evidence.recoveryPointAgeFunction.functionArn)['Fn::GetAtt'][0]];
    const variables = fn.Properties.Environment.Variables;
    expect(JSON.stringify(variables.VAULT_NAME)).toContain('BackupVault');
    const rendered = JSON.stringify(variables.PROTECTED_RESOURCES);
    for (const fragment of ['bucket-raw', '"type\\":\\"S3', 'database', 'arn:aws:rds:eu-west-1:111111111111:db:vector']) expect(rendered).toContain(fragment);
  });

  it('runs both functions in the VPC with a DLQ, reserved concurrency and an encrypted log group', () => {
    for (const fn of [evidence.recoveryPointAgeFunction, evidence.restoreEvidenceFunction]) {
      const properties = json.Resources[resolve(fn.functionArn)['Fn::GetAtt'][0]].Properties;
      expect(properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
      expect(properties.DeadLetterConfig.TargetArn).toBeDefined();
      expect(properties.ReservedConcurrentExecutions).toBe(2);
      expect(properties.LoggingConfig.LogGroup).toBeDefined();
    }
  });

  it('lists recovery points of the one vault only, and publishes metrics only to Lakehouse/Backup', () => {
    const statements = (roleName: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleName))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const age = statements('RecoveryEvidenceRecoveryPointAgeRole');
    expect(JSON.stringify(age.find((s) => s.Action === 'backup:ListRecoveryPointsByBackupVault')?.Resource)).toContain('BackupVault');
    for (const roleName of ['RecoveryEvidenceRecoveryPointAgeRole', 'RecoveryEvidenceRestoreEvidenceRole']) {
      const put = statements(roleName).find((s) => s.Action === 'cloudwatch:PutMetricData');
      expect(put.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'Lakehouse/Backup' } });
    }
    const restore = statements('RecoveryEvidenceRestoreEvidenceRole');
    const reads = restore.filter((s) => ['s3:ListBucket', 's3:GetObject'].includes(s.Action));
    expect(reads).toHaveLength(2);
    for (const read of reads) expect(read.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } });
    // Read-only: no write, delete or tagging action anywhere on the restore role.
    expect(JSON.stringify(restore.map((s) => s.Action))).not.toMatch(/Put(Object|BucketPolicy)|Delete|Modify|Create/);
    expect(restore.find((s) => s.Action === 'kms:Decrypt')?.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
  });

  it('exposes the restore metrics per resource type of the protected resources', () => {
    expect(evidence.resourceTypes).toEqual(['S3', 'RDS']);
    expect(stack.resolve(evidence.metricRestoreDuration('S3').toMetricConfig().metricStat?.dimensions)).toEqual([{ name: 'ResourceType', value: 'S3' }]);
    expect(() => evidence.metricRecoveryPointAge('bucket-curated')).toThrow('no protected resource "bucket-curated"');
  });
});

describe('recovery alarms (monitoring)', () => {
  it('an RPO alarm per protected resource: above the RPO for 2 of 2 quarter-hours, missing data breaching', () => {
    const { template } = build({}, { rpoMinutes: 60, rtoMinutes: 240 });
    const alarms = alarmsOf(template, 'RecoveryPointAge');
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.Metrics).toHaveLength(1);
      expect(alarm.Properties.Metrics[0].MetricStat).toMatchObject({ Metric: { MetricName: 'RecoveryPointAgeMinutes', Namespace: 'Lakehouse/Backup' }, Period: 900, Stat: 'Maximum' });
      expect(alarm.Properties).toMatchObject({
        Threshold: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
      });
      expect(alarm.Properties.OKActions).toHaveLength(1);
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
    expect(alarms.map((alarm) => alarm.Properties.Metrics[0].MetricStat.Metric.Dimensions[0].Value).sort()).toEqual(['bucket-raw', 'database']);
  });

  it('an RTO alarm and a validation alarm per resource type, from the configured objectives', () => {
    const { template } = build({}, { rpoMinutes: 30, rtoMinutes: 120 });
    const durations = alarmsOf(template, 'RestoreDuration');
    expect(durations.map((alarm) => [alarm.Properties.Metrics[0].MetricStat.Metric.Dimensions[0].Value, alarm.Properties.Threshold, alarm.Properties.TreatMissingData])).toEqual([
      ['S3', 120, 'notBreaching'],
      ['RDS', 120, 'notBreaching'],
    ]);
    const validations = alarmsOf(template, 'RestoreValidation');
    expect(validations.map((alarm) => [alarm.Properties.Metrics[0].MetricStat.Metric.MetricName, alarm.Properties.Threshold, alarm.Properties.ComparisonOperator])).toEqual([
      ['RestoreValidationFailed', 0, 'GreaterThanThreshold'],
      ['RestoreValidationFailed', 0, 'GreaterThanThreshold'],
    ]);
    expect(alarmsOf(template, 'RecoveryPointAge')[0].Properties.Threshold).toBe(30);
  });
});

describe('RecoveryEvidence refuses', () => {
  const refusal = (overrides: Partial<RecoveryEvidenceProps>) => {
    try {
      build(overrides);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationReport);
      return (error as Error).message;
    }
    throw new Error('nothing was refused');
  };

  it('no protected resource', () => {
    expect(refusal({ protectedResources: [] })).toContain('protectedResources: got []; must name at least one resource');
  });

  it('a name that cannot be a metric dimension, a name used twice, an unknown type', () => {
    const message = refusal({
      protectedResources: [
        { name: 'raw bucket', arn: 'arn:aws:s3:::a', type: 'S3' },
        { name: 'db', arn: 'arn:aws:rds:eu-west-1:111111111111:db:a', type: 'RDS' },
        { name: 'db', arn: 'arn:aws:rds:eu-west-1:111111111111:db:b', type: 'rds instance' },
      ],
    });
    expect(message).toContain('protectedResources[0].name: got "raw bucket"; must be 1-64 letters, digits, ".", "_" or "-"');
    expect(message).toContain('protectedResources[2].name: got "db"; is used twice');
    expect(message).toContain('protectedResources[2].type: got "rds instance"; must be an AWS Backup resource type such as S3 or RDS');
  });
});
