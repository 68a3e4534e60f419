import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigValidationError, problemsFromZod } from '../../config/errors';
import { loadEnvironmentConfig, validateEnvironmentConfig, validateMacieSession } from '../../config/load';
import { macieSessionProblem, privacyAccessTrailSchema, privacyDiscoverySchema } from '../../config/privacy-audit-schema';
import { prod as prodFile } from '../../config/environments/prod';

const FILE = 'config/environments/prod.ts';

/**
 * The two sub-schemas as the environment schema's `privacy` section embeds them (written on another
 * branch): errors name `privacy.discovery.…` and `privacy.accessTrail.…`.
 */
const section = z.object({ privacy: z.object({ discovery: privacyDiscoverySchema.prefault({}), accessTrail: privacyAccessTrailSchema.prefault({}) }).strict().prefault({}) }).strict();

function parse(raw: unknown) {
  const result = section.safeParse(raw);
  if (!result.success) throw new ConfigValidationError(FILE, problemsFromZod(raw, result.error.issues, section));
  return result.data.privacy;
}

function errorOf(raw: unknown): string {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('privacy.discovery and privacy.accessTrail defaults', () => {
  it('an absent section gets discovery weekly at 10 %, a managed session, Medium findings; the trail on, 7 years, reads included', () => {
    expect(parse({})).toEqual({
      discovery: { enabled: true, findingPublishingFrequency: 'FIFTEEN_MINUTES', schedule: 'weekly', samplingPercentage: 10, manageMacieSession: true, minimumSeverity: 'Medium' },
      accessTrail: { enabled: true, retentionDays: 2557, includeReads: true },
    });
  });

  it('the dev opt-outs (discovery and trail disabled) validate and keep the other defaults', () => {
    const dev = parse({ privacy: { discovery: { enabled: false }, accessTrail: { enabled: false } } });
    expect(dev.discovery).toMatchObject({ enabled: false, schedule: 'weekly' });
    expect(dev.accessTrail).toMatchObject({ enabled: false, retentionDays: 2557 });
  });
});

describe('privacy.discovery and privacy.accessTrail bad inputs', () => {
  const cases: Array<{ title: string; raw: unknown; line: string }> = [
    { title: 'sampling 0', raw: { privacy: { discovery: { samplingPercentage: 0 } } }, line: '- privacy.discovery.samplingPercentage: got 0; must be at least 1' },
    { title: 'sampling 101', raw: { privacy: { discovery: { samplingPercentage: 101 } } }, line: '- privacy.discovery.samplingPercentage: got 101; must be at most 100' },
    { title: 'sampling 12.5', raw: { privacy: { discovery: { samplingPercentage: 12.5 } } }, line: '- privacy.discovery.samplingPercentage: got 12.5; must be a whole number' },
    { title: 'an hourly schedule', raw: { privacy: { discovery: { schedule: 'hourly' } } }, line: '- privacy.discovery.schedule: got "hourly"; Invalid option: expected one of "daily"|"weekly"|"monthly"' },
    {
      title: 'a publishing frequency Macie does not have',
      raw: { privacy: { discovery: { findingPublishingFrequency: 'DAILY' } } },
      line: '- privacy.discovery.findingPublishingFrequency: got "DAILY"; Invalid option: expected one of "FIFTEEN_MINUTES"|"ONE_HOUR"|"SIX_HOURS"',
    },
    { title: 'a lowercase severity', raw: { privacy: { discovery: { minimumSeverity: 'high' } } }, line: '- privacy.discovery.minimumSeverity: got "high"; Invalid option: expected one of "Low"|"Medium"|"High"' },
    { title: 'a string for a boolean', raw: { privacy: { discovery: { manageMacieSession: 'false' } } }, line: '- privacy.discovery.manageMacieSession: got "false"; Invalid input: expected boolean, received string' },
    {
      title: 'a misspelt discovery field',
      raw: { privacy: { discovery: { samplingPercent: 10 } } },
      line: '- privacy.discovery.samplingPercent: got 10; unknown field "samplingPercent"; did you mean "samplingPercentage"?',
    },
    { title: 'trail retention 0', raw: { privacy: { accessTrail: { retentionDays: 0 } } }, line: '- privacy.accessTrail.retentionDays: got 0; must be at least 1' },
    { title: 'trail retention of 20 years', raw: { privacy: { accessTrail: { retentionDays: 7305 } } }, line: '- privacy.accessTrail.retentionDays: got 7305; must be at most 3653 (10 years)' },
    { title: 'trail retention 90.5', raw: { privacy: { accessTrail: { retentionDays: 90.5 } } }, line: '- privacy.accessTrail.retentionDays: got 90.5; must be a whole number' },
    { title: 'includeReads as a string', raw: { privacy: { accessTrail: { includeReads: 'yes' } } }, line: '- privacy.accessTrail.includeReads: got "yes"; Invalid input: expected boolean, received string' },
    {
      title: 'a misspelt trail field',
      raw: { privacy: { accessTrail: { retention: 30 } } },
      line: '- privacy.accessTrail.retention: got 30; unknown field "retention"; remove or fix the spelling (known: enabled, retentionDays, includeReads)',
    },
  ];
  for (const { title, raw, line } of cases) {
    it(`refuses ${title}, naming file, field, value and what is allowed`, () => {
      const message = errorOf(raw);
      expect(message).toContain(`Invalid configuration in ${FILE} (nothing was synthesized):`);
      expect(message).toContain(line);
    });
  }
});

describe('macieSessionProblem: one Macie session per account and region', () => {
  const discovery = (overrides: Record<string, unknown> = {}) => privacyDiscoverySchema.parse(overrides);
  const staging = { name: 'staging', account: '111111111111', region: 'eu-west-1', discovery: discovery() };
  const prod = { name: 'prod', account: '111111111111', region: 'eu-west-1', discovery: discovery() };

  it('refuses two environments managing the session in the same account and region, naming the other', () => {
    expect(macieSessionProblem(prod, [staging, prod])).toEqual({
      field: 'privacy.discovery.manageMacieSession',
      value: 'true',
      allowed:
        'environment "staging" also manages the Macie session of account 111111111111 in eu-west-1; Macie has one session per account and region: set manageMacieSession: false in one of them',
    });
  });

  it('accepts them when one leaves the session to the other, or discovery is off, or accounts or regions differ', () => {
    expect(macieSessionProblem(prod, [{ ...staging, discovery: discovery({ manageMacieSession: false }) }])).toBeUndefined();
    expect(macieSessionProblem(prod, [{ ...staging, discovery: discovery({ enabled: false }) }])).toBeUndefined();
    expect(macieSessionProblem(prod, [{ ...staging, account: '222222222222' }])).toBeUndefined();
    expect(macieSessionProblem(prod, [{ ...staging, region: 'us-east-1' }])).toBeUndefined();
  });

  it('cannot judge an environment without an account (dev deploys where its credentials point)', () => {
    expect(macieSessionProblem({ name: 'dev', discovery: discovery() }, [{ ...staging }])).toBeUndefined();
  });
});

describe('privacy.discovery and privacy.accessTrail in the environment schema (config/privacy-schema.ts)', () => {
  it('the shipped dev opts out of both; staging and prod run both with the defaults', () => {
    const dev = loadEnvironmentConfig('dev').privacy;
    expect([dev.discovery.enabled, dev.accessTrail.enabled]).toEqual([false, false]);
    for (const name of ['staging', 'prod'] as const) {
      const { discovery, accessTrail } = loadEnvironmentConfig(name).privacy;
      expect(discovery).toEqual(privacyDiscoverySchema.parse({}));
      expect(accessTrail).toEqual(privacyAccessTrailSchema.parse({}));
    }
  });

  it('a bad value in an environment file is refused with the file and the full field path', () => {
    const raw = { ...prodFile, privacy: { discovery: { samplingPercentage: 0 }, accessTrail: { retentionDays: 'forever' } } };
    const error = (() => {
      try {
        validateEnvironmentConfig(raw, FILE, 'prod');
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('the config was accepted');
    })();
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toContain('- privacy.discovery.samplingPercentage: got 0; must be at least 1');
    expect(error.message).toContain('- privacy.accessTrail.retentionDays: got "forever"');
  });
});

describe('validateMacieSession (config/load.ts): environments sharing an account and region', () => {
  const prod = loadEnvironmentConfig('prod');
  const staging = loadEnvironmentConfig('staging');
  const sameAccount = { ...staging, account: prod.account, region: prod.region };

  it('refuses a second environment managing the session there, naming its file and the other environment', () => {
    expect(() => validateMacieSession(sameAccount, [prod])).toThrow(ConfigValidationError);
    expect(() => validateMacieSession(sameAccount, [prod])).toThrow(
      'config/environments/staging.ts (nothing was synthesized):\n  - privacy.discovery.manageMacieSession: got true; environment "prod" also manages the Macie session of account 222222222222 in eu-west-1',
    );
  });

  it('accepts the shipped environments, and a shared account when one side has no privacy stack or leaves the session alone', () => {
    expect(() => validateMacieSession(staging, [prod])).not.toThrow();
    expect(() => validateMacieSession({ ...sameAccount, privacy: { ...sameAccount.privacy, enabled: false } }, [prod])).not.toThrow();
    const unmanaged = { ...sameAccount, privacy: { ...sameAccount.privacy, discovery: { ...sameAccount.privacy.discovery, manageMacieSession: false } } };
    expect(() => validateMacieSession(unmanaged, [prod])).not.toThrow();
  });
});
