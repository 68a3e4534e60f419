import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { LakehouseCatalog, OPTIMIZER_LOG_GROUPS, optimizerConfigurations } from '../../constructs/catalog';
import { icebergUpkeep, ICEBERG_UPKEEP_DEFAULTS, type DatasetDefinition } from '../../constructs/datasets';
import { LakehouseNetwork } from '../../constructs/network';
import { DataLakeStorage } from '../../constructs/storage';
import { dailyActiveUsers, retentionCohorts } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { constructStack } from '../support/construct-stack';

const LOCATION = 's3://bucket/daily_active_users/';
const ROLE = 'arn:aws:iam::111111111111:role/optimizer';

describe('Iceberg upkeep settings from the contract', () => {
  it("defaults to Glue's own optimizer defaults", () => {
    expect(ICEBERG_UPKEEP_DEFAULTS).toEqual({ compaction: 'binpack', snapshotRetentionDays: 5, minSnapshotsToKeep: 1, orphanFileRetentionDays: 3 });
    expect(icebergUpkeep(dailyActiveUsers)).toEqual(ICEBERG_UPKEEP_DEFAULTS);
  });

  it('a declared value overrides only its own default', () => {
    const dataset: DatasetDefinition = { ...dailyActiveUsers, iceberg: { snapshotRetentionDays: 10, orphanFileRetentionDays: undefined } };
    expect(icebergUpkeep(dataset)).toEqual({ ...ICEBERG_UPKEEP_DEFAULTS, snapshotRetentionDays: 10 });
  });

  it('the three optimizer configurations, exactly', () => {
    expect(optimizerConfigurations(dailyActiveUsers, ROLE, LOCATION)).toEqual({
      // Bin-pack is Glue's default compaction strategy: nothing to configure.
      compaction: { roleArn: ROLE, enabled: true },
      retention: {
        roleArn: ROLE,
        enabled: true,
        retentionConfiguration: { icebergConfiguration: { snapshotRetentionPeriodInDays: 5, numberOfSnapshotsToRetain: 1, cleanExpiredFiles: true } },
      },
      orphan_file_deletion: {
        roleArn: ROLE,
        enabled: true,
        orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: 3, location: LOCATION } },
      },
    });
  });

  it("compaction 'off' leaves the compaction optimizer out, not disabled (nothing to pay for or alarm on)", () => {
    const configurations = optimizerConfigurations({ ...dailyActiveUsers, iceberg: { compaction: 'off', snapshotRetentionDays: 2, minSnapshotsToKeep: 4 } }, ROLE, LOCATION);
    expect(Object.keys(configurations)).toEqual(['retention', 'orphan_file_deletion']);
    expect(configurations.retention?.retentionConfiguration).toEqual({
      icebergConfiguration: { snapshotRetentionPeriodInDays: 2, numberOfSnapshotsToRetain: 4, cleanExpiredFiles: true },
    });
  });
});

describe('IcebergTableUpkeep in LakehouseCatalog', () => {
  const stack = constructStack();
  const keys = { catalog: new kms.Key(stack, 'CatalogKey', { enableKeyRotation: true }), logs: new kms.Key(stack, 'LogsKey') };
  const storage = new DataLakeStorage(stack, 'Lake');
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: keys.logs });
  const catalog = new LakehouseCatalog(stack, 'Catalog', {
    databaseNamePrefix: 'lakehouse_test',
    zoneBuckets: storage.zoneBuckets,
    datasets: [events, dailyActiveUsers, { ...retentionCohorts, iceberg: { compaction: 'off' } }],
    resultsBucket: storage.athenaResultsBucket,
    resultsKey: storage.encryptionKey,
    workgroupNames: ['lakehouse-test-engineering'],
    catalogKey: keys.catalog,
    iceberg: { vpc: network.vpc, vpcSubnets: network.workloadSubnets, workgroupName: 'lakehouse-test-engineering', logsKey: keys.logs },
  });
  const template = Template.fromStack(stack);
  const upkeep = catalog.icebergTables!.upkeep;
  const roleId = stack.getLogicalId(upkeep.role.node.defaultChild as any);
  const optimizers = template.findResources('AWS::Glue::TableOptimizer');

  it('every Iceberg table gets its optimizers (none for Parquet tables); compaction off means no compaction optimizer', () => {
    const byTable = Object.values(optimizers).map((o) => `${o.Properties.TableName}:${o.Properties.Type}`).sort();
    expect(byTable).toEqual([
      'daily_active_users:compaction',
      'daily_active_users:orphan_file_deletion',
      'daily_active_users:retention',
      'retention_cohorts:orphan_file_deletion',
      'retention_cohorts:retention',
    ]);
    for (const optimizer of Object.values(optimizers)) {
      expect(optimizer.Properties.DatabaseName).toBe('lakehouse_test_analytics');
      expect(optimizer.Properties.TableOptimizerConfiguration.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
  });

  it('each optimizer waits for its table (the DDL custom resource) through the Lake Formation grant, and for its role policy', () => {
    const [id, optimizer] = Object.entries(optimizers).find(([, o]) => o.Properties.TableName === 'daily_active_users' && o.Properties.Type === 'retention')!;
    const grantId = optimizer.DependsOn.find((d: string) => d.includes('DailyActiveUsersGrant'));
    expect(grantId, id).toBeDefined();
    const grant = template.toJSON().Resources[grantId];
    expect(grant.Type).toBe('AWS::LakeFormation::PrincipalPermissions');
    expect(grant.Properties.Permissions).toEqual(['ALTER', 'DESCRIBE', 'INSERT', 'DELETE']);
    expect(grant.Properties.Resource.Table).toMatchObject({ DatabaseName: 'lakehouse_test_analytics', Name: 'daily_active_users' });
    expect(grant.DependsOn.some((d: string) => d.startsWith('CatalogIcebergDailyActiveUsersTable'))).toBe(true);
    expect(optimizer.DependsOn.some((d: string) => d.startsWith('CatalogIcebergUpkeepRoleDefaultPolicy'))).toBe(true);
  });

  it('the role is assumed by Glue in this account only and writes only to the three optimizer log groups', () => {
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'glue.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const logs = statements.find((s) => JSON.stringify(s.Action).includes('logs:PutLogEvents'));
    expect(JSON.stringify(logs.Resource)).toContain(':log-group:/aws-glue/iceberg-compaction/logs:*');
    expect(logs.Resource).toHaveLength(Object.keys(OPTIMIZER_LOG_GROUPS).length);
    // Objects of each Iceberg table's own folder only, never the whole bucket or a Parquet dataset's prefix.
    const objects = statements.filter((s) => JSON.stringify(s.Action).includes('s3:PutObject')).flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
    expect(objects).toHaveLength(2);
    expect(objects.some((r) => r.includes('/daily_active_users/*'))).toBe(true);
    expect(objects.some((r) => r.includes('/retention_cohorts/*'))).toBe(true);
    expect(objects.join()).not.toContain('/events/');
    const glue = statements.filter((s) => JSON.stringify(s.Action).includes('glue:UpdateTable'));
    expect(new Set(glue.map((s) => JSON.stringify(s.Action)))).toEqual(new Set([JSON.stringify(['glue:GetTable', 'glue:UpdateTable'])]));
    const tables = glue.flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r))).filter((r) => r.includes(':table/'));
    expect(tables).toHaveLength(2);
    expect(tables.join()).not.toContain('*');
  });
});
