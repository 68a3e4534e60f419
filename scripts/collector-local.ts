/**
 * The collector on this machine: moto (preinstalled, `python3 -m moto.server`) stands in for Kinesis and
 * Secrets Manager, the loopback harness (constructs/collector/local-server.ts) for API Gateway. Creates the
 * events and quarantine streams and a source "local" with a fresh write key, serves the collector, and
 * prints every record that reaches either stream, so a curl, a browser page or a Segment SDK can be
 * pointed at it and the result watched. Ctrl-C stops everything.
 *
 * Usage: npm run collector:local -- [--port 8787] [--moto-port 5055] [--ip truncate|drop|keep] [--keep-user-agent]
 * Exit codes: 0 stopped, 1 bad arguments or moto did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { events } from '../config/datasets/events';
import { collectorHandler } from '../constructs/collector/handler';
import { startLocalServer } from '../constructs/collector/local-server';
import { Collector } from '../constructs/collector/runtime/collector';
import { WriteKeyStore } from '../constructs/collector/runtime/write-keys';
import { DEFAULT_COLLECTOR_LIMITS, IP_POLICIES, parseCollectorSettings, type IpPolicy } from '../constructs/collector/settings';
import { generateWriteKey, hashWriteKey } from '../constructs/collector/write-key-document';
import { runCommand } from './command';

const EVENTS_STREAM = 'local-events';
const QUARANTINE_STREAM = 'local-collector_quarantine';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'local' };

async function startMoto(port: number): Promise<ChildProcess> {
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (moto.exitCode !== null) throw new Error(`moto exited with ${moto.exitCode} (is port ${port} free?)`);
    if (await fetch(`http://127.0.0.1:${port}/moto-api/`).then((r) => r.ok, () => false)) return moto;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  moto.kill();
  throw new Error(`moto did not answer on port ${port} within 30 s`);
}

/** Prints the records that arrive in `stream` from now on, one JSON line each. */
function follow(client: KinesisClient, stream: string, print: (line: string) => void): () => void {
  let stopped = false;
  void (async () => {
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
    const iterators = await Promise.all(
      Shards.map(async (shard) => (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'LATEST' }))).ShardIterator),
    );
    while (!stopped) {
      for (let i = 0; i < iterators.length; i += 1) {
        if (iterators[i] === undefined) continue;
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterators[i] }));
        for (const record of page.Records ?? []) print(`${stream}: ${Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')}`);
        iterators[i] = page.NextShardIterator;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })().catch((error: Error) => print(`stopped following ${stream}: ${error.message}`));
  return () => (stopped = true);
}

export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string', default: '8787' }, 'moto-port': { type: 'string', default: '5055' }, ip: { type: 'string', default: 'truncate' }, 'keep-user-agent': { type: 'boolean', default: false } },
  });
  const port = Number(values.port);
  const motoPort = Number(values['moto-port']);
  if (!Number.isInteger(port) || !Number.isInteger(motoPort) || port < 0 || motoPort < 1 || port > 65535 || motoPort > 65535) {
    print(`collector:local: --port and --moto-port must be port numbers, got ${values.port} and ${values['moto-port']}`);
    return 1;
  }
  if (!IP_POLICIES.includes(values.ip as IpPolicy)) {
    print(`collector:local: --ip must be one of ${IP_POLICIES.join(', ')}, got ${values.ip}`);
    return 1;
  }
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const moto = await startMoto(motoPort);
  const endpoint = `http://127.0.0.1:${motoPort}`;
  const common = { endpoint, region: 'us-east-1', credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() };
  const kinesis = new KinesisClient(common);
  const secrets = new SecretsManagerClient(common);
  try {
    for (const stream of [EVENTS_STREAM, QUARANTINE_STREAM]) {
      await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
      while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const key = generateWriteKey();
    await secrets.send(new CreateSecretCommand({ Name: 'collector/local', SecretString: JSON.stringify({ keys: [{ id: 'local', sha256: hashWriteKey(key) }] }) }));
    const settings = parseCollectorSettings({
      version: 1,
      sources: [{ name: 'local', writeKeySecretArn: 'collector/local', datasets: ['events'] }],
      datasets: [{ name: 'events', streamName: EVENTS_STREAM, definition: events }],
      quarantine: { streamName: QUARANTINE_STREAM },
      limits: DEFAULT_COLLECTOR_LIMITS,
      privacy: { ip: values.ip, keepUserAgent: values['keep-user-agent'] },
      keyCacheSeconds: 60,
      allowedOrigins: ['*'],
    });
    const readSecret = async (id: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString ?? '';
    const collector = new Collector({ settings, kinesis, keys: new WriteKeyStore(settings.sources, readSecret, settings.keyCacheSeconds, (line) => print(JSON.stringify(line))), log: () => undefined });
    const server = await startLocalServer(collectorHandler(collector), { port });
    const stops = [follow(kinesis, EVENTS_STREAM, print), follow(kinesis, QUARANTINE_STREAM, print)];
    print(`collector listening on ${server.url} (moto on ${endpoint}); write key of source "local": ${key}`);
    print(
      `try: curl -u '${key}:' -H 'Content-Type: application/json' -d '{"userId":"u-1","event":"signup_completed","properties":{"plan":"pro"}}' ${server.url}/v1/track`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    for (const stop of stops) stop();
    await server.close();
    return 0;
  } finally {
    kinesis.destroy();
    secrets.destroy();
    moto.kill();
  }
}

if (require.main === module) void runCommand('collector:local', main);
