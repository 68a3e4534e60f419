import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { HISTORY_TABLE, type DataQuality } from '../../constructs/data-quality';
import type { DatasetDefinition } from '../../constructs/datasets';
import { DatasetMonitoring } from '../../constructs/monitoring';
import type { CatalogStack } from './catalog-stack';
import type { IngestionStack } from './ingestion-stack';
import type { NetworkStack } from './network-stack';
import { createDataQuality } from './operations-quality';
import type { OperationsStack } from './operations-stack';
import type { StorageStack } from './storage-stack';

export interface OperationsShardStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Short name of the shard, for the dashboard's and the roll-up's names. */
  readonly shard: string;
  /** The shard's datasets. */
  readonly datasets: readonly DatasetDefinition[];
  readonly allDatasets: readonly DatasetDefinition[];
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly catalog: CatalogStack;
  /** The base operations stack: its topic is the one every alarm notifies. */
  readonly base: OperationsStack;
  /** The shard's ingestion stack, when it streams any dataset. */
  readonly ingestion?: IngestionStack;
}

/**
 * One shard of the operations layer: the data-quality checks of the shard's Parquet datasets (their
 * own function) and the alarms and paged dashboards of its datasets, notifying the base stack's topic,
 * with a roll-up named `<project>-<env>-operations-<shard>-degraded` that the environment roll-up stack
 * covers. Platform-wide parts (restore testing, the ELT, backup, query and database alarms) stay in the
 * base operations stack, which never reads a shard.
 */
export class OperationsShardStack extends Stack {
  public readonly monitoring: DatasetMonitoring;
  public readonly dataQuality?: DataQuality;

  constructor(scope: Construct, id: string, props: OperationsShardStackProps) {
    super(scope, id, props);
    const { config, ingestion } = props;
    this.dataQuality = createDataQuality(this, props);
    this.monitoring = new DatasetMonitoring(this, 'Monitoring', {
      topic: props.base.monitoring.topic,
      rollupAlarmName: `${id}-degraded`,
      dashboardName: `${config.project}-${config.name}-${props.shard}`,
      iteratorAgeMinutes: config.operations.iteratorAgeMinutes,
    });
    for (const streamed of ingestion?.ingestion.values() ?? []) this.monitoring.watchIngestion(streamed);
    // The shard owns its function, so it also watches that the function runs.
    if (this.dataQuality) this.monitoring.watchQuality(this.dataQuality, { runs: true });
    this.monitoring.finish();
  }

  /** Whether a shard of these datasets has anything to check or watch (else no stack is created). */
  public static needed(datasets: readonly DatasetDefinition[], allDatasets: readonly DatasetDefinition[]): boolean {
    return datasets.some((d) => d.ingestion === 'stream') || (datasets.some((d) => d.name !== HISTORY_TABLE) && allDatasets.some((d) => d.name === HISTORY_TABLE));
  }
}
