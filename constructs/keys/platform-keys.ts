import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { allowCloudWatchLogs, allowNotificationPublishers, denyGrantsExceptForAwsResources } from './key-policies';

/** Properties of {@link PlatformKeys}. */
export interface PlatformKeysProps {
  /**
   * Use this key for lake data (zone buckets, Firehose output, Athena results) instead of creating one.
   * @default - a new key with rotation on
   */
  readonly lakeKey?: kms.IKey;
  /**
   * Use this key for the Glue Data Catalog (metadata at rest, connection passwords) instead of creating one.
   * @default - a new key with rotation on
   */
  readonly catalogKey?: kms.IKey;
  /**
   * Use this key for Kinesis streams instead of creating one.
   * @default - a new key with rotation on
   */
  readonly streamKey?: kms.IKey;
  /**
   * Use this key for the vector database (storage, Performance Insights, its secret) instead of creating one.
   * @default - a new key with rotation on
   */
  readonly databaseKey?: kms.IKey;
  /**
   * Use this key for the backup vault instead of creating one.
   * @default - a new key with rotation on
   */
  readonly backupKey?: kms.IKey;
  /**
   * Use this key for the alarm topic instead of creating one. Its policy must admit the publishing
   * services (see `allowNotificationPublishers`).
   * @default - a new key with rotation on, admitting CloudWatch, EventBridge and AWS Backup
   */
  readonly notificationsKey?: kms.IKey;
  /**
   * Use this key for CloudWatch log groups instead of creating one. Its policy must admit
   * `logs.<region>.amazonaws.com` (see `allowCloudWatchLogs`); an imported key's policy cannot be edited here.
   * @default - a new key with rotation on and a statement for CloudWatch Logs
   */
  readonly logsKey?: kms.IKey;
  /**
   * What happens to the keys this construct creates when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Waiting period before a removed key is deleted (7-30 days).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * The platform's customer-managed KMS keys, one per purpose (docs/architecture.md, "Keys"): each with automatic
 * rotation, retained by default, and a key policy that admits the AWS services the purpose needs (each
 * conditioned on this account's resources) and refuses grants that are not for AWS resources.
 * Roles get access through grants (`key.grantEncryptDecrypt(role)` and the like), never through `*`.
 */
export class PlatformKeys extends Construct {
  /** Encrypts the zone buckets, Firehose output and Athena results. */
  public readonly lakeKey: kms.IKey;
  /** Encrypts the Glue Data Catalog at rest and its connection passwords; every catalog reader needs it. */
  public readonly catalogKey: kms.IKey;
  /** Encrypts Kinesis streams; producers and Firehose use it through grants. */
  public readonly streamKey: kms.IKey;
  /** Encrypts the vector database: storage, Performance Insights, the master secret. */
  public readonly databaseKey: kms.IKey;
  /** Encrypts the backup vault. */
  public readonly backupKey: kms.IKey;
  /** Encrypts the alarm topic; CloudWatch, EventBridge and AWS Backup may publish through it. */
  public readonly notificationsKey: kms.IKey;
  /** Encrypts CloudWatch log groups (flow logs, Firehose errors, Lambda). */
  public readonly logsKey: kms.IKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const pendingWindow = props.pendingWindow ?? Duration.days(30);

    const newKey = (keyId: string, description: string) => {
      const key = new kms.Key(this, keyId, { description, enableKeyRotation: true, removalPolicy, pendingWindow });
      denyGrantsExceptForAwsResources(key);
      return key;
    };

    this.lakeKey = props.lakeKey ?? newKey('LakeKey', 'Lakehouse lake data: zone buckets, Firehose output, Athena results');
    this.catalogKey = props.catalogKey ?? newKey('CatalogKey', 'Lakehouse Glue Data Catalog: metadata at rest, connection passwords');
    this.streamKey = props.streamKey ?? newKey('StreamKey', 'Lakehouse Kinesis streams');
    this.databaseKey = props.databaseKey ?? newKey('DatabaseKey', 'Lakehouse vector database: storage, Performance Insights, secret');
    this.backupKey = props.backupKey ?? newKey('BackupKey', 'Lakehouse backup vault');

    if (props.notificationsKey) {
      this.notificationsKey = props.notificationsKey;
    } else {
      const key = newKey('NotificationsKey', 'Lakehouse alarm topic');
      allowNotificationPublishers(key);
      this.notificationsKey = key;
    }

    if (props.logsKey) {
      this.logsKey = props.logsKey;
    } else {
      const logsKey = newKey('LogsKey', 'Lakehouse CloudWatch log groups');
      allowCloudWatchLogs(logsKey);
      this.logsKey = logsKey;
    }
  }
}
