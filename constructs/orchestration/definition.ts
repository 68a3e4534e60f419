/**
 * The daily pipeline's Amazon States Language definition, as a plain object (JSONata query language).
 * Pure: no CDK, so tests assert it state by state and evaluate its JSONata expressions locally; the
 * construct passes ARNs (tokens are fine) and serialises it.
 *
 * One day of one flow, each step a named state so that later steps (lineage recording, new jobs) slot in
 * between two names:
 *
 *   ValidateInput → ChooseDay → FreshnessGate ─(skipFreshnessWait)────────────────┐
 *                                    └→ ProbeInputFreshness → InputsFresh ─ready─→ CheckInputQuality
 *                                         ↑   (not ready, polls left) ↓              │
 *                                         └────── WaitForInputs ←─────┘              ↓
 *                         (polls exhausted) → PublishStaleInputs → StaleInputs | CheckInputQuality (warn)
 *   CheckInputQuality → InputQualityGate ─passed─→ RunElt → CheckOutputQuality → OutputQualityGate ─passed─→ DayDone
 *                           └→ PublishInputQualityFailure → InputQualityFailed | RunElt (warn)
 *                                                             OutputQualityGate └→ PublishOutputQualityFailure → OutputQualityFailed
 *   any task's error (after its retries) → PublishStepFailure → StepFailed
 *
 * Gate failures and step failures are published as EventBridge events on the default bus
 * (`source` PIPELINE_EVENT_SOURCE): the monitoring construct alarms on the rules that match them, and a
 * `warn` gate, which lets the execution succeed, is still seen.
 */

/** What a gate does when its data fails: stop the day (`fail`) or go on and raise the alarm (`warn`). */
export type GatePolicy = 'fail' | 'warn';
export const GATE_POLICIES: readonly GatePolicy[] = ['fail', 'warn'];

/** The gates, as named in events and alarms. */
export const GATES = ['freshness', 'input_quality', 'output_quality'] as const;
export type Gate = (typeof GATES)[number];

/** EventBridge `source` and detail types of the pipeline's own events. */
export const PIPELINE_EVENT_SOURCE = 'lakehouse.pipeline';
export const GATE_FAILED_DETAIL_TYPE = 'Pipeline Gate Failed';
export const STEP_FAILED_DETAIL_TYPE = 'Pipeline Step Failed';

/** JSONata: an input `day` that is a string shaped yyyy-mm-dd (the data-quality function checks the calendar). */
export const INPUT_DAY_IS_VALID = "$type($states.input.day) = 'string' and $contains($states.input.day, /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/)";
/** JSONata: the previous UTC day of the execution's start, yyyy-mm-dd (scheduled runs give no day). */
export const PREVIOUS_DAY = "$fromMillis($toMillis($states.context.Execution.StartTime) - 86400000, '[Y0001]-[M01]-[D01]')";

/** Errors of the Lambda service (not of the function) that a synchronous invoke retries. */
export const LAMBDA_TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/** The data-quality function could not finish (a query failed, a table could not be read): retried, then failed. */
export const QUALITY_RUN_ERROR = 'DataQualityRunError';
/**
 * Errors of starting the nested ELT execution that a retry can fix: the API's `ExecutionLimitExceeded`
 * (too many running executions) and throttling. Both spellings of the first are listed because the name
 * the integration reports could not be observed offline; a name that never occurs costs nothing.
 */
export const START_EXECUTION_TRANSIENT_ERRORS = ['StepFunctions.ExecutionLimitExceeded', 'StepFunctions.ExecutionLimitExceededException', 'StepFunctions.ThrottlingException'];
/** Errors of PutEvents that a retry can fix. */
export const PUT_EVENTS_TRANSIENT_ERRORS = ['EventBridge.InternalException', 'EventBridge.ThrottlingException'];

export interface PipelineDefinitionOptions {
  /** Name carried in events (and alarms): `<project>-<env>-<flow>`. */
  readonly pipelineName: string;
  /** ARN of the data-quality function (targeted runs, constructs/data-quality/day-run.ts). */
  readonly qualityFunctionArn: string;
  /** ARN of the ELT state machine; its input is `{ "day": "yyyy-mm-dd" }`. */
  readonly eltStateMachineArn: string;
  /** ARN of the event bus gate and step failures go to. */
  readonly eventBusArn: string;
  /** Datasets (table names) read by the ELT: their readiness and checks gate it. */
  readonly inputs: readonly string[];
  /** Datasets (table names) written by the ELT: checked after it. */
  readonly outputs: readonly string[];
  readonly pollIntervalSeconds: number;
  /** Readiness probes before the freshness gate fails (the first probe is immediate). */
  readonly maxPolls: number;
  readonly freshnessPolicy: GatePolicy;
  readonly inputQualityPolicy: GatePolicy;
  /** The whole execution's limit. */
  readonly timeoutSeconds: number;
}

type State = Record<string, unknown>;

/** The state machine definition (see the file comment). */
export function pipelineDefinition(options: PipelineDefinitionOptions): Record<string, unknown> {
  const catchToFailure = [{ ErrorEquals: ['States.ALL'], Next: 'PublishStepFailure', Output: '{% $states.errorOutput %}' }];
  const qualityRun = (action: 'readiness' | 'check', datasets: readonly string[], idSuffix: string, next: string): State => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Arguments: {
      FunctionName: options.qualityFunctionArn,
      Payload: {
        action,
        day: '{% $day %}',
        datasets: [...datasets],
        // The run ID makes the function's Athena requests idempotent across retries of this state.
        id: `{% $states.context.Execution.Name & '-${idSuffix}' %}`,
      },
    },
    Output: '{% $states.result.Payload %}',
    Retry: [
      { ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 30, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' },
      { ErrorEquals: [QUALITY_RUN_ERROR], IntervalSeconds: 60, MaxAttempts: 2, BackoffRate: 2 },
    ],
    Catch: catchToFailure,
    Next: next,
  });
  const publish = (detailType: string, detail: Record<string, string>, next: string): State => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::events:putEvents',
    Arguments: {
      Entries: [
        {
          EventBusName: options.eventBusArn,
          Source: PIPELINE_EVENT_SOURCE,
          DetailType: detailType,
          Detail: { pipeline: options.pipelineName, day: '{% $day %}', execution: '{% $states.context.Execution.Id %}', ...detail },
        },
      ],
    },
    Output: '{% $states.input %}',
    Retry: [{ ErrorEquals: PUT_EVENTS_TRANSIENT_ERRORS, IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2 }],
    Next: next,
  });
  const gateFailed = (gate: Gate, policy: GatePolicy, failState: string, next: string) =>
    publish(GATE_FAILED_DETAIL_TYPE, { gate, policy }, policy === 'warn' ? next : failState);

  const states: Record<string, State> = {
    ValidateInput: {
      Type: 'Choice',
      Comment: 'The day is spliced into SQL downstream: anything but yyyy-mm-dd is refused before any work.',
      Choices: [
        { Condition: `{% $exists($states.input.day) and $not(${INPUT_DAY_IS_VALID}) %}`, Next: 'InvalidInput' },
        { Condition: "{% $exists($states.input.skipFreshnessWait) and $type($states.input.skipFreshnessWait) != 'boolean' %}", Next: 'InvalidInput' },
      ],
      Default: 'ChooseDay',
    },
    InvalidInput: {
      Type: 'Fail',
      Error: 'InvalidInput',
      Cause: 'The input is {} (the previous UTC day) or {"day": "yyyy-mm-dd", "skipFreshnessWait": true|false}.',
    },
    ChooseDay: {
      Type: 'Pass',
      Comment: 'Without a day (the schedule), the previous UTC day of the execution start.',
      Assign: {
        day: `{% $exists($states.input.day) ? $states.input.day : ${PREVIOUS_DAY} %}`,
        skipFreshnessWait: '{% $exists($states.input.skipFreshnessWait) ? $states.input.skipFreshnessWait : false %}',
        polls: 1,
      },
      Next: 'FreshnessGate',
    },
    FreshnessGate: {
      Type: 'Choice',
      Comment: 'Backfills of old days skip the wait: their input stopped changing long ago.',
      Choices: [{ Condition: '{% $skipFreshnessWait %}', Next: 'CheckInputQuality' }],
      Default: 'ProbeInputFreshness',
    },
    ProbeInputFreshness: qualityRun('readiness', options.inputs, "readiness-' & $string($polls) & '", 'InputsFresh'),
    InputsFresh: {
      Type: 'Choice',
      Choices: [
        { Condition: '{% $states.input.ready = true %}', Next: 'CheckInputQuality' },
        { Condition: `{% $polls >= ${options.maxPolls} %}`, Next: 'PublishStaleInputs' },
      ],
      Default: 'WaitForInputs',
    },
    WaitForInputs: {
      Type: 'Wait',
      Seconds: options.pollIntervalSeconds,
      Assign: { polls: '{% $polls + 1 %}' },
      Next: 'ProbeInputFreshness',
    },
    PublishStaleInputs: gateFailed('freshness', options.freshnessPolicy, 'StaleInputs', 'CheckInputQuality'),
    StaleInputs: {
      Type: 'Fail',
      Error: 'StaleInputs',
      Cause: `The inputs (${options.inputs.join(', ')}) were not complete for the day after ${options.maxPolls} readiness probes.`,
    },
    CheckInputQuality: qualityRun('check', options.inputs, 'inputs', 'InputQualityGate'),
    InputQualityGate: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $states.input.passed = true %}', Next: 'RunElt' }],
      Default: 'PublishInputQualityFailure',
    },
    PublishInputQualityFailure: gateFailed('input_quality', options.inputQualityPolicy, 'InputQualityFailed', 'RunElt'),
    InputQualityFailed: {
      Type: 'Fail',
      Error: 'InputQualityFailed',
      Cause: `Data-quality checks of the inputs (${options.inputs.join(', ')}) failed for the day; the ELT did not run.`,
    },
    RunElt: {
      Type: 'Task',
      Comment: 'The ELT state machine, run for the day and waited for (it replaces the day in every target).',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Arguments: {
        StateMachineArn: options.eltStateMachineArn,
        Input: { day: '{% $day %}', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: '{% $states.context.Execution.Id %}' },
      },
      Output: '{% $states.input %}',
      Retry: [{ ErrorEquals: START_EXECUTION_TRANSIENT_ERRORS, IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' }],
      Catch: catchToFailure,
      Next: 'CheckOutputQuality',
    },
    CheckOutputQuality: qualityRun('check', options.outputs, 'outputs', 'OutputQualityGate'),
    OutputQualityGate: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $states.input.passed = true %}', Next: 'DayDone' }],
      Default: 'PublishOutputQualityFailure',
    },
    PublishOutputQualityFailure: gateFailed('output_quality', 'fail', 'OutputQualityFailed', 'DayDone'),
    OutputQualityFailed: {
      Type: 'Fail',
      Error: 'OutputQualityFailed',
      Cause: `Data-quality checks of the outputs (${options.outputs.join(', ')}) failed for the day.`,
    },
    DayDone: { Type: 'Succeed' },
    PublishStepFailure: publish(STEP_FAILED_DETAIL_TYPE, { error: '{% $states.input.Error %}', cause: '{% $states.input.Cause %}' }, 'StepFailed'),
    StepFailed: {
      Type: 'Fail',
      Error: '{% $states.input.Error %}',
      Cause: '{% $states.input.Cause %}',
    },
  };
  return {
    Comment: `Daily pipeline ${options.pipelineName}: wait for fresh inputs, check them, run the ELT, check its outputs`,
    QueryLanguage: 'JSONata',
    TimeoutSeconds: options.timeoutSeconds,
    StartAt: 'ValidateInput',
    States: states,
  };
}
