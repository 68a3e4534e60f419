import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ValidationReport } from '../../constructs/common/validation-report';
import { accessTrailSelectors, CLOUDTRAIL_KEY_SIDS, EXCLUDED_MANAGEMENT_SOURCES, LakeAccessTrail, type LakeAccessTrailProps } from '../../constructs/privacy';
import { constructStack, templateOf } from '../support/construct-stack';
import { synthAuditApp } from './audit-app';

describe('LakeAccessTrail default settings (app layout: trail in the privacy stack, log bucket in storage)', () => {
  const built = synthAuditApp();
  const privacy = built.template('Privacy');
  const storage = built.template('Storage');
  const id = (construct: { node: { defaultChild?: unknown } }) => built.stacks.privacy.getLogicalId(construct.node.defaultChild as never);
  const trail = privacy.findResources('AWS::CloudTrail::Trail');
  const trailProps = Object.values(trail)[0].Properties;

  it('is one single-region trail with log file validation, KMS encryption and CloudWatch Logs delivery', () => {
    expect(Object.keys(trail)).toHaveLength(1);
    expect(trailProps).toMatchObject({
      IsLogging: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [id(built.trail.encryptionKey), 'Arn'] },
      S3BucketName: { Ref: id(built.trail.bucket) },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [id(built.trail.logGroup), 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [id(built.trail.logsRole), 'Arn'] },
    });
    expect(trailProps.EventSelectors).toBeUndefined();
  });

  it('records data events on every object of the three zone buckets, reads and writes', () => {
    const [data] = trailProps.AdvancedEventSelectors as Array<{ FieldSelectors: Array<Record<string, unknown>> }>;
    expect(data.FieldSelectors.slice(0, 2)).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    ]);
    const arns = data.FieldSelectors[2];
    expect(arns.Field).toBe('resources.ARN');
    const prefixes = arns.StartsWith as unknown[];
    expect(prefixes).toHaveLength(3);
    // Each is `<bucket ARN>/`, the ARN read from the storage stack (a weak reference).
    for (const prefix of prefixes) expect(prefix).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Storage', OutputName: expect.stringMatching(/ZoneBucket.*Arn/) }) }, '/']] });
    expect(data.FieldSelectors).toHaveLength(3);
  });

  it('records management events (Glue Data Catalog, Lake Formation) except KMS and the RDS Data API', () => {
    const management = (trailProps.AdvancedEventSelectors as Array<{ FieldSelectors: unknown[] }>)[1];
    expect(management.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Management'] },
      { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
    ]);
  });

  it('waits for the bucket policy, the delivery role and the key (CloudTrail checks them at creation)', () => {
    const dependsOn = Object.values(trail)[0].DependsOn as string[];
    expect(dependsOn).toEqual(expect.arrayContaining([id(built.trail.bucket.policy!), id(built.trail.logsRole), id(built.trail.encryptionKey)]));
  });

  it('encrypts with its own rotating, retained key admitting CloudTrail for this account’s trails only, and refusing stray grants', () => {
    const key = privacy.findResources('AWS::KMS::Key')[id(built.trail.encryptionKey)];
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 } });
    const statements = key.Properties.KeyPolicy.Statement as Array<Record<string, unknown>>;
    const trails = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':trail/*']] };
    expect(statements.find((s) => s.Sid === CLOUDTRAIL_KEY_SIDS.encrypt)).toEqual({
      Sid: CLOUDTRAIL_KEY_SIDS.encrypt,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        ArnLike: {
          'aws:SourceArn': trails,
          'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:', { Ref: 'AWS::AccountId' }, ':trail/*']] },
        },
      },
    });
    expect(statements.find((s) => s.Sid === CLOUDTRAIL_KEY_SIDS.describe)).toMatchObject({ Action: 'kms:DescribeKey', Condition: { ArnLike: { 'aws:SourceArn': trails } } });
    expect(statements.find((s) => s.Sid === 'DenyGrantsExceptForAwsResources')).toMatchObject({ Effect: 'Deny', Action: 'kms:CreateGrant' });
  });

  it('keeps log files in a retained, versioned, Object-Locked (governance, 7 years), KMS-encrypted bucket that expires them after 7 years', () => {
    const bucket = privacy.findResources('AWS::S3::Bucket')[id(built.trail.bucket)];
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2557 } } },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: false, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(built.trail.encryptionKey), 'Arn'] } } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'expire-trail-logs',
        Status: 'Enabled',
        ExpirationInDays: 2557,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
      },
    ]);
  });

  it('admits CloudTrail to write only under AWSLogs/<account>/ with bucket-owner-full-control, and refuses plain HTTP and old TLS', () => {
    const policy = Object.values(privacy.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(policy.find((s) => s.Sid === 'AllowCloudTrailWrite')).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': expect.anything() } },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(built.trail.bucket), 'Arn'] }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
    });
    expect(policy.filter((s) => s.Effect === 'Deny').map((s) => s.Condition)).toEqual(
      expect.arrayContaining([{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]),
    );
  });

  it('logs its own access into the storage stack’s access-log bucket, which admits delivery for its prefix without naming this stack', () => {
    const bucket = privacy.findResources('AWS::S3::Bucket')[id(built.trail.bucket)];
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Storage', OutputName: expect.stringMatching(/AccessLogsBucket/) }) },
      LogFilePrefix: 'lake-access-trail/',
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
    });
    const logBucketId = built.stacks.storage.getLogicalId(built.storage.accessLogsBucket.node.defaultChild as s3.CfnBucket);
    const logPolicy = Object.values(storage.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logBucketId }))!;
    const statement = (logPolicy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>).find((s) => s.Sid === 'AllowAccessLogslakeaccesstrail');
    expect(statement).toEqual({
      Sid: 'AllowAccessLogslakeaccesstrail',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logBucketId, 'Arn'] }, '/lake-access-trail/*']] },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(JSON.stringify(storage.toJSON())).not.toContain('Privacy');
  });

  it('delivers to a KMS-encrypted, retained log group with one year of retention, through a role limited to it', () => {
    privacy.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() } });
    privacy.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(built.trail.logsRole) }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [id(built.trail.logGroup), 'Arn'] } }] },
    });
    privacy.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
    });
  });
});

describe('accessTrailSelectors', () => {
  const arns = ['arn:aws:s3:::raw', 'arn:aws:s3:::curated'];

  it('writes only: both selectors add readOnly = false', () => {
    const selectors = accessTrailSelectors({ bucketArns: arns, includeReads: false, managementEvents: true });
    expect(selectors.map((s) => s.fieldSelectors.at(-1))).toEqual([
      { field: 'readOnly', equalTo: ['false'] },
      { field: 'readOnly', equalTo: ['false'] },
    ]);
    expect(selectors[0].fieldSelectors[2]).toEqual({ field: 'resources.ARN', startsWith: ['arn:aws:s3:::raw/', 'arn:aws:s3:::curated/'] });
  });

  it('without management events: the data selector alone', () => {
    const selectors = accessTrailSelectors({ bucketArns: arns, includeReads: true, managementEvents: false });
    expect(selectors).toHaveLength(1);
    expect(selectors[0].fieldSelectors.map((f) => f.field)).toEqual(['eventCategory', 'resources.type', 'resources.ARN']);
  });

  it('excludes exactly the two sources CloudTrail lets a management selector exclude', () => {
    expect(EXCLUDED_MANAGEMENT_SOURCES).toEqual(['kms.amazonaws.com', 'rdsdata.amazonaws.com']);
  });
});

describe('LakeAccessTrail options', () => {
  function trailIn(stack: Stack, props: Partial<LakeAccessTrailProps> = {}): LakeAccessTrail {
    const logs_ = new s3.Bucket(stack, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
    const raw = new s3.Bucket(stack, 'Raw', { encryptionKey: new kms.Key(stack, 'LakeKey') });
    return new LakeAccessTrail(stack, 'Trail', { buckets: [raw], accessLogsBucket: logs_, logsKey: new kms.Key(stack, 'LogsKey'), ...props });
  }

  it('an access-log bucket in the same stack gets the usual per-bucket delivery statement (aws:SourceArn)', () => {
    const stack = constructStack();
    const trail = trailIn(stack);
    const template = templateOf(stack);
    expect(template.findResources('AWS::S3::Bucket')[stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket)].Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: expect.any(String) },
      LogFilePrefix: 'lake-access-trail/',
    });
    expect(JSON.stringify(template.toJSON())).toContain('"aws:SourceArn":{"Fn::GetAtt"');
  });

  it('short retention: no Glacier transition (it bills 90 days minimum), Object Lock and expiry follow retentionDays; off without objectLock', () => {
    const stack = constructStack();
    const trail = trailIn(stack, { retentionDays: 30, objectLock: false, includeReads: false, logRetention: logs.RetentionDays.THREE_MONTHS });
    const template = templateOf(stack);
    const bucket = template.findResources('AWS::S3::Bucket')[stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket)].Properties;
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30 });
    expect(bucket.LifecycleConfiguration.Rules[0].Transitions).toBeUndefined();
    expect(bucket.ObjectLockEnabled).toBe(false);
    expect(bucket.ObjectLockConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(trail.selectors.every((selector) => selector.fieldSelectors.some((f) => f.field === 'readOnly'))).toBe(true);
  });

  it('grantReadLogs lets an auditor read the log files and decrypt them', () => {
    const stack = constructStack();
    const trail = trailIn(stack);
    const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    trail.grantReadLogs(auditor);
    const statements = JSON.stringify(templateOf(stack).findResources('AWS::IAM::Policy'));
    expect(statements).toContain('kms:Decrypt');
    expect(statements).toContain('s3:GetObject*');
  });
});

function refusal(change: (props: LakeAccessTrailProps, stack: Stack) => Partial<LakeAccessTrailProps>): string {
  const stack = constructStack();
  const base: LakeAccessTrailProps = {
    buckets: [s3.Bucket.fromBucketName(stack, 'Raw', 'lake-raw')],
    accessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'lake-logs'),
    logsKey: new kms.Key(stack, 'LogsKey'),
  };
  try {
    new LakeAccessTrail(stack, 'Trail', { ...base, ...change(base, stack) });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationReport);
    return (error as Error).message;
  }
  throw new Error('the props were accepted');
}

describe('LakeAccessTrail refuses at synth what CloudTrail or S3 would refuse at deploy', () => {
  const cases: Array<{ title: string; change: (props: LakeAccessTrailProps, stack: Stack) => Partial<LakeAccessTrailProps>; line: string }> = [
    { title: 'no buckets', change: () => ({ buckets: [] }), line: '- buckets: got "0 buckets"; must list 1-250 buckets' },
    { title: 'a bucket twice', change: (p) => ({ buckets: [p.buckets[0], p.buckets[0]] }), line: '- buckets[1]: got "(the same bucket)"; is listed twice' },
    { title: 'retention 0 days', change: () => ({ retentionDays: 0 }), line: '- retentionDays: got 0; must be a whole number from 1 to 3653' },
    { title: 'retention 4000 days', change: () => ({ retentionDays: 4000 }), line: '- retentionDays: got 4000; must be a whole number from 1 to 3653' },
    { title: 'retention 1.5 days', change: () => ({ retentionDays: 1.5 }), line: '- retentionDays: got 1.5; must be a whole number from 1 to 3653' },
    { title: 'a log prefix that is no folder', change: () => ({ accessLogsPrefix: 'trail' }), line: '- accessLogsPrefix: got "trail"; must be a folder of safe key characters ending in "/"' },
    { title: 'a missing access-log bucket (JavaScript caller)', change: () => ({ accessLogsBucket: undefined as never }), line: '- accessLogsBucket: got (missing); is required' },
    {
      title: 'an imported key',
      change: (_, s) => ({ encryptionKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') as never }),
      line: '- encryptionKey: got "(an imported key)"; must be a key this app creates (kms.Key)',
    },
  ];
  for (const { title, change, line } of cases) {
    it(`refuses ${title}, naming the construct and the field`, () => {
      const message = refusal(change);
      expect(message).toContain('Invalid configuration in LakeAccessTrail ConstructUnderTest/Trail (nothing was synthesized):');
      expect(message).toContain(line);
    });
  }
});
