import type { z } from 'zod';
import type { EnvironmentConfig, PersonaConfig } from './schema';

/**
 * Cross-field security rules of an environment (issue 16), run by the schema's refinement after every
 * field has validated on its own: who administers Lake Formation, who may assume persona roles, and
 * whether the DR vault's lock and break-glass role fit what it receives.
 */

type Issues = z.RefinementCtx;

/**
 * Outside dev the Lake Formation settings must leave a person able to administer the lake: the settings
 * replace the account's admin list, and the CDK deployment role alone (always added) is no one's login.
 */
export function checkLakeFormationAdmins(env: EnvironmentConfig, ctx: Issues): void {
  if (env.name === 'dev') return;
  const human = env.governance.lakeFormationAdmins.some((arn) => !roleName(arn).startsWith('cdk-'));
  if (!human) {
    ctx.addIssue({
      code: 'custom',
      path: ['governance', 'lakeFormationAdmins'],
      message:
        `must name at least one human administrator for ${env.name} (a named admin role such as ` +
        `arn:aws:iam::${env.account ?? '<account>'}:role/DataLakeAdmin, or your IAM Identity Center administrators' role): ` +
        'the Lake Formation settings replace the account\'s admin list, and the CDK deployment role alone leaves nobody who can grant or repair permissions',
    });
  }
}

/** The DR vault's lock must fit the copies it receives, and its break-glass role must live in its account. */
export function checkDisasterRecovery(env: EnvironmentConfig, ctx: Issues): void {
  const { backup } = env;
  const longest = Math.max(backup.dailyRetentionDays, backup.monthlyRetentionDays ?? 0);
  const checkMax = (lock: EnvironmentConfig['backup']['vaultLock'], path: Array<string | number>) => {
    if (lock?.maxRetentionDays !== undefined && lock.maxRetentionDays < longest) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'maxRetentionDays'],
        message: `must be at least ${longest} days, the longest retention of the recovery points it receives (daily or monthly): AWS Backup fails jobs outside the lock's range`,
      });
    }
  };
  // The environment vault's own lock is checked against its rules in schema.ts (checkVaultLock).
  const dr = backup.disasterRecovery;
  if (!dr) return;
  if (dr.vaultLock) {
    checkMax(dr.vaultLock, ['backup', 'disasterRecovery', 'vaultLock']);
    if (dr.vaultLock.minRetentionDays > backup.dailyRetentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', 'disasterRecovery', 'vaultLock', 'minRetentionDays'],
        message: `must not exceed dailyRetentionDays (${backup.dailyRetentionDays}): copies are kept that long, and AWS Backup refuses copies shorter than the lock's minimum`,
      });
    }
  }
  const drAccount = dr.account ?? env.account;
  const breakGlass = dr.breakGlassRoleArn ?? backup.breakGlassRoleArn;
  if (breakGlass && drAccount && accountOf(breakGlass) !== drAccount) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'disasterRecovery', 'breakGlassRoleArn'],
      message: `must be a role in the DR account ${drAccount}${dr.breakGlassRoleArn ? '' : ' (backup.breakGlassRoleArn is in another account, so name the DR account\'s own)'}: a vault policy only admits principals of its own account`,
    });
  }
}

/** A persona role this app creates trusts named roles, not the whole account (dev excepted). */
export function checkPersonaTrust(env: EnvironmentConfig, persona: PersonaConfig, index: number, ctx: Issues): void {
  const path = ['governance', 'personas', index];
  if (persona.roleArn) {
    const extras = [
      ...(persona.trustedPrincipals.length > 0 ? ['trustedPrincipals'] : []),
      ...(persona.requireMfa ? ['requireMfa'] : []),
      ...(persona.principalTag ? ['principalTag'] : []),
    ];
    for (const field of extras) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, field],
        message: 'only applies to a persona role this app creates; an imported roleArn keeps its own trust policy: remove this field or roleArn',
      });
    }
    return;
  }
  if (env.name !== 'dev' && persona.trustedPrincipals.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'trustedPrincipals'],
      message:
        `is required for ${env.name} unless roleArn is set: without it the persona role would trust every principal of the account; ` +
        `list the roles that may assume it, e.g. arn:aws:iam::${env.account ?? '<account>'}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${persona.name}_*`,
    });
  }
  persona.trustedPrincipals.forEach((arn, position) => {
    if (env.account !== undefined && accountOf(arn) !== env.account) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'trustedPrincipals', position],
        message: `must be a role in this environment's account (${env.account}): the trust policy admits principals of this account only`,
      });
    }
  });
}

function accountOf(arn: string): string {
  return arn.split(':')[4];
}

function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
