/**
 * Backfills an embeddings collection: walks a prefix of the bucket the collection indexes
 * (ListObjectsV2, paginated) and sends one synthetic EventBridge "Object Created" message per object to
 * the collection's queue (SendMessageBatch, 10 per batch), the shape the consumer parses
 * (constructs/embeddings/events.ts). For first loads, and for objects whose events were lost.
 *
 * Usage: npm run embeddings:backfill -- -c env=<name> [--collection documents] [--prefix documents/]
 *          [--dry-run] [--bucket name] [--queue-url url] [--stack name] [--endpoint http://127.0.0.1:5000]
 *
 * - Without --bucket and --queue-url both, they come from the outputs of the embeddings stack
 *   (`<project>-<env>-embeddings`, or --stack): `EmbeddingsQueueUrl<Collection>`,
 *   `EmbeddingsBucketName<Collection>`, `EmbeddingsPrefix<Collection>` (constructs/embeddings/stack-outputs.ts).
 *   A flag wins over an output; the prefix defaults to the output, else `documents/`.
 * - Every message carries the sequencer `0`, below any sequencer S3 issues. So a backfill never
 *   overrides what a real event did: a document the ledger already holds (indexed, skipped or deleted)
 *   is left as it is (`stale`), a document it does not know is indexed, and a second run changes
 *   nothing. A re-index of documents already in the ledger is a new generation (see the runbook).
 * - Keys ending in `/` (folder markers) are not sent. Entries SQS fails with a server-side fault are
 *   sent again (up to 5 attempts, backoff from 200 ms); sender faults are reported, not retried.
 *
 * Needs AWS credentials and a region (the environment's config region, else AWS_REGION /
 * AWS_DEFAULT_REGION); without them it exits 1 before building any client. Exit codes: 0 every object
 * was sent (or listed, with --dry-run), 1 nothing could be attempted (arguments, config, credentials,
 * stack or outputs not found), 2 some messages could not be sent.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { loadEnvironmentConfig } from '../config/load';
import { embeddingsOutputKeys, embeddingsStackName } from '../constructs/embeddings/stack-outputs';
import { awsRegionOrExplain, operatorClients } from './aws-prerequisites';
import { runCommand } from './command';

export const COMMAND = 'embeddings:backfill';
/** Sorts below every sequencer S3 issues (see the header). */
export const BACKFILL_SEQUENCER = '0';
export const BATCH_SIZE = 10;
export const MAX_SEND_ATTEMPTS = 5;
const DEFAULT_PREFIX = 'documents/';
const COLLECTION = /^[a-z_][a-z0-9_]{0,62}$/;
const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const QUEUE_URL = /^https?:\/\/[^/\s]+\/\d{12}\/[A-Za-z0-9_-]{1,80}$/;
const STACK = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export interface EmbeddingsBackfillArgs {
  readonly env: string;
  readonly collection: string;
  readonly prefix?: string;
  readonly bucket?: string;
  readonly queueUrl?: string;
  readonly stack?: string;
  readonly dryRun: boolean;
  readonly endpoint?: string;
}

/** Parses and checks the arguments; every problem in one message (nothing is attempted). */
export function parseEmbeddingsBackfillArgs(argv: readonly string[]): EmbeddingsBackfillArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      context: { type: 'string', short: 'c', multiple: true },
      collection: { type: 'string', default: 'documents' },
      prefix: { type: 'string' },
      bucket: { type: 'string' },
      'queue-url': { type: 'string' },
      stack: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      endpoint: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const problems: string[] = [];
  let env = 'dev';
  for (const pair of values.context ?? []) {
    const match = /^env=(.+)$/.exec(pair);
    if (match) env = match[1];
    else problems.push(`-c ${JSON.stringify(pair)}: the only context this command takes is env=<name>`);
  }
  const collection = values.collection as string;
  if (!COLLECTION.test(collection)) problems.push(`--collection ${JSON.stringify(collection)}: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63`);
  const prefix = values.prefix;
  if (prefix !== undefined && (prefix.startsWith('/') || Buffer.byteLength(prefix) > 1024 || [...prefix].some((char) => char.charCodeAt(0) < 0x20))) {
    problems.push(`--prefix ${JSON.stringify(prefix)}: a key prefix inside the collection's, such as documents/2026/ (no leading /, no control characters, at most 1,024 bytes)`);
  }
  const bucket = values.bucket;
  if (bucket !== undefined && !BUCKET.test(bucket)) problems.push(`--bucket ${JSON.stringify(bucket)}: an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
  const queueUrl = values['queue-url'];
  if (queueUrl !== undefined && !QUEUE_URL.test(queueUrl)) {
    problems.push(
      `--queue-url ${JSON.stringify(queueUrl)}: ${queueUrl.endsWith('.fifo') ? 'a FIFO queue is not the pipeline\'s queue (standard, fed by EventBridge); ' : ''}an SQS queue URL, https://sqs.<region>.amazonaws.com/<account>/<name>`,
    );
  }
  const stack = values.stack;
  if (stack !== undefined && !STACK.test(stack)) problems.push(`--stack ${JSON.stringify(stack)}: a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)`);
  const endpoint = values.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) problems.push(`--endpoint ${JSON.stringify(endpoint)}: http(s)://host[:port], for a local emulator`);
  if (problems.length > 0) throw new Error(`invalid arguments (nothing was sent):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { env, collection, prefix, bucket, queueUrl, stack, dryRun: values['dry-run'] as boolean, endpoint };
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly lastModified?: Date;
}

/**
 * The EventBridge "Object Created" event S3 would have sent for the object, with the backfill sequencer.
 * The id is derived from the object (bucket, key, ETag), so the same object gives the same message.
 */
export function objectCreatedMessage(bucket: string, object: ListedObject, region: string): Record<string, unknown> {
  const etag = object.etag?.replace(/^"|"$/g, '');
  const digest = createHash('sha256').update(`${bucket}\n${object.key}\n${etag ?? ''}`).digest('hex');
  return {
    version: '0',
    id: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time: (object.lastModified ?? new Date()).toISOString(),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key: object.key, size: object.size, ...(etag ? { etag } : {}), sequencer: BACKFILL_SEQUENCER },
      'request-id': 'embeddings-backfill',
      requester: 'embeddings-backfill',
      reason: 'PutObject',
    },
  };
}

/** Every object under the prefix, page by page (folder markers left out). */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag, lastModified: object.LastModified };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export interface FailedEntry {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

/** One SendMessageBatch call: which entry ids failed, and whether the sender was at fault. */
export type BatchSender = (entries: readonly SendMessageBatchRequestEntry[]) => Promise<Array<{ id: string; code: string; message: string; senderFault: boolean }>>;

export function sqsBatchSender(sqs: SQSClient, queueUrl: string): BatchSender {
  return async (entries) => {
    const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...entries] }));
    return (response.Failed ?? []).map((f) => ({ id: String(f.Id), code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault === true }));
  };
}

export interface SendOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends one batch (≤ 10 entries), sending entries that failed server-side again with exponential backoff,
 * and a whole batch again when the call itself fails. Returns the entries that were not sent in the end.
 */
export async function sendWithRetries(send: BatchSender, entries: readonly SendMessageBatchRequestEntry[], keyOf: (id: string) => string, options: SendOptions = {}): Promise<FailedEntry[]> {
  const maxAttempts = options.maxAttempts ?? MAX_SEND_ATTEMPTS;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const failed: FailedEntry[] = [];
  let pending = [...entries];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    let failures: Awaited<ReturnType<BatchSender>>;
    try {
      failures = await send(pending);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failures = pending.map((entry) => ({ id: String(entry.Id), code: 'RequestFailed', message, senderFault: false }));
    }
    const byId = new Map(failures.map((f) => [f.id, f]));
    const retry: SendMessageBatchRequestEntry[] = [];
    for (const entry of pending) {
      const failure = byId.get(String(entry.Id));
      if (!failure) continue;
      if (failure.senderFault || attempt >= maxAttempts) failed.push({ key: keyOf(String(entry.Id)), code: failure.code, message: failure.message });
      else retry.push(entry);
    }
    pending = retry;
    if (pending.length > 0) await sleep(baseDelayMs * 2 ** (attempt - 1));
  }
  return failed;
}

export interface BackfillSummary {
  readonly listed: number;
  readonly sent: number;
  readonly batches: number;
  readonly failed: FailedEntry[];
}

/** Lists the prefix and sends a message per object (or only counts them, when `send` is undefined). */
export async function backfillPrefix(options: {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly send?: BatchSender;
  readonly sendOptions?: SendOptions;
  readonly onBatch?: (summary: BackfillSummary) => void;
}): Promise<BackfillSummary> {
  let listed = 0;
  let sent = 0;
  let batches = 0;
  const failed: FailedEntry[] = [];
  let batch: Array<{ entry: SendMessageBatchRequestEntry; key: string }> = [];
  const flush = async () => {
    if (batch.length === 0 || !options.send) return;
    const keys = new Map(batch.map(({ entry, key }) => [String(entry.Id), key]));
    const lost = await sendWithRetries(options.send, batch.map(({ entry }) => entry), (id) => keys.get(id) ?? id, options.sendOptions);
    failed.push(...lost);
    sent += batch.length - lost.length;
    batches += 1;
    batch = [];
    options.onBatch?.({ listed, sent, batches, failed });
  };
  for await (const object of listObjects(options.s3, options.bucket, options.prefix)) {
    listed += 1;
    if (!options.send) continue;
    batch.push({ entry: { Id: String(batch.length), MessageBody: JSON.stringify(objectCreatedMessage(options.bucket, object, options.region)) }, key: object.key });
    if (batch.length === BATCH_SIZE) await flush();
  }
  await flush();
  return { listed, sent, batches, failed };
}

interface Target {
  readonly bucket: string;
  readonly prefix: string;
  readonly queueUrl?: string;
}

/** Flags first; what they leave open comes from the stack's outputs. */
async function resolveTarget(args: EmbeddingsBackfillArgs, stackName: string, cfn: () => CloudFormationClient): Promise<Target> {
  if (args.bucket !== undefined && (args.queueUrl !== undefined || args.dryRun)) return { bucket: args.bucket, prefix: args.prefix ?? DEFAULT_PREFIX, queueUrl: args.queueUrl };
  const keys = embeddingsOutputKeys(args.collection);
  let outputs: Map<string, string>;
  try {
    const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [String(o.OutputKey), String(o.OutputValue)]));
  } catch (error) {
    throw new Error(`could not read the outputs of stack ${stackName} (${error instanceof Error ? error.message : String(error)}); pass --bucket and --queue-url, or --stack`);
  }
  const bucket = args.bucket ?? outputs.get(keys.bucketName);
  const queueUrl = args.queueUrl ?? outputs.get(keys.queueUrl);
  const missing = [bucket === undefined ? `${keys.bucketName} (or --bucket)` : undefined, queueUrl === undefined && !args.dryRun ? `${keys.queueUrl} (or --queue-url)` : undefined].filter(
    (item): item is string => item !== undefined,
  );
  if (missing.length > 0) throw new Error(`stack ${stackName} has no output ${missing.join(' and no output ')} for collection "${args.collection}"`);
  const collectionPrefix = outputs.get(keys.prefix);
  // The consumer may read only its collection's prefix: anything outside would fail every delivery
  // (AccessDenied, retried into the dead-letter queue) instead of being indexed.
  if (args.prefix !== undefined && collectionPrefix !== undefined && !args.prefix.startsWith(collectionPrefix)) {
    throw new Error(`--prefix ${JSON.stringify(args.prefix)} is outside collection "${args.collection}"'s prefix ${JSON.stringify(collectionPrefix)}: its consumer can read only keys under it`);
  }
  return { bucket: bucket as string, prefix: args.prefix ?? collectionPrefix ?? DEFAULT_PREFIX, queueUrl };
}

export async function main(argv: readonly string[]): Promise<number> {
  // Before any SDK client exists: the default credential chain must never probe the metadata address.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let args: EmbeddingsBackfillArgs;
  let config: ReturnType<typeof loadEnvironmentConfig>;
  try {
    args = parseEmbeddingsBackfillArgs(argv);
    config = loadEnvironmentConfig(args.env);
  } catch (error) {
    console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const region = awsRegionOrExplain(COMMAND, 'nothing was sent', config);
  if (region === undefined) return 1;

  const clients = operatorClients(region, args.endpoint);
  const clientConfig = clients.config;
  const client = clients.track;
  try {
    const stackName = args.stack ?? embeddingsStackName(config.project, config.name);
    let target: Target;
    try {
      target = await resolveTarget(args, stackName, () => client(new CloudFormationClient(clientConfig)));
    } catch (error) {
      console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}; nothing was sent`);
      return 1;
    }
    const s3 = client(new S3Client({ ...clientConfig, forcePathStyle: args.endpoint !== undefined }));
    const where = `s3://${target.bucket}/${target.prefix}`;
    if (args.dryRun) {
      let listed: number;
      try {
        ({ listed } = await backfillPrefix({ s3, bucket: target.bucket, prefix: target.prefix, region }));
      } catch (error) {
        console.error(`${COMMAND}: could not list ${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        return 1;
      }
      console.log(`${COMMAND}: dry run: ${listed} object(s) under ${where} would be sent to ${target.queueUrl ?? '(no queue resolved)'}; nothing was sent`);
      return 0;
    }
    console.log(`${COMMAND}: collection "${args.collection}": objects under ${where} → ${target.queueUrl}`);
    const sqs = client(new SQSClient(clientConfig));
    let sentSoFar = 0;
    let summary: BackfillSummary;
    try {
      summary = await backfillPrefix({
        s3,
        bucket: target.bucket,
        prefix: target.prefix,
        region,
        send: sqsBatchSender(sqs, target.queueUrl as string),
        onBatch: (progress) => {
          sentSoFar = progress.sent;
          if (progress.batches % 100 === 0) console.log(`  ${progress.sent} sent, ${progress.failed.length} failed so far`);
        },
      });
    } catch (error) {
      // Listing failed (bucket missing, access denied, network): what was sent stays sent, and a re-run is harmless.
      console.error(`${COMMAND}: could not list ${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; ${sentSoFar} message(s) were sent before (a re-run is harmless)`);
      return sentSoFar > 0 ? 2 : 1;
    }
    console.log(`${COMMAND}: ${summary.listed} object(s) listed, ${summary.sent} message(s) sent in ${summary.batches} batch(es), ${summary.failed.length} not sent`);
    for (const failure of summary.failed.slice(0, 50)) console.log(`  not sent: ${failure.key} (${failure.code}: ${failure.message})`);
    if (summary.failed.length > 50) console.log(`  … and ${summary.failed.length - 50} more`);
    return summary.failed.length === 0 ? 0 : 2;
  } finally {
    clients.destroyAll();
  }
}

if (require.main === module) void runCommand(COMMAND, main);
