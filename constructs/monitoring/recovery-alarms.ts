import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { RecoveryEvidence } from '../backup';
import type { DatasetAlarmOptions } from './dataset-alarms';
import type { AlarmKind } from './alarm-kinds';

/** The recovery objectives the alarms hold the evidence to. */
export interface RecoveryObjectives {
  /** Recovery point objective, minutes. @default 60 */
  readonly rpoMinutes?: number;
  /** Recovery time objective, minutes. @default 240 */
  readonly rtoMinutes?: number;
}

/** What recovery alarms need from PlatformMonitoring (its alarm factory and dashboard rows). */
export interface RecoveryAlarmSink {
  alarm(kind: AlarmKind, subject: string, metric: cloudwatch.IMetric, options: DatasetAlarmOptions, idSuffix?: string): cloudwatch.Alarm;
  row(stage: 'Protect', widget: cloudwatch.IWidget): void;
}

/**
 * RPO and RTO alarms over RecoveryEvidence's metrics:
 * - RecoveryPointAge, per protected resource: the newest recovery point older than the RPO for two
 *   15-minute periods in a row (one late measurement does not page), missing data breaching;
 * - RestoreDuration, per resource type: a restore longer than the RTO;
 * - RestoreValidation, per resource type: a restore that failed or whose copy did not validate.
 * The restore metrics exist only when restores finish, so their missing data is not breaching.
 */
export function watchRecoveryEvidence(sink: RecoveryAlarmSink, evidence: RecoveryEvidence, objectives: RecoveryObjectives = {}): void {
  const rpo = objectives.rpoMinutes ?? 60;
  const rto = objectives.rtoMinutes ?? 240;
  for (const resource of evidence.protectedResources) {
    sink.alarm('RecoveryPointAge', resource.name, evidence.metricRecoveryPointAge(resource.name), {
      threshold: rpo,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      inputs: `RecoveryPointAgeMinutes (Resource=${resource.name}), RPO ${rpo} min`,
    });
  }
  for (const type of evidence.resourceTypes) {
    sink.alarm(`RestoreDuration`, `${type} restores`, evidence.metricRestoreDuration(type), {
      threshold: rto,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      inputs: `RestoreDurationMinutes (ResourceType=${type}), RTO ${rto} min`,
    });
    sink.alarm('RestoreValidation', `${type} restores`, evidence.metricRestoreValidationFailed(type), {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      inputs: `RestoreValidationFailed (ResourceType=${type})`,
    });
  }
  sink.row(
    'Protect',
    new cloudwatch.GraphWidget({
      title: 'newest recovery point age (min)',
      left: evidence.protectedResources.map((resource) => evidence.metricRecoveryPointAge(resource.name)),
      leftAnnotations: [{ value: rpo, label: 'RPO' }],
      width: 12,
    }),
  );
  sink.row(
    'Protect',
    new cloudwatch.GraphWidget({
      title: 'restore duration (min), restores failed or not validated',
      left: evidence.resourceTypes.map((type) => evidence.metricRestoreDuration(type)),
      leftAnnotations: [{ value: rto, label: 'RTO' }],
      right: evidence.resourceTypes.map((type) => evidence.metricRestoreValidationFailed(type)),
      width: 12,
    }),
  );
}
