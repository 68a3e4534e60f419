import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * SMG4 and SecretsManagerRotationEnabled on a secret that is a key for hashing, not a credential (the
 * erasure ledger's salt): rotating it would make every hash made before unmatchable. One row of the
 * compliance decisions in docs/decisions.md, acknowledged at that secret only.
 */
export function acknowledgeUnrotatedHashKey(secret: IConstruct, reason: string): void {
  for (const id of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled', 'PCI.DSS.321-SecretsManagerRotationEnabled']) {
    Validations.of(secret).acknowledge({ id, reason });
  }
}
