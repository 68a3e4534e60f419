/**
 * scripts/produce-sample.ts `main()` in process (output captured), against a real moto server (Kinesis
 * wire protocol): exit 0 with every event stored, exit 2 when the stream does not exist (every event
 * reported failed, none dropped silently), exit 1 on bad arguments or missing credentials or region,
 * before any client is built. produce-sample.test.ts runs the same script as a child process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../scripts/produce-sample';
import { captureConsole, onlyAwsVariables } from '../support/operator-scripts';
import { CREDENTIALS, REGION, startMotoKinesis, type MotoKinesis } from './moto-kinesis';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-produce-main-'));
const KEYS = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };

interface MainRun {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Kinesis commands main sent, in order (the test's own moto client left out). */
  readonly commands: string[];
}

/** Runs main(argv) with exactly the AWS_* `variables` (no config or credentials file), capturing output and requests. */
async function runMain(argv: string[], variables: Record<string, string>, ignore: KinesisClient): Promise<MainRun> {
  onlyAwsVariables(home, variables);
  const send = vi.spyOn(KinesisClient.prototype, 'send');
  try {
    const { result: code, stdout, stderr } = await captureConsole(() => main(argv));
    const commands = send.mock.calls.flatMap((args, index) => (send.mock.contexts[index] === ignore ? [] : [(args[0] as object).constructor.name]));
    return { code, stdout, stderr, commands };
  } finally {
    send.mockRestore();
  }
}

describe('produce:sample main against moto', () => {
  let moto: MotoKinesis;

  beforeAll(async () => {
    moto = await startMotoKinesis();
    await moto.createStream('lakehouse-dev-events', 1);
  });
  afterEach(() => vi.unstubAllEnvs());
  afterAll(async () => {
    await moto?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('exits 0 and stores every event in lakehouse-dev-events', async () => {
    const before = (await moto.readAll('lakehouse-dev-events')).length;
    const result = await runMain(['--env', 'dev', '--count', '40', '--endpoint', moto.endpoint], { ...KEYS, AWS_REGION: REGION }, moto.client);
    expect(result.code, result.stderr.join('\n')).toBe(0);
    expect(result.stdout).toEqual(['lakehouse-dev-events: 40 sent, 0 rejected, 0 failed (of 40)']);
    expect(result.stderr).toEqual([]);
    expect(result.commands).toEqual(['PutRecordsCommand']);
    expect((await moto.readAll('lakehouse-dev-events')).length - before).toBe(40);
  });

  it('exits 2 and reports every event failed when the stream does not exist (here: another region)', async () => {
    const result = await runMain(['--env', 'dev', '--count', '12', '--endpoint', moto.endpoint], { ...KEYS, AWS_REGION: 'eu-west-2' }, moto.client);
    expect(result.code).toBe(2);
    const missing = 'ResourceNotFoundException: Stream lakehouse-dev-events under account 123456789012 not found.';
    // The count line names all 12; the detail is capped at the first 10 so a large run stays readable.
    expect(result.stdout).toEqual([
      'lakehouse-dev-events: 0 sent, 0 rejected, 12 failed (of 12)',
      ...Array.from({ length: 10 }, (_, index) => `  failed #${index} after 1 attempt(s): ${missing}`),
    ]);
    expect(result.commands).toEqual(['PutRecordsCommand']); // not retried: the stream is missing, not busy
  });

  it.each([
    [['--count', '0'], 'produce:sample: --count must be an integer from 1 to 100000, got "0"'],
    [['--count', '100001'], 'produce:sample: --count must be an integer from 1 to 100000, got "100001"'],
    [['--env', 'qa'], 'produce:sample: Unknown environment "qa" (from -c env=qa). Valid environments: dev, staging, prod (files in config/environments/).'],
    [['--bogus'], "produce:sample: Unknown option '--bogus'"],
  ])('exits 1 on bad arguments %j with one line, sending nothing', async (argv, expected) => {
    const result = await runMain(argv, { ...KEYS, AWS_REGION: REGION }, moto.client);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expected]);
    expect(result.stdout).toEqual([]);
    expect(result.commands).toEqual([]);
  });

  it.each([
    ['no credentials (prod has a region)', ['--env', 'prod'], {}, [expect.stringMatching(/^ {2}- no AWS credentials in the environment: set AWS_ACCESS_KEY_ID/)]],
    ['no region (dev has none)', ['--env', 'dev'], KEYS, ['  - no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION']],
  ])('exits 1 with %s, naming what is missing, sending nothing', async (_, argv, variables, problems) => {
    const result = await runMain([...argv, '--endpoint', moto.endpoint], variables, moto.client);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['produce:sample needs AWS credentials and a region; nothing was sent:', ...problems]);
    expect(result.commands).toEqual([]);
  });
});
