import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IDependable } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import type { DatasetDefinition } from '../../constructs/datasets';
import { grantTablePermissions } from '../../constructs/governance';
import { StreamingIngestion } from '../../constructs/ingestion';
import { streamName } from '../naming';
import { statefulRemoval } from '../removal';
import type { CatalogStack } from './catalog-stack';
import type { StorageStack } from './storage-stack';

export interface IngestionStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  /** The base catalog stack (database names, catalog key). */
  readonly catalog: CatalogStack;
  /**
   * Table resources of these datasets, for ordering: a shard's come from its catalog shard stack.
   * @default the base catalog's tables
   */
  readonly tables?: ReadonlyMap<string, IDependable>;
}

/**
 * The ingestion layer's base stack or one of its shards (lib/placement.ts): the same construct IDs in
 * either, so a dataset's stream keeps its logical ID wherever it is deployed.
 *
 * One Kinesis stream and one Firehose delivery stream per stream-ingested dataset (a JQ query cannot
 * drop records, so a shared stream would deliver every record to every dataset). Streams keep records
 * only for their retention; they are retained outside dev all the same.
 */
export class IngestionStack extends Stack {
  /** Ingestion by dataset name. */
  public readonly ingestion = new Map<string, StreamingIngestion>();

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, { ...props, terminationProtection: statefulRemoval(props.config).terminationProtection });
    const { config, storage, catalog } = props;
    const removal = statefulRemoval(config);
    const lake = storage.storage;

    for (const dataset of props.datasets.filter((d) => d.ingestion === 'stream')) {
      const name = streamName(config.project, config.name, dataset.name);
      const table = { databaseName: catalog.catalog.databaseName(dataset.zone), tableName: dataset.name };
      const ingestion = new StreamingIngestion(this, pascal(dataset.name), {
        dataset,
        bucket: lake.bucket(dataset.zone),
        table: { ...table, resource: (props.tables ?? catalog.catalog.tables).get(dataset.name) },
        streamName: name,
        deliveryStreamName: name,
        streamKey: storage.keys.streamKey,
        catalogKey: catalog.catalogKey,
        logsKey: storage.logsKey,
        logRetention: config.logRetentionDays as logs.RetentionDays,
        streamMode: config.ingestion.streamMode === 'provisioned' ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
        shardCount: config.ingestion.shardCount,
        retention: Duration.hours(config.ingestion.streamRetentionHours),
        removalPolicy: removal.removalPolicy,
      });
      // Format conversion reads the table's schema, which Lake Formation governs (docs/architecture.md).
      const grant = grantTablePermissions(ingestion, 'TableGrant', ingestion.role, table, ['SELECT', 'DESCRIBE']);
      ingestion.deliveryStream.node.addDependency(grant);
      this.ingestion.set(dataset.name, ingestion);
    }
  }
}

function pascal(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
