import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationReport } from '../../constructs/common/validation-report';
import { MACIE_DECRYPT_SID, PiiDiscovery, type PiiDiscoveryProps } from '../../constructs/privacy';
import { constructStack, templateOf } from '../support/construct-stack';
import { REPO_ROOT } from '../support/app-context';
import { synthAuditApp } from './audit-app';

describe('PiiDiscovery and LakeAccessTrail in the app layout (storage, privacy, operations stacks)', () => {
  const built = synthAuditApp();
  const privacy = built.template('Privacy');
  const storage = built.template('Storage');
  const operations = built.template('Operations');

  it('raise no unacknowledged finding in any of the four cdk-nag packs (real synth, packs as plugins)', () => {
    expect(built.findings).toEqual([]);
  });

  it('pass cfn-lint with the repository rules (I* rules included)', () => {
    const lint = spawnSync('cfn-lint', ['--config-file', join(REPO_ROOT, '.cfnlintrc.yaml'), '--', ...(['Storage', 'Privacy', 'Operations'] as const).map(built.templateFile)], { encoding: 'utf8' });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
  });

  it('enables Macie with findings published every 15 minutes by default', () => {
    privacy.resourcePropertiesCountIs('AWS::Macie::Session', { Status: 'ENABLED', FindingPublishingFrequency: 'FIFTEEN_MINUTES' }, 1);
    // Deleting the session would disable Macie for the account: retained, like every stateful resource.
    privacy.hasResource('AWS::Macie::Session', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('creates the job after the session, through the custom resource, with a weekly schedule, 10 % sampling and the three zone buckets', () => {
    const jobs = privacy.findResources('Custom::MacieClassificationJob');
    const [jobId] = Object.keys(jobs);
    expect(Object.keys(jobs)).toHaveLength(1);
    expect(jobs[jobId].DependsOn).toContain(built.stacks.privacy.getLogicalId(built.discovery.session!));
    expect(built.discovery.jobSpec).toMatchObject({ schedule: 'weekly', samplingPercentage: 10, name: 'Privacy-pii-discovery' });
    expect(built.discovery.jobSpec.buckets).toHaveLength(3);
    const spec = JSON.stringify(jobs[jobId].Properties.Spec);
    for (const bucket of built.storage.zoneBuckets.values()) expect(spec).toContain(built.stacks.storage.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
  });

  it("adds the Macie service-linked role's decrypt statement to the lake key, conditioned, not naming a role that may not exist yet", () => {
    const keyId = built.stacks.storage.getLogicalId(built.keys.lakeKey.node.defaultChild as kms.CfnKey);
    const statements = storage.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy.Statement as Array<Record<string, unknown>>;
    const macie = statements.find((statement) => statement.Sid === MACIE_DECRYPT_SID);
    expect(macie).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie']] } },
        StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' }, 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      },
    });
    // Only the lake key: the other keys encrypt nothing Macie reads.
    const withMacie = Object.values(storage.findResources('AWS::KMS::Key')).filter((key) => JSON.stringify(key.Properties.KeyPolicy).includes(MACIE_DECRYPT_SID));
    expect(withMacie).toHaveLength(1);
  });

  it('lets its function create, describe and cancel classification jobs, and send to its dead-letter queue, nothing else', () => {
    const roleId = built.stacks.privacy.getLogicalId(built.discovery.role.node.defaultChild as iam.CfnRole);
    const policies = Object.values(privacy.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(statements.map((statement) => statement.Action)).toEqual([['macie2:CreateClassificationJob', 'macie2:DescribeClassificationJob', 'macie2:UpdateClassificationJob'], 'sqs:SendMessage']);
    expect(statements[0].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':macie2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':classification-job/*']],
    });
  });

  it('runs its function in the VPC with a DLQ, reserved concurrency and an encrypted log group', () => {
    privacy.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Macie classification job'),
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      DeadLetterConfig: Match.objectLike({ TargetArn: Match.anyValue() }),
      ReservedConcurrentExecutions: 2,
      Runtime: 'nodejs24.x',
    });
  });

  it('routes Macie findings about the zone buckets at Medium or High to the alarm topic, from the operations stack', () => {
    const rules = operations.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0].Properties;
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { severity: { description: ['Medium', 'High'] } },
    });
    expect(rule.EventPattern.detail.resourcesAffected.s3Bucket.name).toHaveLength(3);
    const topicId = built.stacks.operations.getLogicalId(built.stacks.operations.node.findChild('AlarmTopic').node.defaultChild as sns.CfnTopic);
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: topicId } })]);
    operations.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': Match.anyValue() } }) }),
        ]),
      },
    });
  });

  it('the alarm topic key admits EventBridge (else encrypted delivery fails silently)', () => {
    const keyId = built.stacks.storage.getLogicalId(built.keys.notificationsKey.node.defaultChild as kms.CfnKey);
    const policy = JSON.stringify(storage.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy);
    expect(policy).toContain('events.amazonaws.com');
  });

  it('the stacks depend only forward: storage on nothing, privacy and operations on storage (the route names buckets, not the job)', () => {
    const names = (stack: Stack) => stack.dependencies.map((dependency) => dependency.stackName).sort();
    expect(names(built.stacks.storage)).toEqual([]);
    expect(names(built.stacks.privacy)).toEqual(['Storage']);
    expect(names(built.stacks.operations)).toEqual(['Storage']);
  });
});

describe('PiiDiscovery options', () => {
  it('manageMacieSession false creates no session (Macie enabled by an administrator) and the job depends on nothing else', () => {
    const built = synthAuditApp({ discovery: { manageMacieSession: false, schedule: 'daily', samplingPercentage: 100, minimumSeverity: 'High' } });
    const privacy = built.template('Privacy');
    privacy.resourceCountIs('AWS::Macie::Session', 0);
    expect(built.discovery.session).toBeUndefined();
    expect(built.discovery.jobSpec).toMatchObject({ schedule: 'daily', samplingPercentage: 100 });
    expect(built.discovery.findingPattern.detail).toMatchObject({ severity: { description: ['High'] } });
    expect(built.findings).toEqual([]);
  });

  it('alarmTopic creates the findings rule inside the construct (single-stack use)', () => {
    const stack = constructStack();
    const { props } = minimalProps(stack);
    const topic = new sns.Topic(stack, 'Topic');
    const discovery = new PiiDiscovery(stack, 'Discovery', { ...props, alarmTopic: topic });
    expect(discovery.findingsRoute).toBeDefined();
    templateOf(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.macie'] }) });
  });
});

function minimalProps(stack: Stack): { props: PiiDiscoveryProps; bucket: s3.Bucket } {
  const key = new kms.Key(stack, 'LakeKey');
  const bucket = new s3.Bucket(stack, 'Raw', { encryptionKey: key });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return { bucket, props: { buckets: [bucket], vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, logsKey: new kms.Key(stack, 'LogsKey') } };
}

function refusal(change: (props: PiiDiscoveryProps, stack: Stack) => PiiDiscoveryProps): string {
  const stack = constructStack();
  const { props } = minimalProps(stack);
  try {
    new PiiDiscovery(stack, 'Discovery', change(props, stack));
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationReport);
    return (error as Error).message;
  }
  throw new Error('the props were accepted');
}

describe('PiiDiscovery refuses at synth what Macie or CloudFormation would refuse at deploy', () => {
  const cases: Array<{ title: string; change: (props: PiiDiscoveryProps, stack: Stack) => PiiDiscoveryProps; line: string }> = [
    { title: 'no buckets', change: (p) => ({ ...p, buckets: [] }), line: "- buckets: got \"0 buckets\"; must list 1-1000 buckets (Macie's limit per job)" },
    { title: 'the same bucket twice', change: (p, s) => ({ ...p, buckets: [s3.Bucket.fromBucketName(s, 'A', 'lake-raw'), s3.Bucket.fromBucketName(s, 'B', 'lake-raw')] }), line: '- buckets[1]: got "lake-raw"; is listed twice' },
    { title: 'sampling 0', change: (p) => ({ ...p, samplingPercentage: 0 }), line: '- samplingPercentage: got 0; must be a whole number from 1 to 100' },
    { title: 'sampling 12.5', change: (p) => ({ ...p, samplingPercentage: 12.5 }), line: '- samplingPercentage: got 12.5; must be a whole number from 1 to 100' },
    { title: 'an unknown schedule (JavaScript caller)', change: (p) => ({ ...p, schedule: 'hourly' as never }), line: '- schedule: got "hourly"; must be one of daily, weekly, monthly' },
    { title: 'an unknown publishing frequency', change: (p) => ({ ...p, findingPublishingFrequency: 'DAILY' as never }), line: '- findingPublishingFrequency: got "DAILY"; must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS' },
    {
      title: 'a publishing frequency without a managed session',
      change: (p) => ({ ...p, manageMacieSession: false, findingPublishingFrequency: 'ONE_HOUR' }),
      line: '- findingPublishingFrequency: got "ONE_HOUR"; has no effect without manageMacieSession',
    },
    { title: 'an unknown severity', change: (p) => ({ ...p, minimumSeverity: 'Critical' as never }), line: '- minimumSeverity: got "Critical"; must be one of Low, Medium, High' },
    { title: 'a job name with spaces', change: (p) => ({ ...p, jobName: 'pii discovery' }), line: '- jobName: got "pii discovery"; must be 1-400 letters, digits' },
    {
      title: 'a bucket under an imported key (its policy cannot admit Macie)',
      change: (p, s) => ({ ...p, buckets: [s3.Bucket.fromBucketAttributes(s, 'Imported', { bucketName: 'lake-raw', encryptionKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') })] }),
      line: '- buckets[].encryptionKey: got 1 imported key(s); must be keys this app owns',
    },
  ];
  for (const { title, change, line } of cases) {
    it(`refuses ${title}, naming the construct and the field`, () => {
      const message = refusal(change);
      expect(message).toContain('Invalid configuration in PiiDiscovery ConstructUnderTest/Discovery (nothing was synthesized):');
      expect(message).toContain(line);
    });
  }

  it('accepts an imported key with grantKeyAccess false (the owner adds the statement)', () => {
    const stack = constructStack();
    const { props } = minimalProps(stack);
    const imported = s3.Bucket.fromBucketAttributes(stack, 'Imported', { bucketName: 'lake-raw', encryptionKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') });
    expect(() => new PiiDiscovery(stack, 'Discovery', { ...props, buckets: [imported], grantKeyAccess: false })).not.toThrow();
  });
});

describe('the cdk-nag packs are active on these constructs', () => {
  it('a trail without log file validation is reported', () => {
    const built = synthAuditApp({ beforeSynth: ({ trail }) => (trail.trail.enableLogFileValidation = false) });
    expect(built.findings).toEqual(expect.arrayContaining(['NIST.800.53.R5-CloudTrailLogFileValidationEnabled at Privacy/LakeAccessTrail/Trail']));
  });
});
