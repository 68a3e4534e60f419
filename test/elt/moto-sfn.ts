import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { startMotoServer } from '../support/moto-server';

// Offline SDK clients: never probe the instance metadata service; credentials and endpoint are explicit.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ROLE_ARN = 'arn:aws:iam::123456789012:role/elt-test';

/**
 * A moto server on a free loopback port speaking the Step Functions wire protocol.
 *
 * moto 5.2.1 never finishes an execution by itself: its default backend records executions (name,
 * input, dates) and keeps them RUNNING until StopExecution (then ABORTED); its optional interpreter
 * (config `stepfunctions.execute_state_machine`) fails with HTTP 500 on every StartExecution after the
 * first one of the server. So a test plays the engine with `drive`: it ends each execution after a while.
 */
export interface MotoStepFunctions {
  readonly endpoint: string;
  readonly client: SFNClient;
  /** Creates a trivial (Pass) state machine and returns its ARN. */
  createStateMachine(name: string): Promise<string>;
  /** Every execution of a state machine, described (name, input, status), oldest first. */
  executions(stateMachineArn: string): Promise<DescribeExecutionCommandOutput[]>;
  /**
   * Plays the state machine: every execution that appears is stopped (ABORTED) `holdMs` after it was
   * first seen. Records which executions ran at the same time. Call the returned `end` to stop driving.
   */
  drive(stateMachineArn: string, holdMs: number): { overlaps: string[][]; end: () => Promise<void> };
  stop(): Promise<void>;
}

export async function startMotoStepFunctions(): Promise<MotoStepFunctions> {
  const server = await startMotoServer();
  const { endpoint } = server;
  const client = new SFNClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  return {
    endpoint,
    client,
    async createStateMachine(name) {
      const definition = { Comment: 'stand-in for the metrics ELT', StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE_ARN }));
      return stateMachineArn as string;
    },
    async executions(stateMachineArn) {
      const { executions = [] } = await client.send(new ListExecutionsCommand({ stateMachineArn }));
      const described = await Promise.all(executions.map((execution) => client.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }))));
      return described.sort((left, right) => (left.startDate?.getTime() ?? 0) - (right.startDate?.getTime() ?? 0));
    },
    drive(stateMachineArn, holdMs) {
      const seen = new Map<string, number>();
      const overlaps: string[][] = [];
      let active = true;
      const loop = (async () => {
        while (active) {
          const { executions = [] } = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
          if (executions.length > 0) overlaps.push(executions.map((execution) => execution.name as string).sort());
          for (const execution of executions) {
            const arn = execution.executionArn as string;
            if (!seen.has(arn)) seen.set(arn, Date.now());
            if (Date.now() - (seen.get(arn) as number) >= holdMs) await client.send(new StopExecutionCommand({ executionArn: arn }));
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      return {
        overlaps,
        end: async () => {
          active = false;
          await loop;
        },
      };
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
