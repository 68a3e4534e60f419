/**
 * constructs/privacy/handler-environment.ts: what the stack sets is what the handlers read; missing or
 * bad variables are named together in one error.
 */
import { describe, expect, it } from 'vitest';
import { PrivacyEnvironmentError, privacyHandlerEnvironment, readPrivacyEnvironment } from '../../constructs/privacy/handler-environment';

describe('privacy handler environment', () => {
  it('round-trips what the stack sets', () => {
    const env = privacyHandlerEnvironment({
      requestsTable: 't',
      workBucket: 'w',
      ledgerBucket: 'l',
      saltSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:salt',
      deadlines: { gdprDays: 28, ccpaDays: 40 },
      alarmDaysBeforeDeadline: 5,
      ledger: { mode: 'compliance', retentionDays: 2557 },
      snapshotRetentionDays: 7,
    });
    expect(Object.keys(env).sort()).toEqual(['LEDGER_BUCKET', 'PRIVACY_SETTINGS', 'REQUESTS_TABLE', 'SALT_SECRET_ARN', 'WORK_BUCKET']);
    expect(readPrivacyEnvironment(env, ['requestsTable', 'workBucket', 'ledgerBucket', 'saltSecretArn'])).toEqual({
      requestsTable: 't',
      workBucket: 'w',
      ledgerBucket: 'l',
      saltSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:salt',
      deadlines: { gdprDays: 28, ccpaDays: 40 },
      alarmDaysBeforeDeadline: 5,
      ledgerMode: 'compliance',
      ledgerRetentionDays: 2557,
      snapshotRetentionDays: 7,
    });
  });

  it('defaults every setting', () => {
    expect(readPrivacyEnvironment({ REQUESTS_TABLE: 't' }, ['requestsTable'])).toMatchObject({
      deadlines: { gdprDays: 30, ccpaDays: 45 },
      alarmDaysBeforeDeadline: 7,
      ledgerMode: 'governance',
      ledgerRetentionDays: 2557,
      snapshotRetentionDays: 5,
    });
  });

  it('names every missing variable and bad setting at once', () => {
    const settings = JSON.stringify({ deadlines: { gdprDays: 0 }, alarmDaysBeforeDeadline: 'soon', ledger: { mode: 'legal-hold', retentionDays: -1 } });
    let error: unknown;
    try {
      readPrivacyEnvironment({ PRIVACY_SETTINGS: settings, WORK_BUCKET: ' ' }, ['requestsTable', 'workBucket']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrivacyEnvironmentError);
    expect((error as PrivacyEnvironmentError).problems).toEqual([
      'PRIVACY_SETTINGS.ledger.mode: got "legal-hold"; governance or compliance',
      'REQUESTS_TABLE is not set',
      'WORK_BUCKET is not set',
      'PRIVACY_SETTINGS.deadlines.gdprDays: got 0; a whole number, 1-90',
      'PRIVACY_SETTINGS.alarmDaysBeforeDeadline: got "soon"; a whole number, 1-90',
      'PRIVACY_SETTINGS.ledger.retentionDays: got -1; a whole number, 1-36500',
    ]);
    expect(() => readPrivacyEnvironment({ PRIVACY_SETTINGS: '[1]' }, [])).toThrow(/PRIVACY_SETTINGS is not a JSON object/);
    expect(() => readPrivacyEnvironment({ PRIVACY_SETTINGS: '{' }, [])).toThrow(/PRIVACY_SETTINGS is not a JSON object/);
  });
});
