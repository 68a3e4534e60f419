import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * The NIST 800-53 R5, HIPAA and PCI packs' IAMNoInlinePolicy flags the inline policy that a role builds
 * from grants (`DefaultPolicy`, created by `addToPrincipalPolicy`). the compliance decisions in docs/decisions.md accept
 * exactly those: replacing them with hand-written managed policies turns every internal grant into a silent
 * no-op. `acknowledgeGrantPolicies(scope, reason)` records that; at synthesis the DeferredAcknowledgements
 * plugin acknowledges the finding on each such policy under `scope`, once every grant has been made.
 * Any other inline policy (an `iam.Policy` written by hand, a role's `inlinePolicies`) still fails.
 */
export const GRANT_POLICY_INTENT = 'lakehouse:acknowledge-grant-policies';

export const INLINE_POLICY_RULES = ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'] as const;

export function acknowledgeGrantPolicies(scope: IConstruct, reason: string): void {
  scope.node.addMetadata(GRANT_POLICY_INTENT, reason);
}

/** The grant-generated policies under `scope`: an `iam.Policy` with ID `DefaultPolicy` directly under a role. */
export function grantPolicies(scope: IConstruct): iam.Policy[] {
  return scope.node
    .findAll()
    .filter((node): node is iam.Policy => node instanceof iam.Policy && node.node.id === 'DefaultPolicy' && node.node.scope instanceof iam.Role);
}

export function resolveGrantPolicyIntents(app: IConstruct): void {
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== GRANT_POLICY_INTENT) continue;
      for (const policy of grantPolicies(construct)) {
        for (const id of INLINE_POLICY_RULES) Validations.of(policy).acknowledge({ id, reason: String(entry.data) });
      }
    }
  }
}
