import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { RecoveryEvidence, RestoreTesting } from '../../constructs/backup';
import type { DataQuality } from '../../constructs/data-quality';
import type { DatasetDefinition } from '../../constructs/datasets';
import { CURATED_TARGET, ELT_SOURCE, ELT_TARGETS, MetricsElt } from '../../constructs/elt';
import { grantDataLocation, grantTablePermissions } from '../../constructs/governance';
import { createDataQuality } from './operations-quality';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { LINEAGE_TABLE } from '../../constructs/lineage/sql';
import { DailyPipeline } from '../../constructs/orchestration';
import { routePiiFindings } from '../privacy-audit';
import { backupVaultName, eltStateMachineName, lineageJobNamespace, metricsPipelineName, metricsPipelineStateMachineName } from '../naming';
import { statefulRemoval } from '../removal';
import type { CatalogStack } from './catalog-stack';
import type { CollectorStack } from './collector-stack';
import type { IngestionStack } from './ingestion-stack';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';
import type { VectorStack } from './vector-stack';
import type { EmbeddingsStack } from './embeddings-stack';
import type { PrivacyStack } from './privacy-stack';

export interface OperationsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The base shard's datasets: their checks and alarms live here. */
  readonly datasets: readonly DatasetDefinition[];
  /** Every dataset of the environment (the ELT and the history table may be anywhere). @default datasets */
  readonly allDatasets?: readonly DatasetDefinition[];
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly catalog: CatalogStack;
  readonly ingestion: IngestionStack;
  readonly vector: VectorStack;
  /** The embeddings pipelines, when deployed: their alarms and dashboard row. */
  readonly embeddings?: EmbeddingsStack;
  /** The HTTP collector's stack, when the environment enables it: its alarms and dashboard row live here. */
  readonly collector?: CollectorStack;
  /** The erasure workflow's stack, when `privacy.enabled`: its alarms and dashboard graphs live here. */
  readonly privacy?: PrivacyStack;
  /**
   * An environment roll-up stack covers this stack's "platform degraded" (shards exist): it then stays
   * silent, so that one incident pages once, through the roll-up. @default false
   */
  readonly rolledUp?: boolean;
}

/**
 * The alarm topic, every alarm, the dashboard, EventBridge rules for backup jobs, the restore testing
 * plan, and the scheduled data-quality checks and metrics ELT. Stateless; it reads every other stack
 * and nothing reads it (docs/architecture.md).
 */
export class OperationsStack extends Stack {
  public readonly monitoring: PlatformMonitoring;
  public readonly restoreTesting: RestoreTesting;
  /** Recovery-point age and restore evidence (RPO, RTO), alarmed by the monitoring construct. */
  public readonly recoveryEvidence: RecoveryEvidence;
  /** Absent when no Parquet dataset or no `data_quality_results` table is declared. */
  public readonly dataQuality?: DataQuality;
  /** Absent when neither `events` nor any metrics target is declared. */
  public readonly elt?: MetricsElt;
  /**
   * The product-metrics flow's daily pipeline (freshness and quality gates around the ELT), which owns the
   * ELT's schedule. Absent without an ELT, or when the checks do not cover its source and targets.
   */
  public readonly pipeline?: DailyPipeline;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, { ...props, terminationProtection: statefulRemoval(props.config).terminationProtection });
    const { config, storage, catalog, ingestion, vector } = props;
    const operations = config.operations;
    this.dataQuality = createDataQuality(this, { ...props, allDatasets: props.allDatasets ?? props.datasets });
    const pipelined = this.pipelineCovered();
    this.elt = this.createElt(props, !pipelined);
    if (this.elt && this.dataQuality && pipelined) this.pipeline = this.createPipeline(props, this.elt, this.dataQuality);

    this.recoveryEvidence = new RecoveryEvidence(this, 'RecoveryEvidence', {
      vault: storage.backup.vault,
      // What the backup selections cover: the zone buckets (storage stack) and the database (vector stack).
      protectedResources: [
        ...[...storage.storage.zoneBuckets.entries()].map(([zone, bucket]) => ({ name: `bucket-${zone}`, arn: bucket.bucketArn, type: 'S3' })),
        { name: 'database', arn: vector.vectorStore.instance.instanceArn, type: 'RDS' },
      ],
      vpc: props.network.network.vpc,
      vpcSubnets: props.network.network.workloadSubnets,
      logsKey: storage.logsKey,
      restoredDataKeys: [storage.storage.encryptionKey],
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: statefulRemoval(config).removalPolicy,
    });

    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      topicKey: storage.keys.notificationsKey,
      emails: operations.alarmEmails,
      httpsEndpoints: operations.alarmHttpsEndpoints,
      dashboardName: `${config.project}-${config.name}`,
      degradedNotifies: !props.rolledUp,
      thresholds: {
        iteratorAgeMinutes: operations.iteratorAgeMinutes,
        queryP95Seconds: operations.queryP95Seconds,
        databaseCpuPercent: operations.databaseCpuPercent,
        databaseFreeStorageGiB: operations.databaseFreeStorageGiB,
        databaseFreeableMemoryMiB: operations.databaseFreeableMemoryMiB,
        databaseConnections: operations.databaseConnections,
        embeddingsQueueAgeMinutes: operations.embeddingsQueueAgeMinutes,
        embeddingsFailurePercent: operations.embeddingsFailurePercent,
      },
    });
    for (const streamed of ingestion.ingestion.values()) this.monitoring.watchIngestion(streamed);
    this.monitoring.watchQueries(catalog.catalog, [...catalog.catalog.workgroups.keys()]);
    this.monitoring.watchDatabase(vector.vectorStore);
    for (const pipeline of props.embeddings?.pipelines ?? []) this.monitoring.watchEmbeddings(pipeline);
    // Outside dev the vault's name is the literal from the naming rules (no cross-stack token); dev's is
    // unique per deployment, so the alarm reads it from the storage stack and is labelled with the prefix.
    this.monitoring.watchBackups(storage.backup.vaultName, backupVaultName(config.project, config.name));
    this.monitoring.watchRecovery(this.recoveryEvidence, { rpoMinutes: operations.rpoMinutes, rtoMinutes: operations.rtoMinutes });
    if (this.dataQuality) this.monitoring.watchQuality(this.dataQuality);
    if (this.elt) this.monitoring.watchElt(this.elt);
    if (props.collector) this.monitoring.watchCollector(props.collector.collector);
    if (this.pipeline) this.monitoring.watchPipeline(this.pipeline);
    if (props.privacy) this.monitoring.watchPrivacy(props.privacy.erasure);
    // Macie findings on the zone buckets go to the alarm topic (a rule here: the topic lives in this stack).
    if (props.privacy) routePiiFindings(this, props.privacy.audit, this.monitoring.topic);
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
      // AWS Backup's "Restore testing inferred metadata" page says override keys are not case sensitive; the
      // security groups go as a JSON array in a string. Neither override has run against AWS from here.
      dbsubnetgroupname: database.subnetGroupName,
      vpcsecuritygroupids: Stack.of(this).toJsonString([database.securityGroup.securityGroupId]),
    });
    this.restoreTesting.addSelection(
      's3',
      'S3',
      [...storage.storage.zoneBuckets.values()].map((bucket) => bucket.bucketArn),
    );
  }

  /** The ELT from events into events_curated and the analytics tables, with SELECT on the source and write access to the rest. */
  private createElt(props: OperationsStackProps, scheduled: boolean): MetricsElt | undefined {
    const { config, catalog, storage } = props;
    const all = props.allDatasets ?? props.datasets;
    const events = all.find((dataset) => dataset.name === ELT_SOURCE);
    const curated = all.find((dataset) => dataset.name === CURATED_TARGET);
    const targets = all.filter((dataset) => (ELT_TARGETS as readonly string[]).includes(dataset.name));
    // An app with its own datasets and none of the ELT's tables gets no ELT; part of them is refused
    // before any stack exists (lib/input-validation.ts, eltProblems).
    if (!events || !curated || targets.length !== ELT_TARGETS.length) return undefined;
    const rawDatabase = catalog.catalog.databaseName(events.zone);
    const curatedDatabase = catalog.catalog.databaseName(curated.zone);
    const curatedBucket = storage.storage.bucket(curated.zone);
    const analyticsDatabase = catalog.catalog.databaseName('analytics');
    const analyticsBucket = storage.storage.bucket('analytics');
    // The ELT records lineage in the analytics database it writes (a lineage table elsewhere is refused at validation).
    const lineage = all.find((dataset) => dataset.name === LINEAGE_TABLE);
    const elt = new MetricsElt(this, 'MetricsElt', {
      stateMachineName: eltStateMachineName(config.project, config.name),
      workgroupName: catalog.engineeringWorkgroup,
      resultsBucket: storage.storage.athenaResultsBucket,
      resultsKey: storage.storage.encryptionKey,
      source: { databaseName: rawDatabase, dataset: events },
      curated: { databaseName: curatedDatabase, bucket: curatedBucket, dataset: curated },
      target: { databaseName: analyticsDatabase, bucket: analyticsBucket, datasets: targets },
      catalogKey: catalog.catalogKey,
      logsKey: storage.logsKey,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: statefulRemoval(config).removalPolicy,
      ...(lineage ? { lineage: { dataset: lineage, jobNamespace: lineageJobNamespace(config) } } : {}),
      scheduled,
    });
    if (lineage) grantTablePermissions(elt, 'LineageGrant', elt.role, { databaseName: analyticsDatabase, tableName: lineage.name }, ['SELECT', 'INSERT', 'DESCRIBE']);
    grantTablePermissions(elt, 'SourceGrant', elt.role, { databaseName: rawDatabase, tableName: events.name }, ['SELECT', 'DESCRIBE']);
    grantTablePermissions(elt, 'CuratedGrant', elt.role, { databaseName: curatedDatabase, tableName: curated.name }, ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE']);
    grantDataLocation(elt, 'CuratedLocationGrant', elt.role, curatedBucket.bucketArn);
    for (const target of targets) {
      grantTablePermissions(elt, `${target.name}Grant`, elt.role, { databaseName: analyticsDatabase, tableName: target.name }, ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE']);
    }
    grantDataLocation(elt, 'TargetLocationGrant', elt.role, analyticsBucket.bucketArn);
    return elt;
  }

  /** Whether this stack's checks cover the ELT's source and every target, so a pipeline can gate the ELT. */
  private pipelineCovered(): boolean {
    const checked = new Set(this.dataQuality?.datasets.map((entry) => entry.dataset.name) ?? []);
    return checked.has(ELT_SOURCE) && ELT_TARGETS.every((target) => checked.has(target));
  }

  /** The daily pipeline around the ELT: freshness and quality of events, the ELT, quality of the targets. */
  private createPipeline(props: OperationsStackProps, elt: MetricsElt, quality: DataQuality): DailyPipeline {
    const { config, storage } = props;
    const operations = config.operations;
    return new DailyPipeline(this, 'MetricsPipeline', {
      pipelineName: metricsPipelineName(config.project, config.name),
      stateMachineName: metricsPipelineStateMachineName(config.project, config.name),
      qualityFunction: quality.function,
      elt: elt.stateMachine,
      eltStateMachineName: eltStateMachineName(config.project, config.name),
      inputs: [ELT_SOURCE],
      outputs: [...ELT_TARGETS],
      freshnessMaxWait: Duration.minutes(operations.pipelineFreshnessWaitMinutes),
      inputQualityPolicy: operations.pipelineInputQualityPolicy,
      logsKey: storage.logsKey,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: statefulRemoval(config).removalPolicy,
    });
  }
}
