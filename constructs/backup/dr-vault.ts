import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import type { VaultLock } from './lakehouse-backup';
import { deploymentRoleArns, vaultAccessPolicy } from './vault-policy';

/** Properties of {@link DisasterRecoveryVault}. */
export interface DisasterRecoveryVaultProps {
  /**
   * Fixed name, so that the source plan can name it across regions (the app uses `<project>-<env>-dr`).
   * @default `<stack name>-<construct id>`, cut to AWS Backup's 50 characters
   */
  readonly vaultName?: string;
  /**
   * The account whose plan copies into this vault, when it is not this vault's account.
   * @default - same account
   */
  readonly sourceAccount?: string;
  /**
   * The only role that may delete recovery points, the vault, its access policy or its lock: the same
   * policy as the environment vault (`vaultAccessPolicy`).
   * @default - no deny policy
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Vault lock on the copies. The lock's minimum must not exceed the shortest copy retention, and its
   * maximum (if any) must cover the longest, or AWS Backup fails the copy jobs.
   * @default - no lock
   */
  readonly lock?: VaultLock;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The vault that receives copies of production recovery points in the DR region, with its own rotating
 * key, the same break-glass access policy as the environment vault and an optional lock. For a copy from
 * another account, the vault admits `backup:CopyIntoBackupVault` from that account and the key admits
 * its use by that account.
 */
export class DisasterRecoveryVault extends Construct {
  public readonly key: kms.Key;
  public readonly vault: backup.BackupVault;
  /** The vault's name, to give the source plan's copy rule. */
  public readonly vaultName: string;

  constructor(scope: Construct, id: string, props: DisasterRecoveryVaultProps = {}) {
    super(scope, id);
    this.vaultName = props.vaultName ?? defaultName(this, { maxLength: 50, separator: '-' });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'Key', {
      description: `DR backup vault ${this.vaultName}`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    denyGrantsExceptForAwsResources(this.key);
    if (props.sourceAccount) {
      // AWS Backup in the source account creates grants on this key for the copy (grants for AWS resources).
      this.key.grant(new iam.AccountPrincipal(props.sourceAccount), 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DescribeKey');
    }
    const accessPolicy = vaultAccessPolicy({
      breakGlassRoleArn: props.breakGlassRoleArn,
      deploymentRoleArns: deploymentRoleArns(this),
      copySourceAccount: props.sourceAccount,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: this.vaultName,
      encryptionKey: this.key,
      accessPolicy,
      removalPolicy,
      lockConfiguration: props.lock,
    });
  }
}
