import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { DataLakeStorage } from '../../constructs/storage';
import { constructStack } from '../support/construct-stack';

/** The construct with no props at all: every row of its README's "Default settings" table. */
function defaults() {
  const stack = constructStack();
  const storage = new DataLakeStorage(stack, 'Lake');
  return { stack, storage, template: Template.fromStack(stack) };
}

const logicalId = (stack: ReturnType<typeof constructStack>, bucket: s3.IBucket) =>
  stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);

describe('DataLakeStorage default settings', () => {
  const { stack, storage, template } = defaults();
  const buckets = template.findResources('AWS::S3::Bucket');
  const dataBuckets = [...storage.zoneBuckets.values(), storage.athenaResultsBucket];
  const dataBucketIds = dataBuckets.map((bucket) => logicalId(stack, bucket));
  const logBucketId = logicalId(stack, storage.accessLogsBucket);

  it('creates one bucket per zone (raw, curated, analytics), a results bucket and a log bucket', () => {
    expect(storage.zoneNames).toEqual(['raw', 'curated', 'analytics']);
    expect(Object.keys(buckets)).toHaveLength(5);
  });

  it('encrypts data buckets with SSE-KMS under a rotating customer-managed key, with an S3 bucket key', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyId = stack.getLogicalId(storage.encryptionKey.node.defaultChild as kms.CfnKey);
    for (const id of dataBucketIds) {
      expect(buckets[id].Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      ]);
    }
  });

  it('refuses uploads that ask for SSE-S3, DSSE or a KMS key other than the lake key', () => {
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(storage.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    for (const id of dataBucketIds) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'DenyEncryptionOtherThanSseKms',
              Effect: 'Deny',
              Action: 's3:PutObject',
              Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            }),
            Match.objectLike({
              Sid: 'DenyKmsKeysOtherThanTheLakeKey',
              Effect: 'Deny',
              Action: 's3:PutObject',
              Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
            }),
          ]),
        },
      });
    }
  });

  it('allows only SSL requests with TLS 1.2 or later on every bucket', () => {
    for (const id of [...dataBucketIds, logBucketId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  it('blocks all public access, disables ACLs and versions every bucket', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
  });

  it('sends every bucket\'s object events to EventBridge, on the bucket itself (no notifications custom resource)', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    }
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
  });

  it('logs server access of every data bucket to the log bucket, under its own prefix, with date-partitioned keys', () => {
    const prefixes = ['raw/', 'curated/', 'analytics/', 'athena-results/'];
    dataBucketIds.forEach((id, index) => {
      expect(buckets[id].Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logBucketId },
        LogFilePrefix: prefixes[index],
        TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
      });
    });
  });

  it('zone lifecycle: abort uploads after 7 days, expire noncurrent versions after 90, never expire current objects', () => {
    for (const bucket of storage.zoneBuckets.values()) {
      const rules = buckets[logicalId(stack, bucket)].Properties.LifecycleConfiguration.Rules;
      expect(rules).toEqual([
        {
          Id: 'zone-lifecycle',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          ExpiredObjectDeleteMarker: true,
        },
      ]);
    }
  });

  it('the log bucket uses SSE-S3 (S3 delivers no access logs to SSE-KMS buckets) and expires logs after 365 days', () => {
    const log = buckets[logBucketId].Properties;
    expect(log.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(log.LoggingConfiguration).toBeUndefined();
    expect(log.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 365, Status: 'Enabled' });
  });

  it('expires Athena query results after 30 days', () => {
    const results = buckets[logicalId(stack, storage.athenaResultsBucket)].Properties;
    expect(results.LifecycleConfiguration.Rules[0]).toMatchObject({ Id: 'expire-query-results', ExpirationInDays: 30 });
  });

  it('retains every bucket and the key, and does not empty buckets', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('leaves physical names to CloudFormation', () => {
    for (const bucket of Object.values(buckets)) expect(bucket.Properties.BucketName).toBeUndefined();
  });
});

describe('DataLakeStorage overrides', () => {
  it('leaves the notification settings of a log bucket it is given alone', () => {
    const stack = constructStack();
    const logs = new s3.Bucket(stack, 'OwnLogs', { versioned: true });
    new DataLakeStorage(stack, 'Lake', { accessLogsBucket: logs });
    const own = Template.fromStack(stack).findResources('AWS::S3::Bucket')[logicalId(stack, logs)]!;
    expect(own.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(own.Properties.NotificationConfiguration).toBeUndefined();
  });

  it('uses a key, zones and lifecycle it is given', () => {
    const stack = constructStack();
    const key = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
    const storage = new DataLakeStorage(stack, 'Lake', {
      encryptionKey: key,
      zones: [
        {
          name: 'landing',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(45) }],
          noncurrentVersionExpiration: Duration.days(10),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
      athenaResultsRetention: Duration.days(3),
    });
    expect(storage.encryptionKey).toBe(key);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 45 }],
            NoncurrentVersionExpiration: { NoncurrentDays: 10 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 3 })] },
    });
  });

  it('with DESTROY and autoDeleteObjects, deletes and empties buckets', () => {
    const stack = constructStack();
    new DataLakeStorage(stack, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const template = Template.fromStack(stack);
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 5);
  });

  it('grantRead and grantReadWrite cover the zone bucket and the lake key', () => {
    const stack = constructStack();
    const storage = new DataLakeStorage(stack, 'Lake');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    storage.grantRead(reader, 'curated');
    storage.grantReadWrite(writer, 'raw');
    const template = Template.fromStack(stack);
    const statements = (roleId: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const readerActions = statements('Reader').flatMap((s: any) => [s.Action].flat());
    expect(readerActions).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:List*', 'kms:Decrypt']));
    expect(readerActions).not.toContain('s3:PutObject');
    const writerActions = statements('Writer').flatMap((s: any) => [s.Action].flat());
    expect(writerActions).toEqual(expect.arrayContaining(['s3:PutObject', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:Decrypt']));
  });
});

describe('DataLakeStorage refuses', () => {
  const build = (props: ConstructorParameters<typeof DataLakeStorage>[2]) => () => new DataLakeStorage(constructStack(), 'Lake', props);

  it('an unknown zone in grant helpers, naming the known zones', () => {
    const storage = new DataLakeStorage(constructStack(), 'Lake');
    const role = new iam.Role(storage, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => storage.grantRead(role, 'gold')).toThrow('no zone "gold"; zones are raw, curated, analytics');
  });
  it('autoDeleteObjects without DESTROY', () => {
    expect(build({ autoDeleteObjects: true })).toThrow('autoDeleteObjects needs removalPolicy DESTROY');
  });
  it('an infrequent-access transition under 30 days', () => {
    expect(
      build({ zones: [{ name: 'raw', transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(7) }] }] }),
    ).toThrow('transitions to STANDARD_IA after 7 days; S3 needs at least 30');
  });
  it('duplicate and malformed zone names, and no zones', () => {
    expect(build({ zones: [{ name: 'raw' }, { name: 'raw' }] })).toThrow('zone "raw" is listed twice');
    expect(build({ zones: [{ name: 'Raw-Zone' }] })).toThrow('zone name "Raw-Zone" must be 2-20 lowercase letters or digits');
    expect(build({ zones: [] })).toThrow('zones must list at least one zone');
  });
});

describe('DataLakeStorage.expireObjects (a dataset retention)', () => {
  it('adds one expiry rule for the prefix on that zone only', () => {
    const stack = constructStack();
    const storage = new DataLakeStorage(stack, 'Lake');
    storage.expireObjects('raw', 'events/', 400);
    storage.expireObjects('raw', 'errors/events/', 30);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-events', Prefix: 'events/', ExpirationInDays: 400, Status: 'Enabled' }),
          Match.objectLike({ Id: 'expire-errors-events', Prefix: 'errors/events/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
    const withExpiry = Object.values(template.findResources('AWS::S3::Bucket')).filter((bucket) =>
      JSON.stringify(bucket).includes('"ExpirationInDays":400'),
    );
    expect(withExpiry).toHaveLength(1);
  });

  it.each([
    ['a prefix that is not a folder', 'raw', 'events', 30, 'expiry prefix "events" must be a folder ending in "/"'],
    ['the bucket root', 'raw', '/', 30, 'expiry prefix "/" must be a folder ending in "/"'],
    ['zero days', 'raw', 'events/', 0, 'expiry of raw/events/ must be a whole number of days ≥ 1'],
    ['a fraction of a day', 'raw', 'events/', 1.5, 'expiry of raw/events/ must be a whole number of days ≥ 1'],
    ['an unknown zone', 'landing', 'events/', 30, 'landing'],
  ])('refuses %s', (_, zone, prefix, days, message) => {
    const storage = new DataLakeStorage(constructStack(), 'Lake');
    expect(() => storage.expireObjects(zone, prefix, days)).toThrow(message);
  });

  it('refuses a prefix overlapping one that already expires in the same zone, not in another zone', () => {
    const storage = new DataLakeStorage(constructStack(), 'Lake');
    storage.expireObjects('raw', 'events/', 400);
    expect(() => storage.expireObjects('raw', 'events/2026/', 30)).toThrow('raw/events/2026/ overlaps raw/events/, which already expires; one rule per prefix');
    expect(() => storage.expireObjects('raw', 'events/', 30)).toThrow('raw/events/ overlaps raw/events/');
    expect(() => storage.expireObjects('curated', 'events/', 30)).not.toThrow();
  });
});
