import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ALARM_KINDS, type AlarmKind } from './alarm-kinds';
import type { DatasetAlarmOptions } from './dataset-alarms';

/** One alarm and why it exists, for the dashboard and the runbook. */
export interface PlatformAlarm {
  readonly kind: AlarmKind;
  /** What it watches, e.g. the dataset or workgroup. */
  readonly subject: string;
  readonly alarm: cloudwatch.Alarm;
}

/** CloudWatch refuses alarm descriptions longer than 1,024 characters. */
export const ALARM_DESCRIPTION_MAX_LENGTH = 1024;

/**
 * An alarm of `kind` on `subject` that notifies `action` on ALARM and on OK (NIST/HIPAA
 * CloudWatchAlarmAction), with a description that says what it means, what it reads and where its runbook
 * entry is. Construct id `<kind><subject, alphanumerics only><idSuffix>`: the ids existing alarms have.
 */
export function createWatchedAlarm(
  scope: Construct,
  action: cloudwatch.IAlarmAction,
  kind: AlarmKind,
  subject: string,
  metric: cloudwatch.IMetric,
  options: DatasetAlarmOptions,
  idSuffix = '',
): cloudwatch.Alarm {
  const { inputs, ...alarmOptions } = options;
  const id = `${kind}${subject.replace(/[^A-Za-z0-9]/g, '')}${idSuffix}`;
  const alarm = new cloudwatch.Alarm(scope, id, { metric, alarmDescription: describe(kind, subject, inputs), ...alarmOptions });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

function describe(kind: AlarmKind, subject: string, inputs?: string): string {
  const runbook = ` Runbook: docs/runbooks/alarms.md#${kind.toLowerCase()}`;
  const full = `${ALARM_KINDS[kind].summary} (${subject}).${inputs ? ` Inputs: ${inputs}.` : ''}${runbook}`;
  if (full.length <= ALARM_DESCRIPTION_MAX_LENGTH) return full;
  // Too many inputs to list: the alarm's metric math still names each of them.
  return `${ALARM_KINDS[kind].summary} (${subject}). Inputs: see the alarm's metric math.${runbook}`;
}
