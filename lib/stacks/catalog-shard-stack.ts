import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { createParquetTable, IcebergTables } from '../../constructs/catalog';
import type { DatasetDefinition } from '../../constructs/datasets';
import { grantZoneTableAdministration, tagDatasetTable } from '../../constructs/governance';
import { statefulRemoval } from '../removal';
import type { CatalogStack } from './catalog-stack';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';

export interface CatalogShardStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The shard's datasets. */
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  /** The base catalog stack: databases, workgroups, Lake Formation settings and tags. */
  readonly base: CatalogStack;
}

/**
 * One shard of the catalog layer: the Glue tables of its datasets (Parquet in CloudFormation, Iceberg
 * through Athena DDL with the shard's own DDL function) and their LF-tag associations. Databases,
 * workgroups, settings, LF-tags and personas stay in the base stack, which never reads a shard.
 *
 * Construct paths are the base stack's (`Catalog/<Name>Table`, `Catalog/Iceberg/<Name>Table`,
 * `Governance/<Name>TableTags`), so a table keeps its logical ID in whichever catalog stack it lives:
 * moving it between stacks is a stack refactoring, never a replacement.
 */
export class CatalogShardStack extends Stack {
  /** Table resources by dataset name (CloudFormation tables or Iceberg custom resources). */
  public readonly tables = new Map<string, IDependable>();
  /** The shard's Iceberg DDL function and tables, when it has Iceberg datasets. */
  public readonly icebergTables?: IcebergTables;

  constructor(scope: Construct, id: string, props: CatalogShardStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { config, datasets, storage, network, base } = props;
    const lake = storage.storage;
    const catalogScope = new Construct(this, 'Catalog');
    const governanceScope = new Construct(this, 'Governance');
    const prerequisites = base.governance.accountPrerequisites;

    for (const dataset of datasets.filter((d) => d.format === 'parquet')) {
      const table = createParquetTable(catalogScope, `${pascal(dataset.name)}Table`, dataset, base.catalog.databaseName(dataset.zone), lake.bucket(dataset.zone));
      table.node.addDependency(base.catalog.databases.get(dataset.zone)!);
      this.tables.set(dataset.name, table);
    }

    const iceberg = datasets.filter((d) => d.format === 'iceberg');
    if (iceberg.length > 0) {
      // A DDL function per shard keeps its role's policy (one statement per table) inside IAM's size limit.
      const tables = new IcebergTables(catalogScope, 'Iceberg', {
        vpc: network.network.vpc,
        vpcSubnets: network.network.workloadSubnets,
        workgroupName: base.engineeringWorkgroup,
        resultsBucket: lake.athenaResultsBucket,
        resultsKey: lake.encryptionKey,
        catalogKey: base.catalogKey,
        logsKey: storage.logsKey,
        logRetention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: removal.removalPolicy,
      });
      this.icebergTables = tables;
      tables.addPrerequisite(base.catalog.workgroups.get(base.engineeringWorkgroup)!);
      for (const zone of new Set(iceberg.map((dataset) => dataset.zone))) {
        const grants = grantZoneTableAdministration(governanceScope, tables.role, base.governance.administeredZone(zone), prerequisites);
        for (const grant of grants) tables.addPrerequisite(grant);
      }
      for (const dataset of iceberg) {
        const database = { name: base.catalog.databaseName(dataset.zone), resource: base.catalog.databases.get(dataset.zone)! };
        this.tables.set(dataset.name, tables.addTable(dataset, database, lake.bucket(dataset.zone)));
      }
    }

    for (const dataset of datasets) {
      tagDatasetTable(governanceScope, dataset, {
        databaseName: base.catalog.databaseName(dataset.zone),
        resource: this.tables.get(dataset.name)!,
        prerequisites,
      });
    }
  }
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
