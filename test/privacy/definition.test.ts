/**
 * The erasure workflow's definition, built from the real plan of events and events_curated, state by
 * state, and its paths run through the local JSONata interpreter of the orchestration tests
 * (test/orchestration/asl-runner.ts) with fake task results: the happy path, nothing queued, a find
 * failure (released, nothing forgotten), the ELT running (wait loop, then proceed; or give up and
 * release), a verification failure (recorded, execution failed). What the Record state assembles goes
 * through the record handler's own input check, so a field renamed on one side fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  ATHENA_TRANSIENT_ERRORS,
  BATCH_ID_PLACEHOLDER,
  datasetStates,
  erasureDefinition,
  LAMBDA_TRANSIENT_ERRORS,
  type ErasureDefinitionOptions,
} from '../../constructs/privacy/definition';
import { runDefinition, type TaskAnswer, type TaskCall } from '../orchestration/asl-runner';
import { parseRecordInput, RECORD_INPUT_FIELDS } from '../../constructs/privacy/record-input';
import { erasureTarget, type ErasureTargetSpec } from '../../constructs/privacy/target';
import { PLAN } from './plan-fixture';

const fn = (name: string) => `arn:aws:lambda:eu-west-1:111111111111:function:${name}`;
const FUNCTIONS = {
  intake: fn('intake'),
  claim: fn('claim'),
  release: fn('release'),
  eltGuard: fn('elt-guard'),
  findResults: fn('find-results'),
  rewriteObjects: fn('rewrite-objects'),
  forgetVectors: fn('forget-vectors'),
  record: fn('record'),
};
const ELT = ['arn:aws:states:eu-west-1:111111111111:stateMachine:lakehouse-dev-metrics-elt'];
const OPTIONS: ErasureDefinitionOptions = {
  plan: PLAN,
  functions: FUNCTIONS,
  workgroup: 'lakehouse-dev-engineering',
  batchSize: 50,
  eltStateMachineArns: ELT,
  eltPollSeconds: 600,
  eltMaxPolls: 12,
  queryTimeoutSeconds: 3600,
  timeoutSeconds: 43_200,
};
const CONTEXT = { Execution: { Id: 'arn:aws:states:eu-west-1:111111111111:execution:erasure:run.2026/12/04', Name: 'run.2026/12/04', StartTime: '2026-12-04T03:00:00.000Z' } };
const BATCH = 'run_2026_12_04';
const SUBJECT = 'user-4711@example.com';
/** Request IDs as claim returns them (32 hex characters: record checks them). */
const REQUESTS = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'];
type States = Record<string, Record<string, any>>;
const states = (options: ErasureDefinitionOptions = OPTIONS) => erasureDefinition(options).States as States;
const ATHENA = 'arn:aws:states:::athena:startQueryExecution.sync';
const LAMBDA = 'arn:aws:states:::lambda:invoke';

interface World {
  readonly empty?: boolean;
  /** Guard answers "running" this many times before "idle". */
  readonly eltBusyChecks?: number;
  /** A query whose text contains this fails. */
  readonly failQueryContaining?: string;
  /** Rows the verify mode still finds, per dataset. */
  readonly remaining?: Record<string, number>;
  /** VACUUM answers "more runs needed" this many times. */
  readonly vacuumRounds?: number;
  /** Rows found per dataset. @default 3 each */
  readonly found?: Record<string, number>;
}

/** Fake task results: every function and query, keyed by the function ARN or the statement. */
function world(options: World = {}) {
  let guardCalls = 0;
  let queries = 0;
  let vacuums = 0;
  return (call: TaskCall): TaskAnswer => {
    const args = call.arguments as { FunctionName?: string; Payload?: any; QueryString?: string; WorkGroup?: string };
    if (call.resource === ATHENA) {
      queries += 1;
      if (options.failQueryContaining && args.QueryString?.includes(options.failQueryContaining)) return { error: 'States.TaskFailed', cause: 'Athena query FAILED: TABLE_NOT_FOUND' };
      if (args.QueryString?.startsWith('VACUUM')) {
        vacuums += 1;
        if (vacuums <= (options.vacuumRounds ?? 0)) return { error: 'States.TaskFailed', cause: 'ICEBERG_VACUUM_MORE_RUNS_NEEDED: Removed 1000 files in this round of vacuum' };
      }
      return { result: { QueryExecution: { QueryExecutionId: `q-${queries}`, Status: { State: 'SUCCEEDED' } } } };
    }
    if (call.resource !== LAMBDA) throw new Error(`unexpected task ${call.resource}`);
    const payload = args.Payload;
    const answer = (result: unknown): TaskAnswer => ({ result: { Payload: result, StatusCode: 200 } });
    switch (args.FunctionName) {
      case FUNCTIONS.intake:
        return answer({ accepted: [{ requestId: 'r-new', deadline: '2027-01-03T03:00:00.000Z', duplicate: false }] });
      case FUNCTIONS.claim:
        return answer(options.empty ? { batchId: payload.batchId, requestIds: [], subjectCount: 0, empty: true } : { batchId: payload.batchId, requestIds: REQUESTS, subjectCount: 3, empty: false });
      case FUNCTIONS.eltGuard:
        guardCalls += 1;
        return answer({ eltRunning: guardCalls <= (options.eltBusyChecks ?? 0) });
      case FUNCTIONS.findResults: {
        const rows = payload.mode === 'find' ? (options.found?.[payload.dataset] ?? 3) : (options.remaining?.[payload.dataset] ?? 0);
        const partitions = rows === 0 ? [] : payload.dataset === 'events' ? [{ dt: '2026-11-30', hour: '23' }] : [{ event_date_day: '2026-11-30' }, { event_date_day: '2026-12-01' }, { event_date_day: '2026-12-03' }];
        // As find-results renders it: from the plan entry the state machine passes.
        const target = payload.target === undefined ? undefined : erasureTarget(payload.target as ErasureTargetSpec);
        return answer({
          dataset: payload.dataset,
          rows,
          objectCount: rows > 0 ? 1 : 0,
          partitions,
          manifestKey: `find/${payload.batchId}/${payload.dataset}.json`,
          queryExecutionId: payload.queryExecutionId,
          ...(target?.kind === 'iceberg' ? { optimizeSql: target.optimizeSql(partitions) ?? null } : {}),
        });
      }
      case FUNCTIONS.rewriteObjects:
        return answer({ dataset: payload.dataset, objectsRewritten: 1, objectsDeleted: 0, rowsRemoved: 3, versionsRemoved: 1, conflicts: 0, resultKey: `forget/${payload.batchId}/${payload.dataset}.json` });
      case FUNCTIONS.forgetVectors:
        return answer(payload.mode === 'forget' ? { chunks: 4, documents: 1 } : { chunks: 0, documents: 0 });
      case FUNCTIONS.record: {
        // The record handler's own input check: throws (and fails the test) on a field it does not take.
        const input = parseRecordInput(payload);
        const failed = input.verify.some((entry) => entry.rows > 0) ? input.requestIds.length : 0;
        return answer({ completed: payload.requestIds.length - failed, failed, ledgerKeys: [] });
      }
      case FUNCTIONS.release:
        return answer({ released: payload.requestIds.length });
      default:
        throw new Error(`unexpected function ${args.FunctionName}`);
    }
  };
}

const run = (input: unknown, options: World = {}, definitionOptions: ErasureDefinitionOptions = OPTIONS) =>
  runDefinition(erasureDefinition(definitionOptions), input, world(options), CONTEXT);
const calledFunctions = (calls: readonly TaskCall[]) => calls.filter((call) => call.resource === LAMBDA).map((call) => (call.arguments as { FunctionName: string }).FunctionName.split(':').pop());
const statements = (calls: readonly TaskCall[]) => calls.filter((call) => call.resource === ATHENA).map((call) => (call.arguments as { QueryString: string }).QueryString);
const payloadOf = (calls: readonly TaskCall[], name: string) => (calls.find((call) => (call.arguments as { FunctionName?: string }).FunctionName === fn(name))?.arguments as { Payload: any }).Payload;

describe('the definition, state by state', () => {
  const events = datasetStates('events');
  const curated = datasetStates('events_curated');

  it('uses JSONata, validates its input first, and bounds the execution', () => {
    expect(erasureDefinition(OPTIONS)).toMatchObject({ QueryLanguage: 'JSONata', StartAt: 'ValidateInput', TimeoutSeconds: 43_200 });
  });

  it('has the states of the flow in order: intake, claim, ELT guard, find per dataset, forget per kind, vectors, verify, record, release', () => {
    expect(Object.keys(states())).toEqual([
      'ValidateInput', 'InvalidInput', 'Start', 'HasRequests', 'Intake', 'Claim', 'NothingClaimed', 'NothingToErase',
      'CheckElt', 'EltIdle', 'WaitForElt', 'EltStillRunning',
      events.find, events.findResults, curated.find, curated.findResults,
      events.forget, events.rewrite, curated.forget, curated.delete, curated.optimize, curated.vacuum, curated.vacuumAgain, curated.vacuumCount,
      'ForgetVectors', events.verify, events.verifyResults, curated.verify, curated.verifyResults, 'VerifyVectors',
      'Record', 'RecordOutcome', 'VerificationFailed', 'Erased', 'Release', 'Released',
    ]);
  });

  it('claims the configured batch size under the execution\'s batch ID and goes to the ELT guard only when something was claimed', () => {
    const all = states();
    expect(all.Claim).toMatchObject({ Resource: LAMBDA, Arguments: { FunctionName: FUNCTIONS.claim, Payload: { batchId: '{% $batchId %}', maxRequests: 50 } }, Next: 'NothingClaimed' });
    expect(all.NothingClaimed).toEqual({ Type: 'Choice', Choices: [{ Condition: '{% $states.input.empty = true %}', Next: 'NothingToErase' }], Default: 'CheckElt' });
  });

  it('asks the guard about the ELT state machines and waits 10 minutes between at most 12 checks', () => {
    const all = states();
    expect(all.CheckElt.Arguments).toEqual({ FunctionName: FUNCTIONS.eltGuard, Payload: { stateMachineArns: ELT } });
    expect(all.EltIdle.Choices).toEqual([
      { Condition: '{% $states.input.eltRunning = false %}', Next: events.find },
      { Condition: '{% $eltPolls >= 12 %}', Next: 'EltStillRunning' },
    ]);
    expect(all.WaitForElt).toMatchObject({ Type: 'Wait', Seconds: 600, Next: 'CheckElt' });
  });

  it("runs each find as an Athena query in the workgroup, waited for (.sync), bounded, retried on throttling, released on failure", () => {
    const find = states()[events.find];
    expect(find).toMatchObject({ Type: 'Task', Resource: ATHENA, TimeoutSeconds: 3600, Next: events.findResults });
    expect(find.Arguments.WorkGroup).toBe('lakehouse-dev-engineering');
    expect(find.Arguments.QueryString).toContain(`$replace(`);
    expect(find.Retry).toEqual([expect.objectContaining({ ErrorEquals: ATHENA_TRANSIENT_ERRORS })]);
    expect(find.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Release', Output: '{% $states.errorOutput %}' }]);
  });

  it('reads each find result with the find-results function in find mode, and in verify mode after the forget phase', () => {
    const all = states();
    expect(all[events.findResults].Arguments.Payload).toEqual({ batchId: '{% $batchId %}', dataset: 'events', queryExecutionId: '{% $states.input.queryExecutionId %}', mode: 'find' });
    expect(all[curated.verifyResults].Arguments.Payload).toEqual({ batchId: '{% $batchId %}', dataset: 'events_curated', queryExecutionId: '{% $states.input.queryExecutionId %}', mode: 'verify' });
    expect(all[curated.findResults].Next).toBe(events.forget);
  });

  it("gives find-results an Iceberg dataset's plan entry, and runs the OPTIMIZE it renders from the partitions found", () => {
    const all = states();
    expect(all[curated.findResults].Arguments.Payload).toMatchObject({ dataset: 'events_curated', mode: 'find', target: PLAN[1].spec });
    expect(all[curated.optimize].Arguments.QueryString).toBe(`{% $${curated.foundVariable}.optimizeSql %}`);
  });

  it('forgets Iceberg with DELETE, OPTIMIZE and VACUUM in that order and Parquet with the rewrite function, skipping a dataset with nothing found', () => {
    const all = states();
    expect(all[curated.forget].Choices).toEqual([{ Condition: `{% $${curated.foundVariable}.rows > 0 %}`, Next: curated.delete }]);
    expect(all[curated.forget].Default).toBe('ForgetVectors');
    expect([all[curated.delete].Next, all[curated.optimize].Next, all[curated.vacuum].Next]).toEqual([curated.optimize, curated.vacuum, 'ForgetVectors']);
    expect(all[curated.vacuum].Arguments.QueryString).toBe('VACUUM "lakehouse_dev_curated"."events_curated"');
    expect(all[events.rewrite].Arguments).toEqual({
      FunctionName: FUNCTIONS.rewriteObjects,
      Payload: { batchId: '{% $batchId %}', dataset: 'events', bucket: 'lake-bucket', keyColumns: ['user_id'], manifestKey: `{% $${events.foundVariable}.manifestKey %}` },
    });
  });

  it("passes record exactly the fields the record handler takes (a field renamed on either side fails here)", () => {
    expect(Object.keys(states().Record.Arguments.Payload).sort()).toEqual([...RECORD_INPUT_FIELDS].sort());
  });

  it('retries every function on Lambda service errors and releases the batch when one fails for good, except intake and claim (nothing claimed yet) and record (data already forgotten)', () => {
    const all = states();
    for (const [name, state] of Object.entries(all)) {
      if (state.Resource !== LAMBDA) continue;
      expect(state.Retry[0], name).toMatchObject({ ErrorEquals: LAMBDA_TRANSIENT_ERRORS });
      const released = state.Catch?.[0]?.Next === 'Release';
      expect(released, name).toBe(!['Intake', 'Claim', 'Record', 'Release'].includes(name));
    }
  });

  it('never puts a subject ID into a query: the SQL reads the batch from the subjects table', () => {
    for (const state of Object.values(states())) {
      if (state.Resource === ATHENA && state.Arguments.QueryString.includes(BATCH_ID_PLACEHOLDER)) {
        expect(state.Arguments.QueryString).toContain('erasure_subjects');
      }
    }
  });

  it('refuses a plan whose statements ignore the batch (they would touch other people), or a dataset listed twice', () => {
    const curatedTarget = PLAN[1];
    if (curatedTarget.kind !== 'iceberg') throw new Error('the fixture plan lists events_curated (Iceberg) second');
    const careless = { ...curatedTarget, deleteSql: () => 'DELETE FROM "db"."events_curated" WHERE "user_id" IS NOT NULL' };
    expect(() => erasureDefinition({ ...OPTIONS, plan: [careless] })).toThrow('events_curated: deleteSql does not select the batch');
    expect(() => erasureDefinition({ ...OPTIONS, plan: [PLAN[0], PLAN[0]] })).toThrow('events: listed twice');
  });
});

describe('the paths, run', () => {
  it('happy path: claims, finds in both datasets, forgets each by its kind, forgets vectors, verifies, records, succeeds', async () => {
    const outcome = await run({});
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calledFunctions(outcome.calls)).toEqual(['claim', 'elt-guard', 'find-results', 'find-results', 'rewrite-objects', 'forget-vectors', 'find-results', 'find-results', 'forget-vectors', 'record']);
    const sql = statements(outcome.calls);
    expect(sql).toHaveLength(7);
    expect(sql[0]).toContain(`"batch_id" = '${BATCH}'`);
    expect(sql[0]).not.toContain(BATCH_ID_PLACEHOLDER);
    expect(sql.slice(2, 5)).toEqual([
      `DELETE FROM "lakehouse_dev_curated"."events_curated"\nWHERE ("user_id" IN (SELECT "subject_id" FROM "lakehouse_dev_privacy"."erasure_subjects" WHERE "batch_id" = '${BATCH}'))`,
      // The partitions found, as ranges of the source column (contiguous days merged): OPTIMIZE takes no partition field.
      `OPTIMIZE "lakehouse_dev_curated"."events_curated" REWRITE DATA USING BIN_PACK\nWHERE ("event_date" >= DATE '2026-11-30' AND "event_date" < DATE '2026-12-02') OR ("event_date" >= DATE '2026-12-03' AND "event_date" < DATE '2026-12-04')`,
      'VACUUM "lakehouse_dev_curated"."events_curated"',
    ]);
    const record = payloadOf(outcome.calls, 'record');
    expect(record).toMatchObject({ batchId: BATCH, requestIds: REQUESTS, startedAt: CONTEXT.Execution.StartTime, vectors: { chunks: 4, documents: 1 }, vectorsRemaining: { chunks: 0, documents: 0 } });
    expect(record.find.map((entry: { dataset: string }) => entry.dataset)).toEqual(['events', 'events_curated']);
    expect(record.forget).toEqual([
      expect.objectContaining({ dataset: 'events', rowsRemoved: 3 }),
      { dataset: 'events_curated', kind: 'iceberg', queryExecutionIds: ['q-3', 'q-4', 'q-5'] },
    ]);
    // Every query of the batch reaches the record: find and verify ids with their results.
    expect([...record.find, ...record.verify].map((entry: { queryExecutionId: string }) => entry.queryExecutionId)).toEqual(['q-1', 'q-2', 'q-6', 'q-7']);
    expect(record.verify.map((entry: { rows: number }) => entry.rows)).toEqual([0, 0]);
  });

  it('with requests in the input: intake first, and nothing of them (no subject) travels further', async () => {
    const outcome = await run({ requests: [{ subjects: [SUBJECT], regulation: 'gdpr', reference: 'T-1' }] });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calledFunctions(outcome.calls).slice(0, 2)).toEqual(['intake', 'claim']);
    expect(payloadOf(outcome.calls, 'intake')).toEqual({ requests: [{ subjects: [SUBJECT], regulation: 'gdpr', reference: 'T-1' }] });
    const afterIntake = outcome.calls.slice(1);
    expect(JSON.stringify(afterIntake)).not.toContain(SUBJECT);
    expect(JSON.stringify(outcome.variables)).not.toContain(SUBJECT);
  });

  it('nothing queued: succeeds after the claim without asking the ELT or running a query', async () => {
    const outcome = await run({}, { empty: true });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.path.at(-1)).toBe('NothingToErase');
    expect(calledFunctions(outcome.calls)).toEqual(['claim']);
  });

  it('find failure: the batch is released with the error, nothing is forgotten or recorded, the execution fails', async () => {
    const outcome = await run({}, { failQueryContaining: 'AS "event_date_day", count(*)' });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('States.TaskFailed');
    expect(outcome.cause).toContain('The batch was released');
    expect(calledFunctions(outcome.calls)).toEqual(['claim', 'elt-guard', 'find-results', 'release']);
    expect(payloadOf(outcome.calls, 'release')).toEqual({ batchId: BATCH, requestIds: REQUESTS, error: 'States.TaskFailed' });
    expect(statements(outcome.calls).some((sql) => /^(DELETE|OPTIMIZE|VACUUM)/.test(sql))).toBe(false);
  });

  it('ELT running: waits 10 minutes between checks and proceeds once it is idle', async () => {
    const outcome = await run({}, { eltBusyChecks: 3 });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.waits).toEqual([600, 600, 600]);
    expect(calledFunctions(outcome.calls).filter((name) => name === 'elt-guard')).toHaveLength(4);
  });

  it('ELT running through all 12 checks: releases the batch and fails without a query', async () => {
    const outcome = await run({}, { eltBusyChecks: 100 });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EltStillRunning');
    expect(outcome.waits).toHaveLength(11);
    expect(statements(outcome.calls)).toEqual([]);
    expect(payloadOf(outcome.calls, 'release')).toMatchObject({ error: 'EltStillRunning' });
  });

  it('verification failure: the record gets the remaining rows, and the execution fails as VerificationFailed', async () => {
    const outcome = await run({}, { remaining: { events_curated: 2 } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('VerificationFailed');
    expect(calledFunctions(outcome.calls).at(-1)).toBe('record');
    expect(payloadOf(outcome.calls, 'record').verify).toEqual([expect.objectContaining({ dataset: 'events', rows: 0 }), expect.objectContaining({ dataset: 'events_curated', rows: 2 })]);
  });

  it('a dataset where nothing was found is not rewritten and is left out of the forget results', async () => {
    const outcome = await run({}, { found: { events: 0 } });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calledFunctions(outcome.calls)).not.toContain('rewrite-objects');
    expect(payloadOf(outcome.calls, 'record').forget.map((entry: { dataset: string }) => entry.dataset)).toEqual(['events_curated']);
  });

  it('a VACUUM that needs more rounds is run again, and a batch that never finishes vacuuming is released', async () => {
    const again = await run({}, { vacuumRounds: 2 });
    expect(again.status).toBe('SUCCEEDED');
    expect(statements(again.calls).filter((sql) => sql.startsWith('VACUUM'))).toHaveLength(3);
    const endless = await run({}, { vacuumRounds: 1000 });
    expect(endless).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(statements(endless.calls).filter((sql) => sql.startsWith('VACUUM'))).toHaveLength(20);
    expect(calledFunctions(endless.calls).at(-1)).toBe('release');
  });

  it('a VACUUM failing for another reason releases the batch at once', async () => {
    const outcome = await run({}, { failQueryContaining: 'VACUUM' });
    expect(outcome.status).toBe('FAILED');
    expect(statements(outcome.calls).filter((sql) => sql.startsWith('VACUUM'))).toHaveLength(1);
    expect(calledFunctions(outcome.calls).at(-1)).toBe('release');
  });

  it('an input whose requests are not a list fails before anything runs', async () => {
    const outcome = await run({ requests: 'user-1' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'InvalidInput', calls: [] });
  });

  it('an empty plan still forgets and verifies vectors', async () => {
    const outcome = await run({}, {}, { ...OPTIONS, plan: [] });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calledFunctions(outcome.calls)).toEqual(['claim', 'elt-guard', 'forget-vectors', 'forget-vectors', 'record']);
  });
});
