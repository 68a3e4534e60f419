import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { bundledHandlerCode, HANDLER_RUNTIME } from '../common/bundled-code';
import { vpcLambdaRole } from '../compliance';

/** The erasure workflow's handlers (`handlers/<name>.ts`). */
export const ERASURE_HANDLERS = [
  'intake',
  'claim',
  'release',
  'elt-guard',
  'find-results',
  'rewrite-objects',
  'forget-vectors',
  'record',
  'deadline-monitor',
  'physical-check',
  'monthly-report',
] as const;
export type ErasureHandler = (typeof ERASURE_HANDLERS)[number];

/** `find-results` → `FindResults`: construct IDs. */
export function handlerId(name: ErasureHandler): string {
  return name
    .split('-')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

export interface ErasureFunctionOptions {
  readonly description: string;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Failed asynchronous invocations (the schedules); encrypted with `deadLetterKey`. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly deadLetterKey: kms.IKey;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency: number;
}

export interface ErasureFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * One handler of the workflow as a function in the VPC (every platform function is: LambdaInsideVPC) with
 * its own role (the AWS-managed VPC policy only; callers add least-privilege statements), a pre-created
 * KMS-encrypted log group, a dead-letter queue and reserved concurrency.
 */
export function createErasureFunction(scope: Construct, name: ErasureHandler, options: ErasureFunctionOptions): ErasureFunction {
  const id = handlerId(name);
  const role = vpcLambdaRole(scope, `${id}Role`, `Erasure workflow, ${name}: ${options.description}`);
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    encryptionKey: options.logsKey,
    retention: options.logRetention,
    removalPolicy: options.logRemovalPolicy,
  });
  const fn = new lambda.Function(scope, `${id}Function`, {
    description: `Erasure workflow, ${name}: ${options.description}`,
    runtime: HANDLER_RUNTIME,
    handler: 'index.handler',
    code: bundledHandlerCode(join(__dirname, 'handlers'), name),
    role,
    timeout: options.timeout,
    memorySize: options.memorySize,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    securityGroups: [options.securityGroup],
    logGroup,
    deadLetterQueue: options.deadLetterQueue,
    reservedConcurrentExecutions: options.reservedConcurrency,
    environment: options.environment,
  });
  // The dead-letter queue is encrypted: sending needs a data key (CDK's deadLetterQueue grants sqs:SendMessage only).
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EncryptDeadLetters', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [options.deadLetterKey.keyArn] }));
  return { function: fn, role, logGroup };
}

/** Defaults per handler: the Parquet rewrite holds objects in memory and may take long. */
export function functionSizing(name: ErasureHandler): { timeout: Duration; memorySize: number } {
  if (name === 'rewrite-objects' || name === 'physical-check') return { timeout: Duration.minutes(15), memorySize: 3008 };
  if (name === 'forget-vectors' || name === 'record' || name === 'monthly-report') return { timeout: Duration.minutes(10), memorySize: 512 };
  return { timeout: Duration.minutes(5), memorySize: 512 };
}
