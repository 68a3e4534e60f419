/**
 * The daily pipeline's state machine definition, state by state (states, transitions, Choice rules, Retry
 * and Catch, the arguments of each task), and executed by a local JSONata interpreter (asl-runner.ts)
 * through every path: fresh inputs, waiting then fresh, never fresh (fail and warn), failing input checks
 * (fail and warn), failing outputs, a failed step, a backfill that skips the wait, invalid inputs.
 */
import { describe, expect, it } from 'vitest';
import {
  GATE_FAILED_DETAIL_TYPE,
  LAMBDA_TRANSIENT_ERRORS,
  PIPELINE_EVENT_SOURCE,
  pipelineDefinition,
  STEP_FAILED_DETAIL_TYPE,
  type PipelineDefinitionOptions,
} from '../../constructs/orchestration/definition';
import { runDefinition, type TaskAnswer, type TaskCall } from './asl-runner';

const FUNCTION = 'arn:aws:lambda:eu-west-1:111111111111:function:dq';
const ELT = 'arn:aws:states:eu-west-1:111111111111:stateMachine:lakehouse-dev-metrics-elt';
const BUS = 'arn:aws:events:eu-west-1:111111111111:event-bus/default';
const OPTIONS: PipelineDefinitionOptions = {
  pipelineName: 'lakehouse-dev-product-metrics',
  qualityFunctionArn: FUNCTION,
  eltStateMachineArn: ELT,
  eventBusArn: BUS,
  inputs: ['events'],
  outputs: ['daily_active_users', 'monthly_active_users'],
  pollIntervalSeconds: 600,
  maxPolls: 3,
  freshnessPolicy: 'fail',
  inputQualityPolicy: 'fail',
  timeoutSeconds: 21_600,
};
const CONTEXT = { Execution: { Id: 'arn:aws:states:eu-west-1:111111111111:execution:p:exec-1', Name: 'exec-1', StartTime: '2026-11-23T01:30:00.123Z' } };
type States = Record<string, Record<string, any>>;  
const states = (options: PipelineDefinitionOptions = OPTIONS) => pipelineDefinition(options).States as States;

/** Answers: readiness by probe number, check results by action and datasets, ELT success, events accepted. */
function world(options: { readonly readyAt?: number; readonly inputsPass?: boolean; readonly outputsPass?: boolean; readonly eltError?: string } = {}) {
  let probes = 0;
  return (call: TaskCall): TaskAnswer => {
    const args = call.arguments as { Payload?: { action: string; datasets: string[] } };
    if (call.resource === 'arn:aws:states:::lambda:invoke') {
      const payload = args.Payload as { action: string; datasets: string[] };
      if (payload.action === 'readiness') {
        probes += 1;
        return { result: { Payload: { day: '2026-11-22', ready: probes >= (options.readyAt ?? 1), datasets: [] }, StatusCode: 200 } };
      }
      const outputs = payload.datasets.includes('daily_active_users');
      return { result: { Payload: { passed: outputs ? (options.outputsPass ?? true) : (options.inputsPass ?? true), failedChecks: [] }, StatusCode: 200 } };
    }
    if (call.resource.startsWith('arn:aws:states:::states:startExecution')) {
      return options.eltError ? { error: options.eltError, cause: 'the ELT execution failed' } : { result: { Status: 'SUCCEEDED' } };
    }
    if (call.resource === 'arn:aws:states:::events:putEvents') return { result: { FailedEntryCount: 0 } };
    throw new Error(`unexpected task ${call.resource}`);
  };
}

const eventsPut = (calls: readonly TaskCall[]) =>
  calls.filter((call) => call.resource === 'arn:aws:states:::events:putEvents').map((call) => (call.arguments as { Entries: Array<Record<string, unknown>> }).Entries[0]);

describe('the definition, state by state', () => {
  it('uses JSONata, starts by validating the input, and bounds the execution', () => {
    const definition = pipelineDefinition(OPTIONS);
    expect(definition).toMatchObject({ QueryLanguage: 'JSONata', StartAt: 'ValidateInput', TimeoutSeconds: 21_600 });
    expect(Object.keys(definition.States as States)).toEqual([
      'ValidateInput',
      'InvalidInput',
      'ChooseDay',
      'FreshnessGate',
      'ProbeInputFreshness',
      'InputsFresh',
      'WaitForInputs',
      'PublishStaleInputs',
      'StaleInputs',
      'CheckInputQuality',
      'InputQualityGate',
      'PublishInputQualityFailure',
      'InputQualityFailed',
      'RunElt',
      'CheckOutputQuality',
      'OutputQualityGate',
      'PublishOutputQualityFailure',
      'OutputQualityFailed',
      'DayDone',
      'PublishStepFailure',
      'StepFailed',
    ]);
  });

  it('every transition names a state that exists, and every state is reachable', () => {
    const all = states();
    const targets = (state: Record<string, any>): string[] => [  
      ...(state.Next ? [state.Next] : []),
      ...(state.Default ? [state.Default] : []),
      ...((state.Choices ?? []) as Array<{ Next: string }>).map((rule) => rule.Next),
      ...((state.Catch ?? []) as Array<{ Next: string }>).map((entry) => entry.Next),
    ];
    const reached = new Set(['ValidateInput']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of [...reached]) {
        for (const next of targets(all[name])) {
          expect(all[next], `${name} → ${next}`).toBeDefined();
          if (!reached.has(next)) grew = reached.add(next) !== undefined;
        }
      }
    }
    expect([...reached].sort()).toEqual(Object.keys(all).sort());
  });

  it('the quality tasks invoke the function synchronously with the action, the day, the datasets and a run ID per state', () => {
    const all = states();
    expect(all.ProbeInputFreshness).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: { FunctionName: FUNCTION, Payload: { action: 'readiness', day: '{% $day %}', datasets: ['events'] } },
      Output: '{% $states.result.Payload %}',
      Next: 'InputsFresh',
    });
    expect(all.CheckInputQuality.Arguments.Payload).toMatchObject({ action: 'check', datasets: ['events'] });
    expect(all.CheckOutputQuality.Arguments.Payload).toMatchObject({ action: 'check', datasets: ['daily_active_users', 'monthly_active_users'] });
    expect(all.CheckOutputQuality.Next).toBe('OutputQualityGate');
  });

  it('retries Lambda service errors with capped, jittered backoff and a quality run error twice; catches everything to the failure path', () => {
    for (const name of ['ProbeInputFreshness', 'CheckInputQuality', 'CheckOutputQuality']) {
      const state = states()[name];
      expect(state.Retry).toEqual([
        { ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 30, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' },
        { ErrorEquals: ['DataQualityRunError'], IntervalSeconds: 60, MaxAttempts: 2, BackoffRate: 2 },
      ]);
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'PublishStepFailure', Output: '{% $states.errorOutput %}' }]);
    }
    // A refused request (DayRunRequestError) is not among the retried errors: it would fail again.
    expect(JSON.stringify(states().CheckInputQuality.Retry)).not.toContain('DayRunRequestError');
  });

  it('runs the ELT with startExecution.sync:2 for the day, linked to this execution, and never retries a failed ELT', () => {
    const runElt = states().RunElt;
    expect(runElt).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Arguments: { StateMachineArn: ELT, Input: { day: '{% $day %}', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: '{% $states.context.Execution.Id %}' } },
      Next: 'CheckOutputQuality',
    });
    expect(runElt.Retry.flatMap((retry: { ErrorEquals: string[] }) => retry.ErrorEquals)).not.toContain('States.TaskFailed');
    expect(runElt.Catch[0].Next).toBe('PublishStepFailure');
  });

  it('the gates: freshness loops through a Wait that counts probes; the quality gates read `passed`', () => {
    const all = states();
    expect(all.InputsFresh.Choices).toEqual([
      { Condition: '{% $states.input.ready = true %}', Next: 'CheckInputQuality' },
      { Condition: '{% $polls >= 3 %}', Next: 'PublishStaleInputs' },
    ]);
    expect(all.InputsFresh.Default).toBe('WaitForInputs');
    expect(all.WaitForInputs).toEqual({ Type: 'Wait', Seconds: 600, Assign: { polls: '{% $polls + 1 %}' }, Next: 'ProbeInputFreshness' });
    expect(all.InputQualityGate).toEqual({ Type: 'Choice', Choices: [{ Condition: '{% $states.input.passed = true %}', Next: 'RunElt' }], Default: 'PublishInputQualityFailure' });
    expect(all.OutputQualityGate.Default).toBe('PublishOutputQualityFailure');
  });

  it('policies decide where a gate failure goes: fail to its Fail state, warn onwards', () => {
    expect(states().PublishStaleInputs.Next).toBe('StaleInputs');
    expect(states().PublishInputQualityFailure.Next).toBe('InputQualityFailed');
    const warn = states({ ...OPTIONS, freshnessPolicy: 'warn', inputQualityPolicy: 'warn' });
    expect(warn.PublishStaleInputs.Next).toBe('CheckInputQuality');
    expect(warn.PublishInputQualityFailure.Next).toBe('RunElt');
    // Outputs already written cannot be un-run: their gate always fails the day.
    expect(warn.PublishOutputQualityFailure.Next).toBe('OutputQualityFailed');
  });

  it('gate and step events go to the bus with the pipeline, day, execution and what failed', () => {
    const entry = states().PublishInputQualityFailure.Arguments.Entries[0];
    expect(entry).toEqual({
      EventBusName: BUS,
      Source: PIPELINE_EVENT_SOURCE,
      DetailType: GATE_FAILED_DETAIL_TYPE,
      Detail: { pipeline: 'lakehouse-dev-product-metrics', day: '{% $day %}', execution: '{% $states.context.Execution.Id %}', gate: 'input_quality', policy: 'fail' },
    });
    expect(states().PublishStepFailure.Arguments.Entries[0]).toMatchObject({ DetailType: STEP_FAILED_DETAIL_TYPE, Detail: { error: '{% $states.input.Error %}', cause: '{% $states.input.Cause %}' } });
    expect(states().StepFailed).toEqual({ Type: 'Fail', Error: '{% $states.input.Error %}', Cause: '{% $states.input.Cause %}' });
  });
});

describe('executions (local JSONata interpreter)', () => {
  it('a scheduled run ({}): the previous UTC day, ready at once, inputs pass, ELT, outputs pass', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), {}, world(), CONTEXT);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.variables.day).toBe('2026-11-22');
    expect(run.path).toEqual(['ValidateInput', 'ChooseDay', 'FreshnessGate', 'ProbeInputFreshness', 'InputsFresh', 'CheckInputQuality', 'InputQualityGate', 'RunElt', 'CheckOutputQuality', 'OutputQualityGate', 'DayDone']);
    expect(run.calls.map((call) => call.arguments)).toEqual([
      { FunctionName: FUNCTION, Payload: { action: 'readiness', day: '2026-11-22', datasets: ['events'], id: 'exec-1-readiness-1' } },
      { FunctionName: FUNCTION, Payload: { action: 'check', day: '2026-11-22', datasets: ['events'], id: 'exec-1-inputs' } },
      { StateMachineArn: ELT, Input: { day: '2026-11-22', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: CONTEXT.Execution.Id } },
      { FunctionName: FUNCTION, Payload: { action: 'check', day: '2026-11-22', datasets: ['daily_active_users', 'monthly_active_users'], id: 'exec-1-outputs' } },
    ]);
  });

  it('the previous day of a run started just after midnight on the first of a year is the last day of the year before', async () => {
    const context = { Execution: { ...CONTEXT.Execution, StartTime: '2027-01-01T00:00:00.000Z' } };
    const run = await runDefinition(pipelineDefinition(OPTIONS), {}, world(), context);
    expect(run.variables.day).toBe('2026-12-31');
  });

  it('inputs not ready at first: waits between probes, each probe with its own run ID, then goes on', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-11-20' }, world({ readyAt: 3 }), CONTEXT);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.waits).toEqual([600, 600]);
    expect(run.calls.filter((call) => (call.arguments as { Payload?: { action: string } }).Payload?.action === 'readiness').map((call) => (call.arguments as { Payload: { id: string } }).Payload.id)).toEqual([
      'exec-1-readiness-1',
      'exec-1-readiness-2',
      'exec-1-readiness-3',
    ]);
  });

  it('inputs never ready: after maxPolls probes the freshness gate publishes and fails the day (policy fail)', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-11-20' }, world({ readyAt: 99 }), CONTEXT);
    expect(run).toMatchObject({ status: 'FAILED', error: 'StaleInputs' });
    expect(run.waits).toEqual([600, 600]);
    expect(eventsPut(run.calls)).toEqual([expect.objectContaining({ Detail: expect.objectContaining({ gate: 'freshness', policy: 'fail', day: '2026-11-20' }) })]);
    expect(run.calls.some((call) => call.resource.includes('startExecution'))).toBe(false);
  });

  it('inputs never ready with policy warn: the event is published and the day goes on', async () => {
    const run = await runDefinition(pipelineDefinition({ ...OPTIONS, freshnessPolicy: 'warn' }), { day: '2026-11-20' }, world({ readyAt: 99 }), CONTEXT);
    expect(run.status).toBe('SUCCEEDED');
    expect(eventsPut(run.calls).map((entry) => (entry.Detail as { gate: string }).gate)).toEqual(['freshness']);
    expect(run.path).toContain('RunElt');
  });

  it('failing input checks stop the day before the ELT (fail), or publish and run it (warn)', async () => {
    const failed = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-11-20' }, world({ inputsPass: false }), CONTEXT);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'InputQualityFailed' });
    expect(failed.path).not.toContain('RunElt');
    const warned = await runDefinition(pipelineDefinition({ ...OPTIONS, inputQualityPolicy: 'warn' }), { day: '2026-11-20' }, world({ inputsPass: false }), CONTEXT);
    expect(warned.status).toBe('SUCCEEDED');
    expect(warned.path.slice(-6)).toEqual(['InputQualityGate', 'PublishInputQualityFailure', 'RunElt', 'CheckOutputQuality', 'OutputQualityGate', 'DayDone']);
    expect(eventsPut(warned.calls).map((entry) => (entry.Detail as { policy: string }).policy)).toEqual(['warn']);
  });

  it('failing output checks fail the day after publishing the gate event', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-11-20' }, world({ outputsPass: false }), CONTEXT);
    expect(run).toMatchObject({ status: 'FAILED', error: 'OutputQualityFailed' });
    expect(eventsPut(run.calls).map((entry) => (entry.Detail as { gate: string }).gate)).toEqual(['output_quality']);
  });

  it('a failed step (the ELT) is caught, published with its error, and fails the execution with that error', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-11-20' }, world({ eltError: 'States.TaskFailed' }), CONTEXT);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed', cause: 'the ELT execution failed' });
    expect(run.path.slice(-3)).toEqual(['RunElt', 'PublishStepFailure', 'StepFailed']);
    expect(eventsPut(run.calls)).toEqual([
      expect.objectContaining({ DetailType: STEP_FAILED_DETAIL_TYPE, Detail: expect.objectContaining({ error: 'States.TaskFailed', cause: 'the ELT execution failed', day: '2026-11-20' }) }),
    ]);
  });

  it('a backfill of an old day skips the freshness wait', async () => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), { day: '2026-01-05', skipFreshnessWait: true }, world({ readyAt: 99 }), CONTEXT);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(0, 4)).toEqual(['ValidateInput', 'ChooseDay', 'FreshnessGate', 'CheckInputQuality']);
  });

  it.each([[{ day: '2026/01/05' }], [{ day: "2026-01-05' OR 1=1" }], [{ day: 20260105 }], [{ day: '2026-01-05', skipFreshnessWait: 'yes' }]])('refuses %j before any task', async (input) => {
    const run = await runDefinition(pipelineDefinition(OPTIONS), input, world(), CONTEXT);
    expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidInput', path: ['ValidateInput', 'InvalidInput'] });
    expect(run.calls).toEqual([]);
  });
});
