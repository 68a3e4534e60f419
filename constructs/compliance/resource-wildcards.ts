import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * `AwsSolutions-IAM5[Resource::*]` names no action, so acknowledging it on a role would also cover any
 * statement on `*` added to that role later. Constructs record instead which actions they accept on `*`,
 * with `acknowledgeResourceWildcard(role, actions, reason)`; the DeferredAcknowledgements plugin
 * acknowledges the finding only when every action the role allows on `*` is one of those, and otherwise
 * leaves it to fail the synth.
 */
export const RESOURCE_WILDCARD_INTENT = 'lakehouse:acknowledge-resource-wildcard';

interface ResourceWildcardIntent {
  readonly actions: readonly string[];
  readonly reason: string;
}

/** Records that `actions` (exact action names, no wildcards) may be allowed on `*` in `role`'s policies, for `reason`. */
export function acknowledgeResourceWildcard(role: IConstruct, actions: readonly string[], reason: string): void {
  const wildcard = actions.find((action) => action.includes('*'));
  if (wildcard) throw new Error(`${role.node.path}: acknowledge exact actions on Resource "*", not the pattern ${wildcard}`);
  role.node.addMetadata(RESOURCE_WILDCARD_INTENT, { actions: [...actions].sort(), reason } satisfies ResourceWildcardIntent);
}

/** The acknowledgement's reason names the actions it covers, so docs/compliance.md and its test can read them. */
export const COVERED_ACTIONS_PREFIX = 'Covers only:';

/** Acknowledges IAM5 `Resource::*` on each construct whose recorded actions cover every action it allows on `*`. */
export function resolveResourceWildcardIntents(app: IConstruct): void {
  for (const construct of app.node.findAll()) {
    const intents = construct.node.metadata.filter((entry) => entry.type === RESOURCE_WILDCARD_INTENT).map((entry) => entry.data as ResourceWildcardIntent);
    if (intents.length === 0) continue;
    const accepted = new Set(intents.flatMap((intent) => intent.actions));
    const allowed = actionsOnAnyResource(construct);
    if (allowed.length === 0 || !allowed.every((action) => accepted.has(action))) continue;
    const reason = `${intents.map((intent) => intent.reason).join(' ')} ${COVERED_ACTIONS_PREFIX} ${allowed.join(', ')}.`;
    Validations.of(construct).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }
}

/** Actions that Allow statements grant on the resource `*` in the IAM policies under `scope` (sorted, unique). */
export function actionsOnAnyResource(scope: IConstruct): string[] {
  const actions = new Set<string>();
  for (const node of scope.node.findAll()) {
    if (!(node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy || node instanceof iam.CfnRole)) continue;
    const properties = renderedProperties(node);
    const documents = node instanceof iam.CfnRole ? ((properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map((policy) => policy.PolicyDocument) : [properties.PolicyDocument];
    for (const document of documents as Array<{ Statement?: Array<{ Effect: string; Action?: unknown; Resource?: unknown }> } | undefined>) {
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== 'Allow' || !([] as unknown[]).concat(statement.Resource).includes('*')) continue;
        for (const action of ([] as unknown[]).concat(statement.Action ?? [])) actions.add(String(action));
      }
    }
  }
  return [...actions].sort();
}

/**
 * A resource's properties as they will be written to the template, property overrides included (a
 * policy rewritten by an override is judged by what it grants, not by what its construct first built).
 */
function renderedProperties(resource: CfnResource): Record<string, unknown> {
  // _toCloudFormation is how aws-cdk-lib renders a resource, overrides included; it is public in the JS API.
  const rendered = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}

/** What Step Functions needs on `*` for X-Ray tracing (no resource-level permissions). */
export const STEP_FUNCTIONS_TRACING_ACTIONS = ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'] as const;

/** What Step Functions needs on `*` to set up execution logging (vended log delivery; AWS documents `*`). */
export const STEP_FUNCTIONS_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
] as const;
