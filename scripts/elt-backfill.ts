/**
 * Backfills the metrics through the same path as the daily run: starts one execution of the daily
 * pipeline (docs/pipeline.md: freshness and quality gates, the ELT, output checks) per day of a range,
 * with the input `{ "day": "yyyy-mm-dd", "skipFreshnessWait": false }`, waits for each to finish
 * (DescribeExecution polling) and reports per day.
 *
 * Usage: npm run elt:backfill -- --env dev --from 2026-01-01 --to 2026-01-31
 *          [--skip-freshness-wait] [--elt-only] [--state-machine-arn arn] [--concurrency 1]
 *          [--poll-seconds 5] [--timeout-minutes 60] [--endpoint http://127.0.0.1:5000]
 *
 * - --skip-freshness-wait: for old days whose input stopped changing long ago, go straight to the input
 *   checks (the readiness probe would pass anyway, unless delivery stalled right after that day).
 * - --elt-only: start the ELT state machine itself (`{ "day" }`), without the gates: for an app that uses
 *   MetricsElt alone, or to rewrite a day whose input checks are known to fail.
 
 * - The range is inclusive, from <= to, at most 366 days; days run oldest first.
 * - --concurrency N (1-10, default 1) runs up to N days at once, but never two days of the same calendar
 *   month: every day of a month rewrites that month's monthly_active_users row with a DELETE and an
 *   INSERT, and two interleaved pairs could leave the row twice. Parallelism is therefore across months.
 * - Without --state-machine-arn the state machine is looked up by name, `<project>-<env>-product-metrics-pipeline`
 *   (with --elt-only `<project>-<env>-metrics-elt`) (ListStateMachines); pass the ARN if it is named otherwise. A given ARN is checked first
 *   (DescribeStateMachine), so a wrong one starts nothing.
 * - Execution names are `backfill-<day>-<8 hex>`: the hash covers the day and this run, so a later run
 *   can process the same day again (Step Functions keeps execution names unique for 90 days).
 * - A failed day does not stop the others. A day still running at --timeout-minutes is reported as such
 *   and left running.
 *
 * Needs AWS credentials in the environment and a region (the environment's config region, else
 * AWS_REGION / AWS_DEFAULT_REGION), exactly as produce:sample: without them it exits 1 at once, before
 * any client is built; the instance metadata service is never queried. Exit codes: 0 every day
 * succeeded, 1 nothing could be attempted (arguments, config, credentials, state machine not found),
 * 2 some day failed, timed out or could not be started.
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { validateDay } from '../constructs/elt/steps';
import { loadEnvironmentConfig } from '../config/load';
import { eltStateMachineName, metricsPipelineStateMachineName } from '../lib/naming';
import { awsRegionOrExplain } from './aws-prerequisites';
import { runCommand } from './command';

export const MAX_DAYS = 366;
export const MAX_CONCURRENCY = 10;
const DAY_MS = 86_400_000;

export interface BackfillArgs {
  readonly env: string;
  readonly from: string;
  readonly to: string;
  readonly stateMachineArn?: string;
  readonly concurrency: number;
  readonly pollSeconds: number;
  readonly timeoutMinutes: number;
  readonly endpoint?: string;
  /** `pipeline` (the default) or, with --elt-only, the ELT state machine. */
  readonly target: BackfillTarget;
  readonly skipFreshnessWait: boolean;
}

export type BackfillTarget = 'pipeline' | 'elt';

export function parseBackfillArgs(argv: readonly string[]): BackfillArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string', default: 'dev' },
      from: { type: 'string' },
      to: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      concurrency: { type: 'string', default: '1' },
      'poll-seconds': { type: 'string', default: '5' },
      'timeout-minutes': { type: 'string', default: '60' },
      endpoint: { type: 'string' },
      'skip-freshness-wait': { type: 'boolean', default: false },
      'elt-only': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.from === undefined || values.to === undefined) throw new Error('--from and --to are required (yyyy-mm-dd, inclusive)');
  const from = dayArgument('--from', values.from);
  const to = dayArgument('--to', values.to);
  backfillDays(from, to); // validates the range
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new Error(`--concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got "${values.concurrency}"`);
  }
  const pollSeconds = Number(values['poll-seconds']);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 0.1 || pollSeconds > 300) throw new Error(`--poll-seconds must be a number from 0.1 to 300, got "${values['poll-seconds']}"`);
  const timeoutMinutes = Number(values['timeout-minutes']);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0 || timeoutMinutes > 24 * 60) {
    throw new Error(`--timeout-minutes must be a number above 0 and at most ${24 * 60}, got "${values['timeout-minutes']}"`);
  }
  const stateMachineArn = values['state-machine-arn'];
  if (stateMachineArn !== undefined && !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(stateMachineArn)) {
    throw new Error(`--state-machine-arn "${stateMachineArn}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`);
  }
  const target: BackfillTarget = values['elt-only'] ? 'elt' : 'pipeline';
  const skipFreshnessWait = values['skip-freshness-wait'] === true;
  if (target === 'elt' && skipFreshnessWait) throw new Error('--skip-freshness-wait applies to the pipeline; --elt-only has no freshness wait to skip (drop one of them)');
  return { env: values.env as string, from, to, stateMachineArn, concurrency, pollSeconds, timeoutMinutes, endpoint: values.endpoint, target, skipFreshnessWait };
}

function dayArgument(flag: string, value: string): string {
  try {
    return validateDay(value);
  } catch (error) {
    throw new Error(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Every day from `from` to `to`, inclusive, oldest first. Throws if from > to or the range is too long. */
export function backfillDays(from: string, to: string): string[] {
  const start = Date.parse(`${validateDay(from)}T00:00:00Z`);
  const end = Date.parse(`${validateDay(to)}T00:00:00Z`);
  if (start > end) throw new Error(`--from ${from} is after --to ${to}`);
  const count = Math.round((end - start) / DAY_MS) + 1;
  if (count > MAX_DAYS) throw new Error(`${from} to ${to} is ${count} days; backfill at most ${MAX_DAYS} days per run`);
  return Array.from({ length: count }, (_, index) => new Date(start + index * DAY_MS).toISOString().slice(0, 10));
}

/** The state machines' names when no ARN is given (lib/naming.ts, as the operations stack names them). */
export { eltStateMachineName, metricsPipelineStateMachineName };

/** The execution input of a day: the pipeline's `{ day, skipFreshnessWait }`, or the ELT's `{ day }`. */
export function executionInput(day: string, target: BackfillTarget, skipFreshnessWait: boolean): Record<string, unknown> {
  return target === 'pipeline' ? { day, skipFreshnessWait } : { day };
}

/** `backfill-<day>-<8 hex>`: unique per day and run (Step Functions names: 1-80 of [A-Za-z0-9-_]). */
export function executionName(day: string, runId: string): string {
  return `backfill-${day}-${createHash('sha256').update(`${runId}|${day}`).digest('hex').slice(0, 8)}`;
}

export interface DayResult {
  readonly day: string;
  readonly name: string;
  readonly status: ExecutionStatus | 'NOT_STARTED' | 'STILL_RUNNING';
  readonly executionArn?: string;
  readonly seconds: number;
  readonly detail?: string;
}

export interface BackfillOptions {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  readonly days: readonly string[];
  readonly concurrency: number;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly runId?: string;
  readonly onResult?: (result: DayResult) => void;
  /** The input of a day's execution. @default `{ day }` (the ELT's) */
  readonly input?: (day: string) => Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const month = (day: string) => day.slice(0, 7);
const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function runDay(options: BackfillOptions, day: string, runId: string): Promise<DayResult> {
  const { client, stateMachineArn } = options;
  const name = executionName(day, runId);
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let executionArn: string | undefined;
  try {
    const input = options.input ? options.input(day) : { day };
    ({ executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })));
  } catch (error) {
    return { day, name, status: 'NOT_STARTED', seconds: seconds(), detail: message(error) };
  }
  for (;;) {
    let description;
    try {
      description = await client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      return { day, name, executionArn, status: 'STILL_RUNNING', seconds: seconds(), detail: `could not describe the execution: ${message(error)}` };
    }
    const status = description.status ?? 'RUNNING';
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      const detail = [description.error, description.cause].filter((part) => part !== undefined && part !== '').join(': ');
      return { day, name, executionArn, status, seconds: seconds(), ...(detail ? { detail } : {}) };
    }
    if (Date.now() - started > options.timeoutMs) {
      return { day, name, executionArn, status: 'STILL_RUNNING', seconds: seconds(), detail: 'still running at the timeout; left running' };
    }
    await sleep(options.pollMs);
  }
}

/**
 * Runs the days, at most `concurrency` at once and never two of the same month at once, each to its end
 * (or the timeout). Results are in day order.
 */
export async function backfill(options: BackfillOptions): Promise<DayResult[]> {
  const runId = options.runId ?? `${new Date().toISOString()}|${randomUUID()}`;
  const pending = [...options.days];
  const busyMonths = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const results = new Map<string, DayResult>();
  while (pending.length > 0 || running.size > 0) {
    while (running.size < options.concurrency) {
      const index = pending.findIndex((day) => !busyMonths.has(month(day)));
      if (index === -1) break;
      const [day] = pending.splice(index, 1);
      busyMonths.add(month(day));
      running.set(
        day,
        runDay(options, day, runId).then((result) => {
          results.set(day, result);
          busyMonths.delete(month(day));
          running.delete(day);
          options.onResult?.(result);
        }),
      );
    }
    await Promise.race(running.values());
  }
  return options.days.map((day) => results.get(day) as DayResult);
}

async function findStateMachine(client: SFNClient, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

function line(result: DayResult): string {
  return `  ${result.day}  ${result.status.padEnd(13)} ${result.name}  ${result.seconds.toFixed(1)} s${result.detail ? `  ${result.detail}` : ''}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  // Before any SDK client exists: the default credential chain must never probe the metadata address.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let args: BackfillArgs;
  let config: ReturnType<typeof loadEnvironmentConfig>;
  try {
    args = parseBackfillArgs(argv);
    config = loadEnvironmentConfig(args.env);
  } catch (error) {
    console.error(`elt:backfill: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const region = awsRegionOrExplain('elt:backfill', 'nothing was started', config);
  if (region === undefined) return 1;

  const days = backfillDays(args.from, args.to);
  const client = new SFNClient({ region, ...(args.endpoint ? { endpoint: args.endpoint } : {}) });
  try {
    let stateMachineArn = args.stateMachineArn;
    if (stateMachineArn !== undefined) {
      try {
        await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
      } catch (error) {
        console.error(`elt:backfill: state machine ${stateMachineArn}: ${message(error)}; nothing was started`);
        return 1;
      }
    } else {
      const name = args.target === 'pipeline' ? metricsPipelineStateMachineName(config.project, config.name) : eltStateMachineName(config.project, config.name);
      try {
        stateMachineArn = await findStateMachine(client, name);
      } catch (error) {
        console.error(`elt:backfill: could not list state machines to find ${name}: ${message(error)}`);
        return 1;
      }
      if (stateMachineArn === undefined) {
        console.error(`elt:backfill: no state machine named ${name} in ${region}; pass --state-machine-arn`);
        return 1;
      }
    }
    const how = args.target === 'pipeline' ? `the pipeline${args.skipFreshnessWait ? ', skipping the freshness wait' : ''}` : 'the ELT only';
    console.log(`elt:backfill: ${days.length} day(s), ${args.from} to ${args.to}, through ${how} on ${stateMachineArn} (concurrency ${args.concurrency})`);
    const results = await backfill({
      client,
      stateMachineArn,
      days,
      concurrency: args.concurrency,
      pollMs: args.pollSeconds * 1000,
      timeoutMs: args.timeoutMinutes * 60_000,
      onResult: (result) => console.log(line(result)),
      input: (day) => executionInput(day, args.target, args.skipFreshnessWait),
    });
    const succeeded = results.filter((result) => result.status === 'SUCCEEDED').length;
    const failed = results.length - succeeded;
    console.log(`elt:backfill: ${succeeded} succeeded, ${failed} not succeeded (of ${results.length})`);
    for (const result of results.filter((entry) => entry.status !== 'SUCCEEDED')) console.log(`  not succeeded: ${result.day} ${result.status}`);
    return failed === 0 ? 0 : 2;
  } finally {
    client.destroy();
  }
}

if (require.main === module) void runCommand('elt:backfill', main);
