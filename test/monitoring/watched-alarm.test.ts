import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { ALARM_DESCRIPTION_MAX_LENGTH, ALARM_KINDS } from '../../constructs/monitoring';
import { createWatchedAlarm } from '../../constructs/monitoring/watched-alarm';
import { constructStack, templateOf } from '../support/construct-stack';

const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' });
const action = { bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111111111111:alarms' }) };
const options = { threshold: 0, evaluationPeriods: 1 };

function description(inputs?: string): string {
  const stack = constructStack();
  createWatchedAlarm(stack, action, 'DatasetQuality', 'orders', metric, { ...options, inputs });
  return Object.values(templateOf(stack).findResources('AWS::CloudWatch::Alarm'))[0].Properties.AlarmDescription;
}

describe('createWatchedAlarm', () => {
  it('describes what the alarm means, what it reads and where its runbook entry is', () => {
    expect(description('QueryFailed, CheckFailed row_count.min')).toBe(
      `${ALARM_KINDS.DatasetQuality.summary} (orders). Inputs: QueryFailed, CheckFailed row_count.min. Runbook: docs/runbooks/alarms.md#datasetquality`,
    );
  });

  it('keeps the description within 1,024 characters when the inputs would not fit, pointing to the metric math', () => {
    const text = description('CheckFailed uniqueness.'.padEnd(1_100, 'x'));
    expect(text.length).toBeLessThanOrEqual(ALARM_DESCRIPTION_MAX_LENGTH);
    expect(text).toBe(`${ALARM_KINDS.DatasetQuality.summary} (orders). Inputs: see the alarm's metric math. Runbook: docs/runbooks/alarms.md#datasetquality`);
  });

  it('notifies on ALARM and on OK', () => {
    const stack = constructStack();
    createWatchedAlarm(stack, action, 'DatasetQuality', 'orders', metric, options);
    templateOf(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:alarms'], OKActions: ['arn:aws:sns:eu-west-1:111111111111:alarms'] });
  });
});
