/**
 * scripts/embeddings-backfill.ts:
 * - arguments: defaults and every bad input refused with a message (no stack, nothing sent);
 * - the synthetic message is what the consumer parses (events.ts);
 * - sending: partial failures of SendMessageBatch sent again, sender faults and exhausted attempts
 *   reported (failures injected in front of moto's real SQS);
 * - end to end on moto (S3, SQS, CloudFormation) + PGlite: objects in, messages out, parsed and consumed
 *   by the real consumer, a second run harmless, a real event after it still applied; the bucket and
 *   queue from the stack's outputs; --dry-run sends nothing;
 * - the CLI as `npm run embeddings:backfill` runs it, without credentials: exits 1 before any request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BACKFILL_SEQUENCER,
  main,
  objectCreatedMessage,
  parseEmbeddingsBackfillArgs,
  sendWithRetries,
  sqsBatchSender,
  type BatchSender,
} from '../../scripts/embeddings-backfill';
import { parseRecord, type SqsRecord } from '../../constructs/embeddings/events';
import { embeddingsOutputKeys, embeddingsStackName } from '../../constructs/embeddings/stack-outputs';
import { captureConsole, onlyAwsVariables, runOperatorScript, scrubbedEnvironment } from '../support/operator-scripts';
import { BUCKET, batch, documentRows, s3Record, startHarness, type Harness } from './harness';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-embeddings-backfill-'));
const KEYS_AND_REGION = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

let h: Harness;
let sqs: SQSClient;
beforeAll(async () => {
  h = await startHarness();
  sqs = new SQSClient({ region: 'us-east-1', endpoint: h.motoEndpoint, credentials });
});
afterAll(async () => {
  sqs?.destroy();
  await h?.stop();
  rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function runMain(argv: string[]) {
  onlyAwsVariables(home, KEYS_AND_REGION);
  const { result: code, stdout, stderr } = await captureConsole(() => main(argv));
  return { code, stdout, stderr };
}

/** Every message on the queue (received and deleted), as SQS records for the consumer. */
async function drain(queueUrl: string): Promise<SqsRecord[]> {
  const records: SqsRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return records;
    records.push(...Messages.map((m: Message) => ({ messageId: String(m.MessageId), body: String(m.Body) })));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}

async function queue(name: string): Promise<string> {
  return String((await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl);
}

describe('arguments', () => {
  it('defaults: env dev, collection documents, no dry run', () => {
    expect(parseEmbeddingsBackfillArgs([])).toEqual({ env: 'dev', collection: 'documents', dryRun: false, prefix: undefined, bucket: undefined, queueUrl: undefined, stack: undefined, endpoint: undefined });
    expect(parseEmbeddingsBackfillArgs(['-c', 'env=prod', '--collection', 'kb', '--prefix', '', '--dry-run'])).toMatchObject({ env: 'prod', collection: 'kb', prefix: '', dryRun: true });
  });

  it.each([
    [['-c', 'stage=prod'], /-c "stage=prod": the only context this command takes is env=<name>/],
    [['--collection', 'Bad-Name'], /--collection "Bad-Name": lower-case letters/],
    [['--prefix', '/documents/'], /--prefix "\/documents\/": a key prefix/],
    [['--prefix', 'documents/\u0001'], /--prefix "documents\/\\u0001": a key prefix/],
    [['--bucket', 'My_Bucket'], /--bucket "My_Bucket": an S3 bucket name/],
    [['--queue-url', 'not-a-url'], /--queue-url "not-a-url": an SQS queue URL/],
    [['--queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo'], /a FIFO queue is not the pipeline's queue/],
    [['--stack', '9stack'], /--stack "9stack": a CloudFormation stack name/],
    [['--endpoint', 'localhost:5000'], /--endpoint "localhost:5000": http\(s\):\/\/host\[:port\]/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseEmbeddingsBackfillArgs(argv)).toThrow(message);
  });

  it('main: bad arguments, an unknown flag and an unknown environment exit 1 with one message, no stack and no request', async () => {
    for (const [argv, message] of [
      [['--bucket', 'x', '--collection', 'A'], /^embeddings:backfill: invalid arguments \(nothing was sent\):$/],
      [['--bogus'], /^embeddings:backfill: Unknown option '--bogus'/],
      [['-c', 'env=qa'], /^embeddings:backfill: .*qa/],
    ] as const) {
      const run = await runMain([...argv]);
      expect(run.code).toBe(1);
      expect(run.stderr[0]).toMatch(message);
      expect(run.stderr.join('\n')).not.toMatch(/\n\s+at /);
    }
  });
});

describe('the message', () => {
  it('is an EventBridge S3 "Object Created" event that events.ts parses, with the backfill sequencer', () => {
    const body = objectCreatedMessage('lake', { key: 'documents/a b.txt', size: 12, etag: '"abc"', lastModified: new Date('2026-12-01T00:00:00Z') }, 'eu-west-1');
    const parsed = parseRecord({ messageId: 'm', body: JSON.stringify(body) });
    expect(parsed).toEqual({
      ok: true,
      messageId: 'm',
      event: { kind: 'created', bucket: 'lake', key: 'documents/a b.txt', etag: 'abc', size: 12, sequencer: BACKFILL_SEQUENCER, time: '2026-12-01T00:00:00.000Z', versionId: undefined },
    });
    // The same object gives the same message (id included); another ETag another id.
    expect(objectCreatedMessage('lake', { key: 'documents/a b.txt', size: 12, etag: '"abc"', lastModified: new Date('2026-12-01T00:00:00Z') }, 'eu-west-1')).toEqual(body);
    expect(objectCreatedMessage('lake', { key: 'documents/a b.txt', size: 12, etag: '"abd"' }, 'eu-west-1').id).not.toBe(body.id);
  });
});

describe('sending with retries (failures injected in front of moto SQS)', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ n: i }) }));
  const noSleep = { sleep: async () => undefined };

  it('entries failed server-side are sent again; sender faults are reported, not retried', async () => {
    const url = await queue('retries');
    const real = sqsBatchSender(sqs, url);
    const attempts: string[][] = [];
    let call = 0;
    const flaky: BatchSender = async (batchEntries) => {
      call += 1;
      attempts.push(batchEntries.map((e) => String(e.Id)));
      if (call === 1) {
        // 0 and 1 fail server-side (not sent), 2 is malformed (sender fault); the rest go through.
        const rest = batchEntries.filter((e) => !['0', '1', '2'].includes(String(e.Id)));
        return [
          ...(await real(rest)),
          { id: '0', code: 'InternalError', message: 'try again', senderFault: false },
          { id: '1', code: 'ServiceUnavailable', message: 'try again', senderFault: false },
          { id: '2', code: 'InvalidMessageContents', message: 'bad', senderFault: true },
        ];
      }
      return real(batchEntries);
    };
    const failed = await sendWithRetries(flaky, entries(10), (id) => `key-${id}`, noSleep);
    expect(failed).toEqual([{ key: 'key-2', code: 'InvalidMessageContents', message: 'bad' }]);
    expect(attempts).toEqual([['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['0', '1']]);
    expect((await drain(url)).map((r) => JSON.parse(r.body).n).sort()).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a failing call is retried whole with growing delays, then its entries are reported', async () => {
    const delays: number[] = [];
    const down: BatchSender = async () => {
      throw Object.assign(new Error('socket hang up'), { name: 'NetworkingError' });
    };
    const failed = await sendWithRetries(down, entries(2), (id) => `k${id}`, { maxAttempts: 3, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) });
    expect(failed).toEqual([
      { key: 'k0', code: 'RequestFailed', message: 'NetworkingError: socket hang up' },
      { key: 'k1', code: 'RequestFailed', message: 'NetworkingError: socket hang up' },
    ]);
    expect(delays).toEqual([100, 200]);
  });
});

describe('end to end on moto and PGlite', () => {
  const KEYS = Array.from({ length: 23 }, (_, i) => `documents/doc-${String(i).padStart(2, '0')}.md`);

  it('objects in, one parsed message per object out, consumed; a second run is harmless; a real event still applies', async () => {
    for (const key of KEYS) await h.put(key, `# ${key}\n\nText of ${key}, about retention and access.`);
    await h.put('documents/sub/', '');
    await h.put('elsewhere/skip.txt', 'not under the prefix');
    const url = await queue('embeddings-e2e');

    const first = await runMain(['-c', 'env=dev', '--bucket', BUCKET, '--queue-url', url, '--endpoint', h.motoEndpoint]);
    expect(first).toMatchObject({ code: 0, stderr: [] });
    expect(first.stdout.at(-1)).toBe('embeddings:backfill: 23 object(s) listed, 23 message(s) sent in 3 batch(es), 0 not sent');
    const records = await drain(url);
    const parsed = records.map(parseRecord);
    expect(parsed.every((p) => p.ok)).toBe(true);
    expect(parsed.map((p) => (p.ok ? p.event.key : '')).sort()).toEqual(KEYS);

    const consume = h.consumer({ collection: 'backfill' });
    for (let i = 0; i < records.length; i += 10) expect((await consume(batch(...records.slice(i, i + 10)))).batchItemFailures).toEqual([]);
    const indexed = await documentRows(h.sql, 'backfill');
    expect(indexed.map((r) => [r.source_key, r.status])).toEqual(KEYS.map((key) => [`s3://${BUCKET}/${key}`, 'indexed']));

    // Again: the same messages; the consumer finds every one stale and calls no model.
    h.bedrock.requests.length = 0;
    h.logs.length = 0;
    expect((await runMain(['-c', 'env=dev', '--bucket', BUCKET, '--queue-url', url, '--endpoint', h.motoEndpoint])).code).toBe(0);
    const again = await drain(url);
    expect(again.map((r) => JSON.parse(r.body).id).sort()).toEqual(records.map((r) => JSON.parse(r.body).id).sort());
    for (let i = 0; i < again.length; i += 10) await consume(batch(...again.slice(i, i + 10)));
    expect(h.logs.filter((l) => l.message === 'processed').map((l) => l.fields?.outcome)).toEqual(Array(23).fill('stale'));
    expect(h.bedrock.requests).toEqual([]);
    expect(await documentRows(h.sql, 'backfill')).toEqual(indexed);

    // A real event (S3's sequencer, above the backfill's) for a changed object is applied.
    await h.put(KEYS[0], '# Changed\n\nNew text.');
    await consume(batch(s3Record('created', KEYS[0], '0055AED6DCD90281E5')));
    expect(h.bedrock.embeddedTexts().join(' ')).toContain('New text.');
  });

  it('the bucket, prefix and queue come from the embeddings stack outputs; --dry-run sends nothing', async () => {
    const cfn = new CloudFormationClient({ region: 'us-east-1', endpoint: h.motoEndpoint, credentials });
    try {
      const keys = embeddingsOutputKeys('documents');
      await cfn.send(
        new CreateStackCommand({
          StackName: embeddingsStackName('lakehouse', 'dev'),
          TemplateBody: JSON.stringify({
            Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'from-outputs' } } },
            Outputs: {
              [keys.queueUrl]: { Value: { Ref: 'Queue' } },
              [keys.bucketName]: { Value: BUCKET },
              [keys.prefix]: { Value: 'documents/doc-1' },
            },
          }),
        }),
      );
      const url = await queue('from-outputs');

      const dry = await runMain(['-c', 'env=dev', '--endpoint', h.motoEndpoint, '--dry-run']);
      // moto's Ref of a queue is its AWS-style URL; the SDK sends to the endpoint, and moto finds the queue by name.
      expect(dry).toMatchObject({
        code: 0,
        stdout: [`embeddings:backfill: dry run: 10 object(s) under s3://${BUCKET}/documents/doc-1 would be sent to https://sqs.us-east-1.amazonaws.com/123456789012/from-outputs; nothing was sent`],
      });
      expect(await drain(url)).toEqual([]);

      const run = await runMain(['-c', 'env=dev', '--endpoint', h.motoEndpoint]);
      expect(run.code).toBe(0);
      expect((await drain(url)).map((r) => JSON.parse(r.body).detail.object.key).sort()).toEqual(KEYS.filter((key) => key.startsWith('documents/doc-1')));

      const outside = await runMain(['-c', 'env=dev', '--endpoint', h.motoEndpoint, '--prefix', 'events/']);
      expect(outside).toMatchObject({
        code: 1,
        stderr: ['embeddings:backfill: --prefix "events/" is outside collection "documents"\'s prefix "documents/doc-1": its consumer can read only keys under it; nothing was sent'],
      });
      expect(await drain(url)).toEqual([]);

      const other = await runMain(['-c', 'env=dev', '--endpoint', h.motoEndpoint, '--collection', 'kb']);
      expect(other).toMatchObject({
        code: 1,
        stderr: ['embeddings:backfill: stack lakehouse-dev-embeddings has no output EmbeddingsBucketNameKb (or --bucket) and no output EmbeddingsQueueUrlKb (or --queue-url) for collection "kb"; nothing was sent'],
      });
      const missing = await runMain(['-c', 'env=dev', '--endpoint', h.motoEndpoint, '--stack', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr[0]).toMatch(/^embeddings:backfill: could not read the outputs of stack nope \(.*\); pass --bucket and --queue-url, or --stack; nothing was sent$/);
    } finally {
      cfn.destroy();
    }
  });

  it('a bucket that cannot be listed: exit 1, one line, nothing sent', async () => {
    const url = await queue('no-bucket');
    const run = await runMain(['-c', 'env=dev', '--bucket', 'no-such-bucket', '--queue-url', url, '--endpoint', h.motoEndpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([expect.stringMatching(/^embeddings:backfill: could not list s3:\/\/no-such-bucket\/documents\/: NoSuchBucket: .*; 0 message\(s\) were sent before \(a re-run is harmless\)$/)]);
    expect((await runMain(['-c', 'env=dev', '--bucket', 'no-such-bucket', '--endpoint', h.motoEndpoint, '--dry-run'])).code).toBe(1);
  });
});

describe('the CLI', () => {
  it('without credentials or a region exits 1 before any request', async () => {
    const run = await runOperatorScript('embeddings-backfill.ts', ['-c', 'env=dev', '--bucket', 'b-b-b', '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q'], scrubbedEnvironment(home));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^embeddings:backfill needs AWS credentials and a region; nothing was sent:\n {2}- no AWS credentials in the environment/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
