/**
 * Runs the erasure workflow's real definition (constructs/privacy/definition.ts) through the orchestration
 * tests' JSONata interpreter, with every task answered by the real thing: each Lambda task by the real
 * handler (its dependencies injected by the test: moto, PGlite, the local Athena), each Athena `.sync` task
 * by a StartQueryExecution + GetQueryExecution on the local Athena endpoint, answering as Step Functions
 * does (the GetQueryExecution response; a FAILED query fails the task with States.TaskFailed).
 * Waits do not wait and Retry blocks are not simulated (test/orchestration/asl-runner.ts).
 */
import { GetQueryExecutionCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { runDefinition, type RunOutcome, type TaskAnswer, type TaskCall } from '../../orchestration/asl-runner';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const ATHENA_SYNC = 'arn:aws:states:::athena:startQueryExecution.sync';

// The handlers take their own event types; the interpreter hands them parsed JSON.
export type Handler = (event: any) => Promise<unknown>;

export interface WorkflowTasks {
  /** Handler per function ARN the definition names. */
  readonly functions: Readonly<Record<string, Handler>>;
  readonly athena: AthenaClient;
  /** Called before each task runs (fault injection: a concurrent writer, a failing query). */
  readonly beforeTask?: (call: TaskCall) => Promise<void> | void;
}

export interface WorkflowRun extends RunOutcome {
  /** Each task's arguments and what it answered, in order. */
  readonly answers: ReadonlyArray<{ readonly call: TaskCall; readonly answer: TaskAnswer }>;
}

export async function runWorkflow(definition: Record<string, unknown>, input: unknown, executionName: string, tasks: WorkflowTasks): Promise<WorkflowRun> {
  const answers: Array<{ call: TaskCall; answer: TaskAnswer }> = [];
  const answer = async (call: TaskCall): Promise<TaskAnswer> => {
    await tasks.beforeTask?.(call);
    const result = await runTask(call, tasks);
    answers.push({ call, answer: result });
    return result;
  };
  const context = { Execution: { Id: `arn:aws:states:us-east-1:111111111111:execution:erasure:${executionName}`, Name: executionName, StartTime: new Date().toISOString() } };
  const outcome = await runDefinition(definition, input, answer, context);
  return { ...outcome, answers };
}

async function runTask(call: TaskCall, tasks: WorkflowTasks): Promise<TaskAnswer> {
  const args = call.arguments as { FunctionName?: string; Payload?: unknown; QueryString?: string; WorkGroup?: string };
  if (call.resource === ATHENA_SYNC) {
    const { QueryExecutionId } = await tasks.athena.send(new StartQueryExecutionCommand({ QueryString: args.QueryString, WorkGroup: args.WorkGroup }));
    const execution = await tasks.athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const status = execution.QueryExecution?.Status;
    if (status?.State !== 'SUCCEEDED') return { error: 'States.TaskFailed', cause: JSON.stringify({ QueryExecutionId, State: status?.State, StateChangeReason: status?.StateChangeReason }) };
    return { result: JSON.parse(JSON.stringify(execution, (_key, value: unknown) => (value instanceof Date ? value.toISOString() : value))) as unknown };
  }
  if (call.resource !== LAMBDA_INVOKE) throw new Error(`${call.state}: task resource ${call.resource} is not run by the end-to-end test`);
  const handler = args.FunctionName === undefined ? undefined : tasks.functions[args.FunctionName];
  if (!handler) throw new Error(`${call.state}: no handler for function ${String(args.FunctionName)}`);
  try {
    // A Lambda payload crosses the wire as JSON: no Dates, no undefined, no shared objects.
    const payload = (await handler(JSON.parse(JSON.stringify(args.Payload ?? {})))) ?? null;
    return { result: { StatusCode: 200, Payload: JSON.parse(JSON.stringify(payload)) as unknown } };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    return { error: name, cause: JSON.stringify({ errorType: name, errorMessage: message }) };
  }
}
