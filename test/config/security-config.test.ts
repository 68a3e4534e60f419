import { describe, expect, it } from 'vitest';
import { validateEnvironmentConfig } from '../../config/load';

const FILE = 'config/environments/prod.ts';
const ACCOUNT = '222222222222';

/** A valid prod config with the security fields this file breaks one at a time. */
function validProd(): Record<string, any> {
  return {
    name: 'prod',
    account: ACCOUNT,
    region: 'eu-west-1',
    owner: 'data-platform-team',
    costCenter: 'cc-1',
    network: { maxAzs: 3 },
    backup: {
      breakGlassRoleArn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
      dailyRetentionDays: 35,
      monthlyRetentionDays: 365,
      vaultLock: { minRetentionDays: 7 },
      disasterRecovery: { region: 'eu-central-1' },
    },
    governance: {
      lakeFormationAdmins: [`arn:aws:iam::${ACCOUNT}:role/DataLakeAdmin`],
      personas: [{ name: 'analyst', trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_*`] }],
    },
  };
}

function errorOf(breakIt: (config: Record<string, any>) => void, name = 'prod'): string {
  const config = validProd();
  config.name = name;
  breakIt(config);
  try {
    validateEnvironmentConfig(config, `config/environments/${name}.ts`, name);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the broken config was accepted');
}

describe('security configuration is validated before anything is built', () => {
  it('the unbroken config is valid, so each failure below comes from its one change', () => {
    const config = validateEnvironmentConfig(validProd(), FILE, 'prod');
    expect(config.vectorStore.masterUsername).toBe('lakehouse_admin');
    expect(config.governance.personas[0].requireMfa).toBe(false);
    expect(config.governance.personas[0].principalTag).toBeUndefined();
  });

  it('refuses Lake Formation admins with no human role outside dev', () => {
    const message =
      'must name at least one human administrator for prod (a named admin role such as arn:aws:iam::222222222222:role/DataLakeAdmin, ' +
      "or your IAM Identity Center administrators' role): the Lake Formation settings replace the account's admin list, " +
      'and the CDK deployment role alone leaves nobody who can grant or repair permissions';
    expect(errorOf((c) => (c.governance.lakeFormationAdmins = []))).toContain(`- governance.lakeFormationAdmins: got []; ${message}`);
    expect(errorOf((c) => (c.governance.lakeFormationAdmins = [`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`]))).toContain(
      `- governance.lakeFormationAdmins: got ["arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1"]; ${message}`,
    );
  });

  it('lets dev run with the deployment role as the only Lake Formation admin', () => {
    const config = validProd();
    config.name = 'dev';
    delete config.account;
    delete config.region;
    config.network = {};
    config.backup = {};
    config.vectorStore = { multiAz: false, deletionProtection: false };
    config.governance = {};
    expect(validateEnvironmentConfig(config, 'config/environments/dev.ts', 'dev').governance.lakeFormationAdmins).toEqual([]);
  });

  it('refuses a created persona role without trusted principals outside dev', () => {
    expect(errorOf((c) => (c.governance.personas = [{ name: 'analyst' }]))).toContain(
      '- governance.personas[0].trustedPrincipals: got (missing); is required for prod unless roleArn is set: without it the persona role would trust every principal of the account; ' +
        'list the roles that may assume it, e.g. arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_analyst_*',
    );
  });

  it('accepts an imported persona role without trusted principals', () => {
    const config = validProd();
    config.governance.personas = [{ name: 'analyst', roleArn: `arn:aws:iam::${ACCOUNT}:role/Analyst` }];
    expect(validateEnvironmentConfig(config, FILE, 'prod').governance.personas[0].trustedPrincipals).toEqual([]);
  });

  it('refuses trust settings on an imported persona role', () => {
    const message = 'only applies to a persona role this app creates; an imported roleArn keeps its own trust policy: remove this field or roleArn';
    const error = errorOf((c) => {
      c.governance.personas[0].roleArn = `arn:aws:iam::${ACCOUNT}:role/Analyst`;
      c.governance.personas[0].requireMfa = true;
    });
    expect(error).toContain(`- governance.personas[0].trustedPrincipals: got ["arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_*"]; ${message}`);
    expect(error).toContain(`- governance.personas[0].requireMfa: got true; ${message}`);
  });

  it('refuses a trusted principal of another account', () => {
    expect(errorOf((c) => (c.governance.personas[0].trustedPrincipals = ['arn:aws:iam::999999999999:role/Analyst']))).toContain(
      '- governance.personas[0].trustedPrincipals[0]: got "arn:aws:iam::999999999999:role/Analyst"; must be a role in this environment\'s account (222222222222): the trust policy admits principals of this account only',
    );
  });

  it('refuses a trusted principal that is not a role ARN', () => {
    expect(errorOf((c) => (c.governance.personas[0].trustedPrincipals = [`arn:aws:iam::${ACCOUNT}:user/alice`]))).toContain(
      `- governance.personas[0].trustedPrincipals[0]: got "arn:aws:iam::${ACCOUNT}:user/alice"; must be an IAM role ARN (a * may stand for a generated suffix)`,
    );
  });

  it('refuses a principal tag without a key', () => {
    expect(errorOf((c) => (c.governance.personas[0].principalTag = { key: '', value: 'analysts' }))).toContain(
      '- governance.personas[0].principalTag.key: got ""; must not be empty',
    );
  });

  it.each([
    ['rdsadmin', 'is reserved by PostgreSQL or RDS; choose another name such as lakehouse_admin'],
    ['pg_owner', 'must not start with "pg_" (reserved for PostgreSQL and RDS roles); choose another name such as lakehouse_admin'],
    ['rds_admin', 'must not start with "rds_" (reserved for PostgreSQL and RDS roles); choose another name such as lakehouse_admin'],
    ['Admin', 'must be 1-63 lowercase letters, digits or underscores, starting with a letter (RDS master user name rules)'],
    ['public', 'is reserved by PostgreSQL or RDS; choose another name such as lakehouse_admin'],
  ])('refuses the master user name %s', (name, message) => {
    expect(errorOf((c) => (c.vectorStore = { masterUsername: name }))).toContain(`- vectorStore.masterUsername: got "${name}"; ${message}`);
  });

  it('keeps postgres available to deployments created with it', () => {
    const config = validProd();
    config.vectorStore = { masterUsername: 'postgres' };
    expect(validateEnvironmentConfig(config, FILE, 'prod').vectorStore.masterUsername).toBe('postgres');
  });

  it('refuses a vault lock whose maximum is not above its minimum', () => {
    expect(errorOf((c) => (c.backup.vaultLock = { minRetentionDays: 7, maxRetentionDays: 7 }))).toContain(
      '- backup.vaultLock.maxRetentionDays: got 7; must be greater than minRetentionDays (7; AWS Backup refuses equal ones)',
    );
  });

  it('refuses a vault lock whose maximum is below the longest retention it receives', () => {
    expect(errorOf((c) => (c.backup.vaultLock = { minRetentionDays: 7, maxRetentionDays: 100 }))).toContain(
      "- backup.vaultLock.maxRetentionDays: got 100; must be at least monthlyRetentionDays (365): AWS Backup refuses rules that keep points longer than the lock's maximum",
    );
  });

  it('refuses a DR vault lock whose minimum exceeds the daily copies', () => {
    expect(errorOf((c) => (c.backup.disasterRecovery.vaultLock = { minRetentionDays: 40 }))).toContain(
      "- backup.disasterRecovery.vaultLock.minRetentionDays: got 40; must not exceed dailyRetentionDays (35): copies are kept that long, and AWS Backup refuses copies shorter than the lock's minimum",
    );
  });

  it('refuses a DR vault lock in compliance mode without its grace period', () => {
    expect(errorOf((c) => (c.backup.disasterRecovery.vaultLock = { mode: 'compliance', minRetentionDays: 7 }))).toContain(
      '- backup.disasterRecovery.vaultLock.changeableForDays: got (missing); is required for compliance mode: the grace period (≥ 3 days) before the lock becomes irreversible',
    );
  });

  it('refuses a DR account whose break-glass role lives in the source account', () => {
    expect(errorOf((c) => (c.backup.disasterRecovery.account = '333333333333'))).toContain(
      "- backup.disasterRecovery.breakGlassRoleArn: got (missing); must be a role in the DR account 333333333333 (backup.breakGlassRoleArn is in another account, so name the DR account's own): a vault policy only admits principals of its own account",
    );
  });

  it('accepts a DR account with its own break-glass role', () => {
    const config = validProd();
    config.backup.disasterRecovery = { region: 'eu-central-1', account: '333333333333', breakGlassRoleArn: 'arn:aws:iam::333333333333:role/BreakGlass' };
    expect(validateEnvironmentConfig(config, FILE, 'prod').backup.disasterRecovery?.breakGlassRoleArn).toBe('arn:aws:iam::333333333333:role/BreakGlass');
  });
});
