import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { RestoreTesting } from '../../constructs/backup';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { backupVaultName } from '../naming';
import type { CatalogStack } from './catalog-stack';
import type { IngestionStack } from './ingestion-stack';
import type { StorageStack } from './storage-stack';
import type { VectorStack } from './vector-stack';

export interface OperationsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly storage: StorageStack;
  readonly catalog: CatalogStack;
  readonly ingestion: IngestionStack;
  readonly vector: VectorStack;
}

/**
 * The alarm topic, every alarm, the dashboard, EventBridge rules for backup jobs and the restore testing
 * plan. Stateless; it reads every other stack and nothing reads it (DESIGN.md).
 */
export class OperationsStack extends Stack {
  public readonly monitoring: PlatformMonitoring;
  public readonly restoreTesting: RestoreTesting;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    const { config, storage, catalog, ingestion, vector } = props;
    const operations = config.operations;

    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      topicKey: storage.keys.notificationsKey,
      emails: operations.alarmEmails,
      httpsEndpoints: operations.alarmHttpsEndpoints,
      dashboardName: `${config.project}-${config.name}`,
      thresholds: {
        iteratorAgeMinutes: operations.iteratorAgeMinutes,
        queryP95Seconds: operations.queryP95Seconds,
        databaseCpuPercent: operations.databaseCpuPercent,
        databaseFreeStorageGiB: operations.databaseFreeStorageGiB,
        databaseFreeableMemoryMiB: operations.databaseFreeableMemoryMiB,
        databaseConnections: operations.databaseConnections,
      },
    });
    for (const streamed of ingestion.ingestion.values()) this.monitoring.watchIngestion(streamed);
    this.monitoring.watchQueries(catalog.catalog, [...catalog.catalog.workgroups.keys()]);
    this.monitoring.watchDatabase(vector.vectorStore);
    // The vault's name is fixed by naming rules; the literal keeps the alarm readable (no cross-stack token).
    this.monitoring.watchBackups(backupVaultName(config.project, config.name));
    this.monitoring.finish();

    this.restoreTesting = new RestoreTesting(this, 'RestoreTesting', {
      planName: `${config.project}_${config.name}_restore_tests`,
      vault: storage.backup.vault,
      scheduleExpression: operations.restoreTestSchedule,
      validationWindowHours: operations.restoreValidationHours,
    });
    const database = vector.vectorStore;
    this.restoreTesting.addSelection('rds', 'RDS', [database.instance.instanceArn], {
      // The lake's VPC has no default VPC to fall back on: restore into the database's own subnets and group.
      dbsubnetgroupname: database.subnetGroupName,
      vpcsecuritygroupids: Stack.of(this).toJsonString([database.securityGroup.securityGroupId]),
    });
    this.restoreTesting.addSelection(
      's3',
      'S3',
      [...storage.storage.zoneBuckets.values()].map((bucket) => bucket.bucketArn),
    );
  }
}
