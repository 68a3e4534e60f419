import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DataQuality } from '../data-quality';
import type { StreamingIngestion } from '../ingestion';
import { checkCompositeAlarmName, rollUpAlarms, type AlarmRollup } from './alarm-rollup';
import { paginateDashboards, type DashboardPagesOptions } from './dashboard-pages';
import { chunk, selectDatasets, watchDatasetIngestion, watchDatasetQuality, watchQualityRuns, type DatasetAlarmSink } from './dataset-alarms';
import { createWatchedAlarm, type PlatformAlarm } from './watched-alarm';

/** Properties of {@link DatasetMonitoring}. */
export interface DatasetMonitoringProps {
  /** The environment's alarm topic (PlatformMonitoring's `topic`): every alarm notifies it on ALARM and on OK. */
  readonly topic: sns.ITopic;
  /** Deterministic name of this group's roll-up composite, e.g. `lakehouse-prod-operations-2-degraded`. */
  readonly rollupAlarmName: string;
  /** Name of the first dashboard page; further pages are `<name>-2`, … */
  readonly dashboardName: string;
  /** Kinesis iterator age, minutes (data latency < 5 min). @default 5 */
  readonly iteratorAgeMinutes?: number;
  /** Dashboard page budget. @default 100 widgets and 100,000 bytes per page */
  readonly dashboardPages?: Pick<DashboardPagesOptions, 'widgetsPerPage' | 'bodyBytesPerPage'>;
}

/**
 * The monitoring of one group of datasets (an operations shard): each dataset's alarms, exactly as
 * PlatformMonitoring would raise them, notifying the environment's topic; dashboards split into pages so
 * none passes CloudWatch's limits; and one roll-up composite with a deterministic name (no actions: every
 * alarm notifies on its own, and the environment roll-up notifies for the whole) that an
 * {@link EnvironmentRollup} names from the stack deployed last.
 */
export class DatasetMonitoring extends Construct {
  public readonly alarms: PlatformAlarm[] = [];
  /** Set by `finish()`. */
  public dashboards: cloudwatch.Dashboard[] = [];
  private readonly props: DatasetMonitoringProps;
  private readonly action: actions.SnsAction;
  private readonly sections = new Map<string, cloudwatch.IWidget[]>();
  private rollup?: AlarmRollup;

  constructor(scope: Construct, id: string, props: DatasetMonitoringProps) {
    super(scope, id);
    const iteratorAgeMinutes = props.iteratorAgeMinutes ?? 5;
    if (!(iteratorAgeMinutes > 0)) throw new Error(`${this.node.path}: iteratorAgeMinutes ${iteratorAgeMinutes} must be above 0`);
    // Refused here rather than at finish(), so the error names the value where it was given.
    checkCompositeAlarmName(this.node.path, props.rollupAlarmName);
    this.props = { ...props, iteratorAgeMinutes };
    this.action = new actions.SnsAction(props.topic);
  }

  /** Delivery (freshness or failed puts), stream lag and write throttling of one streamed dataset. */
  public watchIngestion(ingestion: StreamingIngestion): void {
    watchDatasetIngestion(this.sink(ingestion.dataset.name), ingestion, this.props.iteratorAgeMinutes!);
  }

  /**
   * One quality alarm per dataset of `quality` (or of the named ones). With `runs`, also the alarm on the
   * function itself not running, for a shard that owns its own DataQuality.
   */
  public watchQuality(quality: DataQuality, options: { readonly datasets?: readonly string[]; readonly runs?: boolean } = {}): void {
    for (const { dataset } of selectDatasets(this, quality, options.datasets)) watchDatasetQuality(this.sink(dataset.name), quality, dataset);
    if (options.runs) watchQualityRuns(this.sink('data-quality runs'), quality);
  }

  /** The roll-up composite (created by `finish()`). */
  public get rollupAlarm(): cloudwatch.CompositeAlarm {
    if (!this.rollup) throw new Error(`${this.node.path}: call finish() before reading rollupAlarm`);
    return this.rollup.alarm;
  }

  /** Every composite of the roll-up, with what a budget measures. */
  public get rollupComposites(): AlarmRollup['composites'] {
    return this.rollup?.composites ?? [];
  }

  /** The roll-up composite and the dashboard pages. Call once, after the `watch…` calls. */
  public finish(): cloudwatch.CompositeAlarm {
    if (this.rollup) return this.rollup.alarm;
    if (this.alarms.length === 0) throw new Error(`${this.node.path}: nothing is watched; call watch…() before finish()`);
    this.rollup = rollUpAlarms(this, 'Rollup', {
      alarms: this.alarms.map((entry) => entry.alarm),
      alarmName: this.props.rollupAlarmName,
      alarmDescription: `Any alarm of ${this.props.dashboardName} is in ALARM: see the alarm status on its dashboard.`,
    });
    // Alarm status first (at most 100 alarms per widget), then one section per dataset.
    const status = chunk<cloudwatch.IAlarm>([this.rollup.alarm, ...this.alarms.map((entry) => entry.alarm)], 100).map(
      (alarms, index) =>
        new cloudwatch.AlarmStatusWidget({ title: index === 0 ? 'Alarm status' : `Alarm status (${index + 1})`, alarms, width: 24, height: Math.min(12, 2 + Math.ceil(alarms.length / 4)) }),
    );
    const rows: cloudwatch.IWidget[][] = [status, ...[...this.sections].map(([subject, widgets]) => [new cloudwatch.TextWidget({ markdown: `## ${subject}`, width: 24, height: 1 }), ...widgets])];
    this.dashboards = paginateDashboards(this, rows, { dashboardName: this.props.dashboardName, ...this.props.dashboardPages });
    return this.rollup.alarm;
  }

  /** Alarms of `subject` go to this construct's list; its graphs to the dataset's section. */
  private sink(subject: string): DatasetAlarmSink {
    return {
      alarm: (kind, alarmSubject, metric, options, idSuffix) => {
        const alarm = createWatchedAlarm(this, this.action, kind, alarmSubject, metric, options, idSuffix);
        this.alarms.push({ kind, subject: alarmSubject, alarm });
        return alarm;
      },
      row: (_stage, widget) => this.sections.set(subject, [...(this.sections.get(subject) ?? []), widget]),
    };
  }
}
