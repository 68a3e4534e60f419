import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Vault actions that destroy recovery points or the vault, or lift the protection around them. Denied
 * to everyone but the break-glass role: the lock is what makes recovery points immutable, the access
 * policy is what keeps them from being deleted, so removing either is as destructive as deleting them.
 */
export const BREAK_GLASS_ONLY_ACTIONS = [
  'backup:DeleteRecoveryPoint',
  'backup:UpdateRecoveryPointLifecycle',
  'backup:DeleteBackupVault',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultLockConfiguration',
] as const;

/**
 * Vault actions that set the policy and the lock. Denied to everyone but the break-glass role and the
 * role that deploys the stack: CloudFormation itself calls them when it creates the vault (and when the
 * configured lock or policy changes), so denying them to the deployment role would fail the deploy.
 */
export const POLICY_AND_LOCK_ACTIONS = ['backup:PutBackupVaultAccessPolicy', 'backup:PutBackupVaultLockConfiguration'] as const;

/** Inputs of {@link vaultAccessPolicy}. */
export interface VaultAccessPolicyOptions {
  /**
   * The only role that may delete recovery points, the vault, its policy or its lock.
   * @default - no deny statements (dev only: recovery points deletable by anyone with IAM permission)
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Roles (besides break-glass) that may set the access policy and the lock: the CloudFormation
   * execution role that deploys the vault.
   * @default - none (then only the break-glass role can change the policy or the lock after creation)
   */
  readonly deploymentRoleArns?: readonly string[];
  /**
   * An account whose AWS Backup may copy recovery points into the vault (a DR vault in another account).
   * @default - no cross-account copies
   */
  readonly copySourceAccount?: string;
}

/**
 * The access policy both the environment vault and the DR vault use (one builder, so the two cannot
 * drift): recovery points and the vault's protection can be removed only by the break-glass role.
 * AWS Backup access policies take no action wildcards, so every action is listed.
 */
export function vaultAccessPolicy(options: VaultAccessPolicyOptions): iam.PolicyDocument | undefined {
  const statements: iam.PolicyStatement[] = [];
  if (options.breakGlassRoleArn) statements.push(...denyAllButBreakGlass(options.breakGlassRoleArn, options.deploymentRoleArns ?? []));
  if (options.copySourceAccount) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'AllowCopiesFromSource',
        principals: [new iam.AccountPrincipal(options.copySourceAccount)],
        actions: ['backup:CopyIntoBackupVault'],
        resources: ['*'],
      }),
    );
  }
  return statements.length > 0 ? new iam.PolicyDocument({ statements }) : undefined;
}

function denyAllButBreakGlass(breakGlassRoleArn: string, deploymentRoleArns: readonly string[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OnlyBreakGlassDeletesRecoveryPointsOrTheVault',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...BREAK_GLASS_ONLY_ACTIONS],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn } },
    }),
    new iam.PolicyStatement({
      sid: 'OnlyBreakGlassOrDeploymentChangesPolicyOrLock',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...POLICY_AND_LOCK_ACTIONS],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [breakGlassRoleArn, ...deploymentRoleArns] } },
    }),
  ];
}

/**
 * The CloudFormation execution role of the stack `scope` is in, when the stack uses the default
 * (bootstrapped) synthesizer; other synthesizers deploy with roles this library cannot know.
 */
export function deploymentRoleArns(scope: IConstruct): string[] {
  const synthesizer = Stack.of(scope).synthesizer;
  return synthesizer instanceof DefaultStackSynthesizer ? [Fn.sub(synthesizer.cloudFormationExecutionRoleArn)] : [];
}
