import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import type { RecoveryEvidence } from '../backup';
import type { LakehouseCatalog } from '../catalog';
import type { EventCollector } from '../collector/collector';
import type { DataQuality } from '../data-quality';
import type { MetricsElt } from '../elt';
import type { EmbeddingsPipeline } from '../embeddings/embeddings-pipeline';
import type { DailyPipeline } from '../orchestration';
import type { StreamingIngestion } from '../ingestion';
import type { VectorStore } from '../vector-store';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { AccountBoundTopicTarget } from './topic-target';
import { watchCollectorAlarms, type CollectorThresholds } from './collector-alarms';
import type { AlarmKind } from './alarm-kinds';
import { checkCompositeAlarmName, rollUpAlarms, type AlarmRollup } from './alarm-rollup';
import { checkDashboardPages, paginateDashboards, type DashboardPagesOptions } from './dashboard-pages';
import { chunk, selectDatasets, watchDatasetIngestion, watchDatasetQuality, watchQualityRuns, type DatasetAlarmOptions, type DatasetAlarmSink } from './dataset-alarms';
import { watchRecoveryEvidence, type RecoveryObjectives } from './recovery-alarms';
import { createWatchedAlarm, type PlatformAlarm } from './watched-alarm';
import { watchEmbeddingsPipeline } from './embeddings-alarms';
import { watchErasure } from './privacy-alarms';
import type { PrivacyErasure } from '../privacy/privacy-erasure';

/** Alarm thresholds; the defaults are the seeds' standards. */
export interface MonitoringThresholds {
  /** Kinesis iterator age, minutes (data latency < 5 min). @default 5 */
  readonly iteratorAgeMinutes?: number;
  /** Athena p95 query time, seconds (query P95 < 5 s). @default 5 */
  readonly queryP95Seconds?: number;
  /** @default 80 */
  readonly databaseCpuPercent?: number;
  /** @default 5 */
  readonly databaseFreeStorageGiB?: number;
  /** @default 256 */
  readonly databaseFreeableMemoryMiB?: number;
  /** @default 100 */
  readonly databaseConnections?: number;
  /** Transaction IDs in use; PostgreSQL stops writing near 2^31. @default 1_000_000_000 */
  readonly databaseTransactionIds?: number;
  /** Oldest message in an embeddings queue, minutes. @default 60 */
  readonly embeddingsQueueAgeMinutes?: number;
  /** Failed embeddings records, percent of those processed. @default 5 */
  readonly embeddingsFailurePercent?: number;
}

/** Properties of {@link PlatformMonitoring}. */
export interface PlatformMonitoringProps {
  /** Key of the alarm topic; its policy must admit CloudWatch, EventBridge and AWS Backup. */
  readonly topicKey: kms.IKey;
  /** E-mail subscribers (each confirms its subscription). @default none */
  readonly emails?: readonly string[];
  /** HTTPS subscribers (chat webhooks, incident tools). @default none */
  readonly httpsEndpoints?: readonly string[];
  readonly thresholds?: MonitoringThresholds;
  /**
   * Dashboard name (of the first page; further pages are `<name>-2`, …).
   * @default `<stack name>-<construct id>` (e.g. `AnalyticsStack-Monitoring`)
   */
  readonly dashboardName?: string;
  /** Dashboard page budget. @default 100 widgets and 100,000 bytes per page */
  readonly dashboardPages?: Pick<DashboardPagesOptions, 'widgetsPerPage' | 'bodyBytesPerPage'>;
  /**
   * Name of the "platform degraded" composite; an {@link EnvironmentRollup} in another stack names it by
   * this name. @default a name CDK derives from the construct path (fixed at synth too)
   */
  readonly degradedAlarmName?: string;
  /**
   * Whether "platform degraded" notifies the topic. Turn off when an {@link EnvironmentRollup} over it
   * notifies for the whole environment, so one incident pages once. @default true
   */
  readonly degradedNotifies?: boolean;
}

/**
 * Alerting that reaches people: one KMS-encrypted, SSL-only alarm topic with the configured
 * subscribers; alarms composed from the other constructs' `metric…()` methods, each with ALARM and OK
 * actions and a missing-data behaviour chosen for its metric; a composite "platform degraded" alarm; AWS
 * Backup job failures through EventBridge; and a dashboard with a row per stage, paged when it would pass
 * CloudWatch's limits.
 */
export class PlatformMonitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: PlatformAlarm[] = [];
  /** The dashboard pages, set by `finish()`. */
  public dashboards: cloudwatch.Dashboard[] = [];
  private readonly dashboardOptions: DashboardPagesOptions;
  private readonly thresholds: Required<MonitoringThresholds>;
  private readonly action: actions.SnsAction;
  private readonly rows = new Map<string, cloudwatch.IWidget[]>();
  private readonly degradedAlarmName?: string;
  private readonly degradedNotifies: boolean;
  private degraded?: AlarmRollup;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps) {
    super(scope, id);
    this.thresholds = {
      iteratorAgeMinutes: 5,
      queryP95Seconds: 5,
      databaseCpuPercent: 80,
      databaseFreeStorageGiB: 5,
      databaseFreeableMemoryMiB: 256,
      databaseConnections: 100,
      databaseTransactionIds: 1_000_000_000,
      embeddingsQueueAgeMinutes: 60,
      embeddingsFailurePercent: 5,
      ...props.thresholds,
    };
    refuseDuplicateSubscriptions(this.node.path, props);
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: props.topicKey, enforceSSL: true, displayName: 'Lakehouse alarms' });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.httpsEndpoints ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    this.action = new actions.SnsAction(this.topic);
    // 250 leaves room for the `-<page>` suffix within CloudWatch's 255 characters.
    this.dashboardOptions = { dashboardName: props.dashboardName ?? defaultName(this, { maxLength: 250, separator: '-' }), ...props.dashboardPages };
    checkDashboardPages(this.node.path, this.dashboardOptions);
    if (props.degradedAlarmName !== undefined) checkCompositeAlarmName(this.node.path, props.degradedAlarmName);
    this.degradedAlarmName = props.degradedAlarmName;
    this.degradedNotifies = props.degradedNotifies ?? true;
  }

  /** Delivery (freshness or failed puts), stream lag and write throttling of one streamed dataset. */
  public watchIngestion(ingestion: StreamingIngestion): void {
    watchDatasetIngestion(this.sink, ingestion, this.thresholds.iteratorAgeMinutes);
  }

  /** The HTTP collector: 5XX and 4XX rates, p99 latency, rejected events per source (collector-alarms.ts). */
  public watchCollector(collector: EventCollector, thresholds?: CollectorThresholds): void {
    watchCollectorAlarms(this.sink, collector, thresholds);
  }

  /** p95 query time and failed queries per workgroup. */
  public watchQueries(catalog: LakehouseCatalog, workgroups: readonly string[]): void {
    for (const workgroup of workgroups) {
      this.alarm('QueryLatency', workgroup, catalog.metricQueryExecutionTime(workgroup), {
        threshold: this.thresholds.queryP95Seconds * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.alarm('QueryFailures', workgroup, catalog.metricFailedQueries(workgroup), {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.row(
        'Catalog and query',
        new cloudwatch.GraphWidget({
          title: `${workgroup}: p95 query time (ms), failed queries`,
          left: [catalog.metricQueryExecutionTime(workgroup)],
          leftAnnotations: [{ value: this.thresholds.queryP95Seconds * 1000, label: 'p95 target' }],
          right: [catalog.metricFailedQueries(workgroup)],
          width: 12,
        }),
      );
    }
  }

  /** CPU, storage, memory, connections and transaction-ID wraparound of the vector database. */
  public watchDatabase(store: VectorStore): void {
    const subject = 'vector database';
    this.alarm('DatabaseCpu', subject, store.metricCpuUtilization(), {
      threshold: this.thresholds.databaseCpuPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm('DatabaseStorage', subject, store.metricFreeStorageSpace(), {
      threshold: this.thresholds.databaseFreeStorageGiB * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.alarm('DatabaseMemory', subject, store.metricFreeableMemory(), {
      threshold: this.thresholds.databaseFreeableMemoryMiB * 1024 ** 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.alarm('DatabaseConnections', subject, store.metricDatabaseConnections(), {
      threshold: this.thresholds.databaseConnections,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.alarm('TransactionIdWraparound', subject, store.metricMaximumUsedTransactionIds(), {
      threshold: this.thresholds.databaseTransactionIds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.row('Serve', new cloudwatch.GraphWidget({ title: 'database CPU (%), connections', left: [store.metricCpuUtilization()], right: [store.metricDatabaseConnections()], width: 12 }));
    this.row('Serve', new cloudwatch.GraphWidget({ title: 'database free storage, freeable memory (bytes)', left: [store.metricFreeStorageSpace()], right: [store.metricFreeableMemory()], width: 12 }));
  }

  /** Queue age, dead letters, failure rate and Bedrock throttling of one embeddings pipeline, and its Embed row. */
  public watchEmbeddings(pipeline: EmbeddingsPipeline): void {
    watchEmbeddingsPipeline(
      { alarm: (kind, subject, metric, options) => this.alarm(kind, subject, metric, options), row: (widget) => this.row('Embed', widget) },
      pipeline,
      { queueAgeMinutes: this.thresholds.embeddingsQueueAgeMinutes, failurePercent: this.thresholds.embeddingsFailurePercent },
    );
  }

  /** The erasure workflow: deadlines, verification, failed executions, physical removal (privacy-alarms.ts). */
  public watchPrivacy(erasure: PrivacyErasure): void {
    watchErasure({ alarm: (kind, subject, metric, options) => this.alarm(kind, subject, metric, options), row: (widget) => this.row('Protect', widget) }, erasure);
  }

  /**
   * Backup, copy and restore job failures: an alarm on the vault's failed backup jobs, and every failed,
   * aborted or expired job event routed through EventBridge to the topic. `label` names the vault in
   * construct IDs, the alarm description and the dashboard; it defaults to `vaultName`, which may be a
   * deploy-time token (a vault with a unique name) and then needs a literal label.
   */
  public watchBackups(vaultName: string, label: string = vaultName): void {
    const failed = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Backup', metricName, dimensionsMap: { BackupVaultName: vaultName }, statistic: 'Sum', period: Duration.hours(1) });
    this.alarm('BackupJobsFailed', label, failed('NumberOfBackupJobsFailed'), {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new events.Rule(this, 'BackupJobFailures', {
      description: 'AWS Backup: failed, aborted or expired backup, copy and restore jobs',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
      },
      targets: [new AccountBoundTopicTarget(this.topic)],
    });
    this.row(
      'Protect',
      new cloudwatch.GraphWidget({
        title: `${label}: backup, copy and restore jobs failed`,
        left: [failed('NumberOfBackupJobsFailed'), failed('NumberOfCopyJobsFailed'), failed('NumberOfRestoreJobsFailed')],
        width: 24,
      }),
    );
  }

  /** RPO and RTO: recovery-point age per protected resource, restore duration and validation per resource type (recovery-alarms.ts). */
  public watchRecovery(evidence: RecoveryEvidence, objectives?: RecoveryObjectives): void {
    watchRecoveryEvidence({ alarm: (...args) => this.alarm(...args), row: (stage, widget) => this.row(stage, widget) }, evidence, objectives);
  }

  /**
   * Data quality: one alarm per dataset of `quality` (or of the named ones) over its query and every check,
   * and one when the checks stop running.
   */
  public watchQuality(quality: DataQuality, options: { readonly datasets?: readonly string[] } = {}): void {
    for (const { dataset } of selectDatasets(this, quality, options.datasets)) watchDatasetQuality(this.sink, quality, dataset);
    watchQualityRuns(this.sink, quality);
  }

  /** Metrics ELT: an alarm on failed or timed-out executions, and their events routed to the topic. */
  public watchElt(elt: MetricsElt): void {
    const failures = new cloudwatch.MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: { failed: elt.metricFailedExecutions(), timedOut: elt.metricTimedOutExecutions() },
      period: Duration.hours(1),
      label: 'failed or timed-out executions',
    });
    this.alarm('EltFailed', 'metrics ELT', failures, {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new events.Rule(this, 'EltExecutionFailures', {
      description: 'Metrics ELT executions that failed, timed out or were aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [elt.stateMachine.stateMachineArn] },
      },
      targets: [new AccountBoundTopicTarget(this.topic)],
    });
    this.row('Quality', new cloudwatch.GraphWidget({ title: 'metrics ELT: failed or timed-out executions', left: [failures], width: 12 }));
  }

  /**
   * A daily pipeline: an alarm on failed or timed-out executions, an alarm on gate failures (a `warn` gate
   * lets the execution succeed, so only its event shows it), and both kinds of event routed to the topic
   * with the day and gate they name.
   */
  public watchPipeline(pipeline: DailyPipeline): void {
    const failures = new cloudwatch.MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: { failed: pipeline.metricFailedExecutions(), timedOut: pipeline.metricTimedOutExecutions() },
      period: Duration.hours(1),
      label: 'failed or timed-out executions',
    });
    this.alarm('PipelineFailed', pipeline.pipelineName, failures, {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new events.Rule(this, 'PipelineExecutionFailures', {
      description: `Daily pipeline ${pipeline.pipelineName}: executions that failed, timed out or were aborted`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [pipeline.stateMachine.stateMachineArn] },
      },
      targets: [new AccountBoundTopicTarget(this.topic)],
    });
    const gates = new events.Rule(this, 'PipelineGateFailures', {
      description: `Daily pipeline ${pipeline.pipelineName}: gate failures (stale inputs, failed input or output checks)`,
      eventPattern: pipeline.gateFailurePattern(),
      targets: [new AccountBoundTopicTarget(this.topic)],
    });
    const gateFailures = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: gates.ruleName },
      statistic: 'Sum',
      period: Duration.hours(1),
      label: 'gate failures',
    });
    this.alarm('PipelineGateFailed', pipeline.pipelineName, gateFailures, {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.row('Quality', new cloudwatch.GraphWidget({ title: `${pipeline.pipelineName}: failed executions and gate failures`, left: [failures, gateFailures], width: 12 }));
  }

  /**
   * The composite "platform degraded" alarm over every alarm so far, the alarm-status row at the top of
   * the dashboard and the stage rows under it. Call once, after the `watch…` calls.
   */
  public finish(): cloudwatch.CompositeAlarm {
    if (this.degraded) return this.degraded.alarm;
    if (this.alarms.length === 0) throw new Error(`${this.node.path}: nothing is watched; call watch…() before finish()`);
    const metricAlarms = this.alarms.map((entry) => entry.alarm);
    this.degraded = rollUpAlarms(this, 'PlatformDegraded', {
      alarms: metricAlarms,
      alarmName: this.degradedAlarmName,
      alarmDescription: 'Any platform alarm is in ALARM: see the alarm-status widget at the top of the dashboard.',
      actions: this.degradedNotifies ? [this.action] : [],
    });
    // An alarm status widget shows at most 100 alarms.
    const status = chunk<cloudwatch.IAlarm>([this.degraded.alarm, ...metricAlarms], 100).map(
      (alarms, index) =>
        new cloudwatch.AlarmStatusWidget({ title: index === 0 ? 'Alarm status' : `Alarm status (${index + 1})`, alarms, width: 24, height: Math.min(12, 2 + Math.ceil(alarms.length / 4)) }),
    );
    const stages = STAGES.map((stage) => [
      new cloudwatch.TextWidget({ markdown: `## ${stage}`, width: 24, height: 1 }),
      ...(this.rows.get(stage) ?? [new cloudwatch.TextWidget({ markdown: STAGE_PLACEHOLDER[stage] ?? 'Nothing is watched in this stage yet.', width: 24, height: 2 })]),
    ]);
    this.dashboards = paginateDashboards(this, [...status.map((widget) => [widget]), ...stages], this.dashboardOptions);
    return this.degraded.alarm;
  }

  /** The first dashboard page (after `finish()`). */
  public get dashboard(): cloudwatch.Dashboard {
    if (this.dashboards.length === 0) throw new Error(`${this.node.path}: call finish() before reading dashboard`);
    return this.dashboards[0];
  }

  /** Every composite of "platform degraded", the top one first, with what a budget measures (after `finish()`). */
  public get degradedComposites(): AlarmRollup['composites'] {
    return this.degraded?.composites ?? [];
  }

  private get sink(): DatasetAlarmSink {
    return { alarm: (kind, subject, metric, options, idSuffix) => this.alarm(kind, subject, metric, options, idSuffix), row: (stage, widget) => this.row(stage, widget) };
  }

  private alarm(kind: AlarmKind, subject: string, metric: cloudwatch.IMetric, options: DatasetAlarmOptions, idSuffix?: string): cloudwatch.Alarm {
    const alarm = createWatchedAlarm(this, this.action, kind, subject, metric, options, idSuffix);
    this.alarms.push({ kind, subject, alarm });
    return alarm;
  }

  private row(stage: (typeof STAGES)[number], widget: cloudwatch.IWidget): void {
    this.rows.set(stage, [...(this.rows.get(stage) ?? []), widget]);
  }
}

/** Dashboard rows, in pipeline order. */
const STAGES = ['Ingest', 'Deliver', 'Catalog and query', 'Embed', 'Serve', 'Protect', 'Quality'] as const;

const STAGE_PLACEHOLDER: Partial<Record<(typeof STAGES)[number], string>> = {};

/**
 * The same address twice would be two subscriptions of one endpoint: aws-cdk-lib refuses the second
 * construct with an ID clash, and SNS would fold them into one anyway. E-mail addresses compare
 * case-insensitively, as mail delivery does.
 */
function refuseDuplicateSubscriptions(path: string, props: PlatformMonitoringProps): void {
  const problems: ValidationProblem[] = [];
  const check = (field: 'emails' | 'httpsEndpoints', values: readonly string[], key: (value: string) => string) => {
    const keys = values.map(key);
    keys.forEach((value, index) => {
      const first = keys.indexOf(value);
      if (first !== index) {
        problems.push({ source: `monitoring (${path})`, field: `${field}[${index}]`, value: renderValue(values[index]), allowed: `duplicates ${field}[${first}]; list each once` });
      }
    });
  };
  check('emails', props.emails ?? [], (email) => email.toLowerCase());
  check('httpsEndpoints', props.httpsEndpoints ?? [], (url) => url);
  if (problems.length > 0) throw new ValidationReport(problems);
}
