/**
 * The elt-guard handler against moto's Step Functions (the real wire protocol; moto keeps an execution
 * RUNNING until it is stopped, which is exactly the state the guard asks about).
 */
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEltGuard, stepFunctionsProbe } from '../../constructs/privacy/handlers/elt-guard';
import { REGION, startMotoStepFunctions, type MotoStepFunctions } from '../elt/moto-sfn';

let moto: MotoStepFunctions;
let elt: string;
let pipeline: string;

beforeAll(async () => {
  moto = await startMotoStepFunctions();
  elt = await moto.createStateMachine('lakehouse-dev-metrics-elt');
  pipeline = await moto.createStateMachine('lakehouse-dev-product-metrics-pipeline');
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

const guard = () => createEltGuard(stepFunctionsProbe(moto.client));

describe('elt-guard on a Step Functions endpoint', () => {
  it('reports no ELT running when neither state machine has a running execution', async () => {
    await expect(guard()({ stateMachineArns: [elt, pipeline] })).resolves.toEqual({ eltRunning: false });
  });

  it('reports the ELT running while one execution of either state machine runs, and not after it stopped', async () => {
    const { executionArn } = await moto.client.send(new StartExecutionCommand({ stateMachineArn: pipeline, input: '{}' }));
    await expect(guard()({ stateMachineArns: [elt, pipeline] })).resolves.toEqual({ eltRunning: true });
    await moto.client.send(new StopExecutionCommand({ executionArn }));
    await expect(guard()({ stateMachineArns: [elt, pipeline] })).resolves.toEqual({ eltRunning: false });
  });

  it('treats a state machine that does not exist (an environment without the ELT) as not running', async () => {
    const missing = `arn:aws:states:${REGION}:123456789012:stateMachine:lakehouse-dev-absent`;
    await expect(guard()({ stateMachineArns: [missing] })).resolves.toEqual({ eltRunning: false });
  });
});

describe('elt-guard bad input', () => {
  const never = createEltGuard(async () => {
    throw new Error('the probe must not be called for a bad input');
  });
  it.each([
    ['no input', undefined, 'stateMachineArns must be a non-empty list'],
    ['an empty list', { stateMachineArns: [] }, 'stateMachineArns must be a non-empty list'],
    ['a string instead of a list', { stateMachineArns: 'arn:aws:states:eu-west-1:111111111111:stateMachine:x' }, 'non-empty list'],
    ['a function ARN', { stateMachineArns: ['arn:aws:lambda:eu-west-1:111111111111:function:x'] }, 'stateMachineArns[0] is not a state machine ARN'],
    ['a number', { stateMachineArns: [7] }, 'stateMachineArns[0] is not a state machine ARN'],
  ])('refuses %s with InvalidInput', async (_title, event, message) => {
    const error = await never(event).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InvalidInput');
    expect((error as Error).message).toContain(message);
  });

  it('passes an API failure through under its own name (the state machine retries or catches it)', async () => {
    const failing = createEltGuard(stepFunctionsProbe({ send: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })) } as never));
    const error = await failing({ stateMachineArns: [elt] }).catch((caught: unknown) => caught as Error);
    expect((error as Error).name).toBe('ThrottlingException');
  });
});
