import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DisasterRecoveryVault } from '../../constructs/backup';
import { statefulRemoval } from '../removal';
import { vaultLock } from '../vault-lock';
import type { EnvironmentConfig } from '../../config/schema';

export interface DisasterRecoveryStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly vaultName: string;
}

/** The DR backup vault and its key, in the DR region (and optionally the DR account). Stateful. */
export class DisasterRecoveryStack extends Stack {
  public readonly vault: DisasterRecoveryVault;

  constructor(scope: Construct, id: string, props: DisasterRecoveryStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const dr = props.config.backup.disasterRecovery!;
    const crossAccount = dr.account !== undefined && dr.account !== props.config.account;
    this.vault = new DisasterRecoveryVault(this, 'Vault', {
      vaultName: props.vaultName,
      sourceAccount: crossAccount ? props.config.account : undefined,
      breakGlassRoleArn: dr.breakGlassRoleArn ?? props.config.backup.breakGlassRoleArn,
      // The copies get the environment vault's lock unless the DR vault names its own.
      lock: vaultLock(dr.vaultLock ?? props.config.backup.vaultLock),
      removalPolicy: removal.removalPolicy,
    });
  }
}
