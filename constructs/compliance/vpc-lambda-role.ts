import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The finding AwsSolutions raises for the AWS-managed Lambda VPC policy, as its granular ID. */
const VPC_ACCESS_POLICY_FINDING = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]';

/**
 * The execution role of one of the platform's own functions in the VPC: assumed by Lambda, with the
 * AWS-managed `AWSLambdaVPCAccessExecutionRole` (its ENI actions need `*`, so a copy would be an IAM5
 * finding instead) acknowledged at this role only, as the compliance decisions allow. Callers add the
 * function's own least-privilege statements.
 */
export function vpcLambdaRole(scope: Construct, id: string, description: string): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
  });
  Validations.of(role).acknowledge({
    id: VPC_ACCESS_POLICY_FINDING,
    reason:
      'AWSLambdaVPCAccessExecutionRole is the AWS-maintained policy for Lambda ENIs in a VPC; its ENI actions need "*" ' +
      '(compliance decisions in docs/decisions.md, IAM4 on AWS service-role policies).',
  });
  return role;
}
