import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import { acknowledgeReplicationFinding } from '../storage/storage-compliance';
import { MAX_TRAIL_BUCKETS, MAX_TRAIL_RETENTION_DAYS } from './audit-limits';
import { allowCloudTrailToEncrypt } from './audit-key-policies';
import { accessTrailSelectors, type TrailEventSelector } from './access-trail-selectors';

/** Properties of {@link LakeAccessTrail}. */
export interface LakeAccessTrailProps {
  /** Buckets whose object reads and writes are recorded (S3 data events); 1-250, in this region. */
  readonly buckets: readonly s3.IBucket[];
  /** Server-access-log target of the trail's own bucket (SSE-S3, same account and region). */
  readonly accessLogsBucket: s3.IBucket;
  /** Prefix of the trail bucket's access logs in that bucket. @default 'lake-access-trail/' */
  readonly accessLogsPrefix?: string;
  /** Key of the CloudWatch Logs log group the trail also delivers to (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** Retention of that log group (the bucket keeps the full record). @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Days log files stay in the trail bucket, then expire; also their Object Lock retention. @default 2557 (7 years) */
  readonly retentionDays?: number;
  /** Record reads (GetObject, Glue Get*, Lake Formation GetDataAccess) as well as writes. @default true */
  readonly includeReads?: boolean;
  /** Record management events: where Glue Data Catalog and Lake Formation calls are. @default true */
  readonly managementEvents?: boolean;
  /**
   * Key for the trail's log files. It must be a key this app creates (its policy gets CloudTrail's statements).
   * @default - a new key with rotation on, retained
   */
  readonly encryptionKey?: kms.Key;
  /**
   * Object Lock (governance mode, `retentionDays`) on the trail bucket, so log files cannot be changed or
   * deleted before retention ends without the bypass permission. Only takes effect on a new bucket.
   * @default true
   */
  readonly objectLock?: boolean;
}

/**
 * An audit trail of access to the lake: a single-region CloudTrail trail recording S3 data events on the
 * given buckets and the account's management events in the region (Glue Data Catalog and Lake
 * Formation calls are management events), with log file validation, into a retained, KMS-encrypted,
 * versioned, Object-Locked, TLS-only bucket with access logging and an expiry, and into a KMS-encrypted
 * CloudWatch Logs group for search and metric filters.
 *
 * Single-region on purpose: the buckets and the catalog are regional, S3 data events are recorded in the
 * bucket's region, and a multi-region trail would only add other regions' management events (paid, as
 * a second copy) to a lake audit trail. Global-service events (IAM, STS sign-ins) are left to the
 * account's own trail.
 *
 * The bucket and key are always retained: they are audit evidence that must outlive the stack.
 */
export class LakeAccessTrail extends Construct {
  public readonly trail: cloudtrail.CfnTrail;
  /** Holds the log files (`AWSLogs/<account>/CloudTrail/<region>/…`). */
  public readonly bucket: s3.Bucket;
  /** Encrypts the log files. */
  public readonly encryptionKey: kms.Key;
  /** Receives the same events, for CloudWatch Logs Insights and metric filters. */
  public readonly logGroup: logs.LogGroup;
  /** The role CloudTrail delivers to the log group with. */
  public readonly logsRole: iam.Role;
  /** The advanced event selectors, as rendered into the trail. */
  public readonly selectors: TrailEventSelector[];

  constructor(scope: Construct, id: string, props: LakeAccessTrailProps) {
    super(scope, id);
    const problems = lakeAccessTrailProblems(props, this.node.path);
    if (problems.length > 0) throw new ValidationReport(problems);
    const stack = Stack.of(this);
    const retentionDays = props.retentionDays ?? 2557;
    const accessLogsPrefix = props.accessLogsPrefix ?? 'lake-access-trail/';

    this.encryptionKey =
      props.encryptionKey ??
      denyGrantsExceptForAwsResources(
        new kms.Key(this, 'Key', { description: 'Lake access trail log files', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN, pendingWindow: Duration.days(30) }),
      );
    allowCloudTrailToEncrypt(this.encryptionKey);

    // An access-log bucket owned by another stack would get a statement naming this bucket, making that
    // stack depend on this one; it gets an account-wide statement for this prefix instead (below).
    const logsElsewhere = props.accessLogsBucket instanceof s3.Bucket && Stack.of(props.accessLogsBucket) !== stack;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      // CloudTrail encrypts each log file itself, under the trail's key and its own encryption context (which
      // the key policy conditions on); it writes a few files per five minutes, so a bucket key saves nothing.
      bucketKeyEnabled: false,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: props.objectLock ?? true,
      objectLockDefaultRetention: (props.objectLock ?? true) ? s3.ObjectLockRetention.governance(Duration.days(retentionDays)) : undefined,
      serverAccessLogsBucket: logsElsewhere ? undefined : props.accessLogsBucket,
      serverAccessLogsPrefix: logsElsewhere ? undefined : accessLogsPrefix,
      lifecycleRules: [
        {
          id: 'expire-trail-logs',
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          // Glacier Instant Retrieval stays queryable by Athena; it bills 90 days minimum, so only for long retention.
          transitions: retentionDays >= 180 ? [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }] : undefined,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (logsElsewhere) this.logToBucketInAnotherStack(props.accessLogsBucket as s3.Bucket, accessLogsPrefix);
    // Object events to EventBridge through the native setting (CT.S3.PR.4), not CDK's notification Lambda.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    acknowledgeReplicationFinding(this.bucket);

    const trails = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/*`;
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: { ArnLike: { 'aws:SourceArn': trails } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': trails } },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logsKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'CloudTrail delivery of the lake access trail to its CloudWatch Logs group',
    });
    this.logsRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));

    this.selectors = accessTrailSelectors({
      bucketArns: props.buckets.map((bucket) => bucket.bucketArn),
      includeReads: props.includeReads ?? true,
      managementEvents: props.managementEvents ?? true,
    });
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      isLogging: true,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: this.encryptionKey.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: this.logsRole.roleArn,
      advancedEventSelectors: this.selectors,
    });
    // CloudTrail checks that it may write to the bucket, the key and the log group when the trail is created.
    if (this.bucket.policy) this.trail.node.addDependency(this.bucket.policy);
    this.trail.node.addDependency(this.logsRole, this.encryptionKey);
  }

  /** The trail's ARN. */
  public get trailArn(): string {
    return this.trail.attrArn;
  }

  /** Lets `grantee` list and read the log files (and decrypt them), for example an auditor's Athena role. */
  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grantDecrypt(grantee);
    return this.bucket.grantRead(grantee);
  }

  /**
   * Server access logs into a bucket of another stack: this bucket names the target itself (L1), and the
   * target admits S3 log delivery for this prefix from any bucket of this account, so that stack never
   * refers to this one.
   */
  private logToBucketInAnotherStack(target: s3.Bucket, prefix: string): void {
    const stack = Stack.of(target);
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: target.bucketName,
      logFilePrefix: prefix,
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
    };
    target.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowAccessLogs${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [target.arnForObjects(`${prefix}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}

/** Every problem of LakeAccessTrail's props (values CloudFormation or CloudTrail would refuse at deploy). */
export function lakeAccessTrailProblems(props: LakeAccessTrailProps, path: string): ValidationProblem[] {
  const source = `LakeAccessTrail ${path}`;
  const problems: ValidationProblem[] = [];
  const add = (field: string, value: unknown, allowed: string) => problems.push({ source, field, value: renderValue(value), allowed });
  const buckets = (props.buckets as readonly s3.IBucket[] | undefined) ?? [];
  if (buckets.length < 1 || buckets.length > MAX_TRAIL_BUCKETS) add('buckets', `${buckets.length} buckets`, `must list 1-${MAX_TRAIL_BUCKETS} buckets (CloudTrail allows 500 selector values per trail)`);
  const arns = buckets.map((bucket) => bucket.bucketArn);
  arns.forEach((arn, index) => {
    if (arns.indexOf(arn) !== index) add(`buckets[${index}]`, Token.isUnresolved(arn) ? '(the same bucket)' : arn, 'is listed twice');
  });
  if ((props.accessLogsBucket as s3.IBucket | undefined) === undefined) add('accessLogsBucket', undefined, 'is required: the trail bucket logs its own access (S3 server access logs)');
  const days = props.retentionDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_TRAIL_RETENTION_DAYS)) add('retentionDays', days, `must be a whole number from 1 to ${MAX_TRAIL_RETENTION_DAYS}`);
  const prefix = props.accessLogsPrefix;
  if (prefix !== undefined && !/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix)) add('accessLogsPrefix', prefix, 'must be a folder of safe key characters ending in "/"');
  if (props.encryptionKey !== undefined && !(props.encryptionKey instanceof kms.Key)) add('encryptionKey', '(an imported key)', "must be a key this app creates (kms.Key): CloudTrail's statements are added to its policy");
  return problems;
}
