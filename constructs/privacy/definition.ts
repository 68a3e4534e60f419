/**
 * The erasure workflow's Amazon States Language definition (`ErasureWorkflow`), as a plain object in the
 * JSONata query language. Pure: no CDK, so tests assert it state by state and run its paths through a
 * local interpreter; the construct passes ARNs (tokens are fine) and serialises it.
 *
 *   ValidateInput → Start → HasRequests ─(requests)→ Intake ─┐
 *                               └──────────────────────────→ Claim → NothingClaimed ─(empty)→ NothingToErase
 *   CheckElt → EltIdle ─(running, polls left)→ WaitForElt → CheckElt
 *      │          └─(running, polls exhausted)→ EltStillRunning → Release → Released (fail)
 *      └─(idle)→ Find<D> → FindResults<D> → … (each dataset of the plan, in plan order)
 *   → Forget<D> (Iceberg: Delete<D> → Optimize<D> → Vacuum<D>; Parquet: Rewrite<D>; nothing found: skipped)
 *   → ForgetVectors → Verify<D> → VerifyResults<D> → … → VerifyVectors → Record → RecordOutcome
 *   any failure of a task from CheckElt to VerifyVectors (after its retries) → Release → Released (fail):
 *   the requests go back to the queue and nothing is recorded as done (deleting again is harmless).
 *
 * The plan is known at synth, so each dataset gets its own states (no Map): its SQL is inlined with the
 * batch ID substituted at run time. Subject IDs never appear after Intake: Claim writes them to the
 * batch's subjects file and returns counts, and every query reads them from the `erasure_subjects` table.
 */
import type { ErasureTarget } from './target';

/** A batch ID stand-in that the plan's validation accepts; replaced by the execution's batch ID at run time. */
export const BATCH_ID_PLACEHOLDER = 'BATCHIDPLACEHOLDER0000';

/** JSONata: the batch ID, from the execution name (unique per state machine), made safe for SQL and S3 keys. */
export const BATCH_ID_EXPRESSION = "$substring($replace($states.context.Execution.Name, /[^A-Za-z0-9_-]/, '_'), 0, 80)";

/** Errors of the Lambda service (not of the function) that a synchronous invoke retries. */
export const LAMBDA_TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/** Athena errors a query step retries: throttling and transient service errors. */
export const ATHENA_TRANSIENT_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException'];

/** The error text of a VACUUM that removed its per-round maximum and has more to remove. */
export const VACUUM_MORE_RUNS = 'ICEBERG_VACUUM_MORE_RUNS_NEEDED';
/** VACUUM rounds per batch (all Iceberg tables together) before the batch is released. */
export const MAX_VACUUM_RUNS = 20;

/**
 * How long the workflow waits for the ELT, a statement and the whole batch, as the privacy construct deploys
 * it (the end-to-end test builds the definition with the same values).
 */
export const ERASURE_WORKFLOW_TIMING = { eltPollSeconds: 600, eltMaxPolls: 12, queryTimeoutSeconds: 3600, timeoutSeconds: 12 * 3600 } as const;

/** Names of the states of one dataset. */
export function datasetStates(dataset: string) {
  const id = dataset
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
  return {
    find: `Find${id}`,
    findResults: `FindResults${id}`,
    forget: `Forget${id}`,
    delete: `Delete${id}`,
    optimize: `Optimize${id}`,
    vacuum: `Vacuum${id}`,
    vacuumAgain: `VacuumAgain${id}`,
    vacuumCount: `VacuumRound${id}`,
    rewrite: `Rewrite${id}`,
    verify: `Verify${id}`,
    verifyResults: `VerifyResults${id}`,
    /** Variables (letters, digits, underscores). */
    foundVariable: `found_${dataset.replace(/[^A-Za-z0-9_]/g, '_')}`,
    forgottenVariable: `forgotten_${dataset.replace(/[^A-Za-z0-9_]/g, '_')}`,
    verifiedVariable: `verified_${dataset.replace(/[^A-Za-z0-9_]/g, '_')}`,
  };
}

/** The functions the workflow invokes (ARNs). */
export interface ErasureFunctions {
  readonly intake: string;
  readonly claim: string;
  readonly release: string;
  readonly eltGuard: string;
  readonly findResults: string;
  readonly rewriteObjects: string;
  readonly forgetVectors: string;
  readonly record: string;
}

export interface ErasureDefinitionOptions {
  /** The plan (`erasurePlan`), one target per dataset with subject keys, in the order the datasets are processed. */
  readonly plan: readonly ErasureTarget[];
  readonly functions: ErasureFunctions;
  /** The Athena workgroup every query runs in (its enforced settings give the result location and key). */
  readonly workgroup: string;
  /** Requests claimed per batch. */
  readonly batchSize: number;
  /** State machines whose running executions hold the erasure back (the ELT and its pipeline). */
  readonly eltStateMachineArns: readonly string[];
  /** Seconds between two checks of the ELT. */
  readonly eltPollSeconds: number;
  /** Checks of the ELT before the batch is released and the execution fails. */
  readonly eltMaxPolls: number;
  /** Seconds one Athena statement may run. */
  readonly queryTimeoutSeconds: number;
  /** The whole execution's limit. */
  readonly timeoutSeconds: number;
}

type State = Record<string, unknown>;

/** A JSONata string literal of `text` (JSON's escaping is JSONata's). */
const literal = (text: string): string => JSON.stringify(text);

/** JSONata: `sql` with the batch ID put in place of the placeholder. */
export function sqlWithBatch(sql: string): string {
  return `{% $replace(${literal(sql)}, ${literal(BATCH_ID_PLACEHOLDER)}, $batchId) %}`;
}

/** Refuses plan SQL the workflow cannot run safely: a statement that ignores the batch would touch other people. */
function checkPlan(plan: readonly ErasureTarget[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of plan) {
    if (seen.has(entry.dataset)) problems.push(`${entry.dataset}: listed twice`);
    seen.add(entry.dataset);
    const statements: Array<[string, string]> = [
      ['findSql', entry.findSql(BATCH_ID_PLACEHOLDER)],
      ['verifySql', entry.verifySql(BATCH_ID_PLACEHOLDER)],
      ...(entry.kind === 'iceberg' ? ([['deleteSql', entry.deleteSql(BATCH_ID_PLACEHOLDER)]] as Array<[string, string]>) : []),
    ];
    for (const [name, sql] of statements) {
      if (!sql.includes(BATCH_ID_PLACEHOLDER)) problems.push(`${entry.dataset}: ${name} does not select the batch's subjects (no batch ID in it)`);
      if (sql.includes('%}')) problems.push(`${entry.dataset}: ${name} contains "%}", which ends a JSONata expression`);
    }
    if (entry.kind === 'iceberg' && entry.vacuumSql.includes('%}')) problems.push(`${entry.dataset}: vacuumSql contains "%}"`);
  }
  if (problems.length > 0) throw new Error(`the erasure plan cannot be run: ${problems.join('; ')}`);
}

/** The state machine definition (see the file comment). */
export function erasureDefinition(options: ErasureDefinitionOptions): Record<string, unknown> {
  checkPlan(options.plan);
  const fn = options.functions;
  const toRelease = [{ ErrorEquals: ['States.ALL'], Next: 'Release', Output: '{% $states.errorOutput %}' }];
  const invoke = (functionArn: string, payload: Record<string, unknown>, next: string, extra: State = {}): State => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Arguments: { FunctionName: functionArn, Payload: payload },
    Output: '{% $states.result.Payload %}',
    TimeoutSeconds: 900,
    Retry: [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 10, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' }],
    Next: next,
    ...extra,
  });
  const query = (queryString: string, next: string, extra: State = {}): State => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::athena:startQueryExecution.sync',
    Arguments: { QueryString: queryString, WorkGroup: options.workgroup },
    Output: '{% { "queryExecutionId": $states.result.QueryExecution.QueryExecutionId } %}',
    TimeoutSeconds: options.queryTimeoutSeconds,
    Retry: [{ ErrorEquals: ATHENA_TRANSIENT_ERRORS, IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' }],
    Catch: toRelease,
    Next: next,
    ...extra,
  });

  const plan = options.plan;
  const names = plan.map((entry) => datasetStates(entry.dataset));
  const afterFind = plan.length > 0 ? names[0].forget : 'ForgetVectors';
  const states: Record<string, State> = {
    ValidateInput: {
      Type: 'Choice',
      Comment: 'The schedule starts {}; an operator may start {"requests": [...]} to enqueue and process at once.',
      Choices: [{ Condition: "{% $exists($states.input.requests) and $type($states.input.requests) != 'array' %}", Next: 'InvalidInput' }],
      Default: 'Start',
    },
    InvalidInput: { Type: 'Fail', Error: 'InvalidInput', Cause: 'The input is {} (process the queue) or {"requests": [{"subjects": [...], "regulation": "gdpr"|"ccpa", "reference": "..."}]}.' },
    Start: {
      Type: 'Pass',
      Assign: {
        batchId: `{% ${BATCH_ID_EXPRESSION} %}`,
        startedAt: '{% $states.context.Execution.StartTime %}',
        eltPolls: 1,
        vacuumRuns: 1,
        requestIds: '{% [] %}',
        // A dataset with nothing found skips its forget states: its result stays null (left out of the record).
        ...Object.fromEntries(names.map((n) => [n.forgottenVariable, null])),
      },
      Next: 'HasRequests',
    },
    HasRequests: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $exists($states.input.requests) %}', Next: 'Intake' }],
      Default: 'Claim',
    },
    // Intake's output (request IDs and deadlines) is dropped: the execution carries no request details.
    Intake: invoke(fn.intake, { requests: '{% $states.input.requests %}' }, 'Claim', { Output: '{% {} %}' }),
    Claim: invoke(fn.claim, { batchId: '{% $batchId %}', maxRequests: options.batchSize }, 'NothingClaimed', {
      Assign: { requestIds: '{% $states.result.Payload.requestIds %}' },
    }),
    NothingClaimed: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $states.input.empty = true %}', Next: 'NothingToErase' }],
      Default: 'CheckElt',
    },
    NothingToErase: { Type: 'Succeed' },
    CheckElt: invoke(fn.eltGuard, { stateMachineArns: [...options.eltStateMachineArns] }, 'EltIdle', { Catch: toRelease }),
    EltIdle: {
      Type: 'Choice',
      Comment: 'The ELT commits to the same Iceberg tables: never DELETE or OPTIMIZE beside it.',
      Choices: [
        { Condition: '{% $states.input.eltRunning = false %}', Next: plan.length > 0 ? names[0].find : afterFind },
        { Condition: `{% $eltPolls >= ${options.eltMaxPolls} %}`, Next: 'EltStillRunning' },
      ],
      Default: 'WaitForElt',
    },
    WaitForElt: { Type: 'Wait', Seconds: options.eltPollSeconds, Assign: { eltPolls: '{% $eltPolls + 1 %}' }, Next: 'CheckElt' },
    EltStillRunning: {
      Type: 'Pass',
      Output: { Error: 'EltStillRunning', Cause: `The ELT was still running after ${options.eltMaxPolls} checks; the batch goes back to the queue.` },
      Next: 'Release',
    },
  };

  plan.forEach((entry, index) => {
    const n = names[index];
    const nextFind = index + 1 < plan.length ? names[index + 1].find : afterFind;
    states[n.find] = query(sqlWithBatch(entry.findSql(BATCH_ID_PLACEHOLDER)), n.findResults);
    // An Iceberg target's plan entry goes along: find-results renders OPTIMIZE for the partitions it found
    // (a range of the source column; the partition field is no column Athena could filter on).
    states[n.findResults] = invoke(
      fn.findResults,
      { batchId: '{% $batchId %}', dataset: entry.dataset, queryExecutionId: '{% $states.input.queryExecutionId %}', mode: 'find', ...(entry.kind === 'iceberg' ? { target: entry.spec } : {}) },
      nextFind,
      { Assign: { [n.foundVariable]: '{% $states.result.Payload %}' }, Catch: toRelease },
    );
  });

  plan.forEach((entry, index) => {
    const n = names[index];
    const next = index + 1 < plan.length ? names[index + 1].forget : 'ForgetVectors';
    const work = entry.kind === 'iceberg' ? n.delete : n.rewrite;
    states[n.forget] = {
      Type: 'Choice',
      Comment: `Nothing of the batch in ${entry.dataset}: nothing to rewrite.`,
      Choices: [{ Condition: `{% $${n.foundVariable}.rows > 0 %}`, Next: work }],
      Default: next,
    };
    if (entry.kind === 'iceberg') {
      // DELETE writes delete files; OPTIMIZE rewrites the data files without the rows; VACUUM expires the
      // snapshots that still reference the old files and removes them (it needs s3:DeleteObject).
      // The ledger keeps each statement's query execution ID (Athena's history has the statement, no subject),
      // as the `queryExecutionIds` list record reads (ForgetSummary): DELETE, OPTIMIZE, VACUUM (its round that finished).
      const id = '$states.result.QueryExecution.QueryExecutionId';
      const forgotten = `$${n.forgottenVariable}`;
      const addQueryId = { Assign: { [n.forgottenVariable]: `{% $merge([${forgotten}, { "queryExecutionIds": $append(${forgotten}.queryExecutionIds, [${id}]) }]) %}` } };
      states[n.delete] = query(sqlWithBatch(entry.deleteSql(BATCH_ID_PLACEHOLDER)), n.optimize, {
        Assign: { [n.forgottenVariable]: `{% { "dataset": ${literal(entry.dataset)}, "kind": "iceberg", "queryExecutionIds": [${id}] } %}` },
      });
      // find-results rendered it from the partitions found (null only when nothing was found, and then this
      // dataset's forget states are skipped).
      states[n.optimize] = query(`{% $${n.foundVariable}.optimizeSql %}`, n.vacuum, addQueryId);
      // A VACUUM with much to remove stops after a round (ICEBERG_VACUUM_MORE_RUNS_NEEDED): run it again, bounded.
      states[n.vacuum] = query(entry.vacuumSql, next, {
        ...addQueryId,
        Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: n.vacuumAgain, Output: '{% $states.errorOutput %}' }, ...toRelease],
      });
      states[n.vacuumAgain] = {
        Type: 'Choice',
        Choices: [{ Condition: `{% $contains($string($states.input.Cause), '${VACUUM_MORE_RUNS}') and $vacuumRuns < ${MAX_VACUUM_RUNS} %}`, Next: n.vacuumCount }],
        Default: 'Release',
      };
      states[n.vacuumCount] = { Type: 'Pass', Assign: { vacuumRuns: '{% $vacuumRuns + 1 %}' }, Next: n.vacuum };
    } else {
      states[n.rewrite] = invoke(
        fn.rewriteObjects,
        {
          batchId: '{% $batchId %}',
          dataset: entry.dataset,
          bucket: entry.bucket,
          keyColumns: [...entry.keyColumns],
          manifestKey: `{% $${n.foundVariable}.manifestKey %}`,
        },
        next,
        { Assign: { [n.forgottenVariable]: '{% $states.result.Payload %}' }, Catch: toRelease },
      );
    }
  });

  const firstVerify = plan.length > 0 ? names[0].verify : 'VerifyVectors';
  states.ForgetVectors = invoke(fn.forgetVectors, { batchId: '{% $batchId %}', mode: 'forget' }, firstVerify, {
    Assign: { vectors: '{% $states.result.Payload %}' },
    Catch: toRelease,
  });
  plan.forEach((entry, index) => {
    const n = names[index];
    const next = index + 1 < plan.length ? names[index + 1].verify : 'VerifyVectors';
    states[n.verify] = query(sqlWithBatch(entry.verifySql(BATCH_ID_PLACEHOLDER)), n.verifyResults);
    states[n.verifyResults] = invoke(
      fn.findResults,
      { batchId: '{% $batchId %}', dataset: entry.dataset, queryExecutionId: '{% $states.input.queryExecutionId %}', mode: 'verify' },
      next,
      { Assign: { [n.verifiedVariable]: '{% $states.result.Payload %}' }, Catch: toRelease },
    );
  });
  states.VerifyVectors = invoke(fn.forgetVectors, { batchId: '{% $batchId %}', mode: 'verify' }, 'Record', {
    Assign: { vectorsRemaining: '{% $states.result.Payload %}' },
    Catch: toRelease,
  });
  const list = (variable: (n: ReturnType<typeof datasetStates>) => string) => `{% [${names.map((n) => `$${variable(n)}`).join(', ')}] %}`;
  states.Record = invoke(
    fn.record,
    {
      batchId: '{% $batchId %}',
      requestIds: '{% $requestIds %}',
      startedAt: '{% $startedAt %}',
      find: list((n) => n.foundVariable),
      forget: `{% $append([], $filter([${names.map((n) => `$${n.forgottenVariable}`).join(', ')}], function($v) { $v != null })) %}`,
      vectors: '{% $vectors %}',
      verify: list((n) => n.verifiedVariable),
      vectorsRemaining: '{% $vectorsRemaining %}',
    },
    'RecordOutcome',
    // The forget phase ran: releasing now would queue requests whose data is gone; the requests stay
    // `running` and the deadline alarms see them (docs/runbooks/erasure.md, "Record failed").
    { Retry: [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 10, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'], IntervalSeconds: 60, MaxAttempts: 3, BackoffRate: 2 }] },
  );
  states.RecordOutcome = {
    Type: 'Choice',
    Choices: [{ Condition: '{% $states.input.failed > 0 %}', Next: 'VerificationFailed' }],
    Default: 'Erased',
  };
  states.VerificationFailed = {
    Type: 'Fail',
    Error: 'VerificationFailed',
    Cause: '{% $string($states.input.failed) & " request(s) still had data after the forget phase; they stay open as verification-failed (docs/runbooks/erasure.md)." %}',
  };
  states.Erased = { Type: 'Succeed' };
  states.Release = invoke(
    fn.release,
    { batchId: '{% $batchId %}', requestIds: '{% $requestIds %}', error: '{% $states.input.Error %}' },
    'Released',
    { Output: '{% $states.input %}' },
  );
  states.Released = {
    Type: 'Fail',
    Error: '{% $states.input.Error %}',
    Cause: '{% "The batch was released (its requests are queued again, nothing was recorded as erased): " & $states.input.Cause %}',
  };

  return {
    Comment: 'Erasure workflow: claim queued requests, find the subjects in every dataset, forget, verify, record',
    QueryLanguage: 'JSONata',
    TimeoutSeconds: options.timeoutSeconds,
    StartAt: 'ValidateInput',
    States: states,
  };
}
