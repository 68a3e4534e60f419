/**
 * elt-guard: is an ELT (or daily pipeline) execution running right now? The erasure workflow asks before
 * it finds and forgets, so that an OPTIMIZE or DELETE never races the ELT's own commits to the same
 * Iceberg tables, and a day the ELT is rewriting is not searched half-written.
 *
 * Input `{ stateMachineArns: string[] }` (the ELT's and the pipeline's, by their fixed names); output
 * `{ eltRunning: boolean }`. A state machine that does not exist (an environment without the ELT) is not
 * running. Anything but a list of state machine ARNs fails with `InvalidInput`; an API failure is thrown
 * as it is, so the state machine's retry and catch see the service's own error name.
 */
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';

export interface EltGuardInput {
  readonly stateMachineArns: readonly string[];
}

export interface EltGuardOutput {
  readonly eltRunning: boolean;
}

/** The one call the guard makes: is there at least one RUNNING execution of this state machine? */
export type RunningProbe = (stateMachineArn: string) => Promise<boolean>;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** Raised for an input the guard cannot use (the state machine fails on it instead of guessing). */
export class InvalidInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

function validate(event: unknown): EltGuardInput {
  const arns = (event as { stateMachineArns?: unknown } | null | undefined)?.stateMachineArns;
  if (!Array.isArray(arns) || arns.length === 0) throw new InvalidInput('stateMachineArns must be a non-empty list of state machine ARNs');
  arns.forEach((arn, index) => {
    if (typeof arn !== 'string' || !STATE_MACHINE_ARN.test(arn)) throw new InvalidInput(`stateMachineArns[${index}] is not a state machine ARN`);
  });
  return { stateMachineArns: arns as string[] };
}

/** The guard with its probe injected (tests pass one backed by a local Step Functions endpoint). */
export function createEltGuard(probe: RunningProbe): (event: unknown) => Promise<EltGuardOutput> {
  return async (event) => {
    const { stateMachineArns } = validate(event);
    for (const arn of stateMachineArns) {
      if (await probe(arn)) return { eltRunning: true };
    }
    return { eltRunning: false };
  };
}

/** A probe over the Step Functions API: one ListExecutions page of at most one RUNNING execution. */
export function stepFunctionsProbe(client: SFNClient): RunningProbe {
  return async (stateMachineArn) => {
    try {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }));
      return (page.executions ?? []).length > 0;
    } catch (error) {
      if ((error as { name?: string }).name === 'StateMachineDoesNotExist') return false;
      throw error;
    }
  };
}

let defaultGuard: ((event: unknown) => Promise<EltGuardOutput>) | undefined;

export async function handler(event: unknown): Promise<EltGuardOutput> {
  defaultGuard ??= createEltGuard(stepFunctionsProbe(new SFNClient({})));
  return defaultGuard(event);
}
