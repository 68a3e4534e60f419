import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IDependable } from 'constructs';
import { acknowledgeObjectArnWildcards, acknowledgeResourceWildcard } from '../../compliance';
import { dataPrefix, icebergUpkeep, tableLocation, type DatasetDefinition } from '../../datasets';
import { grantTablePermissions } from '../../governance/table-grants';

/** The Glue optimizer types, as `AWS::Glue::TableOptimizer` names them. */
export type OptimizerType = 'compaction' | 'retention' | 'orphan_file_deletion';

/** Log groups Glue writes optimizer runs to (fixed names chosen by AWS, one stream per run). */
export const OPTIMIZER_LOG_GROUPS: Readonly<Record<OptimizerType, string>> = {
  compaction: '/aws-glue/iceberg-compaction/logs',
  retention: '/aws-glue/iceberg-retention/logs',
  orphan_file_deletion: '/aws-glue/iceberg-orphan-file-deletion/logs',
};

/** Lake Formation permissions AWS documents for an optimizer role on a governed table. */
export const OPTIMIZER_TABLE_PERMISSIONS = ['ALTER', 'DESCRIBE', 'INSERT', 'DELETE'] as const;

/**
 * The `TableOptimizerConfiguration` of each optimizer of `dataset`, from its contract (`iceberg`):
 * compaction (bin-pack) unless `compaction: 'off'`, snapshot retention (expired snapshots' files are
 * cleaned), orphan-file deletion under the table's location. Pure, so tests assert it exactly.
 */
export function optimizerConfigurations(
  dataset: DatasetDefinition,
  roleArn: string,
  location: string,
): Partial<Record<OptimizerType, glue.CfnTableOptimizer.TableOptimizerConfigurationProperty>> {
  const upkeep = icebergUpkeep(dataset);
  const configurations: Partial<Record<OptimizerType, glue.CfnTableOptimizer.TableOptimizerConfigurationProperty>> = {};
  if (upkeep.compaction !== 'off') {
    // Bin-pack is Glue's default strategy, so no CompactionConfiguration is written: cfn-lint 1.51's
    // resource schema does not know that property yet (E3002), though aws-cdk-lib 2.276's does.
    configurations.compaction = { roleArn, enabled: true };
  }
  configurations.retention = {
    roleArn,
    enabled: true,
    retentionConfiguration: {
      icebergConfiguration: {
        snapshotRetentionPeriodInDays: upkeep.snapshotRetentionDays,
        numberOfSnapshotsToRetain: upkeep.minSnapshotsToKeep,
        cleanExpiredFiles: true,
      },
    },
  };
  configurations.orphan_file_deletion = {
    roleArn,
    enabled: true,
    orphanFileDeletionConfiguration: { icebergConfiguration: { orphanFileRetentionPeriodInDays: upkeep.orphanFileRetentionDays, location } },
  };
  return configurations;
}

/** Properties of {@link IcebergTableUpkeep}. */
export interface IcebergTableUpkeepProps {
  /** Catalog key, when the Glue Data Catalog is encrypted (the optimizers read and update table metadata). @default none */
  readonly catalogKey?: kms.IKey;
}

/**
 * Compaction, snapshot expiry and orphan-file removal for Iceberg tables, by Glue table optimizers
 * (`AWS::Glue::TableOptimizer`): AWS runs them on its own compute when the table needs it, with no
 * schedule, function or Athena workgroup of ours. Scheduled Athena `OPTIMIZE … REWRITE DATA USING BIN_PACK`
 * and `VACUUM` would do the same work, but need a scheduler, a function in the VPC, a byte-scan budget
 * and alarms of their own; the optimizers cover all three tasks with one role. The tables' `vacuum_*`
 * properties carry the same retention (ddl.ts), so a manual `VACUUM` (after an erasure) agrees.
 *
 * One role serves every table's optimizers (AWS allows one role for all three types): read and write of
 * each table's own folder, update of each table's own catalog entry, the lake and catalog keys, Lake
 * Formation's ALTER/DESCRIBE/INSERT/DELETE on each table (the tables are governed), and the three log
 * groups Glue writes runs to.
 */
export class IcebergTableUpkeep extends Construct {
  /** The role every optimizer assumes. */
  public readonly role: iam.Role;
  /** Optimizers by dataset name, then type. */
  public readonly optimizers = new Map<string, Map<OptimizerType, glue.CfnTableOptimizer>>();

  constructor(scope: Construct, id: string, props: IcebergTableUpkeepProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'Glue table optimizers of the Iceberg tables: compaction, snapshot retention, orphan-file deletion',
    });
    // Pseudo-parameters even where the stack names its account and region, so the granular IDs acknowledged
    // below read the same in every environment.
    const logGroupArns = Object.values(OPTIMIZER_LOG_GROUPS).map((name) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}:*`);
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], resources: logGroupArns }));
    for (const name of Object.values(OPTIMIZER_LOG_GROUPS)) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${name}:*]`,
        reason:
          'Glue writes each optimizer run to a log stream it names itself, in a log group whose name AWS fixes; the wildcard is ' +
          'the stream within that one group (compliance decisions in docs/decisions.md, IAM5 on the Glue table optimizers\' log groups).',
      });
    }
    if (props.catalogKey) {
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [props.catalogKey.keyArn] }));
    }
    // Lake Formation vends the data credentials for registered locations; the action has no resource-level permissions.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    acknowledgeResourceWildcard(
      this.role,
      ['lakeformation:GetDataAccess'],
      'lakeformation:GetDataAccess supports no resource-level permissions (resource must be "*"); the Lake Formation grants on each ' +
        'table decide what the optimizers may rewrite.',
    );
    acknowledgeObjectArnWildcards(
      this.role,
      'Object ARNs cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): each Iceberg table\'s own folder.',
    );
  }

  /**
   * The optimizers of one Iceberg table: created after `table` (the custom resource that runs its DDL)
   * and after the Lake Formation grant that lets the role touch it.
   */
  public addTable(dataset: DatasetDefinition, databaseName: string, bucket: s3.IBucket, table: IDependable): Map<OptimizerType, glue.CfnTableOptimizer> {
    const stack = Stack.of(this);
    const arn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    const id = pascal(dataset.name);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:UpdateTable'],
        resources: [arn('catalog'), arn(`database/${databaseName}`), arn(`table/${databaseName}/${dataset.name}`)],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${dataPrefix(dataset)}*`)] }),
    );
    if (bucket.encryptionKey) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [bucket.encryptionKey.keyArn] }),
      );
    }
    const grant = grantTablePermissions(this, `${id}Grant`, this.role, { databaseName, tableName: dataset.name }, OPTIMIZER_TABLE_PERMISSIONS);
    grant.node.addDependency(table);

    const optimizers = new Map<OptimizerType, glue.CfnTableOptimizer>();
    const configurations = optimizerConfigurations(dataset, this.role.roleArn, tableLocation(dataset, bucket.bucketName));
    for (const [type, configuration] of Object.entries(configurations) as [OptimizerType, glue.CfnTableOptimizer.TableOptimizerConfigurationProperty][]) {
      const optimizer = new glue.CfnTableOptimizer(this, `${id}${pascal(type)}`, {
        catalogId: stack.account,
        databaseName,
        tableName: dataset.name,
        type,
        tableOptimizerConfiguration: configuration,
      });
      optimizer.node.addDependency(grant, this.role);
      optimizers.set(type, optimizer);
    }
    this.optimizers.set(dataset.name, optimizers);
    return optimizers;
  }
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
