import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import { deploymentRoleArns, vaultAccessPolicy } from './vault-policy';

/**
 * A vault lock. Without `changeableFor` it is in governance mode (privileged users can remove it); with
 * it, compliance mode, which becomes immutable, even for the root user, once `changeableFor` (≥ 3 days) ends.
 */
export interface VaultLock {
  readonly minRetention: Duration;
  readonly maxRetention?: Duration;
  readonly changeableFor?: Duration;
}
import { ValidationReport, type ValidationProblem } from '../common/validation-report';

/** Properties of {@link LakehouseBackup}. */
export interface LakehouseBackupProps {
  /** Key that encrypts the vault. */
  readonly encryptionKey: kms.IKey;
  /**
   * Vault name (fixed, so that other plans and regions can name it).
   * @default `<stack name>-<construct id>`, cut to AWS Backup's 50 characters
   */
  readonly vaultName?: string;
  /**
   * Suffix the vault name with the first block of the stack's ID (`<vaultName>-1a2b3c4d`), which
   * changes every time the stack is created. For disposable environments: a vault that still holds
   * recovery points cannot be deleted, so it is retained when the stack is destroyed, and the next
   * deployment must not collide with it ("already exists").
   * @default false
   */
  readonly uniqueVaultName?: boolean;
  /**
   * The only role that may delete recovery points, change their lifecycle, delete the vault, or delete
   * its access policy or lock (see `vaultAccessPolicy`).
   * @default - no deny policy (recovery points deletable by anyone with IAM permission; dev only)
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Continuous backup (point-in-time recovery) retention, at most 35 days (AWS Backup limit).
   * @default Duration.days(35)
   */
  readonly continuousRetention?: Duration;
  /** Daily recovery points' retention. @default Duration.days(35) */
  readonly dailyRetention?: Duration;
  /** Monthly recovery points' retention (long-term). @default - no monthly rule */
  readonly monthlyRetention?: Duration;
  /**
   * What happens to the vault when it leaves the stack. DESTROY only succeeds on an empty vault: with
   * daily or continuous backups, prefer RETAIN with `uniqueVaultName`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Vault lock (see {@link VaultLock}). @default - no lock */
  readonly lock?: VaultLock;
  /**
   * Copy daily and monthly recovery points to this vault (in another region, and optionally another
   * account), keeping them as long as the source.
   * @default - no copies
   */
  readonly copyToVaultArn?: string;
}

/** AWS Backup keeps continuous (point-in-time) backups for at most 35 days. */
export const MAX_CONTINUOUS_RETENTION_DAYS = 35;

/**
 * The environment's AWS Backup vault and plan: a KMS-encrypted vault whose access policy denies
 * recovery-point deletion to everyone but a break-glass role, and a plan with continuous backup
 * (point-in-time recovery: RPO of minutes for RDS and S3), daily recovery points and optional monthly
 * long-term ones. Resources join through `select…` in the stack that owns them: cdk-nag's
 * RDSInBackupPlan recognises a selection in the database's own stack that names the database.
 */
export class LakehouseBackup extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;
  /** The vault's name: `vaultName`, or with `uniqueVaultName` the vault's Ref (known at deploy time). */
  public readonly vaultName: string;

  constructor(scope: Construct, id: string, props: LakehouseBackupProps) {
    super(scope, id);
    const continuous = props.continuousRetention ?? Duration.days(MAX_CONTINUOUS_RETENTION_DAYS);
    if (continuous.toDays() > MAX_CONTINUOUS_RETENTION_DAYS) {
      throw new Error(`${this.node.path}: continuous backup retention must be at most ${MAX_CONTINUOUS_RETENTION_DAYS} days, got ${continuous.toDays()}`);
    }
    const accessPolicy = vaultAccessPolicy({ breakGlassRoleArn: props.breakGlassRoleArn, deploymentRoleArns: deploymentRoleArns(this) });
    const dailyRetention = props.dailyRetention ?? Duration.days(35);
    if (props.lock) checkLockAdmitsRules(this.node.path, props.lock, { continuous, daily: dailyRetention, monthly: props.monthlyRetention });
    // The stack ID's UUID is new for every stack creation; its first block keeps the name short.
    const baseName = props.vaultName ?? defaultName(this, { maxLength: props.uniqueVaultName ? 41 : 50, separator: '-' }); // 41 + '-' + 8 hex = 50
    const backupVaultName = props.uniqueVaultName
      ? `${baseName}-${Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(this).stackId))))}`
      : baseName;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName,
      encryptionKey: props.encryptionKey,
      accessPolicy,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lockConfiguration: props.lock,
    });
    // A unique name is read from the vault (its Ref), so other stacks import a plain string.
    this.vaultName = props.uniqueVaultName ? this.vault.backupVaultName : baseName;
    const copyTarget = props.copyToVaultArn ? backup.BackupVault.fromBackupVaultArn(this, 'CopyTarget', props.copyToVaultArn) : undefined;
    const copies = (deleteAfter: Duration) => (copyTarget ? [{ destinationBackupVault: copyTarget, deleteAfter }] : undefined);

    const daily = events.Schedule.cron({ hour: '3', minute: '0' });
    const rules: backup.BackupPlanRule[] = [
      new backup.BackupPlanRule({
        ruleName: 'Continuous',
        backupVault: this.vault,
        enableContinuousBackup: true,
        deleteAfter: continuous,
        scheduleExpression: daily,
      }),
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        backupVault: this.vault,
        deleteAfter: dailyRetention,
        scheduleExpression: daily,
        copyActions: copies(dailyRetention),
      }),
    ];
    if (props.monthlyRetention) {
      rules.push(
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          backupVault: this.vault,
          deleteAfter: props.monthlyRetention,
          scheduleExpression: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
          copyActions: copies(props.monthlyRetention),
        }),
      );
    }
    this.plan = new backup.BackupPlan(this, 'Plan', { backupVault: this.vault, backupPlanRules: rules });
  }

  /**
   * Adds the buckets to the plan, from `scope` (the stack that owns them), with a role that has the S3
   * backup and restore policies AWS Backup needs besides the generic ones.
   */
  public selectBuckets(scope: Construct, id: string, buckets: readonly s3.IBucket[]): backup.BackupSelection {
    const role = backupRole(scope, `${id}Role`, ['AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore']);
    return new backup.BackupSelection(scope, id, {
      backupPlan: this.plan,
      resources: buckets.map((bucket) => backup.BackupResource.fromArn(bucket.bucketArn)),
      role,
      allowRestores: true,
    });
  }

  /** Adds resources by ARN (for example an RDS instance) to the plan, from the stack that owns them. */
  public selectResources(scope: Construct, id: string, resources: readonly backup.BackupResource[]): backup.BackupSelection {
    return new backup.BackupSelection(scope, id, {
      backupPlan: this.plan,
      resources: [...resources],
      role: backupRole(scope, `${id}Role`, []),
      allowRestores: true,
    });
  }
}

/** A selection role with AWS Backup's service policies (plus `extra` ones), IAM4 acknowledged per docs/decisions.md. */
export function backupRole(scope: Construct, id: string, extra: readonly string[]): iam.Role {
  const policies = ['service-role/AWSBackupServiceRolePolicyForBackup', 'service-role/AWSBackupServiceRolePolicyForRestores', ...extra];
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: 'AWS Backup: back up and restore the selected resources',
    managedPolicies: policies.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
  });
  for (const name of policies) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
      reason: `${name.split('/').pop()} is the AWS-maintained policy AWS Backup needs (compliance decisions in docs/decisions.md, IAM4 on AWS service-role policies).`,
    });
  }
  return role;
}

/**
 * AWS Backup fails every job whose retention falls outside the vault lock's minimum and maximum: the
 * lock must admit each rule that writes into the vault (continuous, daily and monthly points).
 */
function checkLockAdmitsRules(
  path: string,
  lock: NonNullable<LakehouseBackupProps['lock']>,
  rules: { readonly continuous: Duration; readonly daily: Duration; readonly monthly?: Duration },
): void {
  const days = Object.entries(rules).flatMap(([name, retention]) => (retention ? [{ name, days: retention.toDays() }] : []));
  const shortest = days.reduce((a, b) => (b.days < a.days ? b : a));
  const longest = days.reduce((a, b) => (b.days > a.days ? b : a));
  const problems: ValidationProblem[] = [];
  const source = `LakehouseBackup (${path})`;
  if (lock.minRetention.toDays() > shortest.days) {
    problems.push({ source, field: 'lock.minRetention', value: `${lock.minRetention.toDays()} days`, allowed: `must not exceed the ${shortest.name} retention (${shortest.days} days)` });
  }
  if (lock.maxRetention && lock.maxRetention.toDays() < longest.days) {
    problems.push({ source, field: 'lock.maxRetention', value: `${lock.maxRetention.toDays()} days`, allowed: `must be at least the ${longest.name} retention (${longest.days} days)` });
  }
  if (problems.length > 0) throw new ValidationReport(problems);
}
