import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import type { LakehouseCatalog } from '../catalog';
import type { DataQuality } from '../data-quality';
import type { MetricsElt } from '../elt';
import type { StreamingIngestion } from '../ingestion';
import type { VectorStore } from '../vector-store';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { ALARM_KINDS, type AlarmKind } from './alarm-kinds';
import { AccountBoundTopicTarget } from './topic-target';

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
  /** Dashboard name. @default `<stack name>-<construct id>` (e.g. `AnalyticsStack-Monitoring`) */
  readonly dashboardName?: string;
}

/** One alarm and why it exists, for the dashboard and the runbook. */
export interface PlatformAlarm {
  readonly kind: AlarmKind;
  /** What it watches, e.g. the dataset or workgroup. */
  readonly subject: string;
  readonly alarm: cloudwatch.Alarm;
}

/**
 * Alerting that reaches people: one KMS-encrypted, SSL-only alarm topic with the configured
 * subscribers; alarms composed from the other constructs' `metric…()` methods, each with ALARM and OK
 * actions and a missing-data behaviour chosen for its metric; a composite "platform degraded" alarm; AWS
 * Backup job failures through EventBridge; and one dashboard with a row per stage.
 */
export class PlatformMonitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: PlatformAlarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly thresholds: Required<MonitoringThresholds>;
  private readonly action: actions.SnsAction;
  private readonly rows = new Map<string, cloudwatch.IWidget[]>();
  private degraded?: cloudwatch.CompositeAlarm;

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
      ...props.thresholds,
    };
    refuseDuplicateSubscriptions(this.node.path, props);
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: props.topicKey, enforceSSL: true, displayName: 'Lakehouse alarms' });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.httpsEndpoints ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    this.action = new actions.SnsAction(this.topic);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName ?? defaultName(this, { maxLength: 255, separator: '-' }), defaultInterval: Duration.hours(6) });
  }

  /** Freshness, delivery, stream lag and throttling alarms for one streamed dataset. */
  public watchIngestion(ingestion: StreamingIngestion): void {
    const name = ingestion.dataset.name;
    const sloSeconds = ingestion.dataset.freshnessSloMinutes * 60;
    this.alarm('Freshness', name, ingestion.metricDataFreshness(), {
      threshold: sloSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('DeliverySuccess', name, ingestion.metricDeliverySuccess(), {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('IteratorAge', name, ingestion.metricIteratorAge(), {
      threshold: this.thresholds.iteratorAgeMinutes * 60_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm('WriteThrottling', name, ingestion.metricWriteThrottling(), {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.row('Ingest', new cloudwatch.GraphWidget({ title: `${name}: records in, lag`, left: [ingestion.metricIncomingRecords()], right: [ingestion.metricIteratorAge()], width: 12 }));
    this.row('Ingest', new cloudwatch.GraphWidget({ title: `${name}: write throttling`, left: [ingestion.metricWriteThrottling()], width: 12 }));
    this.row(
      'Deliver',
      new cloudwatch.GraphWidget({
        title: `${name}: freshness (s) against the SLO`,
        left: [ingestion.metricDataFreshness()],
        leftAnnotations: [{ value: sloSeconds, label: 'freshness SLO' }],
        width: 12,
      }),
    );
    this.row(
      'Deliver',
      new cloudwatch.GraphWidget({
        title: `${name}: delivery success, failed conversion, partitions exceeded`,
        left: [ingestion.metricDeliverySuccess()],
        right: [ingestion.metricFailedConversion(), ingestion.metricPartitionCountExceeded()],
        width: 12,
      }),
    );
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

  /**
   * Data quality: an alarm per check at its contract threshold, an alarm per dataset when its query did
   * not succeed, and one when the checks stop running.
   */
  public watchQuality(quality: DataQuality): void {
    for (const { dataset } of quality.datasets) {
      for (const check of quality.checks(dataset)) {
        this.alarm('QualityCheck', `${dataset.name} ${check.id}`, quality.metricCheckValue(dataset.name, check.id), {
          threshold: check.threshold,
          // A check passes at `>= threshold` or `<= threshold`; the alarm fires on the other side.
          comparisonOperator:
            check.comparison === '>=' ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      this.alarm('QualityQueryFailed', dataset.name, quality.metricQueryFailed(dataset.name), {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.row(
        'Quality',
        new cloudwatch.GraphWidget({
          title: `${dataset.name}: rows checked, freshness (s)`,
          left: [quality.metricRowCount(dataset.name)],
          right: [quality.metricFreshness(dataset.name)],
          width: 12,
        }),
      );
    }
    // Successful runs: a run that throws (a dataset unchecked, a misconfigured function) is an invocation
    // too, so invocations alone would stay green while every run fails.
    const successfulRuns = new cloudwatch.MathExpression({
      expression: 'invocations - errors',
      usingMetrics: {
        invocations: quality.function.metricInvocations({ statistic: 'Sum', period: Duration.hours(3) }),
        errors: quality.function.metricErrors({ statistic: 'Sum', period: Duration.hours(3) }),
      },
      period: Duration.hours(3),
      label: 'successful data-quality runs',
    });
    this.alarm('QualityNotRunning', 'data-quality function', successfulRuns, {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
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
   * The composite "platform degraded" alarm over every alarm so far, the alarm-status row at the top of
   * the dashboard and the stage rows under it. Call once, after the `watch…` calls.
   */
  public finish(): cloudwatch.CompositeAlarm {
    if (this.degraded) return this.degraded;
    if (this.alarms.length === 0) throw new Error(`${this.node.path}: nothing is watched; call watch…() before finish()`);
    const anyOf = (alarms: readonly cloudwatch.IAlarm[]) => cloudwatch.AlarmRule.anyOf(...alarms.map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM)));
    const metricAlarms = this.alarms.map((entry) => entry.alarm);
    // A composite's rule may name at most 100 alarms in at most 10,240 characters (ARNs resolved, about
    // 200 each at worst): past CHILDREN_PER_COMPOSITE alarms, parts without actions sit in between.
    const groups = chunk(metricAlarms, CHILDREN_PER_COMPOSITE);
    if (groups.length > CHILDREN_PER_COMPOSITE) {
      // Driven by what is watched (datasets, workgroups), so it is an input problem, not a bug.
      throw new ValidationReport([
        {
          source: `monitoring (${this.node.path})`,
          field: 'alarms',
          value: `${metricAlarms.length} alarms`,
          allowed: `one "platform degraded" alarm covers at most ${CHILDREN_PER_COMPOSITE ** 2}; watch fewer datasets or workgroups per monitoring construct`,
        },
      ]);
    }
    const children =
      groups.length === 1
        ? metricAlarms
        : groups.map(
            (group, index) =>
              new cloudwatch.CompositeAlarm(this, `PlatformDegradedPart${index + 1}`, {
                alarmDescription: `Part ${index + 1} of ${groups.length} of "platform degraded" (no actions: the whole notifies).`,
                alarmRule: anyOf(group),
              }),
          );
    this.degraded = new cloudwatch.CompositeAlarm(this, 'PlatformDegraded', {
      alarmDescription: 'Any platform alarm is in ALARM: see the alarm-status widget at the top of the dashboard.',
      alarmRule: anyOf(children),
    });
    this.degraded.addAlarmAction(this.action);
    this.degraded.addOkAction(this.action);
    // An alarm status widget shows at most 100 alarms.
    chunk<cloudwatch.IAlarm>([this.degraded, ...metricAlarms], 100).forEach((alarms, index) =>
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: index === 0 ? 'Alarm status' : `Alarm status (${index + 1})`,
          alarms,
          width: 24,
          height: Math.min(12, 2 + Math.ceil(alarms.length / 4)),
        }),
      ),
    );
    for (const stage of STAGES) {
      const widgets = this.rows.get(stage);
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${stage}`, width: 24, height: 1 }));
      this.dashboard.addWidgets(
        ...(widgets ?? [new cloudwatch.TextWidget({ markdown: STAGE_PLACEHOLDER[stage] ?? 'Nothing is watched in this stage yet.', width: 24, height: 2 })]),
      );
    }
    return this.degraded;
  }

  private alarm(kind: AlarmKind, subject: string, metric: cloudwatch.Metric | cloudwatch.MathExpression, options: Omit<cloudwatch.CreateAlarmOptions, 'alarmDescription'>): cloudwatch.Alarm {
    const id = `${kind}${subject.replace(/[^A-Za-z0-9]/g, '')}`;
    const alarm = metric.createAlarm(this, id, {
      alarmDescription: `${ALARM_KINDS[kind].summary} (${subject}). Runbook: docs/runbooks/alarms.md#${kind.toLowerCase()}`,
      ...options,
    });
    // Every alarm notifies on the way in and on the way out (NIST/HIPAA CloudWatchAlarmAction).
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push({ kind, subject, alarm });
    return alarm;
  }

  private row(stage: (typeof STAGES)[number], widget: cloudwatch.IWidget): void {
    this.rows.set(stage, [...(this.rows.get(stage) ?? []), widget]);
  }
}

/** Alarms per composite rule: 40 × ~200 characters stays under the 10,240-character rule limit (and 100 alarms). */
export const CHILDREN_PER_COMPOSITE = 40;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** Dashboard rows, in pipeline order. */
const STAGES = ['Ingest', 'Deliver', 'Catalog and query', 'Serve', 'Protect', 'Quality'] as const;

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
