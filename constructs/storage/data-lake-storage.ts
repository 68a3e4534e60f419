import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import { denyOtherEncryption } from './encryption-policy';
import { acknowledgeAccessLogBucketFindings, acknowledgeReplicationFinding } from './storage-compliance';

/** Lifecycle of one zone's bucket. Expiry of current objects is not here: it belongs to each dataset. */
export interface ZoneLifecycleProps {
  /**
   * Storage-class transitions for current objects. STANDARD_IA and ONEZONE_IA need at least 30 days.
   * @default - none
   */
  readonly transitions?: readonly s3.Transition[];
  /**
   * When noncurrent object versions are deleted.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * When incomplete multipart uploads are aborted.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
}

/** One data-lake zone: a bucket of its own. */
export interface DataLakeZoneProps extends ZoneLifecycleProps {
  /** Zone name: 2-20 lowercase letters or digits (it becomes part of construct IDs and Glue names). */
  readonly name: string;
}

/** Properties of {@link DataLakeStorage}. */
export interface DataLakeStorageProps {
  /**
   * The zones, one bucket each.
   * @default raw, curated and analytics, each with the default lifecycle
   */
  readonly zones?: readonly DataLakeZoneProps[];
  /**
   * Key for SSE-KMS on every data bucket; uploads asking for any other encryption are refused.
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket that receives server access logs. It must use SSE-S3: S3 does not deliver access logs to
   * SSE-KMS buckets.
   * @default - a new SSE-S3 bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * How long server access logs are kept (only for the log bucket this construct creates).
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
  /**
   * How long Athena query results are kept.
   * @default Duration.days(30)
   */
  readonly athenaResultsRetention?: Duration;
  /**
   * What happens to the buckets (and a created key) when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Empty the buckets before deleting them. Requires `removalPolicy: DESTROY`.
   * @default false
   */
  readonly autoDeleteObjects?: boolean;
}

/** The zones created when none are given. */
export const DEFAULT_ZONE_NAMES: readonly string[] = ['raw', 'curated', 'analytics'];

const ZONE_NAME = /^[a-z][a-z0-9]{1,19}$/;
const INFREQUENT_ACCESS = new Set([s3.StorageClass.INFREQUENT_ACCESS.value, s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS.value]);

/**
 * Data-lake storage: a bucket per zone, an Athena query-results bucket and a server-access-log bucket.
 *
 * Every data bucket is SSE-KMS with a bucket key, refuses uploads that ask for another encryption or
 * another key, is SSL-only with TLS 1.2 or later, blocks all public access, has ACLs disabled, is
 * versioned, logs server access to the log bucket under date-partitioned keys, and carries its zone's
 * lifecycle (transitions, noncurrent-version expiry, aborting incomplete uploads). Buckets are
 * retained unless the caller opts into DESTROY.
 */
export class DataLakeStorage extends Construct {
  /** Key encrypting every data bucket. */
  public readonly encryptionKey: kms.IKey;
  /** Zone buckets by zone name, in the order given. */
  public readonly zoneBuckets: ReadonlyMap<string, s3.Bucket>;
  /** Bucket for Athena query results. */
  public readonly athenaResultsBucket: s3.Bucket;
  /** Bucket receiving server access logs (SSE-S3). */
  public readonly accessLogsBucket: s3.IBucket;

  private readonly expiringPrefixes = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: DataLakeStorageProps = {}) {
    super(scope, id);
    const zones = props.zones ?? DEFAULT_ZONE_NAMES.map((name) => ({ name }));
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const autoDeleteObjects = props.autoDeleteObjects ?? false;
    const accessLogsRetention = props.accessLogsRetention ?? Duration.days(365);
    const athenaResultsRetention = props.athenaResultsRetention ?? Duration.days(30);
    validateZones(this.node.path, zones);
    if (autoDeleteObjects && removalPolicy !== RemovalPolicy.DESTROY) {
      throw new Error(`${this.node.path}: autoDeleteObjects needs removalPolicy DESTROY; drop autoDeleteObjects or opt into DESTROY`);
    }

    // Deliver access logs through a bucket policy rather than ACLs, so the log bucket can keep ACLs
    // disabled. Set here so the construct behaves the same in apps that have not set the flag.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.encryptionKey =
      props.encryptionKey ??
      denyGrantsExceptForAwsResources(new kms.Key(this, 'Key', { description: 'Data lake buckets', enableKeyRotation: true, removalPolicy }));

    const accessLogsBucket =
      props.accessLogsBucket ??
      new s3.Bucket(this, 'AccessLogsBucket', {
        // S3 delivers server access logs only to SSE-S3 buckets.
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        lifecycleRules: [
          {
            id: 'expire-access-logs',
            expiration: accessLogsRetention,
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ],
        removalPolicy,
        autoDeleteObjects,
      });
    // A log bucket passed in keeps its own notification settings.
    if (!props.accessLogsBucket && accessLogsBucket instanceof s3.Bucket) sendEventsToEventBridge(accessLogsBucket);
    if (accessLogsBucket instanceof s3.Bucket) {
      acknowledgeAccessLogBucketFindings(accessLogsBucket);
      acknowledgeReplicationFinding(accessLogsBucket);
    }
    this.accessLogsBucket = accessLogsBucket;

    const dataBucket = (bucketId: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) => {
      const bucket = new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.encryptionKey,
        bucketKeyEnabled: true,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        serverAccessLogsBucket: accessLogsBucket,
        serverAccessLogsPrefix: logPrefix,
        targetObjectKeyFormat: s3.TargetObjectKeyFormat.partitionedPrefix(s3.PartitionDateSource.EVENT_TIME),
        lifecycleRules,
        removalPolicy,
        autoDeleteObjects,
      });
      denyOtherEncryption(bucket, this.encryptionKey);
      sendEventsToEventBridge(bucket);
      acknowledgeReplicationFinding(bucket);
      return bucket;
    };

    const zoneBuckets = new Map<string, s3.Bucket>();
    for (const zone of zones) {
      zoneBuckets.set(zone.name, dataBucket(`${pascalCase(zone.name)}ZoneBucket`, `${zone.name}/`, [zoneLifecycleRule(zone)]));
    }
    this.zoneBuckets = zoneBuckets;

    this.athenaResultsBucket = dataBucket('AthenaResultsBucket', 'athena-results/', [
      {
        id: 'expire-query-results',
        expiration: athenaResultsRetention,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ]);
  }

  /**
   * Expires current objects under `prefix` of `zone`'s bucket after `days` (a dataset's retention).
   * Each prefix has one owner: a prefix that overlaps one already expiring is refused, because S3
   * would apply the earliest expiry of the two.
   */
  public expireObjects(zone: string, prefix: string, days: number): void {
    const bucket = this.bucket(zone);
    if (!prefix.endsWith('/') || prefix.length < 2) throw new Error(`${this.node.path}: expiry prefix "${prefix}" must be a folder ending in "/"`);
    if (!Number.isInteger(days) || days < 1) throw new Error(`${this.node.path}: expiry of ${zone}/${prefix} must be a whole number of days ≥ 1`);
    const taken = this.expiringPrefixes.get(zone) ?? [];
    const clash = taken.find((other) => other.startsWith(prefix) || prefix.startsWith(other));
    if (clash) throw new Error(`${this.node.path}: ${zone}/${prefix} overlaps ${zone}/${clash}, which already expires; one rule per prefix`);
    taken.push(prefix);
    this.expiringPrefixes.set(zone, taken);
    bucket.addLifecycleRule({ id: `expire-${prefix.replace(/\/$/, '').replace(/\//g, '-')}`, prefix, expiration: Duration.days(days) });
  }

  /** Names of the zones, in order. */
  public get zoneNames(): string[] {
    return [...this.zoneBuckets.keys()];
  }

  /** The bucket of `zone`; throws naming the known zones if there is none. */
  public bucket(zone: string): s3.Bucket {
    const bucket = this.zoneBuckets.get(zone);
    if (!bucket) {
      throw new Error(`${this.node.path}: no zone "${zone}"; zones are ${this.zoneNames.join(', ')}`);
    }
    return bucket;
  }

  /** Lets `principal` read objects in `zone`, including decrypting them with the lake key. */
  public grantRead(principal: iam.IGrantable, zone: string): iam.Grant {
    return this.bucket(zone).grantRead(principal);
  }

  /** Lets `principal` read and write objects in `zone`, including the lake key's encrypt and decrypt. */
  public grantReadWrite(principal: iam.IGrantable, zone: string): iam.Grant {
    return this.bucket(zone).grantReadWrite(principal);
  }
}

/** The zone's one lifecycle rule; it never expires current objects (datasets own that, per prefix). */
function zoneLifecycleRule(zone: DataLakeZoneProps): s3.LifecycleRule {
  return {
    id: 'zone-lifecycle',
    transitions: zone.transitions ? [...zone.transitions] : undefined,
    noncurrentVersionExpiration: zone.noncurrentVersionExpiration ?? Duration.days(90),
    abortIncompleteMultipartUploadAfter: zone.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
    expiredObjectDeleteMarker: true,
  };
}

function validateZones(path: string, zones: readonly DataLakeZoneProps[]): void {
  if (zones.length === 0) throw new Error(`${path}: zones must list at least one zone`);
  const seen = new Set<string>();
  for (const zone of zones) {
    if (!ZONE_NAME.test(zone.name)) {
      throw new Error(`${path}: zone name "${zone.name}" must be 2-20 lowercase letters or digits, starting with a letter`);
    }
    if (seen.has(zone.name)) throw new Error(`${path}: zone "${zone.name}" is listed twice`);
    seen.add(zone.name);
    for (const transition of zone.transitions ?? []) {
      const after = transition.transitionAfter?.toDays() ?? 0;
      if (INFREQUENT_ACCESS.has(transition.storageClass.value) && after < 30) {
        throw new Error(
          `${path}: zone "${zone.name}" transitions to ${transition.storageClass.value} after ${after} days; S3 needs at least 30`,
        );
      }
    }
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * Object events go to EventBridge (AWS Control Tower CT.S3.PR.4), so pipelines and audits can react to
 * data arriving without polling. Set on the CloudFormation bucket itself: the L2's `eventBridgeEnabled`
 * does the same through a custom-resource Lambda, which brings IAM and Lambda findings of its own.
 */
function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
