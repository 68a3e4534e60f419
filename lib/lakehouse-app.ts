import { Stack, type App } from 'aws-cdk-lib';
import { addResourceBudget, stackContents, type StackContents } from './budget';
import type { EnvironmentConfig } from '../config/schema';
import { applyCompliance } from './compliance';
import './handler-bundling';
import { DATASET_SOURCES, DATASETS } from '../config/datasets';
import { BASE_SHARD, type DatasetDefinition } from '../constructs/datasets';
import { validateInputs } from './input-validation';
import { shardStackName, stackName, type ShardedLayer } from './naming';
import { placeDatasets, ROLLUP_STACK_SUFFIX } from './placement';
import { OperationsRollupStack } from './stacks/operations-rollup-stack';
import { CatalogShardStack } from './stacks/catalog-shard-stack';
import { OperationsShardStack } from './stacks/operations-shard-stack';
import { CatalogStack } from './stacks/catalog-stack';
import { CollectorStack, QUARANTINE_DATASET } from './stacks/collector-stack';
import { IngestionStack } from './stacks/ingestion-stack';
import { VectorStack } from './stacks/vector-stack';
import { EmbeddingsStack } from './stacks/embeddings-stack';
import { PrivacyStack } from './stacks/privacy-stack';
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
  /** The embeddings pipelines, when `embeddings.enabled`. */
  readonly embeddings?: EmbeddingsStack;
  /** The HTTP collector, when `collector.enabled`. */
  readonly collector?: CollectorStack;
  /** The erasure workflow, when `privacy.enabled`. */
  readonly privacy?: PrivacyStack;
  readonly operations: OperationsStack;
  /** The DR vault's stack, when the environment copies backups to another region. */
  readonly dr?: DisasterRecoveryStack;
  /** The environment-wide roll-up of the operations stacks, when there are operations shards. */
  readonly rollup?: OperationsRollupStack;
  /** Every shard but the base one (whose stacks are the fields above), in name order. */
  readonly shards: readonly ShardStacks[];
  /** Each dataset's shard, by dataset name. */
  readonly placement: ReadonlyMap<string, string>;
  /** What every stack holds (layer, shard, datasets), by stack name: budget messages name these datasets. */
  readonly contents: ReadonlyMap<string, StackContents>;
}

/** The stacks of one shard other than the base; a layer with nothing of the shard's has no stack. */
export interface ShardStacks {
  readonly shard: string;
  readonly datasets: readonly DatasetDefinition[];
  readonly catalog: CatalogShardStack;
  readonly ingestion?: IngestionStack;
  readonly operations?: OperationsShardStack;
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
  /**
   * Refuse a stack over its resource budget during synthesis (lib/budget). Default true; `npm run budget`
   * turns it off to report every stack's use, over budget or not.
   */
  readonly resourceBudget?: boolean;
}

/**
 * Composes one environment's stacks from a validated config. Stacks only read from stacks created
 * before them: storage holds the keys everything else encrypts with, so it comes first.
 */
export function buildLakehouse(app: App, config: EnvironmentConfig, options: BuildOptions = {}): LakehouseStacks {
  const datasets = options.datasets ?? DATASETS;
  // Datasets, what they imply, endpoints and context are validated before any stack exists.
  validateInputs(app, config, datasets, new Map([...DATASET_SOURCES, ...(options.datasetSources ?? [])]));
  const shards = placeDatasets(datasets);
  const baseDatasets = shards.get(BASE_SHARD)!;
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
    datasets: baseDatasets,
    storage,
    network,
    description: description('Glue catalog, Athena workgroups, Lake Formation governance'),
  });

  const ingestion = new IngestionStack(app, stackName(config.project, config.name, 'ingestion'), {
    env,
    config,
    datasets: baseDatasets,
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

  const embeddings = config.embeddings.enabled
    ? new EmbeddingsStack(app, stackName(config.project, config.name, 'embeddings'), {
        env,
        config,
        datasets,
        storage,
        network,
        vector,
        description: description('embeddings pipelines: document events, queues, consumers into the vector store'),
      })
    : undefined;

  // After ingestion (it writes the streams), before operations (which alarms on it). Its dependencies on
  // the ingestion shards holding the streams it writes are added once those stacks exist, below.
  const collector = config.collector.enabled
    ? new CollectorStack(app, stackName(config.project, config.name, 'collector'), {
        env,
        config,
        datasets,
        storage,
        network,
        ingestionStacks: [ingestion],
        description: description('HTTP event collector: API Gateway, WAF, handler'),
      })
    : undefined;

  // Reads storage, network, catalog and vector; before operations, which alarms on its metrics.
  const privacy = config.privacy.enabled
    ? new PrivacyStack(app, stackName(config.project, config.name, 'privacy'), {
        env,
        config,
        datasets,
        storage,
        network,
        catalog,
        vector,
        description: description('erasure requests: request table, workflow, Object-Locked ledger (stateful)'),
      })
    : undefined;

  const operations = new OperationsStack(app, stackName(config.project, config.name, 'operations'), {
    env,
    config,
    datasets: baseDatasets,
    allDatasets: datasets,
    network,
    storage,
    catalog,
    ingestion,
    vector,
    embeddings,
    collector,
    privacy,
    rolledUp: [...shards.entries()].some(([shard, members]) => shard !== BASE_SHARD && OperationsShardStack.needed(members, datasets)),
    description: description('alarms, dashboard, backup events, restore testing'),
  });

  // Its alarms name the collector's metrics literally (no reference), so the order is stated here.
  if (collector) operations.addStackDependency(collector, 'operations alarms on the collector');

  const shardStacks: ShardStacks[] = [];
  for (const [shard, members] of shards) {
    if (shard === BASE_SHARD) continue;
    const name = (layer: ShardedLayer) => shardStackName(config.project, config.name, layer, shard);
    const catalogShard = new CatalogShardStack(app, name('catalog'), {
      env,
      config,
      datasets: members,
      storage,
      network,
      base: catalog,
      description: description(`Glue tables and their LF-tags of shard ${shard}`),
    });
    const ingestionShard = members.some((dataset) => dataset.ingestion === 'stream')
      ? new IngestionStack(app, name('ingestion'), {
          env,
          config,
          datasets: members,
          storage,
          catalog,
          tables: catalogShard.tables,
          description: description(`Kinesis streams and Firehose delivery of shard ${shard}`),
        })
      : undefined;
    const operationsShard = OperationsShardStack.needed(members, datasets)
      ? new OperationsShardStack(app, name('operations'), {
          env,
          config,
          shard,
          datasets: members,
          allDatasets: datasets,
          network,
          storage,
          catalog,
          base: operations,
          ingestion: ingestionShard,
          description: description(`alarms, dashboard and data-quality checks of shard ${shard}`),
        })
      : undefined;
    shardStacks.push({ shard, datasets: members, catalog: catalogShard, ingestion: ingestionShard, operations: operationsShard });
  }
  if (collector) {
    const written = new Set([...config.collector.sources.flatMap((source) => source.datasets), QUARANTINE_DATASET]);
    for (const shard of shardStacks) {
      if (shard.ingestion && shard.datasets.some((dataset) => written.has(dataset.name))) {
        collector.addStackDependency(shard.ingestion, 'the collector writes to streams this stack creates');
      }
    }
  }
  if (privacy) {
    // Its grants name tables the shard catalog stacks create.
    for (const shard of shardStacks) {
      if (shard.datasets.some((dataset) => dataset.dataSubject !== undefined && 'keys' in dataset.dataSubject)) {
        privacy.addStackDependency(shard.catalog, 'the erasure workflow is granted on tables this stack creates');
      }
    }
  }
  const operationsShards = shardStacks.flatMap((shard) => (shard.operations ? [shard.operations] : []));
  const rollup =
    operationsShards.length > 0
      ? new OperationsRollupStack(app, `${stackName(config.project, config.name, 'operations')}-${ROLLUP_STACK_SUFFIX}`, {
          env,
          base: operations,
          shards: operationsShards,
          alarmName: `${config.project}-${config.name}-degraded`,
          description: description('the environment-wide "degraded" alarm over every operations roll-up'),
        })
      : undefined;
  const placement = new Map([...shards].flatMap(([shard, members]) => members.map((dataset): [string, string] => [dataset.name, shard])));

  const built = { storage, network, catalog, ingestion, vector, embeddings, collector, privacy, operations, dr, shards: shardStacks, rollup, placement };
  const contents = stackContents({ ...built, contents: new Map() }, datasets);
  if (options.resourceBudget ?? true) {
    for (const stack of app.node.children.filter((child): child is Stack => Stack.isStack(child))) {
      addResourceBudget(stack, contents.get(stack.stackName) ?? { datasets: [] });
    }
  }

  applyEnvironmentTags(app, config);
  if (options.compliance ?? true) applyCompliance(app);
  return { ...built, contents };
}
