/**
 * scripts/privacy-erase.ts and scripts/privacy-report.ts: arguments refused with one message (no stack,
 * nothing queued), then end to end on moto: names from the privacy stack's outputs (CloudFormation),
 * the request in DynamoDB with its deadline, a duplicate, `--now` starting the workflow (Step
 * Functions), the monthly report printed and stored; subject ids never printed. Also run as `npm run`
 * runs them, without credentials: exit 1 before any request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EnvironmentConfig } from '../../config/schema';
import { loadEnvironmentConfig } from '../../config/load';
import { RequestStore } from '../../constructs/privacy/request-store';
import { main as erase, parsePrivacyEraseArgs } from '../../scripts/privacy-erase';
import { main as report, parsePrivacyReportArgs } from '../../scripts/privacy-report';
import { privacyCliSettings } from '../../scripts/privacy-stack';
import { PRIVACY_OUTPUT_KEYS, privacyStackName } from '../../constructs/privacy/stack-outputs';
import { captureConsole, onlyAwsVariables, runOperatorScript, scrubbedEnvironment } from '../support/operator-scripts';
import { REGION, createLedgerBucket, createRequestTable, createSalt, credentials, readText, startPrivacyMoto, type PrivacyMoto } from './harness';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-privacy-cli-'));
const KEYS_AND_REGION = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: REGION };
const SUBJECT = 'erase-me-8c1d@example.com';
const OTHER = 'also-me-22fe';

/** The November report's Markdown key (built: a literal would read as a Markdown file of this repository). */
const NOVEMBER_MD = `reports/2026-11.${'md'}`;
let env: PrivacyMoto;
let sfn: SFNClient;
let cfn: CloudFormationClient;
beforeAll(async () => {
  env = await startPrivacyMoto();
  sfn = new SFNClient({ region: REGION, endpoint: env.moto.endpoint, credentials });
  cfn = new CloudFormationClient({ region: REGION, endpoint: env.moto.endpoint, credentials });
});
afterAll(async () => {
  sfn?.destroy();
  cfn?.destroy();
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function run(command: typeof erase, argv: string[]) {
  onlyAwsVariables(home, KEYS_AND_REGION);
  const { result: code, stdout, stderr } = await captureConsole(() => command(argv));
  const all = [...stdout, ...stderr].join('\n');
  for (const id of [SUBJECT, OTHER]) expect(all).not.toContain(id);
  expect(all).not.toMatch(/\n\s+at /);
  return { code, stdout, stderr };
}

describe('privacy:erase arguments', () => {
  it('reads subjects from flags and a file, with the regulation and reference', () => {
    const args = parsePrivacyEraseArgs(['--subject', 'b', '--subjects-file', 'ids.txt', '--regulation', 'ccpa', '--reference', 'T-9', '--now', '-c', 'env=prod'], () => 'a\n\nc\r\n');
    expect(args).toMatchObject({ env: 'prod', now: true, request: { subjects: ['a', 'b', 'c'], regulation: 'ccpa', reference: 'T-9' } });
    expect(parsePrivacyEraseArgs(['--subject', 'x']).request).toEqual({ subjects: ['x'], regulation: 'gdpr' });
  });

  it.each([
    [[], /--subject: at least one data-subject id/],
    [['--subject', ''], /--subject: got an empty string \(subject #1\)/],
    [['--subject', 'a', '--subject', 'a'], /--subject: got the same id as subject #1 \(subject #2\)/],
    [['--subject', 'a', '--regulation', 'pipl'], /--regulation: got "pipl"; one of gdpr, ccpa/],
    [['--regulation', 'pipl'], /--regulation "pipl": one of gdpr, ccpa/],
    [['--subject', 'a', '--reference', 'x'.repeat(129)], /--reference: got a string of 129 character\(s\)/],
    [['--subject', 'a', '-c', 'stage=prod'], /-c "stage=prod": the only context/],
    [['--subject', 'a', '--table', 'x'], /--table "x": a DynamoDB table name/],
    [['--subject', 'a', '--salt-secret-arn', 'salt'], /--salt-secret-arn "salt": a Secrets Manager secret ARN/],
    [['--subject', 'a', '--state-machine-arn', 'arn:aws:states:eu-west-1:1:x'], /--state-machine-arn .*: a Step Functions state machine ARN/],
    [['--subject', 'a', '--stack', '1x'], /--stack "1x": a CloudFormation stack name/],
    [['--subject', 'a', '--endpoint', 'localhost'], /--endpoint "localhost": http\(s\)/],
    [['--subjects-file', '/nonexistent/ids.txt'], /--subjects-file "\/nonexistent\/ids.txt": cannot be read \(ENOENT\)/],
  ])('refuses %j', (argv, message) => {
    expect(() => parsePrivacyEraseArgs(argv)).toThrow(/^invalid arguments \(nothing was queued\):/);
    expect(() => parsePrivacyEraseArgs(argv)).toThrow(message);
  });

  it('never echoes a subject id in a refusal', () => {
    expect(() => parsePrivacyEraseArgs(['--subject', SUBJECT, '--subject', SUBJECT])).toThrow(/subject #2/);
    const refusal = (argv: string[]) => {
      try {
        parsePrivacyEraseArgs(argv);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`accepted: ${argv.length} arguments`);
    };
    expect(refusal(['--subject', `${SUBJECT}\n`])).not.toContain('erase-me');
    // `--subject a b`: the second id is a positional; the refusal counts it without quoting it.
    const positional = refusal(['--subject', 'someone-else', SUBJECT, '-c', 'env=dev']);
    expect(positional).toMatch(/1 argument\(s\) without an option/);
    expect(positional).not.toContain('erase-me');
  });

  it('privacy settings come from the config when it has a privacy section, else the defaults', () => {
    const dev = loadEnvironmentConfig('dev');
    expect(privacyCliSettings(dev)).toMatchObject({ enabled: true, deadlines: { gdprDays: expect.any(Number), ccpaDays: expect.any(Number) } });
    const disabled = { ...dev, privacy: { enabled: false, deadlines: { gdprDays: 20, ccpaDays: 45 }, ledger: { mode: 'compliance', retentionDays: 10 } } } as unknown as EnvironmentConfig;
    expect(privacyCliSettings(disabled)).toEqual({ enabled: false, deadlines: { gdprDays: 20, ccpaDays: 45 }, ledgerMode: 'compliance', ledgerRetentionDays: 10 });
    const bad = { ...dev, privacy: { deadlines: { gdprDays: 200, ccpaDays: 45 } } } as unknown as EnvironmentConfig;
    expect(() => privacyCliSettings(bad)).toThrow(/privacy\.deadlines.*gdprDays: got 200/s);
  });
});

describe('privacy:erase on moto', () => {
  it('queues from the stack outputs, reports a duplicate, and --now starts the workflow with {}', async () => {
    const table = await createRequestTable(env.dynamo);
    const saltArn = await createSalt(env.secrets);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'erasure', roleArn: 'arn:aws:iam::123456789012:role/erasure', definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }),
    );
    await cfn.send(
      new CreateStackCommand({
        StackName: privacyStackName('lakehouse', 'dev'),
        TemplateBody: JSON.stringify({
          Resources: { Anchor: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'privacy-anchor' } } },
          Outputs: {
            [PRIVACY_OUTPUT_KEYS.requestTable]: { Value: table },
            [PRIVACY_OUTPUT_KEYS.saltSecret]: { Value: saltArn },
            [PRIVACY_OUTPUT_KEYS.stateMachine]: { Value: stateMachineArn },
          },
        }),
      }),
    );
    const ids = join(home, 'ids.txt');
    writeFileSync(ids, `${OTHER}\n`);
    const first = await run(erase, ['--subject', SUBJECT, '--subjects-file', ids, '--reference', 'DSR-1', '-c', 'env=dev', '--endpoint', env.moto.endpoint]);
    expect(first.code).toBe(0);
    expect(first.stdout[0]).toMatch(/^privacy:erase: request [0-9a-f]{32} \(2 subject\(s\), gdpr, reference DSR-1\) queued; deadline \d{4}-\d\d-\d\dT/);
    const requestId = /request ([0-9a-f]{32})/.exec(first.stdout[0])?.[1] as string;
    expect(await new RequestStore(env.dynamo, table).get(requestId)).toMatchObject({ status: 'queued', regulation: 'gdpr', reference: 'DSR-1', subjectHashes: [expect.any(String), expect.any(String)] });

    const again = await run(erase, ['--subject', OTHER, '--subject', SUBJECT, '--reference', 'DSR-1', '--now', '-c', 'env=dev', '--endpoint', env.moto.endpoint]);
    expect(again.code).toBe(0);
    expect(again.stdout[0]).toMatch(new RegExp(`request ${requestId} .* is already open; deadline .* \\(nothing changed\\)`));
    expect(again.stdout[1]).toMatch(/^privacy:erase: erasure workflow started: arn:aws:states:/);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(1);
  });

  it('a missing output, an unknown stack or a missing table exits 1 with one message', async () => {
    const noStack = await run(erase, ['--subject', SUBJECT, '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--stack', 'no-such-stack']);
    expect(noStack.code).toBe(1);
    expect(noStack.stderr[0]).toMatch(/^privacy:erase: could not read the outputs of stack no-such-stack/);
    const saltArn = await createSalt(env.secrets);
    const missingTable = await run(erase, ['--subject', SUBJECT, '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--table', 'not-a-table', '--salt-secret-arn', saltArn]);
    expect(missingTable.code).toBe(1);
    expect(missingTable.stderr[0]).toMatch(/^privacy:erase: could not queue the request: ResourceNotFoundException/);
  });

  it('as npm runs it, without credentials: exit 1 before any request, no stack trace', async () => {
    const result = await runOperatorScript('privacy-erase.ts', ['--subject', SUBJECT, '-c', 'env=dev'], scrubbedEnvironment(home));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/privacy:erase needs AWS credentials and a region; nothing was queued:/);
    expect(result.stderr).not.toContain(SUBJECT);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const bad = await runOperatorScript('privacy-erase.ts', ['--bogus'], scrubbedEnvironment(home));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^privacy:erase: Unknown option '--bogus'/);
  });
});

describe('privacy:report', () => {
  it.each([
    [[], /--month: required, YYYY-MM/],
    [['--month', '2026-13'], /--month "2026-13": YYYY-MM with a month 01-12/],
    [['--month', '2099-01'], /--month 2099-01: in the future/],
    [['--month', '2026-11', '--bucket', 'UPPER'], /--bucket "UPPER": an S3 bucket name/],
    [['--month', '2026-11', '--stack', '9x'], /--stack "9x": a CloudFormation stack name/],
    [['--month', '2026-11', '--endpoint', 'ftp://x'], /--endpoint "ftp:\/\/x"/],
    [['--month', '2026-11', '-c', 'x=y'], /-c "x=y"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parsePrivacyReportArgs(argv, new Date('2026-12-04T00:00:00Z'))).toThrow(message);
  });

  it('prints the month\'s report from the ledger, as Markdown or JSON, and --write stores it under Object Lock', async () => {
    const bucket = await createLedgerBucket(env.s3);
    const entry = (requestId: string, outcome: string, days: number, batchId: string) => ({
      schema: 'lakehouse.erasure-ledger/1',
      requestId,
      outcome,
      regulation: 'gdpr',
      daysToClose: days,
      deadlineMet: days <= 30,
      batch: { batchId, requestCount: 1 },
      datasets: [{ dataset: 'events', kind: 'parquet', rowsFound: 4, rowsRemoved: 4, objectsRewritten: 1, objectsDeleted: 0 }],
      vectors: { chunksDeleted: 2, documentsDeleted: 1 },
    });
    for (const [key, body] of [
      ['ledger/2026/11/a.json', entry('a', 'completed', 2, 'b1')],
      ['ledger/2026/11/b.json', entry('b', 'completed', 40, 'b2')],
      ['ledger/2026/11/c.json', entry('c', 'awaiting-physical-removal', 6, 'b3')],
    ] as const) {
      await env.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body), ChecksumAlgorithm: 'SHA256' }));
    }
    const markdown = await run(report, ['--month', '2026-11', '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--bucket', bucket]);
    expect(markdown.code).toBe(0);
    const text = markdown.stdout.join('\n');
    expect(text).toMatch(/^# Erasure report 2026-11/);
    expect(text).toMatch(/\| requests closed \| 3 \|/);
    expect(text).toMatch(/\| deadlines missed \| 1 \|/);
    expect(text).toMatch(/\| median days to close \| 6\.0 \|/);
    expect(text).toMatch(/\| max days to close \| 40\.0 \|/);
    expect(text).toMatch(/\| events \| 12 \| 12 \| 3 \| 0 \| 3 \|/);

    const json = await run(report, ['--month', '2026-11', '--json', '--write', '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--bucket', bucket]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({ month: '2026-11', closed: 3, deadlinesMissed: 1 });
    expect(json.stderr[0]).toBe(`privacy:report: stored s3://${bucket}/reports/2026-11.json and ${NOVEMBER_MD}`);
    expect(await readText(env.s3, bucket, NOVEMBER_MD)).toMatch(/^# Erasure report 2026-11/);
  });

  it('a missing stack, an unknown environment or a report that cannot be stored exits 1 with one message', async () => {
    const noStack = await run(report, ['--month', '2026-11', '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--stack', 'lakehouse-dev-nothing']);
    expect(noStack.code).toBe(1);
    expect(noStack.stderr[0]).toMatch(/^privacy:report: .*lakehouse-dev-nothing.*; nothing was read$/);
    const unknown = await run(report, ['--month', '2026-11', '-c', 'env=nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr[0]).toMatch(/^privacy:report: .*nowhere/);
    // A bucket without Object Lock: the report prints, but the ledger store refuses to write it unlocked.
    const plain = await createLedgerBucket(env.s3, { lock: false });
    const unlocked = await run(report, ['--month', '2026-11', '--write', '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--bucket', plain]);
    expect(unlocked.code).toBe(1);
    expect(unlocked.stdout.join('\n')).toMatch(/^# Erasure report 2026-11/);
    expect(unlocked.stderr.at(-1)).toMatch(/^privacy:report: the report was printed but not stored: /);
  });

  it('an unreadable ledger exits 1', async () => {
    const missing = await run(report, ['--month', '2026-11', '-c', 'env=dev', '--endpoint', env.moto.endpoint, '--bucket', 'no-such-ledger-bucket']);
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toMatch(/^privacy:report: could not read the ledger in s3:\/\/no-such-ledger-bucket\/: NoSuchBucket/);
  });
});
