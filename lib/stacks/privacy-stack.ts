import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import type { DatasetDefinition } from '../../constructs/datasets';
import { PrivacyErasure } from '../../constructs/privacy';
import { privacyDatabaseName } from '../../constructs/privacy/names';
import { PRIVACY_OUTPUT_KEYS } from '../../constructs/privacy/stack-outputs';
import { eltStateMachineName, metricsPipelineStateMachineName } from '../naming';
import { addPrivacyAudit, type PrivacyAudit } from '../privacy-audit';
import { environmentHorizon } from '../privacy-horizon';
import { erasurePlanFor } from '../privacy-plan';
import { statefulRemoval } from '../removal';
import { icebergUpkeep } from '../../constructs/datasets/iceberg-upkeep';
import type { CatalogStack } from './catalog-stack';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';
import type { VectorStack } from './vector-stack';

export interface PrivacyStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Every dataset of the environment: the plan covers each one whose contract names subject keys. */
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  readonly catalog: CatalogStack;
  readonly vector: VectorStack;
}

/**
 * `<project>-<env>-privacy`: the erasure workflow (PrivacyErasure) over every dataset with subject keys,
 * the request table's backup selection (in the table's own stack, what cdk-nag's DynamoDBInBackupPlan
 * recognises), PII discovery and the lake access trail (`privacy.discovery`, `privacy.accessTrail`) and
 * the outputs the privacy CLIs read. Reads storage, network, catalog and vector; only
 * operations reads it back (its metrics). Stateful: the request table and the ledger are retained
 * outside dev (the ledger and salt everywhere).
 */
export class PrivacyStack extends Stack {
  public readonly erasure: PrivacyErasure;
  /** PII discovery (Macie) and the lake access trail (CloudTrail), each absent when its section is disabled. */
  public readonly audit: PrivacyAudit;

  constructor(scope: Construct, id: string, props: PrivacyStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { config, storage, network, catalog, vector } = props;
    // Its grants name the catalog's tables and its queries run in the catalog's workgroup, all by literal
    // names (no reference), and Lake Formation must know the deployment role as an admin first.
    this.addDependency(catalog, 'the erasure workflow is granted on its tables and runs queries in its workgroup');
    const lake = storage.storage;
    const databaseName = privacyDatabaseName(config.project, config.name);
    const plan = erasurePlanFor(props.datasets, {
      databaseName: (zone) => catalog.catalog.databaseName(zone),
      bucketName: (zone) => lake.bucket(zone).bucketName,
      privacyDatabaseName: databaseName,
    });
    // Named literally (the operations stack creates them and reads this one: no reference back).
    const stateMachineArn = (name: string) => `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:${name}`;

    this.erasure = new PrivacyErasure(this, 'Erasure', {
      plan,
      databaseName,
      workgroupName: catalog.engineeringWorkgroup,
      resultsBucket: lake.athenaResultsBucket,
      lakeKey: lake.encryptionKey,
      catalogKey: catalog.catalogKey,
      vectorStore: vector.vectorStore,
      vpc: network.network.vpc,
      vpcSubnets: network.network.workloadSubnets,
      logsKey: storage.logsKey,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removal.removalPolicy,
      deletionProtection: removal.removalPolicy === RemovalPolicy.RETAIN,
      accessLogsBucket: lake.accessLogsBucket,
      eltStateMachineArns: [eltStateMachineName(config.project, config.name), metricsPipelineStateMachineName(config.project, config.name)].map(stateMachineArn),
      settings: config.privacy,
      snapshotRetentionDays: longestSnapshotRetention(props.datasets, plan.map((entry) => entry.dataset)),
    });
    // In the stack that owns them (what cdk-nag's DynamoDBInBackupPlan recognises); copied to DR with the plan.
    storage.backup.selectResources(this, 'RequestTableBackup', [backup.BackupResource.fromDynamoDbTable(this.erasure.requestTable)]);
    storage.backup.selectBuckets(this, 'LedgerBackup', [this.erasure.ledgerBucket]);

    // PII discovery (Macie) and the lake access trail (CloudTrail data events) over the zone buckets.
    this.audit = addPrivacyAudit(this, { config, settings: config.privacy, storage: props.storage, network: props.network });
    // The trail's log files are audit evidence: copied to the DR region with the plan, like the ledger
    // (Object Lock protects them from deletion, not from the loss of the region).
    if (this.audit.trail) storage.backup.selectBuckets(this, 'AccessTrailBackup', [this.audit.trail.bucket]);

    new CfnOutput(this, PRIVACY_OUTPUT_KEYS.requestTable, { value: this.erasure.requestTable.tableName, description: 'Erasure request table (npm run privacy:erase writes to it)' });
    new CfnOutput(this, PRIVACY_OUTPUT_KEYS.stateMachine, { value: this.erasure.stateMachine.stateMachineArn, description: 'The ErasureWorkflow state machine' });
    new CfnOutput(this, PRIVACY_OUTPUT_KEYS.saltSecret, { value: this.erasure.saltSecret.secretArn, description: 'Erasure salt secret (npm run privacy:erase computes request IDs with it)' });
    new CfnOutput(this, PRIVACY_OUTPUT_KEYS.ledgerBucket, { value: this.erasure.ledgerBucket.bucketName, description: 'Erasure ledger and monthly reports (Object Lock)' });
    const horizon = environmentHorizon(config, props.datasets);
    new CfnOutput(this, PRIVACY_OUTPUT_KEYS.erasureHorizon, {
      value: JSON.stringify({ days: horizon.days, copies: Object.fromEntries(horizon.rows.map((row) => [row.copy, row.days])) }),
      description: 'Days after an erasure until no backup, version or snapshot holds the erased rows (docs/privacy.md)',
    });
  }
}

/** The longest snapshot retention among the planned Iceberg datasets (5, Glue's default, when none). */
export function longestSnapshotRetention(datasets: readonly DatasetDefinition[], planned: readonly string[]): number {
  const days = datasets.filter((dataset) => dataset.format === 'iceberg' && planned.includes(dataset.name)).map((dataset) => icebergUpkeep(dataset).snapshotRetentionDays);
  return Math.max(5, ...days);
}
