import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { EmbeddingsPipeline } from '../embeddings/embeddings-pipeline';
import type { AlarmKind } from './alarm-kinds';
import type { DatasetAlarmOptions } from './dataset-alarms';

/** Where the embeddings alarms and graphs go (PlatformMonitoring's alarm factory and its Embed row). */
export interface EmbeddingsAlarmSink {
  alarm(kind: AlarmKind, subject: string, metric: cloudwatch.IMetric, options: DatasetAlarmOptions): cloudwatch.Alarm;
  row(widget: cloudwatch.IWidget): void;
}

export interface EmbeddingsAlarmThresholds {
  /** Oldest message in the queue, minutes. */
  readonly queueAgeMinutes: number;
  /** Failed records, percent of the records processed. */
  readonly failurePercent: number;
}

/**
 * Four alarms per collection, each on its own because each has its own window and meaning:
 * - EmbeddingsQueueAge: the oldest message waited longer than the threshold (3 × 5 min);
 * - EmbeddingsDeadLetters: anything in the dead-letter queue (one 5-minute period);
 * - EmbeddingsFailures: the failed share of records above the threshold in 2 of 3 periods;
 * - EmbeddingsThrottled: Bedrock throttled calls in 3 consecutive periods (single throttles are retried
 *   and normal; a sustained share means the quota is below the load).
 * Silence is not breaching for any of them: the queue metrics stop when the queue is idle and the
 * consumer's own metrics exist only when it runs.
 */
export function watchEmbeddingsPipeline(sink: EmbeddingsAlarmSink, pipeline: EmbeddingsPipeline, thresholds: EmbeddingsAlarmThresholds): void {
  const subject = `embeddings ${pipeline.collection}`;
  const notBreaching = cloudwatch.TreatMissingData.NOT_BREACHING;
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  sink.alarm('EmbeddingsQueueAge', subject, pipeline.metricOldestMessageAge(), {
    inputs: `ApproximateAgeOfOldestMessage > ${thresholds.queueAgeMinutes * 60} s`,
    threshold: thresholds.queueAgeMinutes * 60,
    comparisonOperator: above,
    evaluationPeriods: 3,
    treatMissingData: notBreaching,
  });
  sink.alarm('EmbeddingsDeadLetters', subject, pipeline.metricDeadLetterMessages(), {
    inputs: 'dead-letter queue ApproximateNumberOfMessagesVisible > 0',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 1,
    treatMissingData: notBreaching,
  });
  sink.alarm('EmbeddingsFailures', subject, pipeline.metricFailureRate(), {
    inputs: `RecordsFailed / records processed > ${thresholds.failurePercent} %`,
    threshold: thresholds.failurePercent,
    comparisonOperator: above,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: notBreaching,
  });
  sink.alarm('EmbeddingsThrottled', subject, pipeline.metricBedrockThrottles(), {
    inputs: 'EmbeddingThrottles > 0',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 3,
    treatMissingData: notBreaching,
  });

  const name = pipeline.collection;
  sink.row(
    new cloudwatch.GraphWidget({
      title: `${name}: oldest queued event (s), dead letters`,
      left: [pipeline.metricOldestMessageAge()],
      leftAnnotations: [{ value: thresholds.queueAgeMinutes * 60, label: 'alarm' }],
      right: [pipeline.metricDeadLetterMessages()],
      width: 12,
    }),
  );
  sink.row(
    new cloudwatch.GraphWidget({
      title: `${name}: records processed, failed (%)`,
      left: [pipeline.metricRecordsProcessed()],
      right: [pipeline.metricFailureRate()],
      rightAnnotations: [{ value: thresholds.failurePercent, label: 'alarm' }],
      width: 12,
    }),
  );
  sink.row(
    new cloudwatch.GraphWidget({
      title: `${name}: chunks embedded, reused; Bedrock throttles`,
      left: [pipeline.metricChunks('embedded'), pipeline.metricChunks('reused')],
      right: [pipeline.metricBedrockThrottles()],
      width: 12,
    }),
  );
  sink.row(
    new cloudwatch.GraphWidget({
      title: `${name}: tokens, estimated cost (USD)`,
      left: [pipeline.metricEmbeddingTokens()],
      right: [pipeline.metricEstimatedCost()],
      width: 12,
    }),
  );
  sink.row(
    new cloudwatch.GraphWidget({
      title: `${name}: consumer errors, throttles`,
      left: [pipeline.metricFunctionErrors(), pipeline.metricFunctionThrottles()],
      width: 12,
    }),
  );
}
