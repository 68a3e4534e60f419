/**
 * DataQuality with Iceberg datasets: their contracts ship as a Lambda layer (Athena accepts no custom
 * properties on Iceberg tables), the function is told where, and without an Iceberg dataset there is no
 * layer. The file the layer holds is the one the handler reads (contracts-file.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dailyActiveUsers, retentionCohorts } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { DataQuality, ENVIRONMENT_VARIABLES, type CheckedDataset } from '../../constructs/data-quality';
import { CONTRACTS_FILE_NAME, readContractsFile } from '../../constructs/data-quality/contracts-file';
import { LakehouseNetwork } from '../../constructs/network';
import { DataLakeStorage } from '../../constructs/storage';
import { cliContext } from '../support/app-context';

function quality(datasets: readonly CheckedDataset[]) {
  const app = new App({ context: cliContext(), builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'QualityStack');
  const logsKey = new kms.Key(stack, 'LogsKey');
  const storage = new DataLakeStorage(stack, 'Lake');
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
  const construct = new DataQuality(stack, 'Quality', {
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    vpcCidr: network.cidr,
    datasets,
    historyDatabase: 'lake_analytics',
    workgroupName: 'lake',
    resultsBucket: storage.athenaResultsBucket,
    resultsKey: storage.encryptionKey,
    logsKey,
  });
  const assembly = app.synth();
  return { construct, template: Template.fromStack(stack), assembly };
}

describe('DataQuality and Iceberg tables', () => {
  it('ships the Iceberg contracts as a layer mounted at /opt, and lists every table in TABLES', () => {
    const { construct, template, assembly } = quality([
      { dataset: events, databaseName: 'lake_raw' },
      { dataset: dailyActiveUsers, databaseName: 'lake_analytics' },
      { dataset: retentionCohorts, databaseName: 'lake_analytics' },
    ]);
    expect(construct.contractsLayer).toBeDefined();
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(fn.Properties.Environment.Variables[ENVIRONMENT_VARIABLES.contractsFile]).toBe(`/opt/${CONTRACTS_FILE_NAME}`);
    expect(fn.Properties.Layers).toHaveLength(1);
    expect(JSON.parse(fn.Properties.Environment.Variables[ENVIRONMENT_VARIABLES.tables]).map((entry: { table: string }) => entry.table)).toEqual(['events', 'daily_active_users', 'retention_cohorts']);
    // The layer's asset holds exactly the Iceberg datasets' contracts, keyed database.table.
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    const [asset] = readdirSync(assembly.directory).filter((entry) => existsSync(join(assembly.directory, entry, CONTRACTS_FILE_NAME)));
    const contracts = readContractsFile(join(assembly.directory, asset, CONTRACTS_FILE_NAME), (file) => readFileSync(file, 'utf8'));
    expect([...contracts.keys()]).toEqual(['lake_analytics.daily_active_users', 'lake_analytics.retention_cohorts']);
    expect(JSON.parse(contracts.get('lake_analytics.retention_cohorts') as string)).toEqual(JSON.parse(JSON.stringify(retentionCohorts)));
  });

  it('has no layer and no CONTRACTS_FILE when every checked table is Parquet', () => {
    const { construct, template } = quality([{ dataset: events, databaseName: 'lake_raw' }]);
    expect(construct.contractsLayer).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(fn.Properties.Environment.Variables[ENVIRONMENT_VARIABLES.contractsFile]).toBeUndefined();
  });
});
