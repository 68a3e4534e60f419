import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link DisasterRecoveryVault}. */
export interface DisasterRecoveryVaultProps {
  /** Fixed name, so that the source plan can name it across regions (`<project>-<env>-dr`). */
  readonly vaultName: string;
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

  constructor(scope: Construct, id: string, props: DisasterRecoveryVaultProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'Key', {
      description: `DR backup vault ${props.vaultName}`,
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
    this.vault = new backup.BackupVault(this, 'Vault', { backupVaultName: props.vaultName, encryptionKey: this.key, accessPolicy, removalPolicy });
  }
}
