/**
 * scripts/elt-backfill.ts:
 * - arguments and the day range, in process;
 * - the scheduler (concurrency, one day per month at a time, polling, failures) against a mocked client;
 * - main() in process (output captured): arguments, credentials and region, the state machine lookup,
 *   the per-day lines, the summary and the exit code, against a mocked client for every final status;
 * - the CLI as `npm run elt:backfill` runs it (tsx, a child process) in a scrubbed environment: without
 *   credentials or a region it must fail fast, before building any client, and never probe the metadata service;
 * - end to end: main() in process against a real moto server (Step Functions wire protocol) with test credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  CreateStateMachineCommand,
  type DescribeExecutionCommandInput,
  type ListStateMachinesCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SFNClientResolvedConfig,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { backfill, backfillDays, eltStateMachineName, executionInput, executionName, main, MAX_DAYS, metricsPipelineStateMachineName, parseBackfillArgs } from '../../scripts/elt-backfill';
import { captureConsole, onlyAwsVariables, runOperatorScript, scrubbedEnvironment, withMetadataStandIn } from '../support/operator-scripts';
import { CREDENTIALS, REGION, startMotoStepFunctions, type MotoStepFunctions } from './moto-sfn';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-elt-backfill-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const scrubbed = (extra: Record<string, string> = {}) => scrubbedEnvironment(home, extra);
const run = (args: string[], env: NodeJS.ProcessEnv) => runOperatorScript('elt-backfill.ts', args, env);

// ---- main() in process ----------------------------------------------------------------------------

const KEYS = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
const KEYS_AND_REGION = { ...KEYS, AWS_REGION: REGION };
const NO_CREDENTIALS =
  '  - no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), ' +
  'or AWS_PROFILE, or AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or AWS_CONTAINER_CREDENTIALS_FULL_URI / AWS_CONTAINER_CREDENTIALS_RELATIVE_URI';


interface MainRun {
  readonly code: number;
  /** console.log and console.error output, one entry per line. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** The Step Functions commands main sent, in order (clients in `ignore`, the test's own, left out). */
  readonly commands: string[];
  /** How many Step Functions clients main destroyed (it builds at most one). */
  readonly destroyed: number;
}

/** Runs main(argv) in this process with exactly the AWS_* `variables`, capturing its output and requests. */
async function runMain(argv: string[], variables: Record<string, string>, ignore: readonly SFNClient[] = []): Promise<MainRun> {
  onlyAwsVariables(home, variables);
  const send = vi.spyOn(SFNClient.prototype, 'send');
  const destroy = vi.spyOn(SFNClient.prototype, 'destroy');
  try {
    const { result: code, stdout, stderr } = await captureConsole(() => main(argv));
    const commands = send.mock.calls.flatMap((args, index) =>
      ignore.includes(send.mock.contexts[index] as SFNClient) ? [] : [(args[0] as object).constructor.name],
    );
    return { code, stdout, stderr, commands, destroyed: destroy.mock.calls.length };
  } finally {
    destroy.mockRestore();
    send.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

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
    expect(parseBackfillArgs(base)).toEqual({
      env: 'dev',
      from: '2026-01-30',
      to: '2026-02-01',
      stateMachineArn: undefined,
      concurrency: 1,
      pollSeconds: 5,
      timeoutMinutes: 60,
      endpoint: undefined,
      target: 'pipeline',
      skipFreshnessWait: false,
    });
    expect(parseBackfillArgs([...base, '--skip-freshness-wait'])).toMatchObject({ target: 'pipeline', skipFreshnessWait: true });
    expect(parseBackfillArgs([...base, '--elt-only'])).toMatchObject({ target: 'elt', skipFreshnessWait: false });
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
    [[...base, '--elt-only', '--skip-freshness-wait'], /--skip-freshness-wait applies to the pipeline; --elt-only has no freshness wait to skip/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBackfillArgs(argv)).toThrow(message);
  });

  it('names executions backfill-<day>-<8 hex>, unique per day and per run, and finds the state machine by environment', () => {
    expect(executionName('2026-01-30', 'run-1')).toMatch(/^backfill-2026-01-30-[0-9a-f]{8}$/);
    expect(executionName('2026-01-30', 'run-1')).toBe(executionName('2026-01-30', 'run-1'));
    expect(executionName('2026-01-30', 'run-2')).not.toBe(executionName('2026-01-30', 'run-1'));
    expect(executionName('2026-01-31', 'run-1')).not.toBe(executionName('2026-01-30', 'run-1'));
    expect(eltStateMachineName('lakehouse', 'dev')).toBe('lakehouse-dev-metrics-elt');
    expect(metricsPipelineStateMachineName('lakehouse', 'dev')).toBe('lakehouse-dev-product-metrics-pipeline');
  });

  it('gives the pipeline the day and whether to skip the freshness wait, the ELT only the day', () => {
    expect(executionInput('2026-01-30', 'pipeline', false)).toEqual({ day: '2026-01-30', skipFreshnessWait: false });
    expect(executionInput('2026-01-30', 'pipeline', true)).toEqual({ day: '2026-01-30', skipFreshnessWait: true });
    expect(executionInput('2026-01-30', 'elt', false)).toEqual({ day: '2026-01-30' });
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

describe('elt:backfill main (mocked Step Functions client)', () => {
  const ARN = `arn:aws:states:${REGION}:123456789012:stateMachine:lakehouse-dev-metrics-elt`;
  const POLL = ['--poll-seconds', '0.1'];
  const awsError = (name: string, text: string) => Object.assign(new Error(text), { name });
  let sfn: AwsStub<ServiceInputTypes, ServiceOutputTypes, SFNClientResolvedConfig>;
  /** The region of the client each request went out on. */
  let regions: string[];

  beforeEach(() => {
    sfn = mockClient(SFNClient);
    regions = [];
    // Date only (timers stay real): durations are exactly 0.0 s, so every output line can be compared whole.
    vi.useFakeTimers({ toFake: ['Date'] });
  });

  afterEach(() => sfn.restore());

  type Outcome =
    | { readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'; readonly error?: string; readonly cause?: string }
    | { readonly startFails: Error }
    | { readonly describeFails: Error };

  /**
   * Executions: StartExecution records the request; each execution then describes as RUNNING once and as
   * its outcome on the next poll (or StartExecution / DescribeExecution fails, as the outcome says).
   */
  function executions(outcome: (day: string) => Outcome = () => ({ status: 'SUCCEEDED' })) {
    const started: { stateMachineArn?: string; name: string; input: { day: string } }[] = [];
    const polls = new Map<string, number>();
    const dayOf = new Map<string, string>();
    sfn.on(StartExecutionCommand).callsFake(async (input: StartExecutionCommandInput, getClient) => {
      regions.push(await getClient().config.region());
      const request = { stateMachineArn: input.stateMachineArn, name: input.name as string, input: JSON.parse(input.input as string) as { day: string } };
      started.push(request);
      const result = outcome(request.input.day);
      if ('startFails' in result) throw result.startFails;
      const executionArn = `${(input.stateMachineArn as string).replace(':stateMachine:', ':execution:')}:${request.name}`;
      dayOf.set(executionArn, request.input.day);
      return { executionArn, startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: DescribeExecutionCommandInput) => {
      const day = dayOf.get(input.executionArn as string) as string;
      const count = (polls.get(day) ?? 0) + 1;
      polls.set(day, count);
      const result = outcome(day);
      if ('describeFails' in result) throw result.describeFails;
      if ('startFails' in result) throw new Error(`described ${day}, which never started`);
      return count === 1 ? { status: 'RUNNING' } : result;
    });
    return { started, polls, names: () => started.map((request) => request.name) };
  }

  function stateMachineExists() {
    sfn.on(DescribeStateMachineCommand).callsFake(async (input: { stateMachineArn: string }, getClient) => {
      regions.push(await getClient().config.region());
      return { stateMachineArn: input.stateMachineArn, name: input.stateMachineArn.split(':').at(-1) };
    });
  }

  /** ListStateMachines in pages: page i answers the request with nextToken `page-i` (none for the first). */
  function stateMachinePages(...pages: string[][]) {
    sfn.on(ListStateMachinesCommand).callsFake(async (input: ListStateMachinesCommandInput, getClient) => {
      regions.push(await getClient().config.region());
      const index = input.nextToken === undefined ? 0 : Number(input.nextToken.slice('page-'.length));
      const stateMachines = pages[index].map((name) => ({ name, stateMachineArn: `arn:aws:states:${REGION}:123456789012:stateMachine:${name}`, type: 'STANDARD', creationDate: new Date() }));
      return { stateMachines, ...(index + 1 < pages.length ? { nextToken: `page-${index + 1}` } : {}) };
    });
  }

  const listedTokens = () => sfn.commandCalls(ListStateMachinesCommand).map((call) => call.args[0].input.nextToken);

  it('exits 0 when every day succeeds: one execution per day on the given ARN, input {"day"}, polled to its end, a line per day and the summary', async () => {
    stateMachineExists();
    const fake = executions();
    const result = await runMain(['--elt-only', '--from', '2026-01-30', '--to', '2026-02-01', '--state-machine-arn', ARN, ...POLL], KEYS_AND_REGION);
    expect(result.code).toBe(0);
    expect(sfn.commandCalls(DescribeStateMachineCommand).map((call) => call.args[0].input)).toEqual([{ stateMachineArn: ARN }]);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    expect(fake.started.map((request) => [request.stateMachineArn, request.input])).toEqual([
      [ARN, { day: '2026-01-30' }],
      [ARN, { day: '2026-01-31' }],
      [ARN, { day: '2026-02-01' }],
    ]);
    for (const request of fake.started) expect(request.name).toMatch(new RegExp(`^backfill-${request.input.day}-[0-9a-f]{8}$`));
    expect(Object.fromEntries(fake.polls)).toEqual({ '2026-01-30': 2, '2026-01-31': 2, '2026-02-01': 2 });
    const [first, second, third] = fake.names();
    expect(result.stdout).toEqual([
      `elt:backfill: 3 day(s), 2026-01-30 to 2026-02-01, through the ELT only on ${ARN} (concurrency 1)`,
      `  2026-01-30  SUCCEEDED     ${first}  0.0 s`,
      `  2026-01-31  SUCCEEDED     ${second}  0.0 s`,
      `  2026-02-01  SUCCEEDED     ${third}  0.0 s`,
      'elt:backfill: 3 succeeded, 0 not succeeded (of 3)',
    ]);
    expect(result.stderr).toEqual([]);
    expect(new Set(regions)).toEqual(new Set([REGION]));
    expect(result.destroyed).toBe(1);
  });

  it('exits 2 when days fail, time out, abort, cannot be started or described; goes on with the others and lists them', async () => {
    stateMachineExists();
    const fake = executions((day) => {
      switch (day) {
        case '2026-03-02':
          return { status: 'FAILED', error: 'Athena.QueryFailed', cause: 'COLUMN_NOT_FOUND' };
        case '2026-03-03':
          return { status: 'TIMED_OUT', error: 'States.Timeout', cause: '' };
        case '2026-03-04':
          return { startFails: awsError('ThrottlingException', 'Rate exceeded') };
        case '2026-03-05':
          return { describeFails: awsError('AccessDeniedException', 'not authorized to perform states:DescribeExecution') };
        case '2026-03-06':
          return { status: 'ABORTED' };
        default:
          return { status: 'SUCCEEDED' };
      }
    });
    const result = await runMain(['--elt-only', '--from', '2026-03-01', '--to', '2026-03-06', '--state-machine-arn', ARN, '--concurrency', '3', ...POLL], KEYS_AND_REGION);
    expect(result.code).toBe(2);
    // Every day was attempted, in order (one month: one day at a time whatever the concurrency).
    expect(fake.started.map((request) => request.input.day)).toEqual(backfillDays('2026-03-01', '2026-03-06'));
    expect(Object.fromEntries(fake.polls)).toEqual({ '2026-03-01': 2, '2026-03-02': 2, '2026-03-03': 2, '2026-03-05': 1, '2026-03-06': 2 });
    const [n1, n2, n3, n4, n5, n6] = fake.names();
    expect(result.stdout).toEqual([
      `elt:backfill: 6 day(s), 2026-03-01 to 2026-03-06, through the ELT only on ${ARN} (concurrency 3)`,
      `  2026-03-01  SUCCEEDED     ${n1}  0.0 s`,
      `  2026-03-02  FAILED        ${n2}  0.0 s  Athena.QueryFailed: COLUMN_NOT_FOUND`,
      `  2026-03-03  TIMED_OUT     ${n3}  0.0 s  States.Timeout`,
      `  2026-03-04  NOT_STARTED   ${n4}  0.0 s  ThrottlingException: Rate exceeded`,
      `  2026-03-05  STILL_RUNNING ${n5}  0.0 s  could not describe the execution: AccessDeniedException: not authorized to perform states:DescribeExecution`,
      `  2026-03-06  ABORTED       ${n6}  0.0 s`,
      'elt:backfill: 1 succeeded, 5 not succeeded (of 6)',
      '  not succeeded: 2026-03-02 FAILED',
      '  not succeeded: 2026-03-03 TIMED_OUT',
      '  not succeeded: 2026-03-04 NOT_STARTED',
      '  not succeeded: 2026-03-05 STILL_RUNNING',
      '  not succeeded: 2026-03-06 ABORTED',
    ]);
    expect(result.stderr).toEqual([]);
  });

  it('without --state-machine-arn, finds <project>-<env>-metrics-elt by its exact name, following ListStateMachines pages', async () => {
    stateMachinePages(['lakehouse-dev-metrics-elt-v2', 'lakehouse-staging-metrics-elt', 'lakehouse-dev-metrics'], ['other', 'lakehouse-dev-metrics-elt']);
    const fake = executions();
    const result = await runMain(['--elt-only', '--from', '2026-01-05', '--to', '2026-01-05', ...POLL], KEYS_AND_REGION);
    expect(result.code).toBe(0);
    expect(listedTokens()).toEqual([undefined, 'page-1']);
    expect(sfn.commandCalls(DescribeStateMachineCommand)).toHaveLength(0);
    expect(fake.started.map((request) => [request.stateMachineArn, request.input])).toEqual([[ARN, { day: '2026-01-05' }]]);
    expect(result.stdout).toEqual([
      `elt:backfill: 1 day(s), 2026-01-05 to 2026-01-05, through the ELT only on ${ARN} (concurrency 1)`,
      `  2026-01-05  SUCCEEDED     ${fake.names()[0]}  0.0 s`,
      'elt:backfill: 1 succeeded, 0 not succeeded (of 1)',
    ]);
  });

  it('exits 1 and starts nothing when no state machine has the name, after reading every page', async () => {
    stateMachinePages(['lakehouse-dev-metrics-elt-v2'], ['lakehouse-staging-metrics-elt', 'Lakehouse-dev-metrics-elt'], []);
    const fake = executions();
    const result = await runMain(['--elt-only', '--from', '2026-01-01', '--to', '2026-01-02'], KEYS_AND_REGION);
    expect(result.code).toBe(1);
    expect(listedTokens()).toEqual([undefined, 'page-1', 'page-2']);
    expect(fake.started).toEqual([]);
    expect(result.stderr).toEqual([`elt:backfill: no state machine named lakehouse-dev-metrics-elt in ${REGION}; pass --state-machine-arn`]);
    expect(result.stdout).toEqual([]);
    expect(result.destroyed).toBe(1);
  });

  it('exits 1 and starts nothing when the state machines cannot be listed', async () => {
    sfn.on(ListStateMachinesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform states:ListStateMachines'));
    const fake = executions();
    const result = await runMain(['--elt-only', '--from', '2026-01-01', '--to', '2026-01-02'], KEYS_AND_REGION);
    expect(result.code).toBe(1);
    expect(fake.started).toEqual([]);
    expect(result.stderr).toEqual([
      'elt:backfill: could not list state machines to find lakehouse-dev-metrics-elt: AccessDeniedException: not authorized to perform states:ListStateMachines',
    ]);
    expect(result.stdout).toEqual([]);
  });

  it('exits 1 and starts nothing when the given ARN cannot be described', async () => {
    const missing = `arn:aws:states:${REGION}:123456789012:stateMachine:missing`;
    sfn.on(DescribeStateMachineCommand).rejects(awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`));
    const fake = executions();
    const result = await runMain(['--elt-only', '--from', '2026-01-01', '--to', '2026-01-02', '--state-machine-arn', missing], KEYS_AND_REGION);
    expect(result.code).toBe(1);
    expect(fake.started).toEqual([]);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    expect(result.stderr).toEqual([`elt:backfill: state machine ${missing}: StateMachineDoesNotExist: State Machine Does Not Exist: '${missing}'; nothing was started`]);
    expect(result.stdout).toEqual([]);
    expect(result.destroyed).toBe(1);
  });

  it.each([
    ['the environment config region over AWS_REGION', ['--env', 'prod'], { ...KEYS, AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }, 'lakehouse-prod-metrics-elt', 'eu-west-1'],
    ['AWS_REGION over AWS_DEFAULT_REGION', ['--env', 'dev'], { ...KEYS, AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }, 'lakehouse-dev-metrics-elt', 'us-west-2'],
    ['AWS_DEFAULT_REGION last', ['--env', 'dev'], { ...KEYS, AWS_DEFAULT_REGION: 'ap-south-1' }, 'lakehouse-dev-metrics-elt', 'ap-south-1'],
    ['AWS_PROFILE as credentials', ['--env', 'staging'], { AWS_PROFILE: 'backfill' }, 'lakehouse-staging-metrics-elt', 'eu-west-1'],
  ])('takes %s', async (_, env, variables, name, region) => {
    stateMachinePages([]);
    const result = await runMain(['--elt-only', ...env, '--from', '2026-01-01', '--to', '2026-01-01'], variables);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([`elt:backfill: no state machine named ${name} in ${region}; pass --state-machine-arn`]);
    expect(regions).toEqual([region]);
  });

  it.each([
    [['--from', '2026-01-01'], 'elt:backfill: --from and --to are required (yyyy-mm-dd, inclusive)'],
    [['--from', '2026-13-01', '--to', '2026-12-31'], 'elt:backfill: --from: day "2026-13-01" is not a calendar date'],
    [['--from', '2026-02-01', '--to', '2026-01-31'], 'elt:backfill: --from 2026-02-01 is after --to 2026-01-31'],
    [['--concurrency', 'two'], 'elt:backfill: --concurrency must be an integer from 1 to 10, got "two"'],
    [['--concurrency', '1.5'], 'elt:backfill: --concurrency must be an integer from 1 to 10, got "1.5"'],
    [['--poll-seconds', '301'], 'elt:backfill: --poll-seconds must be a number from 0.1 to 300, got "301"'],
    [['--timeout-minutes', '0'], 'elt:backfill: --timeout-minutes must be a number above 0 and at most 1440, got "0"'],
    [['--timeout-minutes', 'soon'], 'elt:backfill: --timeout-minutes must be a number above 0 and at most 1440, got "soon"'],
    [
      ['--state-machine-arn', 'arn:aws:states:us-east-1:123456789012:execution:elt:run'],
      'elt:backfill: --state-machine-arn "arn:aws:states:us-east-1:123456789012:execution:elt:run" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)',
    ],
    [['--bogus'], "elt:backfill: Unknown option '--bogus'"],
    [['--env'], "elt:backfill: Option '--env <value>' argument missing"],
    [['extra'], "elt:backfill: Unexpected argument 'extra'. This command does not take positional arguments"],
    [['--env', 'qa'], 'elt:backfill: Unknown environment "qa" (from -c env=qa). Valid environments: dev, staging, prod (files in config/environments/).'],
  ])('exits 1 on bad arguments %j, with one line naming the flag, before looking at credentials', async (argv, expected) => {
    // The range first, so that the argument under test is the last one parsed (and `--env` lacks its value).
    const withRange = argv.includes('--from') ? argv : ['--from', '2026-01-01', '--to', '2026-01-02', ...argv];
    const result = await runMain(withRange, {}); // no credentials, no region: not what it complains about
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expected]);
    expect(result.stdout).toEqual([]);
    expect(sfn.calls()).toHaveLength(0);
    expect(result.destroyed).toBe(0);
  });

  it.each([
    ['neither credentials nor a region', ['--env', 'dev'], {}, [NO_CREDENTIALS, '  - no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION']],
    ['no region (dev has none)', ['--env', 'dev'], KEYS, ['  - no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION']],
    ['no credentials (prod has a region)', ['--env', 'prod'], {}, [NO_CREDENTIALS]],
    ['no region when AWS_REGION is empty', ['--env', 'dev'], { ...KEYS, AWS_REGION: '' }, ['  - no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION']],
    [
      'half the key pair',
      ['--env', 'dev'],
      { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_REGION: REGION },
      [NO_CREDENTIALS.replace('environment:', 'environment (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not):')],
    ],
  ])('exits 1 with %s, naming what is missing, before building any client', async (_, env, variables, problems) => {
    const result = await runMain(['--elt-only', ...env, '--from', '2026-01-01', '--to', '2026-01-03'], variables);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['elt:backfill needs AWS credentials and a region; nothing was started:', ...problems]);
    expect(result.stdout).toEqual([]);
    expect(sfn.calls()).toHaveLength(0);
    expect(result.destroyed).toBe(0);
    // Set before any client could exist: the default credential chain never probes the metadata address.
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
  });
});

describe('elt:backfill without credentials (scrubbed environment)', () => {
  it('exits 1 at once with a clear message naming what is missing, and starts nothing', async () => {
    // A stand-in for the instance metadata service, on loopback: the script must never ask it anything.
    const { result, probes } = await withMetadataStandIn((endpoint) => run(['--env', 'dev', '--from', '2026-01-01', '--to', '2026-01-03'], scrubbed({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint })));
    expect(probes).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('elt:backfill needs AWS credentials and a region; nothing was started');
    expect(result.stderr).toContain('no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(result.stderr).toContain('no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(result.stdout).toBe('');
  });

  it('refuses a bad range before looking for credentials', async () => {
    const result = await run(['--from', '2026-02-01', '--to', '2026-01-01'], scrubbed());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('elt:backfill: --from 2026-02-01 is after --to 2026-01-01');
    expect(result.stderr).not.toContain('credentials');
  });
});

describe('elt:backfill main end to end against moto', () => {
  /** Poll fast; give up on a day after 30 s (main then reports it as still running). */
  const FAST = ['--poll-seconds', '0.1', '--timeout-minutes', '0.5'];
  /** A line per day with its duration blanked out, for whole-line comparisons. */
  const blankSeconds = (lines: string[]) => lines.map((text) => text.replace(/ {2}\d+\.\d s( {2}|$)/, '  <s> s$1'));
  const secondsOf = (lines: string[], name: string) => Number(new RegExp(`${name}  (\\d+\\.\\d) s`).exec(lines.join('\n'))?.[1]);
  let moto: MotoStepFunctions;
  /** `lakehouse-dev-product-metrics-pipeline` in us-east-1: what main finds by name for dev (AWS_REGION=us-east-1). */
  let eltArn: string;

  beforeAll(async () => {
    moto = await startMotoStepFunctions();
    eltArn = await moto.createStateMachine('lakehouse-dev-product-metrics-pipeline');
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('finds <project>-<env>-metrics-elt and runs one execution per day, one at a time, with the day as input, each to its end', async () => {
    const engine = moto.drive(eltArn, 400);
    const result = await runMain(['--env', 'dev', '--from', '2026-01-30', '--to', '2026-02-01', ...FAST, '--endpoint', moto.endpoint], KEYS_AND_REGION, [moto.client]);
    await engine.end();
    // moto ends executions only as ABORTED (see moto-sfn.ts), so every day is "not succeeded": exit 2.
    expect(result.code, result.stderr.join('\n')).toBe(2);
    const executions = await moto.executions(eltArn);
    expect(executions.map((execution) => JSON.parse(execution.input ?? 'null'))).toEqual(
      ['2026-01-30', '2026-01-31', '2026-02-01'].map((day) => ({ day, skipFreshnessWait: false })),
    );
    for (const execution of executions) {
      expect(execution.name).toMatch(new RegExp(`^backfill-${JSON.parse(execution.input as string).day}-[0-9a-f]{8}$`));
      expect(execution.status).toBe('ABORTED');
      // Reported only once the execution had ended: main waited (polled) for it.
      expect(secondsOf(result.stdout, execution.name as string)).toBeGreaterThanOrEqual(0.3);
    }
    const [first, second, third] = executions.map((execution) => execution.name);
    expect(blankSeconds(result.stdout)).toEqual([
      `elt:backfill: 3 day(s), 2026-01-30 to 2026-02-01, through the pipeline on ${eltArn} (concurrency 1)`,
      `  2026-01-30  ABORTED       ${first}  <s> s`,
      `  2026-01-31  ABORTED       ${second}  <s> s`,
      `  2026-02-01  ABORTED       ${third}  <s> s`,
      'elt:backfill: 0 succeeded, 3 not succeeded (of 3)',
      '  not succeeded: 2026-01-30 ABORTED',
      '  not succeeded: 2026-01-31 ABORTED',
      '  not succeeded: 2026-02-01 ABORTED',
    ]);
    expect(result.stderr).toEqual([]);
    // Looked up by name (not described), then start and poll.
    expect(result.commands[0]).toBe('ListStateMachinesCommand');
    expect(result.commands.filter((command) => command === 'StartExecutionCommand')).toHaveLength(3);
    expect(result.commands).not.toContain('DescribeStateMachineCommand');
    // Sequential: the next day started only after the previous one had ended.
    for (const [index, execution] of executions.slice(1).entries()) expect(execution.startDate!.getTime()).toBeGreaterThanOrEqual(executions[index].stopDate!.getTime());
    expect(Math.max(...engine.overlaps.map((overlap) => overlap.length))).toBe(1);
  });

  it('runs the same days again under new execution names, on an explicit ARN, two months at a time', async () => {
    const arn = await moto.createStateMachine('some-other-name');
    const engine = moto.drive(arn, 300);
    const args = ['--from', '2026-01-31', '--to', '2026-02-02', '--state-machine-arn', arn, '--concurrency', '2', ...FAST, '--endpoint', moto.endpoint];
    const first = await runMain(args, KEYS_AND_REGION, [moto.client]);
    const second = await runMain(args, KEYS_AND_REGION, [moto.client]);
    await engine.end();
    expect([first.code, second.code], [...first.stderr, ...second.stderr].join('\n')).toEqual([2, 2]);
    for (const result of [first, second]) {
      expect(result.stdout[0]).toBe(`elt:backfill: 3 day(s), 2026-01-31 to 2026-02-02, through the pipeline on ${arn} (concurrency 2)`);
      expect(result.stdout.slice(-4)).toEqual([
        'elt:backfill: 0 succeeded, 3 not succeeded (of 3)',
        '  not succeeded: 2026-01-31 ABORTED',
        '  not succeeded: 2026-02-01 ABORTED',
        '  not succeeded: 2026-02-02 ABORTED',
      ]);
      expect(result.commands.slice(0, 2)).toEqual(['DescribeStateMachineCommand', 'StartExecutionCommand']);
      expect(result.commands).not.toContain('ListStateMachinesCommand');
    }
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

  it('starts nothing on a given ARN that does not exist: exit 1 after one DescribeStateMachine', async () => {
    const missing = `arn:aws:states:${REGION}:123456789012:stateMachine:missing`;
    const result = await runMain(['--from', '2026-01-01', '--to', '2026-01-02', '--state-machine-arn', missing, '--endpoint', moto.endpoint], KEYS_AND_REGION, [moto.client]);
    expect(result.code).toBe(1);
    expect(result.commands).toEqual(['DescribeStateMachineCommand']);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(new RegExp(`^elt:backfill: state machine ${missing}: StateMachineDoesNotExist: .*; nothing was started$`));
    expect(result.stdout).toEqual([]);
    expect(result.destroyed).toBe(1);
  });

  it('looks the name up in the region main resolved: not found in eu-west-1 (only near names there), though us-east-1 has it', async () => {
    const west = new SFNClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials: CREDENTIALS });
    try {
      const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
      const decoys: string[] = [];
      for (const name of ['lakehouse-dev-product-metrics-pipeline-v2', 'lakehouse-staging-product-metrics-pipeline', 'lakehouse-dev-metrics-elt']) {
        const created = await west.send(new CreateStateMachineCommand({ name, definition, roleArn: 'arn:aws:iam::123456789012:role/elt-test' }));
        decoys.push(created.stateMachineArn as string);
      }
      const result = await runMain(['--env', 'dev', '--from', '2026-01-01', '--to', '2026-01-02', '--endpoint', moto.endpoint], { ...KEYS, AWS_REGION: 'eu-west-1' }, [moto.client, west]);
      expect(result.code).toBe(1);
      expect(result.commands).toEqual(['ListStateMachinesCommand']);
      expect(result.stderr).toEqual(['elt:backfill: no state machine named lakehouse-dev-product-metrics-pipeline in eu-west-1; pass --state-machine-arn']);
      expect(result.stdout).toEqual([]);
      for (const stateMachineArn of decoys) expect((await west.send(new ListExecutionsCommand({ stateMachineArn }))).executions).toEqual([]);
    } finally {
      west.destroy();
    }
  });

  it('reports a day still running at --timeout-minutes as STILL_RUNNING, leaves it running and exits 2', async () => {
    const arn = await moto.createStateMachine('elt-never-ends');
    const result = await runMain(['--from', '2026-04-10', '--to', '2026-04-10', '--state-machine-arn', arn, '--poll-seconds', '0.1', '--timeout-minutes', '0.005', '--endpoint', moto.endpoint], KEYS_AND_REGION, [moto.client]);
    const [execution] = await moto.executions(arn);
    const status = execution.status;
    await moto.client.send(new StopExecutionCommand({ executionArn: execution.executionArn })); // cleanup, whatever follows
    expect(status).toBe('RUNNING'); // left running, not stopped
    expect(result.code).toBe(2);
    expect(JSON.parse(execution.input as string)).toEqual({ day: '2026-04-10', skipFreshnessWait: false });
    expect(blankSeconds(result.stdout)).toEqual([
      `elt:backfill: 1 day(s), 2026-04-10 to 2026-04-10, through the pipeline on ${arn} (concurrency 1)`,
      `  2026-04-10  STILL_RUNNING ${execution.name}  <s> s  still running at the timeout; left running`,
      'elt:backfill: 0 succeeded, 1 not succeeded (of 1)',
      '  not succeeded: 2026-04-10 STILL_RUNNING',
    ]);
    expect(secondsOf(result.stdout, execution.name as string)).toBeGreaterThanOrEqual(0.3); // 0.005 minutes
    // It polled before giving up. How many polls fit in 0.3 s depends on the machine's load, so the count
    // is not asserted (it was, and failed under load); the wait itself is, above.
    expect(result.commands.filter((command) => command === 'DescribeExecutionCommand').length).toBeGreaterThanOrEqual(1);
  });
});
