import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { DataQuality } from '../data-quality';
import type { DatasetDefinition } from '../datasets';
import type { StreamingIngestion } from '../ingestion';
import type { AlarmKind } from './alarm-kinds';

/**
 * The alarms and graphs each dataset gets, shared by {@link PlatformMonitoring} (the base operations stack)
 * and {@link DatasetMonitoring} (each operations shard), so that a dataset is watched the same way wherever
 * it is placed. Signals that share a missing-data behaviour and an evaluation window are folded into one
 * alarm through metric math; the alarm's description names every input and its condition, and each input is
 * a labelled query of the alarm, so the one that fired can be read off.
 */

/** Where the alarms and graphs of a dataset go. */
export interface DatasetAlarmSink {
  /** Creates the alarm with the sink's actions; `idSuffix` distinguishes several alarms of one kind and subject. */
  alarm(kind: AlarmKind, subject: string, metric: cloudwatch.IMetric, options: DatasetAlarmOptions, idSuffix?: string): cloudwatch.Alarm;
  row(stage: 'Ingest' | 'Deliver' | 'Quality', widget: cloudwatch.IWidget): void;
}

export type DatasetAlarmOptions = Omit<cloudwatch.CreateAlarmOptions, 'alarmDescription'> & {
  /** What the alarm watches, appended to the kind's summary in the description. */
  readonly inputs?: string;
};

/** CloudWatch: an alarm's metric math may reference at most 10 metrics (a hard limit). */
export const METRICS_PER_MATH_ALARM = 10;

/**
 * Per streamed dataset, two folded and one plain alarm:
 * - Delivery: DeliveryToS3.DataFreshness above the freshness SLO, or DeliveryToS3.Success below 1 (both
 *   Firehose, 3 × 5 min, silence is not breaching: nothing to deliver);
 * - IteratorAge: its own alarm, because missing data there is breaching (Firehose polls continuously) and a
 *   fold would let another input's data hide a dead consumer;
 * - WriteThrottling: its own alarm, because it alarms on 2 of 3 periods, the others on 3 of 3.
 */
export function watchDatasetIngestion(sink: DatasetAlarmSink, ingestion: StreamingIngestion, iteratorAgeMinutes: number): void {
  const name = ingestion.dataset.name;
  const sloSeconds = ingestion.dataset.freshnessSloMinutes * 60;
  const delivery = new cloudwatch.MathExpression({
    expression: `MAX([IF(freshness > ${sloSeconds}, 1, 0), IF(success < 1, 1, 0)])`,
    usingMetrics: {
      freshness: ingestion.metricDataFreshness({ label: `DeliveryToS3.DataFreshness (s), alarms above ${sloSeconds}` }),
      success: ingestion.metricDeliverySuccess({ label: 'DeliveryToS3.Success, alarms below 1' }),
    },
    label: `${name}: 1 while freshness is above the SLO or a delivery failed`,
    period: Duration.minutes(5),
  });
  sink.alarm('Delivery', name, delivery, {
    inputs: `DeliveryToS3.DataFreshness > ${sloSeconds} s (freshness SLO) or DeliveryToS3.Success < 1`,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  sink.alarm('IteratorAge', name, ingestion.metricIteratorAge(), {
    threshold: iteratorAgeMinutes * 60_000,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  sink.alarm('WriteThrottling', name, ingestion.metricWriteThrottling(), {
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  sink.row('Ingest', new cloudwatch.GraphWidget({ title: `${name}: records in, lag`, left: [ingestion.metricIncomingRecords()], right: [ingestion.metricIteratorAge()], width: 12 }));
  sink.row('Ingest', new cloudwatch.GraphWidget({ title: `${name}: write throttling`, left: [ingestion.metricWriteThrottling()], width: 12 }));
  sink.row(
    'Deliver',
    new cloudwatch.GraphWidget({
      title: `${name}: freshness (s) against the SLO`,
      left: [ingestion.metricDataFreshness()],
      leftAnnotations: [{ value: sloSeconds, label: 'freshness SLO' }],
      width: 12,
    }),
  );
  sink.row(
    'Deliver',
    new cloudwatch.GraphWidget({
      title: `${name}: delivery success, failed conversion, partitions exceeded`,
      left: [ingestion.metricDeliverySuccess()],
      right: [ingestion.metricFailedConversion(), ingestion.metricPartitionCountExceeded()],
      width: 12,
    }),
  );
}

/**
 * Per checked dataset, one alarm: the MAX of QueryFailed and every check's CheckFailed (each 1 when it
 * failed; the function publishes CheckFailed only for checks it evaluated). A dataset with more than nine
 * checks gets further alarms of ten checks each (metric math reads at most 10 metrics).
 */
export function watchDatasetQuality(sink: DatasetAlarmSink, quality: DataQuality, dataset: DatasetDefinition): void {
  const name = dataset.name;
  const inputs = [
    { label: 'QualityQueryFailed', metric: quality.metricQueryFailed(name, { label: 'QueryFailed' }) },
    ...quality.checks(dataset).map((check) => ({ label: `CheckFailed ${check.id}`, metric: quality.metricCheckFailed(name, check.id, { label: `CheckFailed ${check.id}` }) })),
  ];
  const groups = chunk(inputs, METRICS_PER_MATH_ALARM);
  groups.forEach((group, index) => {
    const ids = group.map((_, position) => `m${position + 1}`);
    const expression = new cloudwatch.MathExpression({
      expression: `MAX([${ids.join(', ')}])`,
      usingMetrics: Object.fromEntries(group.map((input, position) => [ids[position], input.metric])),
      // The function runs hourly and its metrics are read per hour; the expression's period is the alarm's.
      period: Duration.hours(1),
      label: `${name}: 1 while a check failed or the query failed`,
    });
    sink.alarm(
      'DatasetQuality',
      name,
      expression,
      {
        inputs: `${groups.length > 1 ? `part ${index + 1} of ${groups.length}: ` : ''}${group.map((input) => input.label).join(', ')}; Dataset=${name}`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      index === 0 ? undefined : `Part${index + 1}`,
    );
  });
  sink.row(
    'Quality',
    new cloudwatch.GraphWidget({
      title: `${name}: rows checked, freshness (s)`,
      left: [quality.metricRowCount(name)],
      right: [quality.metricFreshness(name)],
      width: 12,
    }),
  );
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/**
 * The data-quality function itself: successful runs in 3 hours below 1. A run that throws (a dataset
 * unchecked, a misconfigured function) is an invocation too, so invocations alone would stay green while
 * every run fails.
 */
export function watchQualityRuns(sink: DatasetAlarmSink, quality: DataQuality): void {
  const successfulRuns = new cloudwatch.MathExpression({
    expression: 'invocations - errors',
    usingMetrics: {
      invocations: quality.function.metricInvocations({ statistic: 'Sum', period: Duration.hours(3) }),
      errors: quality.function.metricErrors({ statistic: 'Sum', period: Duration.hours(3) }),
    },
    period: Duration.hours(3),
    label: 'successful data-quality runs',
  });
  sink.alarm('QualityNotRunning', 'data-quality function', successfulRuns, {
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  // Lineage never fails a run (the checks matter more), so without this a lineage table that stopped
  // receiving events would go unnoticed.
  if (quality.recordsLineage) {
    sink.alarm('LineageNotRecorded', 'data-quality function', quality.metricLineageFailed({ statistic: 'Maximum', period: Duration.hours(3) }), {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      inputs: 'LineageRecordFailed (Maximum over 3 hours)',
    });
  }
}

/** The checked datasets of `quality`, or the named ones; naming one it does not check is refused. */
export function selectDatasets(scope: Construct, quality: DataQuality, names?: readonly string[]): DataQuality['datasets'] {
  if (names === undefined) return quality.datasets;
  const checked = new Map(quality.datasets.map((entry) => [entry.dataset.name, entry]));
  const unknown = names.filter((name) => !checked.has(name));
  if (unknown.length > 0) throw new Error(`${scope.node.path}: ${unknown.join(', ')} not checked by ${quality.node.path} (it checks ${[...checked.keys()].join(', ')})`);
  return names.map((name) => checked.get(name)!);
}
