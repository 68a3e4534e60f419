import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../config/errors';
import { loadEnvironmentConfig, validateEnvironmentConfig } from '../../config/load';
import { staging } from '../../config/environments/staging';
import { defaultLedger, withPrivacyDefaults } from '../../config/privacy-schema';

const FILE = 'config/environments/dev.ts';

function minimal(name: 'dev', section: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, owner: 'o', costCenter: 'c', ...section };
}

function errorOf(raw: Record<string, unknown>): string {
  try {
    validateEnvironmentConfig(raw, FILE, 'dev');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('privacy section defaults', () => {
  it('fills every documented default in dev, with the disposable ledger lock', () => {
    const config = validateEnvironmentConfig(minimal('dev'), FILE, 'dev');
    expect(config.privacy).toEqual({
      enabled: true,
      schedule: 'cron(0 3 * * ? *)',
      batchSize: 50,
      deadlines: { gdprDays: 30, ccpaDays: 45 },
      alarmDaysBeforeDeadline: 7,
      ledger: { mode: 'governance', retentionDays: 1 },
      // The schema's defaults: the shipped dev file is what turns both off.
      discovery: { enabled: true, findingPublishingFrequency: 'FIFTEEN_MINUTES', schedule: 'weekly', samplingPercentage: 10, manageMacieSession: true, minimumSeverity: 'Medium' },
      accessTrail: { enabled: true, retentionDays: 2557, includeReads: true },
    });
  });

  it('locks the ledger in compliance mode for 2557 days outside dev', () => {
    expect(defaultLedger('staging')).toEqual({ mode: 'compliance', retentionDays: 2557 });
    expect(defaultLedger('prod')).toEqual({ mode: 'compliance', retentionDays: 2557 });
    expect(loadEnvironmentConfig('staging').privacy.ledger).toEqual({ mode: 'compliance', retentionDays: 2557 });
    expect(loadEnvironmentConfig('prod').privacy.ledger).toEqual({ mode: 'compliance', retentionDays: 2557 });
    expect(loadEnvironmentConfig('dev').privacy.ledger).toEqual({ mode: 'governance', retentionDays: 1 });
  });

  it('fills each ledger field on its own: a dev file that names only the mode keeps dev\'s one day', () => {
    const config = validateEnvironmentConfig(minimal('dev', { privacy: { ledger: { mode: 'compliance' } } }), FILE, 'dev');
    expect(config.privacy.ledger).toEqual({ mode: 'compliance', retentionDays: 1 });
  });

  it('leaves a section that is not an object to the schema, which names it', () => {
    expect(withPrivacyDefaults({ name: 'dev', privacy: 'yes' })).toEqual({ name: 'dev', privacy: 'yes' });
    expect(errorOf(minimal('dev', { privacy: 'yes' }))).toContain('- privacy: got "yes"');
  });
});

const cases: Array<{ title: string; section: Record<string, unknown>; line: string }> = [
  { title: 'a misspelt field', section: { privacy: { batchsize: 10 } }, line: '- privacy.batchsize: got 10; unknown field "batchsize"; did you mean "batchSize"?' },
  { title: 'a batch of zero', section: { privacy: { batchSize: 0 } }, line: '- privacy.batchSize: got 0; must be at least 1' },
  { title: 'a batch too large for one query', section: { privacy: { batchSize: 501 } }, line: '- privacy.batchSize: got 501; must be at most 500' },
  { title: 'a fractional batch', section: { privacy: { batchSize: 2.5 } }, line: '- privacy.batchSize: got 2.5; must be a whole number' },
  { title: 'a batch given as a string', section: { privacy: { batchSize: '50' } }, line: '- privacy.batchSize: got "50"; must be a number of requests' },
  { title: 'a schedule AWS refuses', section: { privacy: { schedule: 'cron(0 3 * * * *)' } }, line: '- privacy.schedule: got "cron(0 3 * * * *)";' },
  { title: 'a schedule that is not an expression', section: { privacy: { schedule: 'daily' } }, line: '- privacy.schedule: got "daily"; must be cron(' },
  { title: 'a GDPR deadline of zero days', section: { privacy: { deadlines: { gdprDays: 0 } } }, line: '- privacy.deadlines.gdprDays: got 0; must be at least 1 (GDPR)' },
  { title: 'a CCPA deadline past its extension', section: { privacy: { deadlines: { ccpaDays: 91 } } }, line: '- privacy.deadlines.ccpaDays: got 91; must be at most 90 (CCPA' },
  { title: 'an unknown regulation', section: { privacy: { deadlines: { lgpdDays: 15 } } }, line: '- privacy.deadlines.lgpdDays: got 15; unknown field "lgpdDays"' },
  { title: 'an alarm as early as the shortest deadline', section: { privacy: { alarmDaysBeforeDeadline: 30 } }, line: '- privacy.alarmDaysBeforeDeadline: got 30; must be below the shortest deadline (30 days)' },
  {
    title: 'an alarm later than a shortened deadline allows',
    section: { privacy: { deadlines: { gdprDays: 5 }, alarmDaysBeforeDeadline: 7 } },
    line: '- privacy.alarmDaysBeforeDeadline: got 7; must be below the shortest deadline (5 days)',
  },
  { title: 'an alarm of zero days', section: { privacy: { alarmDaysBeforeDeadline: 0 } }, line: '- privacy.alarmDaysBeforeDeadline: got 0; must be at least 1' },
  { title: 'an Object Lock mode S3 does not have', section: { privacy: { ledger: { mode: 'legal-hold' } } }, line: '- privacy.ledger.mode: got "legal-hold"; must be "governance"' },
  { title: 'a ledger lock of zero days', section: { privacy: { ledger: { retentionDays: 0 } } }, line: '- privacy.ledger.retentionDays: got 0; must be at least 1 (S3 Object Lock minimum)' },
  { title: 'a ledger lock past 100 years', section: { privacy: { ledger: { retentionDays: 36_501 } } }, line: '- privacy.ledger.retentionDays: got 36501; must be at most 36500' },
  { title: 'a ledger given as a string', section: { privacy: { ledger: 'compliance' } }, line: '- privacy.ledger: got "compliance";' },
  { title: 'enabled as a string', section: { privacy: { enabled: 'no' } }, line: '- privacy.enabled: got "no"; must be true or false' },
];

describe('privacy section bad inputs', () => {
  it.each(cases)('refuses $title, naming the file and field', ({ section, line }) => {
    const message = errorOf(minimal('dev', section));
    expect(message).toContain(FILE);
    expect(message).toContain(line);
  });

  it('accepts a staging environment that turns the workflow off', () => {
    const config = validateEnvironmentConfig({ ...staging, privacy: { enabled: false } }, 'config/environments/staging.ts', 'staging');
    expect(config.privacy).toMatchObject({ enabled: false, ledger: { mode: 'compliance', retentionDays: 2557 } });
  });
});
