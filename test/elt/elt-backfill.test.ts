/**
 * scripts/elt-backfill.ts:
 * - arguments and the day range, in process;
 * - the scheduler (concurrency, one day per month at a time, polling, failures) against a mocked client;
 * - without credentials or a region: run as `npm run elt:backfill` runs it (tsx, a child process) in a
 *   scrubbed environment; it must fail fast, before building any client;
 * - end to end: against a real moto server (Step Functions wire protocol) with test credentials.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, backfillDays, eltStateMachineName, executionName, MAX_DAYS, parseBackfillArgs } from '../../scripts/elt-backfill';
import { REPO_ROOT } from '../support/app-context';
import { CREDENTIALS, REGION, startMotoStepFunctions, type MotoStepFunctions } from './moto-sfn';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-elt-backfill-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A clean environment: no AWS_* variable from the parent, an empty HOME (no ~/.aws). */
const scrubbed = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, ...extra });
const withCredentials = () => scrubbed({ AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: REGION });

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'scripts', 'elt-backfill.ts'), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('elt:backfill arguments', () => {
  const base = ['--from', '2026-01-30', '--to', '2026-02-01'];

  it('lists the days of an inclusive range, oldest first, across month, year and leap-day boundaries', () => {
    expect(backfillDays('2026-01-30', '2026-02-01')).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
    expect(backfillDays('2023-12-31', '2024-01-01')).toEqual(['2023-12-31', '2024-01-01']);
    expect(backfillDays('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(backfillDays('2026-05-05', '2026-05-05')).toEqual(['2026-05-05']);
    expect(backfillDays('2024-01-01', '2024-12-31')).toHaveLength(MAX_DAYS);
  });

  it('parses the flags with their defaults', () => {
    expect(parseBackfillArgs(base)).toEqual({ env: 'dev', from: '2026-01-30', to: '2026-02-01', stateMachineArn: undefined, concurrency: 1, pollSeconds: 5, timeoutMinutes: 60, endpoint: undefined });
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:lakehouse-prod-metrics-elt';
    expect(parseBackfillArgs([...base, '--env', 'prod', '--state-machine-arn', arn, '--concurrency', '3'])).toMatchObject({ env: 'prod', stateMachineArn: arn, concurrency: 3 });
  });

  it.each([
    [['--from', '2026-01-01'], /--from and --to are required/],
    [['--from', '2026-02-01', '--to', '2026-01-31'], /--from 2026-02-01 is after --to 2026-01-31/],
    [['--from', '2024-01-01', '--to', '2025-01-01'], /is 367 days; backfill at most 366 days/],
    [['--from', '2026-02-30', '--to', '2026-03-01'], /--from: day "2026-02-30" is not a calendar date/],
    [['--from', '2026-01-01', '--to', '01/02/2026'], /--to: day "01\/02\/2026" must be a date written yyyy-mm-dd/],
    [[...base, '--concurrency', '0'], /--concurrency must be an integer from 1 to 10/],
    [[...base, '--concurrency', '11'], /--concurrency must be an integer from 1 to 10/],
    [[...base, '--state-machine-arn', 'lakehouse-dev-metrics-elt'], /is not a state machine ARN/],
    [[...base, '--poll-seconds', '0'], /--poll-seconds/],
    [[...base, '--days', '3'], /Unknown option '--days'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBackfillArgs(argv)).toThrow(message);
  });

  it('names executions backfill-<day>-<8 hex>, unique per day and per run, and finds the state machine by environment', () => {
    expect(executionName('2026-01-30', 'run-1')).toMatch(/^backfill-2026-01-30-[0-9a-f]{8}$/);
    expect(executionName('2026-01-30', 'run-1')).toBe(executionName('2026-01-30', 'run-1'));
    expect(executionName('2026-01-30', 'run-2')).not.toBe(executionName('2026-01-30', 'run-1'));
    expect(executionName('2026-01-31', 'run-1')).not.toBe(executionName('2026-01-30', 'run-1'));
    expect(eltStateMachineName('lakehouse', 'dev')).toBe('lakehouse-dev-metrics-elt');
  });
});

describe('elt:backfill scheduling (mocked Step Functions client)', () => {
  const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:elt';

  /** A client whose executions run for `polls` DescribeExecution calls, recording what overlapped. */
  function fakeStepFunctions(outcome: (day: string) => 'SUCCEEDED' | 'FAILED' | 'REJECTED' = () => 'SUCCEEDED', polls = 3) {
    const sfn = mockClient(SFNClient);
    const running = new Map<string, { day: string; remaining: number }>();
    const overlaps: string[][] = [];
    const started: string[] = [];
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      const { day } = JSON.parse(input.input) as { day: string };
      if (outcome(day) === 'REJECTED') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      started.push(input.name);
      const executionArn = `${ARN.replace(':stateMachine:', ':execution:')}:${input.name}`;
      running.set(executionArn, { day, remaining: polls });
      overlaps.push([...running.values()].map((execution) => execution.day).sort());
      return { executionArn, startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const execution = running.get(input.executionArn)!;
      execution.remaining -= 1;
      if (execution.remaining > 0) return { status: 'RUNNING' };
      running.delete(input.executionArn);
      return outcome(execution.day) === 'FAILED' ? { status: 'FAILED', error: 'Athena.QueryFailed', cause: 'COLUMN_NOT_FOUND' } : { status: 'SUCCEEDED' };
    });
    return { client: new SFNClient({ region: REGION, credentials: CREDENTIALS }), overlaps, started, restore: () => sfn.restore() };
  }

  it('runs one day at a time by default, in day order, polling each until it ends', async () => {
    const fake = fakeStepFunctions();
    const days = backfillDays('2026-01-30', '2026-02-02');
    const results = await backfill({ client: fake.client, stateMachineArn: ARN, days, concurrency: 1, pollMs: 1, timeoutMs: 60_000, runId: 'r' });
    fake.restore();
    expect(results.map((result) => [result.day, result.status, result.name])).toEqual(days.map((day) => [day, 'SUCCEEDED', executionName(day, 'r')]));
    expect(fake.started).toEqual(days.map((day) => executionName(day, 'r')));
    expect(Math.max(...fake.overlaps.map((overlap) => overlap.length))).toBe(1);
  });

  it('with concurrency, runs days of different months together but never two days of one month', async () => {
    const fake = fakeStepFunctions();
    const days = backfillDays('2026-01-29', '2026-03-02'); // January: 3 days, February: 28, March: 2
    const results = await backfill({ client: fake.client, stateMachineArn: ARN, days, concurrency: 4, pollMs: 1, timeoutMs: 60_000 });
    fake.restore();
    expect(results.every((result) => result.status === 'SUCCEEDED')).toBe(true);
    expect(results.map((result) => result.day)).toEqual(days);
    for (const overlap of fake.overlaps) expect(new Set(overlap.map((day) => day.slice(0, 7))).size).toBe(overlap.length);
    expect(Math.max(...fake.overlaps.map((overlap) => overlap.length))).toBe(3); // three months at most
  });

  it('reports a failed execution and a day it could not start, and goes on with the others', async () => {
    const fake = fakeStepFunctions((day) => (day === '2026-01-31' ? 'FAILED' : day === '2026-02-01' ? 'REJECTED' : 'SUCCEEDED'));
    const results = await backfill({ client: fake.client, stateMachineArn: ARN, days: backfillDays('2026-01-30', '2026-02-02'), concurrency: 2, pollMs: 1, timeoutMs: 60_000 });
    fake.restore();
    expect(results.map((result) => [result.day, result.status])).toEqual([
      ['2026-01-30', 'SUCCEEDED'],
      ['2026-01-31', 'FAILED'],
      ['2026-02-01', 'NOT_STARTED'],
      ['2026-02-02', 'SUCCEEDED'],
    ]);
    expect(results[1].detail).toBe('Athena.QueryFailed: COLUMN_NOT_FOUND');
    expect(results[2].detail).toBe('ThrottlingException: Rate exceeded');
  });

  it('leaves an execution that outlives the timeout running and reports it', async () => {
    const fake = fakeStepFunctions(() => 'SUCCEEDED', 1_000_000);
    const [result] = await backfill({ client: fake.client, stateMachineArn: ARN, days: ['2026-01-30'], concurrency: 1, pollMs: 5, timeoutMs: 50 });
    fake.restore();
    expect(result.status).toBe('STILL_RUNNING');
    expect(result.detail).toMatch(/left running/);
  });
});

describe('elt:backfill without credentials (scrubbed environment)', () => {
  it('exits 1 at once with a clear message naming what is missing, and starts nothing', async () => {
    // A stand-in for the instance metadata service, on loopback: the script must never ask it anything.
    const probes: string[] = [];
    const metadata = createServer((request, response) => {
      probes.push(`${request.method} ${request.url}`);
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const { port } = metadata.address() as AddressInfo;
    const result = await run(['--env', 'dev', '--from', '2026-01-01', '--to', '2026-01-03'], scrubbed({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` }));
    await new Promise<void>((resolve) => metadata.close(() => resolve()));
    expect(probes).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('elt:backfill needs AWS credentials and a region; nothing was started');
    expect(result.stderr).toContain('no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(result.stderr).toContain('no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(result.stdout).toBe('');
    expect(result.ms).toBeLessThan(4000);
  });

  it('refuses a bad range before looking for credentials', async () => {
    const result = await run(['--from', '2026-02-01', '--to', '2026-01-01'], scrubbed());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('elt:backfill: --from 2026-02-01 is after --to 2026-01-01');
    expect(result.stderr).not.toContain('credentials');
  });
});

describe('elt:backfill end to end against moto', () => {
  /** Poll fast; give up on a day after 30 s (the script then reports it as still running). */
  const FAST = ['--poll-seconds', '0.1', '--timeout-minutes', '0.5'];
  let moto: MotoStepFunctions;

  beforeAll(async () => {
    moto = await startMotoStepFunctions();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('finds <project>-<env>-metrics-elt and runs one execution per day, one at a time, with the day as input, each to its end', async () => {
    const arn = await moto.createStateMachine('lakehouse-dev-metrics-elt');
    const engine = moto.drive(arn, 400);
    const result = await run(['--env', 'dev', '--from', '2026-01-30', '--to', '2026-02-01', ...FAST, '--endpoint', moto.endpoint], withCredentials());
    await engine.end();
    // moto ends executions only as ABORTED (see moto-sfn.ts), so every day is "not succeeded": exit 2.
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toContain(`3 day(s), 2026-01-30 to 2026-02-01, on ${arn} (concurrency 1)`);
    expect(result.stdout).toContain('elt:backfill: 0 succeeded, 3 not succeeded (of 3)');
    const executions = await moto.executions(arn);
    expect(executions.map((execution) => JSON.parse(execution.input ?? 'null'))).toEqual([{ day: '2026-01-30' }, { day: '2026-01-31' }, { day: '2026-02-01' }]);
    for (const execution of executions) {
      const { day } = JSON.parse(execution.input as string) as { day: string };
      expect(execution.name).toMatch(new RegExp(`^backfill-${day}-[0-9a-f]{8}$`));
      expect(execution.status).toBe('ABORTED');
      // Reported only once the execution had ended: the script waited (polled) for it.
      expect(result.stdout).toMatch(new RegExp(`  ${day}  ABORTED {7}${execution.name}  (\\d+\\.\\d) s\\n`));
      const seconds = Number(new RegExp(`${execution.name}  (\\d+\\.\\d) s`).exec(result.stdout)?.[1]);
      expect(seconds).toBeGreaterThanOrEqual(0.3);
    }
    // Sequential: the next day started only after the previous one had ended.
    for (const [index, execution] of executions.slice(1).entries()) expect(execution.startDate!.getTime()).toBeGreaterThanOrEqual(executions[index].stopDate!.getTime());
    expect(Math.max(...engine.overlaps.map((overlap) => overlap.length))).toBe(1);
  });

  it('runs the same days again under new execution names, on an explicit ARN, two months at a time', async () => {
    const arn = await moto.createStateMachine('some-other-name');
    const engine = moto.drive(arn, 300);
    const args = ['--from', '2026-01-31', '--to', '2026-02-02', '--state-machine-arn', arn, '--concurrency', '2', ...FAST, '--endpoint', moto.endpoint];
    const first = await run(args, withCredentials());
    const second = await run(args, withCredentials());
    await engine.end();
    expect([first.status, second.status], first.stderr + second.stderr).toEqual([2, 2]);
    const executions = await moto.executions(arn);
    expect(executions).toHaveLength(6);
    expect(new Set(executions.map((execution) => execution.name)).size).toBe(6);
    expect(executions.map((execution) => JSON.parse(execution.input as string).day).sort()).toEqual(
      ['2026-01-31', '2026-01-31', '2026-02-01', '2026-02-01', '2026-02-02', '2026-02-02'],
    );
    // January and February ran side by side; the two February days never did.
    const monthsTogether = engine.overlaps.map((overlap) => overlap.map((name) => name.slice('backfill-'.length, 'backfill-yyyy-mm'.length)));
    expect(monthsTogether.some((months) => months.length === 2)).toBe(true);
    for (const months of monthsTogether) expect(new Set(months).size).toBe(months.length);
  });

  it('starts nothing on a state machine that does not exist', async () => {
    const missing = `arn:aws:states:${REGION}:123456789012:stateMachine:missing`;
    const byArn = await run(['--from', '2026-01-01', '--to', '2026-01-02', '--state-machine-arn', missing, '--endpoint', moto.endpoint], withCredentials());
    expect(byArn.status).toBe(1);
    expect(byArn.stderr).toContain(`elt:backfill: state machine ${missing}: StateMachineDoesNotExist`);
    const byName = await run(['--env', 'dev', '--from', '2026-01-01', '--to', '2026-01-02', '--endpoint', moto.endpoint], scrubbed({ ...withCredentials(), AWS_REGION: 'eu-west-1' }));
    expect(byName.status).toBe(1);
    expect(byName.stderr).toContain('elt:backfill: no state machine named lakehouse-dev-metrics-elt in eu-west-1; pass --state-machine-arn');
  });
});
