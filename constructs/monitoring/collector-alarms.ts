import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { EventCollector } from '../collector/collector';
import type { DatasetAlarmSink } from './dataset-alarms';

/** Thresholds of the collector's alarms. */
export interface CollectorThresholds {
  /** 5XX answers, percent of requests, per 5 minutes. @default 1 */
  readonly serverErrorPercent?: number;
  /** 4XX answers (bad keys, malformed bodies, throttling, WAF blocks), percent of requests. @default 10 */
  readonly clientErrorPercent?: number;
  /** Gateway latency p99, milliseconds. @default 2000 */
  readonly latencyP99Ms?: number;
  /** Rejected (quarantined) events, percent of a source's events. @default 5 */
  readonly rejectedPercent?: number;
}

const PERIOD = Duration.minutes(5);

/**
 * The collector's alarms and dashboard row: 5XX and 4XX rates, p99 latency, and per source the share of
 * events rejected. Rates, not counts, so a quiet night and a busy launch are judged alike; each needs 3
 * breaching periods of 5 minutes. Kinesis throttling of the streams it writes is the WriteThrottling alarm
 * of each dataset (watchIngestion); the row graphs it next to the collector's traffic.
 */
export function watchCollectorAlarms(sink: DatasetAlarmSink, collector: EventCollector, thresholds: CollectorThresholds = {}): void {
  const limits = { serverErrorPercent: 1, clientErrorPercent: 10, latencyP99Ms: 2000, rejectedPercent: 5, ...thresholds };
  const subject = 'collector';
  // Distinct ids per expression: a graph showing both rates may not bind one id to two metrics.
  const rate = (label: string, id: string, errors: cloudwatch.IMetric) =>
    new cloudwatch.MathExpression({
      // IF keeps the rate 0 (not a division by zero) in periods without requests.
      expression: `IF(requests > 0, 100 * ${id} / requests, 0)`,
      usingMetrics: { [id]: errors, requests: collector.metricRequests() },
      period: PERIOD,
      label,
    });
  const rateOptions = (threshold: number) => ({
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const serverErrors = rate('5XX answers (% of requests)', 'serverErrors', collector.metricServerErrors());
  const clientErrors = rate('4XX answers (% of requests)', 'clientErrors', collector.metricClientErrors());
  sink.alarm('CollectorServerErrors', subject, serverErrors, { ...rateOptions(limits.serverErrorPercent), inputs: '5XXError and Count of the API stage' });
  sink.alarm('CollectorClientErrors', subject, clientErrors, { ...rateOptions(limits.clientErrorPercent), inputs: '4XXError and Count of the API stage' });
  sink.alarm('CollectorLatency', subject, collector.metricLatencyP99(), {
    threshold: limits.latencyP99Ms,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  for (const source of collector.sourceNames) {
    const rejected = new cloudwatch.MathExpression({
      expression: 'IF(accepted + rejected > 0, 100 * rejected / (accepted + rejected), 0)',
      usingMetrics: { accepted: collector.metricAcceptedEvents(source), rejected: collector.metricRejectedEvents(source) },
      period: PERIOD,
      label: `${source}: rejected events (%)`,
    });
    sink.alarm('CollectorRejectedEvents', `collector source ${source}`, rejected, {
      ...rateOptions(limits.rejectedPercent),
      inputs: `AcceptedEvents and RejectedEvents (Lakehouse/Collector, Source=${source})`,
    });
  }

  sink.row('Ingest', new cloudwatch.GraphWidget({ title: 'collector: requests, 4XX and 5XX (%)', left: [collector.metricRequests()], right: [clientErrors, serverErrors], width: 12 }));
  sink.row('Ingest', new cloudwatch.GraphWidget({ title: 'collector: latency p99 (ms)', left: [collector.metricLatencyP99()], leftAnnotations: [{ value: limits.latencyP99Ms, label: 'p99 target' }], width: 12 }));
  sink.row(
    'Ingest',
    new cloudwatch.GraphWidget({
      title: 'collector: accepted and rejected events per source',
      left: collector.sourceNames.flatMap((source) => [collector.metricAcceptedEvents(source), collector.metricRejectedEvents(source)]),
      width: 12,
    }),
  );
  sink.row(
    'Ingest',
    new cloudwatch.GraphWidget({
      title: 'collector: Kinesis records throttled per written stream',
      left: [...collector.streams.keys()].map((dataset) => collector.metricStreamThrottling(dataset, { label: dataset })),
      width: 12,
    }),
  );
}
