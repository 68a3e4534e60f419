import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { PrivacyErasure } from '../privacy/privacy-erasure';
import type { AlarmKind } from './alarm-kinds';
import type { DatasetAlarmOptions } from './dataset-alarms';

/** Where the privacy alarms and graphs go (PlatformMonitoring's alarm factory and its Protect row). */
export interface PrivacyAlarmSink {
  alarm(kind: AlarmKind, subject: string, metric: cloudwatch.IMetric, options: DatasetAlarmOptions): cloudwatch.Alarm;
  row(widget: cloudwatch.IWidget): void;
}

/**
 * Five alarms on the erasure workflow:
 * - ErasureDeadlineNear / ErasureOverdue: the hourly deadline metrics above 0; missing data breaches (the
 *   monitor publishes zeros, so silence means nobody is watching the deadlines);
 * - ErasureVerificationFailed: a recorded batch whose verification still found rows;
 * - ErasureWorkflowFailed: failed, timed-out or aborted executions;
 * - PhysicalRemovalOverdue: files past the snapshot horizon still present (daily check; a day's period).
 */
export function watchErasure(sink: PrivacyAlarmSink, erasure: PrivacyErasure): void {
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const subject = 'erasure requests';
  const hour = Duration.hours(1);
  sink.alarm('ErasureDeadlineNear', subject, erasure.metricRequestsNearDeadline({ period: hour }), {
    inputs: `RequestsNearDeadline > 0 (due within ${erasure.settings.alarmDaysBeforeDeadline} days)`,
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  sink.alarm('ErasureOverdue', subject, erasure.metricOverdueRequests({ period: hour }), {
    inputs: 'OverdueRequests > 0',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  sink.alarm('ErasureVerificationFailed', subject, erasure.metricVerificationFailures({ period: hour }), {
    inputs: 'VerificationFailures > 0',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  sink.alarm('ErasureWorkflowFailed', 'erasure workflow', erasure.metricWorkflowFailures({ period: hour }), {
    inputs: 'ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted > 0',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  sink.alarm('PhysicalRemovalOverdue', subject, erasure.metricPhysicalRemovalOverdue({ period: Duration.days(1) }), {
    inputs: 'PhysicalRemovalOverdue > 0 (daily physical check)',
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  sink.row(
    new cloudwatch.GraphWidget({
      title: 'Erasure requests: open, near deadline, overdue',
      left: [erasure.metricOpenRequests(), erasure.metricRequestsNearDeadline(), erasure.metricOverdueRequests()],
      width: 12,
    }),
  );
  sink.row(
    new cloudwatch.GraphWidget({
      title: 'Erasure: requests erased, verification failures, rewrite conflicts',
      left: [erasure.metricRequestsErased({ period: Duration.days(1) }), erasure.metricVerificationFailures({ period: Duration.days(1) }), erasure.metricRewriteConflicts({ period: Duration.days(1) })],
      width: 12,
    }),
  );
}
