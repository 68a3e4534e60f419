import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { acknowledgeGrantPolicies, DeferredAcknowledgements } from '../constructs/compliance';

/** The cdk-nag packs every environment must pass. */
export function compliancePacks(app: App) {
  return [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)];
}

/**
 * Registers the packs as policy-validation plugins, so `cdk synth` fails on any unacknowledged finding,
 * and records the acknowledgement of grant-generated inline policies (the compliance decisions in docs/decisions.md).
 */
export function applyCompliance(app: App): void {
  // Deferred acknowledgements resolve to exact finding IDs once references are resolved; they must run
  // before the packs read them.
  Validations.of(app).addPlugins(new DeferredAcknowledgements(), ...compliancePacks(app));
  acknowledgeGrantGeneratedPolicies(app);
}

const INLINE_POLICY_REASON =
  'Inline policies here are the ones CDK constructs generate through grants (compliance decisions in docs/decisions.md): ' +
  'replacing them with hand-written managed policies on immutable roles turns every internal grant into a silent ' +
  'no-op, and missing permissions would only surface at deploy, which no test here can run.';

/**
 * IAMNoInlinePolicy (NIST, HIPAA, PCI) on the policies CDK builds from grants. Recorded once for the app,
 * acknowledged at each role's `DefaultPolicy` (constructs/compliance/grant-policies.ts): the finding has a
 * resource path, so no acknowledgement is app-wide, and a hand-written inline policy still fails.
 */
export function acknowledgeGrantGeneratedPolicies(app: App): void {
  acknowledgeGrantPolicies(app, INLINE_POLICY_REASON);
}
