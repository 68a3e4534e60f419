import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';

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
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The vault that receives copies of production recovery points in the DR region, with its own rotating
 * key. For a copy from another account, the vault admits `backup:CopyIntoBackupVault` from that account
 * and the key admits its use by that account.
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
    let accessPolicy: iam.PolicyDocument | undefined;
    if (props.sourceAccount) {
      const source = new iam.AccountPrincipal(props.sourceAccount);
      this.key.grant(source, 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DescribeKey');
      accessPolicy = new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'AllowCopiesFromSource', principals: [source], actions: ['backup:CopyIntoBackupVault'], resources: ['*'] }),
        ],
      });
    }
    this.vault = new backup.BackupVault(this, 'Vault', { backupVaultName: this.vaultName, encryptionKey: this.key, accessPolicy, removalPolicy });
  }
}
