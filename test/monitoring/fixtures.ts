import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataQuality } from '../../constructs/data-quality';
import type { DatasetDefinition } from '../../constructs/datasets';
import { StreamingIngestion } from '../../constructs/ingestion';
import { DatasetMonitoring, PlatformMonitoring, type DatasetMonitoringProps } from '../../constructs/monitoring';
import { DataLakeStorage } from '../../constructs/storage';
import { cliContext } from '../support/app-context';

/**
 * A streamed Parquet dataset like the shipped ones; `completeness` columns beyond the first add checks
 * (row count, freshness of the event time and one completeness check per column).
 */
export function streamedDataset(index: number, completenessColumns = 1): DatasetDefinition {
  const extra = Array.from({ length: completenessColumns }, (_, column) => `attribute_${column}`);
  return {
    name: `dataset_${String(index).padStart(3, '0')}`,
    zone: 'raw',
    owner: 'test',
    domain: 'product_analytics',
    description: 'Generated for the monitoring tests',
    columns: [
      ...extra.map((name) => ({ name, type: 'string', description: 'An attribute', classification: 'internal' as const })),
      { name: 'occurred_at', type: 'timestamp', description: 'Time', classification: 'public' },
    ],
    format: 'parquet',
    partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'occurred_at' } } },
    retentionDays: { raw: 400 },
    freshnessSloMinutes: 5,
    ingestion: 'stream',
    quality: { completeness: Object.fromEntries(extra.map((name) => [name, 0.99])) },
  };
}

export interface ShardedApp {
  readonly app: App;
  readonly base: Stack;
  readonly platform: PlatformMonitoring;
  readonly shard: Stack;
  readonly monitoring: DatasetMonitoring;
  readonly quality: DataQuality;
}

/**
 * The stack layout issue 11 asks for, in miniature: a base stack with the topic and "platform degraded",
 * and one shard stack whose datasets (streamed and quality-checked) a DatasetMonitoring watches.
 */
export function shardedApp(datasets: readonly DatasetDefinition[], props: Partial<DatasetMonitoringProps> = {}): ShardedApp {
  // Each StreamingIngestion brings its own stream and key: dozens of datasets pass 500 resources in one
  // stack, which only the placement of datasets (lib/) prevents; these tests load the monitoring.
  const app = new App({ context: { ...cliContext(), 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 }, builtinCloudFormationValidation: false });
  const base = new Stack(app, 'Base');
  const platform = new PlatformMonitoring(base, 'Monitoring', { topicKey: new kms.Key(base, 'Key'), dashboardName: 'test', degradedAlarmName: 'test-platform-degraded' });
  platform.watchBackups('test');
  platform.finish();

  const shard = new Stack(app, 'Shard2');
  const lake = new DataLakeStorage(shard, 'Lake');
  const vpc = new ec2.Vpc(shard, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'workload', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const quality = new DataQuality(shard, 'DataQuality', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    vpcCidr: vpc.vpcCidrBlock,
    datasets: datasets.map((dataset) => ({ dataset, databaseName: 'test_raw' })),
    historyDatabase: 'test_analytics',
    workgroupName: 'test-engineering',
    resultsBucket: lake.athenaResultsBucket,
    resultsKey: lake.encryptionKey,
    logsKey: new kms.Key(shard, 'LogsKey'),
    environment: 'test',
  });
  const monitoring = new DatasetMonitoring(shard, 'Monitoring', {
    topic: platform.topic,
    rollupAlarmName: 'test-operations-2-degraded',
    dashboardName: 'test-operations-2',
    ...props,
  });
  for (const dataset of datasets) {
    monitoring.watchIngestion(new StreamingIngestion(shard, `Ingest${dataset.name}`, { dataset, bucket: lake.bucket('raw'), table: { databaseName: 'test_raw', tableName: dataset.name } }));
  }
  monitoring.watchQuality(quality);
  return { app, base, platform, shard, monitoring, quality };
}
