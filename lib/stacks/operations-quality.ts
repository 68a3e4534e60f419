import type { Stack } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EnvironmentConfig } from '../../config/schema';
import { DataQuality, HISTORY_TABLE } from '../../constructs/data-quality';
import type { DatasetDefinition } from '../../constructs/datasets';
import { grantTablePermissions } from '../../constructs/governance';
import { LINEAGE_TABLE } from '../../constructs/lineage/sql';
import { lineageJobNamespace } from '../naming';
import { statefulRemoval } from '../removal';
import type { CatalogStack } from './catalog-stack';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';

export interface DataQualityWiring {
  readonly config: EnvironmentConfig;
  /** The datasets of this stack (base or shard); all but the history table are checked. */
  readonly datasets: readonly DatasetDefinition[];
  /** Every dataset of the environment: the history table may be in another shard. */
  readonly allDatasets: readonly DatasetDefinition[];
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  /** The base catalog stack (database names, engineering workgroup, catalog key). */
  readonly catalog: CatalogStack;
}

/**
 * Checks of the stack's datasets (Parquet and Iceberg; not the history table the checks append to), with
 * the Lake Formation grants their queries need; one
 * function per operations stack, so each function's table list and role stay the size of one shard.
 */
export function createDataQuality(stack: Stack, props: DataQualityWiring): DataQuality | undefined {
  const { config, catalog, storage, network } = props;
  const lake = storage.storage;
  const checked = props.datasets.filter((dataset) => dataset.name !== HISTORY_TABLE);
  // An app with its own datasets may declare no table to check, or no history table to append to.
  if (checked.length === 0 || !props.allDatasets.some((dataset) => dataset.name === HISTORY_TABLE)) return undefined;
  const historyDatabase = catalog.catalog.databaseName('analytics');
  const lineage = props.allDatasets.find((dataset) => dataset.name === LINEAGE_TABLE);
  const quality = new DataQuality(stack, 'DataQuality', {
    vpc: network.network.vpc,
    vpcSubnets: network.network.workloadSubnets,
    vpcCidr: network.network.cidr,
    datasets: checked.map((dataset) => ({ dataset, databaseName: catalog.catalog.databaseName(dataset.zone) })),
    historyDatabase,
    workgroupName: catalog.engineeringWorkgroup,
    resultsBucket: lake.athenaResultsBucket,
    resultsKey: lake.encryptionKey,
    historyKey: lake.bucket('analytics').encryptionKey,
    catalogKey: catalog.catalogKey,
    logsKey: storage.logsKey,
    logRetention: config.logRetentionDays as logs.RetentionDays,
    removalPolicy: statefulRemoval(config).removalPolicy,
    environment: config.name,
    ...(lineage ? { lineage: { databaseName: catalog.catalog.databaseName(lineage.zone), jobNamespace: lineageJobNamespace(config) } } : {}),
  });
  for (const dataset of checked) {
    grantTablePermissions(quality, `${dataset.name}Grant`, quality.role, { databaseName: catalog.catalog.databaseName(dataset.zone), tableName: dataset.name }, ['SELECT', 'DESCRIBE']);
  }
  grantTablePermissions(quality, 'HistoryGrant', quality.role, { databaseName: historyDatabase, tableName: HISTORY_TABLE }, ['SELECT', 'INSERT', 'DESCRIBE']);
  if (lineage) {
    grantTablePermissions(quality, 'LineageGrant', quality.role, { databaseName: catalog.catalog.databaseName(lineage.zone), tableName: LINEAGE_TABLE }, ['SELECT', 'INSERT', 'DESCRIBE']);
  }
  return quality;
}
