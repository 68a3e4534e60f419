import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { ALARM_KINDS, COMPOSITE_RULE_LIMITS, measureAlarmRule } from '../../constructs/monitoring';
import { NOTIFICATION_PUBLISHERS } from '../../constructs/keys';
import { DATASETS } from '../../config/datasets';
import { qualityChecks } from '../../constructs/data-quality';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

const allResources = (templates: Record<string, Template>, type: string) =>
  Object.entries(templates).flatMap(([stack, template]) => resourcesOfType(template, type).map((r) => ({ stack, ...r })));

describe.each(ENVIRONMENT_NAMES)('%s alarms', (environment) => {
  const { templates, config } = synthCached(environment);
  const operations = templates[`lakehouse-${environment}-operations`];
  const alarms = allResources(templates, 'AWS::CloudWatch::Alarm');
  const [topic] = resourcesOfType(operations, 'AWS::SNS::Topic');

  const composites = allResources(templates, 'AWS::CloudWatch::CompositeAlarm');
  const top = composites.find((c) => /^MonitoringPlatformDegraded[0-9A-F]{8}$/.test(c.logicalId))!;
  const parts = composites.filter((c) => c !== top);

  it('every metric alarm and "platform degraded" notify the alarm topic on ALARM and on OK; its parts do not', () => {
    expect(alarms.length).toBeGreaterThan(15);
    expect(top).toBeDefined();
    for (const alarm of [...alarms, top]) {
      expect(alarm.Properties!.AlarmActions, alarm.logicalId).toEqual([{ Ref: topic.logicalId }]);
      expect(alarm.Properties!.OKActions, alarm.logicalId).toEqual([{ Ref: topic.logicalId }]);
    }
    for (const part of parts) expect(part.Properties!.AlarmActions, part.logicalId).toBeUndefined();
  });

  it('"platform degraded" is in ALARM when any alarm is: each alarm in exactly one rule within CloudWatch\'s limits', () => {
    const rules = (parts.length > 0 ? parts : [top]).map((c) => JSON.stringify(c.Properties!.AlarmRule));
    for (const alarm of alarms) expect(rules.filter((rule) => rule.includes(`"${alarm.logicalId}"`)), alarm.logicalId).toHaveLength(1);
    for (const composite of [top, ...parts]) {
      const measured = measureAlarmRule(composite.Properties!.AlarmRule);
      expect(measured.alarms, composite.logicalId).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.alarms);
      expect(measured.worstCaseLength, composite.logicalId).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
    }
    const topRule = JSON.stringify(top.Properties!.AlarmRule);
    // The top rule names each part: by reference, or by the part's fixed alarm name.
    for (const part of parts) expect([`"${part.logicalId}"`, `\\"${part.Properties!.AlarmName}\\"`].some((needle) => topRule.includes(needle)), part.logicalId).toBe(true);
  });

  it('watch every streamed dataset against its own freshness SLO, every workgroup and the database', () => {
    const descriptions = alarms.map((a) => ({ description: String(a.Properties!.AlarmDescription), threshold: a.Properties!.Threshold, missing: a.Properties!.TreatMissingData }));
    const find = (kind: string, subject: string) => descriptions.find((d) => d.description.startsWith(ALARM_KINDS[kind as keyof typeof ALARM_KINDS].summary) && d.description.includes(`(${subject})`));
    for (const dataset of ['events', 'client_errors']) {
      expect(find('Delivery', dataset)).toMatchObject({ threshold: 0, missing: 'notBreaching' });
      expect(find('IteratorAge', dataset)).toMatchObject({ threshold: config.operations.iteratorAgeMinutes * 60_000, missing: 'breaching' });
      expect(find('WriteThrottling', dataset)).toMatchObject({ threshold: 0, missing: 'notBreaching' });
    }
    for (const persona of ['engineering', ...config.governance.personas.map((p) => p.name)]) {
      expect(find('QueryLatency', `lakehouse-${environment}-${persona}`)).toMatchObject({ threshold: config.operations.queryP95Seconds * 1000 });
      expect(find('QueryFailures', `lakehouse-${environment}-${persona}`)).toBeDefined();
    }
    for (const kind of ['DatabaseCpu', 'DatabaseStorage', 'DatabaseMemory', 'DatabaseConnections', 'TransactionIdWraparound']) {
      expect(find(kind, 'vector database'), kind).toBeDefined();
    }
    expect(find('DatabaseCpu', 'vector database')!.missing).toBe('breaching');
    expect(find('BackupJobsFailed', `lakehouse-${environment}`)).toBeDefined();
  });

  it('keeps every per-dataset signal of the unfolded alarms: each streamed and checked dataset is read on all of them', () => {
    const readFor = (dataset: string) =>
      new Set(
        alarms
          .filter((a) => String(a.Properties!.AlarmDescription).includes(`(${dataset})`))
          .flatMap((a) => [a.Properties!.MetricName, ...((a.Properties!.Metrics ?? []) as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[]).map((m) => m.MetricStat && [m.MetricStat.Metric.MetricName, ...m.MetricStat.Metric.Dimensions.filter((d) => d.Name === 'Check').map((d) => d.Value)].join(' '))])
          .filter(Boolean),
      );
    for (const dataset of ['events', 'client_errors']) {
      expect([...readFor(dataset)], dataset).toEqual(expect.arrayContaining(['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'GetRecords.IteratorAgeMilliseconds', 'PutRecords.ThrottledRecords', 'QueryFailed']));
    }
    const checked = DATASETS.filter((dataset) => dataset.format === 'parquet');
    for (const dataset of checked) {
      expect([...readFor(dataset.name)], dataset.name).toEqual(expect.arrayContaining(['QueryFailed', ...qualityChecks(dataset).map((check) => `CheckFailed ${check.id}`)]));
    }
  });

  it('p95 query time uses the p95 statistic of successful DML queries per workgroup', () => {
    const latency = alarms.find((a) => String(a.Properties!.AlarmDescription).startsWith(ALARM_KINDS.QueryLatency.summary))!;
    expect(latency.Properties).toMatchObject({ Namespace: 'AWS/Athena', MetricName: 'TotalExecutionTime', ExtendedStatistic: 'p95' });
    expect(latency.Properties!.Dimensions).toEqual(expect.arrayContaining([{ Name: 'QueryState', Value: 'SUCCEEDED' }, { Name: 'QueryType', Value: 'DML' }]));
  });

  it('one delivery alarm per streamed dataset reads freshness against its own SLO and delivery success, and names both', () => {
    const delivery = alarms.find((a) => String(a.Properties!.AlarmDescription).startsWith(ALARM_KINDS.Delivery.summary) && String(a.Properties!.AlarmDescription).includes('(events)'))!;
    const metrics = delivery.Properties!.Metrics as { Expression?: string; MetricStat?: { Metric: { MetricName: string }; Stat: string; Period: number } }[];
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('MAX([IF(freshness > 300, 1, 0), IF(success < 1, 1, 0)])');
    expect(metrics.flatMap((m) => (m.MetricStat ? [[m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]] : []))).toEqual([
      ['DeliveryToS3.DataFreshness', 'Maximum', 300],
      ['DeliveryToS3.Success', 'Average', 300],
    ]);
    expect(delivery.Properties!.AlarmDescription).toContain('Inputs: DeliveryToS3.DataFreshness > 300 s (freshness SLO) or DeliveryToS3.Success < 1');
    expect(delivery.Properties).toMatchObject({ EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('the alarm topic is KMS-encrypted, SSL-only, and its key admits exactly CloudWatch, EventBridge and AWS Backup', () => {
    expect(JSON.stringify(topic.Properties!.KmsMasterKeyId)).toContain('NotificationsKey');
    const [policy] = resourcesOfType(operations, 'AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policy.Properties!.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    const keys = resourcesOfType(templates[`lakehouse-${environment}-storage`], 'AWS::KMS::Key');
    const notifications = keys.find((k) => k.Properties!.Description === 'Lakehouse alarm topic')!;
    const services = notifications.Properties!.KeyPolicy.Statement.flatMap((s: { Principal?: { Service?: string | string[] } }) => [s.Principal?.Service ?? []].flat());
    expect([...new Set(services)].sort()).toEqual([...NOTIFICATION_PUBLISHERS].sort());
  });

  it('subscribes the configured addresses', () => {
    const subscriptions = resourcesOfType(operations, 'AWS::SNS::Subscription').map((s) => s.Properties!.Endpoint);
    expect(subscriptions.sort()).toEqual([...config.operations.alarmEmails, ...config.operations.alarmHttpsEndpoints].sort());
  });

  it('routes failed, aborted and expired backup, copy and restore jobs through EventBridge to the topic', () => {
    // The other aws.backup rule is the recovery evidence's (every restore job change, to its function).
    const backupRules = resourcesOfType(operations, 'AWS::Events::Rule').filter(
      (r) => JSON.stringify(r.Properties!.EventPattern ?? {}).includes('aws.backup') && JSON.stringify(r.Properties!.Targets).includes(topic.logicalId),
    );
    expect(backupRules).toHaveLength(1);
    const [rule] = backupRules;
    expect(rule.Properties!.EventPattern).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
      detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
    });
    expect(rule.Properties!.Targets[0].Arn).toEqual({ Ref: topic.logicalId });
  });

  it('holds every backed-up resource to the RPO: one recovery-point alarm per zone bucket and for the database', () => {
    const rpo = alarms.filter((alarm) => String(alarm.Properties!.AlarmDescription).includes('#recoverypointage'));
    const subjects = rpo.map((alarm) => alarm.Properties!.Metrics[0].MetricStat.Metric.Dimensions[0].Value).sort();
    expect(subjects).toEqual([...config.storage.zones.map((zone: { name: string }) => `bucket-${zone.name}`), 'database'].sort());
    for (const alarm of rpo) expect(alarm.Properties!.Threshold).toBe(config.operations.rpoMinutes);
    const rto = alarms.filter((alarm) => String(alarm.Properties!.AlarmDescription).includes('#restoreduration'));
    expect(rto.map((alarm) => alarm.Properties!.Threshold)).toEqual([config.operations.rtoMinutes, config.operations.rtoMinutes]);
  });

  it('draws one dashboard with alarm status first and a row per stage', () => {
    const [dashboard] = resourcesOfType(operations, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    expect(body.indexOf('Alarm status')).toBeGreaterThan(-1);
    const positions = ['## Ingest', '## Deliver', '## Catalog and query', '## Serve', '## Protect', '## Quality'].map((title) => body.indexOf(title));
    expect(positions.every((p) => p > body.indexOf('Alarm status'))).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe.each(ENVIRONMENT_NAMES)('%s backups and restore testing', (environment) => {
  const { templates, config } = synthCached(environment);
  const operations = templates[`lakehouse-${environment}-operations`];

  it('every stateful resource holding data is in a backup selection', () => {
    const selected = JSON.stringify(allResources(templates, 'AWS::Backup::BackupSelection').map((s) => s.Properties!.BackupSelection.Resources));
    // Not backed up, on purpose: query results, access logs and the erasure work files expire by design and hold no source data.
    const derived = /AthenaResultsBucket|AccessLogsBucket|ErasureWorkBucket/;
    const protectable = [
      ...allResources(templates, 'AWS::S3::Bucket'),
      ...allResources(templates, 'AWS::RDS::DBInstance'),
      ...allResources(templates, 'AWS::DynamoDB::Table'),
    ].filter((r) => !derived.test(r.logicalId));
    // Three zone buckets, the database, with the erasure workflow its ledger and request table, and with the access trail its bucket.
    const privacy = config.privacy.enabled ? 2 + (config.privacy.accessTrail.enabled ? 1 : 0) : 0;
    expect(protectable.length).toBe(4 + privacy);
    for (const resource of protectable) expect(selected, resource.logicalId).toContain(resource.logicalId);
  });

  it('tests restores of each protected resource type (RDS and S3) within a validation window', () => {
    const [plan] = resourcesOfType(operations, 'AWS::Backup::RestoreTestingPlan');
    expect(plan.Properties!.RestoreTestingPlanName).toBe(`lakehouse_${environment}_restore_tests`);
    expect(plan.Properties!.RecoveryPointSelection).toMatchObject({ Algorithm: 'LATEST_WITHIN_WINDOW', RecoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'] });
    const selections = resourcesOfType(operations, 'AWS::Backup::RestoreTestingSelection');
    expect(selections.map((s) => s.Properties!.ProtectedResourceType).sort()).toEqual(['RDS', 'S3']);
    for (const selection of selections) expect(selection.Properties!.ValidationWindowHours).toBe(4);
    const rds = selections.find((s) => s.Properties!.ProtectedResourceType === 'RDS')!;
    expect(Object.keys(rds.Properties!.RestoreMetadataOverrides).sort()).toEqual(['dbsubnetgroupname', 'vpcsecuritygroupids']);
  });
});

describe('prod protection', () => {
  const { templates, config } = synthCached('prod');
  const storage = templates['lakehouse-prod-storage'];
  const [vault] = resourcesOfType(storage, 'AWS::Backup::BackupVault');
  const [plan] = resourcesOfType(storage, 'AWS::Backup::BackupPlan');
  const rules: Array<Record<string, any>> = plan.Properties!.BackupPlan.BackupPlanRule;

  it('has continuous backup (point-in-time recovery)', () => {
    expect(rules.find((rule) => rule.RuleName === 'Continuous')).toMatchObject({ EnableContinuousBackup: true });
  });

  it('locks its vault (governance mode: no changeable-for period)', () => {
    expect(vault.Properties!.LockConfiguration).toEqual({ MinRetentionDays: 7, MaxRetentionDays: 3650 });
  });

  it('copies daily and monthly recovery points to the DR vault in the DR region, kept as long as the source', () => {
    const dr = config.backup.disasterRecovery!;
    const target = `arn:aws:backup:${dr.region}:${config.account}:backup-vault:lakehouse-prod-dr`;
    for (const name of ['Daily', 'Monthly']) {
      const rule = rules.find((r) => r.RuleName === name)!;
      expect(rule.CopyActions, name).toEqual([{ DestinationBackupVaultArn: target, Lifecycle: { DeleteAfterDays: rule.Lifecycle.DeleteAfterDays } }]);
    }
    const drStack = synthCached('prod').assembly.getStackByName('lakehouse-prod-dr');
    expect(drStack.environment.region).toBe(dr.region);
    const [drVault] = resourcesOfType(templates['lakehouse-prod-dr'], 'AWS::Backup::BackupVault');
    expect(drVault.Properties!.BackupVaultName).toBe('lakehouse-prod-dr');
    expect(drVault.DeletionPolicy).toBe('Retain');
  });

  it('keeps monthly recovery points for a year', () => {
    expect(rules.find((rule) => rule.RuleName === 'Monthly')).toMatchObject({ Lifecycle: { DeleteAfterDays: 365 } });
  });
});
