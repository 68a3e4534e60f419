'use strict';
// A second CDK app that uses lakehouse-blueprint the way an outside team would: plain CommonJS,
// run with `node`, no tsx, no CDK CLI, no Docker. scripts/check-package.sh copies this file into a
// throwaway app (outside the repo) where the packed tarball is installed, and runs
// `node app.js OUTDIR`. It prints one JSON line describing what it loaded and synthesized.
const { App, Stack } = require('aws-cdk-lib');
const { PlatformKeys, DataLakeStorage, LakehouseNetwork } = require('lakehouse-blueprint');

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node app.js OUTDIR');
  process.exit(2);
}

const app = new App({ outdir });
// Environment-agnostic on purpose: no account/region, so no availability-zone lookup is needed offline.
const stack = new Stack(app, 'PackageConsumer');
const keys = new PlatformKeys(stack, 'Keys');
new DataLakeStorage(stack, 'Lake', { encryptionKey: keys.lakeKey });
new LakehouseNetwork(stack, 'Net', { flowLogsKey: keys.logsKey });

const assembly = app.synth();

console.log(
  JSON.stringify({
    library: require.resolve('lakehouse-blueprint'),
    awsCdkLib: require.resolve('aws-cdk-lib'),
    constructs: require.resolve('constructs'),
    stacks: assembly.stacks.map((s) => ({ name: s.stackName, template: s.templateFullPath })),
  }),
);
