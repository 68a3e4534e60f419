/**
 * A small interpreter of the JSONata-language subset of Amazon States Language that the daily pipeline
 * uses (Choice with `Condition`, Pass and Wait with `Assign`, Task with `Arguments`/`Output`/`Catch`,
 * Fail with expression `Error`/`Cause`, Succeed), evaluating every `{% … %}` with the jsonata package
 * and `$states` bound as the Step Functions developer guide documents it (input, result, errorOutput,
 * context). Tasks are answered by the test, synchronously or with a promise (an end-to-end test runs the
 * real handler behind each task). Waits do not wait: they are recorded. Retries are not
 * simulated (a test asserts the Retry blocks themselves). moto's Step Functions cannot run JSONata.
 */
import jsonata from 'jsonata';

export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly arguments: unknown;
}

/** What a task returns, or an error `{ Error, Cause }` it fails with. */
export type TaskAnswer = { readonly result: unknown } | { readonly error: string; readonly cause: string };

export interface RunOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  /** States entered, in order. */
  readonly path: readonly string[];
  readonly calls: readonly TaskCall[];
  readonly waits: readonly number[];
  readonly variables: Readonly<Record<string, unknown>>;
}

type State = Record<string, any>;  

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

export async function runDefinition(
  definition: Record<string, unknown>,
  input: unknown,
  answer: (call: TaskCall) => TaskAnswer | Promise<TaskAnswer>,
  context: { readonly Execution: { readonly Id: string; readonly Name: string; readonly StartTime: string } },
  maxSteps = 500,
): Promise<RunOutcome> {
  const states = definition.States as Record<string, State>;
  const variables: Record<string, unknown> = {};
  const path: string[] = [];
  const calls: TaskCall[] = [];
  const waits: number[] = [];
  let name = definition.StartAt as string;
  let stateInput: unknown = input;

  const evaluate = async (value: unknown, extra: Record<string, unknown>): Promise<unknown> => {
    if (typeof value === 'string') {
      const match = EXPRESSION.exec(value.trim());
      if (!match) return value;
      const bindings = { ...variables, states: { input: stateInput, context: { ...context, State: { Name: name } }, ...extra } };
      return jsonata(match[1]).evaluate({}, bindings);
    }
    if (Array.isArray(value)) return Promise.all(value.map((item) => evaluate(item, extra)));
    if (value !== null && typeof value === 'object') {
      const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await evaluate(item, extra)] as const));
      return Object.fromEntries(entries);
    }
    return value;
  };
  const assign = async (assignments: Record<string, unknown> | undefined, extra: Record<string, unknown>) => {
    if (!assignments) return;
    // Every right-hand side sees the variables as they were before the state (the documented semantics).
    const values = await evaluate(assignments, extra);
    Object.assign(variables, values);
  };

  for (let step = 0; step < maxSteps; step += 1) {
    const state = states[name];
    if (!state) throw new Error(`no state ${name}`);
    path.push(name);
    switch (state.Type) {
      case 'Choice': {
        let next = state.Default as string | undefined;
        for (const rule of state.Choices as State[]) {
          const holds = await evaluate(rule.Condition, {});
          if (typeof holds !== 'boolean') throw new Error(`${name}: condition ${rule.Condition} gave ${JSON.stringify(holds)}, not a boolean`);
          if (holds) {
            next = rule.Next;
            break;
          }
        }
        if (!next) throw new Error(`${name}: no rule matched and no Default (States.NoChoiceMatched)`);
        name = next;
        break;
      }
      case 'Pass':
      case 'Wait': {
        if (state.Type === 'Wait') waits.push(state.Seconds);
        await assign(state.Assign, {});
        if (state.Output !== undefined) stateInput = await evaluate(state.Output, {});
        name = state.Next;
        break;
      }
      case 'Task': {
        const args = await evaluate(state.Arguments, {});
        const call = { state: name, resource: state.Resource, arguments: args };
        calls.push(call);
        const reply = await answer(call);
        if ('error' in reply) {
          const errorOutput = { Error: reply.error, Cause: reply.cause };
          const handler = (state.Catch as State[] | undefined)?.find((entry) => entry.ErrorEquals.includes('States.ALL') || entry.ErrorEquals.includes(reply.error));
          if (!handler) return { status: 'FAILED', error: reply.error, cause: reply.cause, path, calls, waits, variables };
          stateInput = handler.Output !== undefined ? await evaluate(handler.Output, { errorOutput }) : errorOutput;
          name = handler.Next;
          break;
        }
        await assign(state.Assign, { result: reply.result });
        stateInput = state.Output !== undefined ? await evaluate(state.Output, { result: reply.result }) : reply.result;
        name = state.Next;
        break;
      }
      case 'Fail':
        return { status: 'FAILED', error: String(await evaluate(state.Error, {})), cause: String(await evaluate(state.Cause, {})), path, calls, waits, variables };
      case 'Succeed':
        return { status: 'SUCCEEDED', path, calls, waits, variables };
      default:
        throw new Error(`${name}: state type ${state.Type} is not supported here`);
    }
  }
  throw new Error(`no end after ${maxSteps} states`);
}
