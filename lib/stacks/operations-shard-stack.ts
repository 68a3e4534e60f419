import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { HISTORY_TABLE, type DataQuality } from '../../constructs/data-quality';
import type { DatasetDefinition } from '../../constructs/datasets';
import { PlatformMonitoring } from '../../constructs/monitoring';
import type { CatalogStack } from './catalog-stack';
import type { IngestionStack } from './ingestion-stack';
import type { NetworkStack } from './network-stack';
import { createDataQuality } from './operations-quality';
import type { StorageStack } from './storage-stack';

export interface OperationsShardStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Short name of the shard, for the dashboard's name. */
  readonly shard: string;
  /** The shard's datasets. */
  readonly datasets: readonly DatasetDefinition[];
  readonly allDatasets: readonly DatasetDefinition[];
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly catalog: CatalogStack;
  /** The shard's ingestion stack, when it streams any dataset. */
  readonly ingestion?: IngestionStack;
}

/**
 * One shard of the operations layer: the data-quality checks of the shard's Parquet datasets (their
 * own function) and the alarms and dashboard of its datasets. Platform-wide parts (restore testing,
 * the ELT, backup, query and database alarms) stay in the base operations stack.
 */
export class OperationsShardStack extends Stack {
  public readonly monitoring: PlatformMonitoring;
  public readonly dataQuality?: DataQuality;

  constructor(scope: Construct, id: string, props: OperationsShardStackProps) {
    super(scope, id, props);
    const { config, ingestion } = props;
    const operations = config.operations;
    this.dataQuality = createDataQuality(this, props);
    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      topicKey: props.storage.keys.notificationsKey,
      emails: operations.alarmEmails,
      httpsEndpoints: operations.alarmHttpsEndpoints,
      dashboardName: `${config.project}-${config.name}-${props.shard}`,
      thresholds: { iteratorAgeMinutes: operations.iteratorAgeMinutes },
    });
    for (const streamed of ingestion?.ingestion.values() ?? []) this.monitoring.watchIngestion(streamed);
    if (this.dataQuality) this.monitoring.watchQuality(this.dataQuality);
    this.monitoring.finish();
  }

  /** Whether a shard of these datasets has anything to check or watch (else no stack is created). */
  public static needed(datasets: readonly DatasetDefinition[], allDatasets: readonly DatasetDefinition[]): boolean {
    return datasets.some((d) => d.ingestion === 'stream') || (datasets.some((d) => d.format === 'parquet') && allDatasets.some((d) => d.name === HISTORY_TABLE));
  }
}
