'use strict';
// A second CDK app that uses lakehouse-blueprint the way an outside team would: plain CommonJS,
// run with `node`, no tsx, no CDK CLI, no Docker. scripts/check-package.sh copies this file into a
// throwaway app (outside the repo) where the packed tarball is installed, and runs
// `node app.js OUTDIR`. It prints one JSON line describing what it loaded and synthesized.
const { App, Stack } = require('aws-cdk-lib');
const { PlatformKeys, DataLakeStorage, LakehouseNetwork, LakehouseCatalog } = require('lakehouse-blueprint');

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node app.js OUTDIR');
  process.exit(2);
}

const app = new App({ outdir });
// Environment-agnostic on purpose: no account/region, so no availability-zone lookup is needed offline.
const stack = new Stack(app, 'PackageConsumer');
const keys = new PlatformKeys(stack, 'Keys');
const lake = new DataLakeStorage(stack, 'Lake', { encryptionKey: keys.lakeKey });
const net = new LakehouseNetwork(stack, 'Net', { flowLogsKey: keys.logsKey });

// A consumer's own datasets: one Parquet table with projection, and one Iceberg table, whose DDL
// function must come from the package's pre-built bundle (no esbuild or Docker here).
const column = (name, type) => ({ name, type, description: `${name} of the order`, classification: 'internal' });
new LakehouseCatalog(stack, 'Catalog', {
  databaseNamePrefix: 'consumer_dev',
  zoneBuckets: lake.zoneBuckets,
  resultsBucket: lake.athenaResultsBucket,
  resultsKey: keys.lakeKey,
  workgroupNames: ['consumer-dev-engineering'],
  iceberg: { vpc: net.vpc, vpcSubnets: net.workloadSubnets, workgroupName: 'consumer-dev-engineering', logsKey: keys.logsKey },
  datasets: [
    {
      name: 'orders', zone: 'raw', owner: 'shop', domain: 'sales', description: 'Orders as placed',
      columns: [column('order_id', 'string'), column('placed_at', 'timestamp')],
      format: 'parquet', ingestion: 'stream', freshnessSloMinutes: 10,
      partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'placed_at' } } },
    },
    {
      name: 'daily_orders', zone: 'analytics', owner: 'shop', domain: 'sales', description: 'Orders per day',
      columns: [column('order_date', 'date'), column('orders', 'bigint')],
      format: 'iceberg', ingestion: 'batch', freshnessSloMinutes: 1440,
      partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'order_date' } } },
    },
  ],
});

const assembly = app.synth();

console.log(
  JSON.stringify({
    library: require.resolve('lakehouse-blueprint'),
    awsCdkLib: require.resolve('aws-cdk-lib'),
    constructs: require.resolve('constructs'),
    stacks: assembly.stacks.map((s) => ({ name: s.stackName, template: s.templateFullPath })),
  }),
);
