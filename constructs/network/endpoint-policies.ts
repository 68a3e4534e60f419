import { Fn, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The AWS-owned S3 objects the platform's in-VPC code writes to: the CDK Provider framework (Iceberg
 * DDL, vector bootstrap) answers CloudFormation with a presigned PUT to this bucket, and the request
 * leaves the isolated subnets through the S3 gateway endpoint. AWS writes the region without dashes
 * here (`euwest1`); the CloudFormation intrinsics strip them, so an environment-agnostic stack works too.
 */
export function cloudFormationResponseObjects(scope: Stack): string {
  const region = Fn.join('', Fn.split('-', scope.region));
  return `arn:${scope.partition}:s3:::cloudformation-custom-resource-response-${region}/*`;
}

/**
 * Restricts the S3 gateway endpoint to buckets of this account, called by principals of this account,
 * plus the AWS-owned objects in `awsOwnedObjects` (any principal: a presigned URL is signed by the
 * bucket's owner). Without it the endpoint lets any code in the VPC copy data to any bucket in the
 * world with credentials of another account.
 */
export function restrictGatewayEndpointToAccount(endpoint: ec2.GatewayVpcEndpoint, awsOwnedObjects: readonly string[]): void {
  const stack = Stack.of(endpoint);
  endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'OnlyThisAccountsBucketsAndPrincipals',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:ResourceAccount': stack.account, 'aws:PrincipalAccount': stack.account } },
    }),
  );
  if (awsOwnedObjects.length > 0) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AwsOwnedObjectsThePlatformWrites',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [...awsOwnedObjects],
      }),
    );
  }
}

/** The DynamoDB gateway endpoint admits this account's principals on this account's tables only. */
export function restrictDynamoDbEndpointToAccount(endpoint: ec2.GatewayVpcEndpoint): void {
  const stack = Stack.of(endpoint);
  endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'OnlyThisAccountsTablesAndPrincipals',
      principals: [new iam.AnyPrincipal()],
      actions: ['dynamodb:*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:ResourceAccount': stack.account, 'aws:PrincipalAccount': stack.account } },
    }),
  );
}

/** Resources AWS owns that this account's principals call through an endpoint (their account is not ours). */
export interface AwsOwnedResources {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * Bedrock's foundation models are AWS-owned (`arn:<partition>:bedrock:<region>::foundation-model/<id>`):
 * a request for one carries no account of ours, so the account condition alone could refuse the
 * embeddings pipeline's InvokeModel. Only our principals, only invoking, only foundation models.
 */
export function bedrockFoundationModels(scope: Stack): AwsOwnedResources {
  return {
    sid: 'AwsOwnedFoundationModels',
    // The embeddings consumer calls InvokeModel only (no streaming).
    actions: ['bedrock:InvokeModel'],
    resources: [`arn:${scope.partition}:bedrock:${scope.region}::foundation-model/*`],
  };
}

/**
 * Restricts an interface endpoint to principals of this account acting on resources of this account
 * (and, when given, on the AWS-owned resources named).
 * `aws:ResourceAccount` is matched only where the request carries it (actions without a resource, such as
 * `cloudwatch:PutMetricData` or `sts:GetCallerIdentity`, do not), so those still work for our principals.
 */
export function restrictInterfaceEndpointToAccount(endpoint: ec2.InterfaceVpcEndpoint, awsOwned?: AwsOwnedResources): void {
  const stack = Stack.of(endpoint);
  if (awsOwned) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: awsOwned.sid,
        principals: [new iam.AnyPrincipal()],
        actions: [...awsOwned.actions],
        resources: [...awsOwned.resources],
        conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
      }),
    );
  }
  endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'OnlyThisAccountsPrincipalsAndResources',
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:PrincipalAccount': stack.account },
        StringEqualsIfExists: { 'aws:ResourceAccount': stack.account },
      },
    }),
  );
}
