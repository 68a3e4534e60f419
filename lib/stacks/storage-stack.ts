import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, ZoneConfig } from '../../config/schema';
import { LakehouseBackup } from '../../constructs/backup';
import { PlatformKeys } from '../../constructs/keys';
import { dataPrefix, errorPrefixRoot, type DatasetDefinition } from '../../constructs/datasets';
import { DataLakeStorage, type DataLakeZoneProps } from '../../constructs/storage';
import { backupVaultName } from '../naming';
import { statefulRemoval } from '../removal';
import { vaultLock } from '../vault-lock';

export interface StorageStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** ARN of the DR vault that daily and monthly recovery points are copied to (prod). */
  readonly copyToVaultArn?: string;
  /** Datasets whose retention becomes lifecycle rules on their prefixes. */
  readonly datasets: readonly DatasetDefinition[];
}

/**
 * The stateful core: every customer-managed key and the lake's buckets. Retained and
 * termination-protected outside dev; nothing here depends on another stack.
 */
export class StorageStack extends Stack {
  public readonly keys: PlatformKeys;
  public readonly storage: DataLakeStorage;
  /** The environment's backup vault and plan; other stacks select their resources into it. */
  public readonly backup: LakehouseBackup;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { storage } = props.config;

    this.keys = new PlatformKeys(this, 'Keys', {
      removalPolicy: removal.removalPolicy,
      pendingWindow: removal.keyPendingWindow,
    });
    this.storage = new DataLakeStorage(this, 'DataLake', {
      encryptionKey: this.keys.lakeKey,
      zones: storage.zones.map(zoneProps),
      accessLogsRetention: Duration.days(storage.accessLogRetentionDays),
      athenaResultsRetention: Duration.days(storage.athenaResultsRetentionDays),
      removalPolicy: removal.removalPolicy,
      autoDeleteObjects: removal.autoDeleteObjects,
    });
    for (const dataset of props.datasets) this.applyRetention(dataset);

    const backupConfig = props.config.backup;
    this.backup = new LakehouseBackup(this, 'Backup', {
      encryptionKey: this.keys.backupKey,
      vaultName: backupVaultName(props.config.project, props.config.name),
      // dev takes daily and continuous backups, so its vault is never empty when the stack is destroyed:
      // it is retained, and each deployment names its own vault so that a redeploy does not collide
      // with the one left behind (constructs/backup/README.md, "Destroying dev"). Outside dev the name
      // is fixed: the DR copy rule and the operators' runbooks name it.
      uniqueVaultName: props.config.name === 'dev',
      breakGlassRoleArn: backupConfig.breakGlassRoleArn,
      continuousRetention: Duration.days(backupConfig.continuousRetentionDays),
      dailyRetention: Duration.days(backupConfig.dailyRetentionDays),
      monthlyRetention: backupConfig.monthlyRetentionDays === undefined ? undefined : Duration.days(backupConfig.monthlyRetentionDays),
      // A vault holding recovery points cannot be deleted; DESTROY would only fail `cdk destroy`.
      removalPolicy: RemovalPolicy.RETAIN,
      lock: vaultLock(backupConfig.vaultLock),
      copyToVaultArn: props.copyToVaultArn,
    });
    // The zone buckets' selection lives here, in the stack that owns them.
    this.backup.selectBuckets(this, 'BucketBackup', [...this.storage.zoneBuckets.values()]);
  }

  /**
   * A dataset's retention, derived from its contract: its prefix in each zone it lists expires after
   * that many days, and in its own zone so do the records Firehose could not deliver.
   */
  private applyRetention(dataset: DatasetDefinition): void {
    for (const [zone, days] of Object.entries(dataset.retentionDays ?? {})) {
      this.storage.expireObjects(zone, dataPrefix(dataset), days);
      if (zone === dataset.zone && dataset.ingestion === 'stream') this.storage.expireObjects(zone, errorPrefixRoot(dataset), days);
    }
  }

  /** The key log groups in every stack use. */
  public get logsKey(): kms.IKey {
    return this.keys.logsKey;
  }
}

const STORAGE_CLASS: Record<ZoneConfig['transitions'][number]['storageClass'], s3.StorageClass> = {
  STANDARD_IA: s3.StorageClass.INFREQUENT_ACCESS,
  INTELLIGENT_TIERING: s3.StorageClass.INTELLIGENT_TIERING,
  ONEZONE_IA: s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS,
  GLACIER_IR: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
  GLACIER: s3.StorageClass.GLACIER,
  DEEP_ARCHIVE: s3.StorageClass.DEEP_ARCHIVE,
};

function zoneProps(zone: ZoneConfig): DataLakeZoneProps {
  return {
    name: zone.name,
    transitions: zone.transitions.map((t) => ({
      storageClass: STORAGE_CLASS[t.storageClass],
      transitionAfter: Duration.days(t.afterDays),
    })),
    noncurrentVersionExpiration: Duration.days(zone.noncurrentVersionExpirationDays),
    abortIncompleteMultipartUploadAfter: Duration.days(zone.abortIncompleteMultipartUploadDays),
  };
}
