import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { DisasterRecoveryVault, LakehouseBackup, RestoreTesting } from '../../constructs/backup';
import { LakehouseCatalog } from '../../constructs/catalog';
import { defaultName } from '../../constructs/common';
import { DataQuality, ENVIRONMENT_VARIABLES } from '../../constructs/data-quality';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { LakehouseNetwork } from '../../constructs/network';
import { DataLakeStorage } from '../../constructs/storage';
import { VectorStore } from '../../constructs/vector-store';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { cliContext } from '../support/app-context';

/**
 * A library user should not have to invent the names AWS requires to be fixed: each construct derives
 * one from its stack and construct ID. One test per default, as each construct's README documents it.
 */
function stackNamed(name: string): Stack {
  const app = new App({ context: cliContext(), builtinCloudFormationValidation: false });
  return new Stack(app, name);
}

describe('defaultName', () => {
  it('joins the stack name and construct ID with the separator, replacing what the service does not allow', () => {
    const stack = stackNamed('Analytics-Stack');
    expect(defaultName(new s3.Bucket(stack, 'My Thing'), { maxLength: 50, separator: '_' })).toBe('Analytics_Stack_My_Thing');
    expect(defaultName(new s3.Bucket(stack, 'Other'), { maxLength: 50, separator: '-', lowercase: true })).toBe('analytics-stack-other');
  });

  it('cuts long names to the limit and ends them in a hash of the construct path, so two stay distinct', () => {
    const stack = stackNamed('AVeryLongStackNameThatKeepsGoingAndGoing');
    const first = defaultName(new s3.Bucket(stack, 'FirstConstructWithALongId'), { maxLength: 32, separator: '-' });
    const second = defaultName(new s3.Bucket(stack, 'FirstConstructWithALongIdToo'), { maxLength: 32, separator: '-' });
    expect(first.length).toBeLessThanOrEqual(32);
    expect(first).toMatch(/^AVeryLongStackName.*-[0-9a-f]{8}$/);
    expect(first).not.toBe(second);
  });

  it('never starts with a digit or a separator, and never doubles or ends in one (RDS rules)', () => {
    const stack = stackNamed('S');
    expect(defaultName(new s3.Bucket(stack, '9--lives-'), { maxLength: 63, separator: '-', lowercase: true })).toBe('s-9-lives');
  });

  it('is the same on every synthesis (a changed name would replace the resource)', () => {
    const name = () => defaultName(new s3.Bucket(stackNamed('Repeat'), 'Thing'), { maxLength: 50, separator: '-' });
    expect(name()).toBe(name());
  });
});

describe('constructs name what AWS requires to be named, when not told', () => {
  it('LakehouseBackup: the vault is `<stack>-<id>`', () => {
    const stack = stackNamed('AnalyticsStack');
    const backup = new LakehouseBackup(stack, 'Backup', { encryptionKey: new kms.Key(stack, 'Key') });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'AnalyticsStack-Backup' });
    expect(backup.vault.backupVaultName).toBeDefined();
  });

  it('DisasterRecoveryVault: the vault is `<stack>-<id>`, exposed for the source plan', () => {
    const stack = stackNamed('DrStack');
    const dr = new DisasterRecoveryVault(stack, 'Vault');
    expect(dr.vaultName).toBe('DrStack-Vault');
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'DrStack-Vault' });
  });

  it('RestoreTesting: the plan is `<stack>_<id>` with underscores, short enough for selection names', () => {
    const stack = stackNamed('Analytics-Stack');
    const backup = new LakehouseBackup(stack, 'Backup', { encryptionKey: new kms.Key(stack, 'Key') });
    const restore = new RestoreTesting(stack, 'RestoreTests', { vault: backup.vault });
    restore.addSelection('Buckets', 'S3', ['arn:aws:s3:::example']);
    expect(restore.planName).toBe('Analytics_Stack_RestoreTests');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', { RestoreTestingPlanName: 'Analytics_Stack_RestoreTests' });
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { RestoreTestingSelectionName: 'Analytics_Stack_RestoreTests_Buckets' });
  });

  it('PlatformMonitoring: the dashboard is `<stack>-<id>`', () => {
    const stack = stackNamed('AnalyticsStack');
    const monitoring = new PlatformMonitoring(stack, 'Monitoring', { topicKey: new kms.Key(stack, 'Key') });
    // The dashboard is built by finish(), once something is watched.
    monitoring.watchBackups('vault');
    monitoring.finish();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'AnalyticsStack-Monitoring' });
  });

  describe('LakehouseCatalog', () => {
    const stack = stackNamed('AnalyticsStack');
    const logsKey = new kms.Key(stack, 'LogsKey');
    const storage = new DataLakeStorage(stack, 'Lake');
    const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
    const catalog = new LakehouseCatalog(stack, 'Catalog', {
      zoneBuckets: storage.zoneBuckets,
      datasets: [events, dailyActiveUsers],
      resultsBucket: storage.athenaResultsBucket,
      resultsKey: storage.encryptionKey,
      iceberg: { vpc: network.vpc, vpcSubnets: network.workloadSubnets, logsKey },
    });
    const template = Template.fromStack(stack);

    it('databases are `<stack>_<id>_<zone>`, lowercase with underscores', () => {
      expect(catalog.databaseNamePrefix).toBe('analyticsstack_catalog');
      template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'analyticsstack_catalog_raw' } });
    });

    it('one workgroup `<stack>-<id>`, where Iceberg DDL runs too', () => {
      expect([...catalog.workgroups.keys()]).toEqual(['AnalyticsStack-Catalog']);
      template.resourceCountIs('AWS::Athena::WorkGroup', 1);
      const [table] = Object.values(template.findResources('Custom::IcebergTable'));
      expect(table.Properties.WorkGroup).toBe('AnalyticsStack-Catalog');
    });
  });

  it('VectorStore: the instance identifier is `<stack>-<id>` in lowercase, and so are its log groups', () => {
    const stack = stackNamed('AnalyticsStack');
    const logsKey = new kms.Key(stack, 'LogsKey');
    const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
    new VectorStore(stack, 'Vectors', {
      vpc: network.vpc,
      vpcSubnets: network.workloadSubnets,
      vpcCidr: network.cidr,
      secretsManagerEndpoint: network.interfaceEndpoints.secretsmanager!,
      logsKey,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'analyticsstack-vectors' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/analyticsstack-vectors/postgresql' });
  });

  it("DataQuality: the environment metric dimension is the stack's name", () => {
    const stack = stackNamed('AnalyticsStack');
    const logsKey = new kms.Key(stack, 'LogsKey');
    const storage = new DataLakeStorage(stack, 'Lake');
    const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
    new DataQuality(stack, 'Quality', {
      vpc: network.vpc,
      vpcSubnets: network.workloadSubnets,
      vpcCidr: network.cidr,
      datasets: [{ dataset: events, databaseName: 'analytics_raw' }],
      historyDatabase: 'analytics_analytics',
      workgroupName: 'analytics',
      resultsBucket: storage.athenaResultsBucket,
      resultsKey: storage.encryptionKey,
      logsKey,
    });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(fn.Properties.Environment.Variables[ENVIRONMENT_VARIABLES.environment]).toBe('AnalyticsStack');
  });
});
