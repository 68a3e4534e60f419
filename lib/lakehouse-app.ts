import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/schema';
import { applyCompliance } from './compliance';
import './handler-bundling';
import { DATASET_SOURCES, DATASETS } from '../config/datasets';
import type { DatasetDefinition } from '../constructs/datasets';
import { validateInputs } from './input-validation';
import { stackName } from './naming';
import { CatalogStack } from './stacks/catalog-stack';
import { IngestionStack } from './stacks/ingestion-stack';
import { VectorStack } from './stacks/vector-stack';
import { DisasterRecoveryStack } from './stacks/dr-stack';
import { OperationsStack } from './stacks/operations-stack';
import { backupVaultName } from './naming';
import { applyEnvironmentTags } from './tagging';
import { NetworkStack } from './stacks/network-stack';
import { StorageStack } from './stacks/storage-stack';

/** The stacks of one environment. */
export interface LakehouseStacks {
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  readonly catalog: CatalogStack;
  readonly ingestion: IngestionStack;
  readonly vector: VectorStack;
  readonly operations: OperationsStack;
  /** The DR vault's stack, when the environment copies backups to another region. */
  readonly dr?: DisasterRecoveryStack;
}

export interface BuildOptions {
  /** Register the cdk-nag packs as validation plugins (the app always does; benchmarks may not). Default true. */
  readonly compliance?: boolean;
  /** Datasets to catalog. Default: the product's datasets (config/datasets). */
  readonly datasets?: readonly DatasetDefinition[];
  /**
   * The file each dataset is declared in (by object identity), named in validation errors. The
   * product's own datasets are always known.
   */
  readonly datasetSources?: ReadonlyMap<unknown, string>;
}

/**
 * Composes one environment's stacks from a validated config. Stacks only read from stacks created
 * before them: storage holds the keys everything else encrypts with, so it comes first.
 */
export function buildLakehouse(app: App, config: EnvironmentConfig, options: BuildOptions = {}): LakehouseStacks {
  const datasets = options.datasets ?? DATASETS;
  // Datasets, what they imply, endpoints and context are validated before any stack exists.
  validateInputs(app, config, datasets, new Map([...DATASET_SOURCES, ...(options.datasetSources ?? [])]));
  const env = config.account ? { account: config.account, region: config.region } : undefined;
  const description = (layer: string) => `Lakehouse Blueprint ${config.project} ${config.name}: ${layer}`;

  const disasterRecovery = config.backup.disasterRecovery;
  const dr = disasterRecovery
    ? new DisasterRecoveryStack(app, stackName(config.project, config.name, 'dr'), {
        env: { account: disasterRecovery.account ?? config.account, region: disasterRecovery.region },
        config,
        vaultName: backupVaultName(config.project, config.name, true),
        description: description('DR backup vault in the DR region (stateful)'),
      })
    : undefined;
  const storage = new StorageStack(app, stackName(config.project, config.name, 'storage'), {
    env,
    config,
    copyToVaultArn: disasterRecovery
      ? `arn:aws:backup:${disasterRecovery.region}:${disasterRecovery.account ?? config.account}:backup-vault:${backupVaultName(config.project, config.name, true)}`
      : undefined,
    datasets,
    description: description('keys, data-lake buckets, backup vault and plan (stateful)'),
  });
  // The copy target must exist before the first copy runs.
  if (dr) storage.addStackDependency(dr);
  const network = new NetworkStack(app, stackName(config.project, config.name, 'network'), {
    env,
    config,
    logsKey: storage.logsKey,
    description: description('VPC, flow logs and endpoints'),
  });
  const catalog = new CatalogStack(app, stackName(config.project, config.name, 'catalog'), {
    env,
    config,
    datasets,
    storage,
    network,
    description: description('Glue catalog, Athena workgroups, Lake Formation governance'),
  });

  const ingestion = new IngestionStack(app, stackName(config.project, config.name, 'ingestion'), {
    env,
    config,
    datasets,
    storage,
    catalog,
    description: description('Kinesis streams and Firehose delivery per streamed dataset'),
  });

  const vector = new VectorStack(app, stackName(config.project, config.name, 'vector'), {
    env,
    config,
    storage,
    network,
    description: description('RDS PostgreSQL with pgvector, its secret and bootstrap (stateful)'),
  });

  const operations = new OperationsStack(app, stackName(config.project, config.name, 'operations'), {
    env,
    config,
    datasets,
    network,
    storage,
    catalog,
    ingestion,
    vector,
    description: description('alarms, dashboard, backup events, restore testing'),
  });

  applyEnvironmentTags(app, config);
  if (options.compliance ?? true) applyCompliance(app);
  return { storage, network, catalog, ingestion, vector, operations, dr };
}
