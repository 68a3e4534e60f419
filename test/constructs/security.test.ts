import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { DisasterRecoveryVault, vaultAccessPolicy } from '../../constructs/backup';
import { allowNotificationPublishers, denyGrantsExceptForAwsResources } from '../../constructs/keys/key-policies';
import { AccountBoundTopicTarget } from '../../constructs/monitoring';
import { LakehouseNetwork } from '../../constructs/network';
import { VectorStore, masterUsernameProblem } from '../../constructs/vector-store';
import { constructStack } from '../support/construct-stack';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const BREAK_GLASS = 'arn:aws:iam::123456789012:role/BreakGlass';

describe('vault access policy builder', () => {
  it('builds nothing without a break-glass role or a copy source (dev)', () => {
    expect(vaultAccessPolicy({})).toBeUndefined();
  });

  it('admits cross-account copies next to the break-glass denies', () => {
    const stack = constructStack(ENV);
    const policy = stack.resolve(vaultAccessPolicy({ breakGlassRoleArn: BREAK_GLASS, copySourceAccount: '999999999999' })!.toJSON());
    expect(policy.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual([
      'OnlyBreakGlassDeletesRecoveryPointsOrTheVault',
      'OnlyBreakGlassOrDeploymentChangesPolicyOrLock',
      'AllowCopiesFromSource',
    ]);
    expect(policy.Statement[2]).toMatchObject({ Effect: 'Allow', Action: 'backup:CopyIntoBackupVault', Principal: { AWS: 'arn:aws:iam::999999999999:root' } });
  });
});

describe('DisasterRecoveryVault', () => {
  const stack = constructStack(ENV);
  new DisasterRecoveryVault(stack, 'Dr', {
    vaultName: 'lakehouse-prod-dr',
    sourceAccount: '999999999999',
    breakGlassRoleArn: BREAK_GLASS,
    lock: { minRetention: Duration.days(7), maxRetention: Duration.days(3650), changeableFor: Duration.days(3) },
  });
  const template = Template.fromStack(stack);
  const [vault] = Object.values(template.findResources('AWS::Backup::BackupVault'));

  it('locks the copies as configured (compliance mode with a grace period)', () => {
    expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 7, MaxRetentionDays: 3650, ChangeableForDays: 3 });
  });

  it('uses the shared break-glass policy and admits copies from the source account', () => {
    const sids = vault.Properties.AccessPolicy.Statement.map((statement: { Sid: string }) => statement.Sid);
    expect(sids).toEqual(['OnlyBreakGlassDeletesRecoveryPointsOrTheVault', 'OnlyBreakGlassOrDeploymentChangesPolicyOrLock', 'AllowCopiesFromSource']);
  });

  it('its key refuses grants that are not for AWS resources', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('"BoolIfExists":{"kms:GrantIsForAWSResource":"false","aws:PrincipalIsAWSService":"false"}');
  });
});

describe('key policy helpers', () => {
  it('binds the notification publishers to topics of the key\'s account and region', () => {
    const stack = constructStack(ENV);
    const key = new kms.Key(stack, 'Key');
    allowNotificationPublishers(key, ['cloudwatch.amazonaws.com']);
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    const statement = resource.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'AllowAlarmPublishersThroughSns');
    expect(statement.Condition).toEqual({
      ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:eu-west-1:123456789012:*' },
    });
  });

  it('returns the key it guards, so it composes with a `??` default', () => {
    const stack = constructStack(ENV);
    const key = new kms.Key(stack, 'Key');
    expect(denyGrantsExceptForAwsResources(key)).toBe(key);
  });
});

describe('AccountBoundTopicTarget', () => {
  it('admits EventBridge to the topic for that rule in this account only, and adds nothing to the key policy', () => {
    const stack = constructStack(ENV);
    const key = new kms.Key(stack, 'Key');
    const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
    const rule = new events.Rule(stack, 'Rule', { eventPattern: { source: ['aws.backup'] }, targets: [new AccountBoundTopicTarget(topic)] });
    const template = Template.fromStack(stack);
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: '0',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(rule.node.defaultChild as events.CfnRule), 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': '123456789012' },
        },
      },
    ]);
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toContain('events.amazonaws.com');
  });
});

describe('LakehouseNetwork endpoint policies', () => {
  it('strips the dashes from the region in the CloudFormation response bucket (environment-agnostic stack)', () => {
    const stack = constructStack();
    const network = new LakehouseNetwork(stack, 'Net');
    const policy = stack.resolve((network.s3Endpoint.node.defaultChild as ec2.CfnVPCEndpoint).policyDocument);
    expect(JSON.stringify(policy.Statement[1].Resource)).toContain('{"Fn::Join":["",{"Fn::Split":["-",{"Ref":"AWS::Region"}]}]}');
  });

  it('admits extra AWS-owned objects instead of the default when asked', () => {
    const stack = constructStack(ENV);
    const network = new LakehouseNetwork(stack, 'Net', { awsOwnedS3Objects: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'] });
    const policy = stack.resolve((network.s3Endpoint.node.defaultChild as ec2.CfnVPCEndpoint).policyDocument);
    expect(policy.Statement[1].Resource).toBe('arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*');
  });

  it('leaves AWS\'s default policies when the restriction is turned off', () => {
    const stack = constructStack(ENV);
    new LakehouseNetwork(stack, 'Net', { restrictEndpointsToAccount: false });
    const endpoints = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints.length).toBeGreaterThan(1);
    for (const endpoint of endpoints) expect(endpoint.Properties.PolicyDocument).toBeUndefined();
  });
});

describe('vector store master user', () => {
  it('refuses a master user name that collides with an application role', () => {
    expect(masterUsernameProblem('vectors_readonly', ['vectors_readwrite', 'vectors_readonly'])).toBe(
      'is one of the application roles the bootstrap creates (vectors_readwrite, vectors_readonly); choose another name',
    );
  });

  it('refuses a reserved master user name when the construct is built', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Db', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const endpoint = vpc.addInterfaceEndpoint('Sm', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
    expect(
      () =>
        new VectorStore(stack, 'Vectors', {
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          vpcCidr: '10.0.0.0/16',
          secretsManagerEndpoint: endpoint,
          logsKey: new kms.Key(stack, 'Logs'),
          instanceIdentifier: 'vectors',
          masterUsername: 'rdsadmin',
        }),
    ).toThrow('Db/Vectors: masterUsername "rdsadmin" is reserved by PostgreSQL or RDS; choose another name such as lakehouse_admin');
  });
});
