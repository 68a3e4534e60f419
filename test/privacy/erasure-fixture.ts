/**
 * One PrivacyErasure in a test stack (a Parquet and an Iceberg dataset, a vector store, an ELT to wait
 * for) and a reader of its roles' statements, for the construct and grant tests.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LakehouseNetwork } from '../../constructs/network';
import { PrivacyErasure, type PrivacyErasureProps } from '../../constructs/privacy';
import { VectorStore } from '../../constructs/vector-store';
import { constructStack } from '../support/construct-stack';
import { planFixture } from './plan-fixture';
import '../../lib/handler-bundling';

export const SETTINGS: PrivacyErasureProps['settings'] = {
  schedule: 'cron(0 3 * * ? *)',
  batchSize: 50,
  deadlines: { gdprDays: 30, ccpaDays: 45 },
  alarmDaysBeforeDeadline: 7,
  ledger: { mode: 'compliance', retentionDays: 2557 },
};
export const ELT = 'arn:aws:states:eu-west-1:111111111111:stateMachine:lakehouse-test-metrics-elt';

export function build(overrides: Partial<PrivacyErasureProps> = {}) {
  const stack = constructStack({ account: '111111111111', region: 'eu-west-1' });
  const logsKey = new kms.Key(stack, 'LogsKey');
  const lakeKey = new kms.Key(stack, 'LakeKey');
  const raw = new s3.Bucket(stack, 'Raw', { encryptionKey: lakeKey });
  const curated = new s3.Bucket(stack, 'Curated', { encryptionKey: lakeKey });
  const results = new s3.Bucket(stack, 'Results', { encryptionKey: lakeKey });
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
  const store = new VectorStore(stack, 'Vectors', {
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    vpcCidr: network.cidr,
    secretsManagerEndpoint: network.interfaceEndpoints.secretsmanager!,
    logsKey,
    instanceIdentifier: 'lakehouse-test-vectors',
  });
  const erasure = new PrivacyErasure(stack, 'Erasure', {
    plan: planFixture({ databasePrefix: 'lakehouse_test', buckets: { raw: raw.bucketName, curated: curated.bucketName } }),
    databaseName: 'lakehouse_test_privacy',
    workgroupName: 'lakehouse-test-engineering',
    resultsBucket: results,
    lakeKey,
    vectorStore: store,
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    logsKey,
    eltStateMachineArns: [ELT],
    settings: SETTINGS,
    ...overrides,
  });
  const id = (construct: object) => stack.getLogicalId(((construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct) as never);
  return { stack, erasure, template: Template.fromStack(stack), id, raw, curated };
}

/** Every statement of the inline policies attached to the role with this logical ID. */
export function statementsOf(template: Template, roleId: string): Array<{ Sid?: string; Action: string | string[]; Resource: unknown }> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: any[] } } }>;
  return policies.filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId)).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
export const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();

