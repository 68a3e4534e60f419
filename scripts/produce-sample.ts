/**
 * Sends N seed-shaped sample events to an environment's `events` stream, through the producer library
 * (mapping, contract validation, batching, retries), and prints the report.
 *
 * Usage: npm run produce:sample -- --env dev --count 100 [--endpoint http://127.0.0.1:4566]
 *
 * Needs real AWS credentials in the environment and a region (the environment's config region, else
 * AWS_REGION / AWS_DEFAULT_REGION). Without them it exits 1 at once, before any client is built; the
 * instance metadata service is never queried. Exit codes: 0 all sent, 1 nothing could be attempted
 * (arguments, config, credentials), 2 some events were rejected or failed.
 */
import { parseArgs } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { events } from '../config/datasets/events';
import { loadEnvironmentConfig } from '../config/load';
import { datasetStreamName, EventProducer, sampleSeedEvents, type SendReport } from '../producer';
import { awsRegionOrExplain } from './aws-prerequisites';
import { runCommand } from './command';

const MAX_COUNT = 100_000;

export interface ProduceArgs {
  readonly env: string;
  readonly count: number;
  readonly endpoint?: string;
}

export function parseProduceArgs(argv: readonly string[]): ProduceArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { env: { type: 'string', default: 'dev' }, count: { type: 'string', default: '100' }, endpoint: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new Error(`--count must be an integer from 1 to ${MAX_COUNT}, got "${values.count}"`);
  return { env: values.env as string, count, endpoint: values.endpoint };
}

function summary(report: SendReport, count: number, streamName: string): string {
  const lines = [`${streamName}: ${report.sent} sent, ${report.rejected.length} rejected, ${report.failed.length} failed (of ${count})`];
  for (const entry of report.rejected.slice(0, 10)) lines.push(`  rejected #${entry.index}: ${entry.reasons.join('; ')}`);
  for (const entry of report.failed.slice(0, 10)) lines.push(`  failed #${entry.index} after ${entry.attempts} attempt(s): ${entry.errorCode}: ${entry.errorMessage}`);
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  // Before any SDK client exists: the default credential chain must never probe the metadata address.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let args: ProduceArgs;
  let config: ReturnType<typeof loadEnvironmentConfig>;
  try {
    args = parseProduceArgs(argv);
    config = loadEnvironmentConfig(args.env);
  } catch (error) {
    console.error(`produce:sample: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const region = awsRegionOrExplain('produce:sample', 'nothing was sent', config);
  if (region === undefined) return 1;

  const streamName = datasetStreamName(config.project, config.name, events.name);
  const client = new KinesisClient({
    region,
    ...(args.endpoint ? { endpoint: args.endpoint } : {}),
    // A plain-HTTP local endpoint (moto, LocalStack) speaks HTTP/1.1; the Kinesis client defaults to HTTP/2.
    ...(args.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  try {
    const producer = new EventProducer({ client, streamName, dataset: events });
    const report = await producer.send(sampleSeedEvents(args.count));
    console.log(summary(report, args.count, streamName));
    return report.sent === args.count ? 0 : 2;
  } finally {
    client.destroy();
  }
}

if (require.main === module) void runCommand('produce:sample', main);
