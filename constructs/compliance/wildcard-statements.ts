import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { flattenReference } from './flatten-reference';

/**
 * One kind of accepted IAM5 wildcard: the metadata type a construct records its intent under, the actions a
 * statement may carry (all of them must match) and the resources of such a statement that are accepted.
 */
export interface WildcardKind {
  readonly intent: string;
  readonly action: RegExp;
  readonly resource: (flattened: string) => boolean;
}

type PolicyDocument = { Statement?: Array<{ Effect: string; Action: unknown; Resource: unknown }> };

/** The policy documents of an IAM policy, managed policy or role (its inline `Policies`) node; none for others. */
function policyDocuments(node: IConstruct): PolicyDocument[] {
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) return [Stack.of(node).resolve(node.policyDocument) as PolicyDocument];
  // A role's inline policies are named after the role by cdk-nag, like a policy's.
  // (Resolved L1 properties keep their camelCase keys: `policyDocument`.)
  if (node instanceof iam.CfnRole) return ((Stack.of(node).resolve(node.policies) ?? []) as Array<{ policyDocument: PolicyDocument }>).map((policy) => policy.policyDocument);
  return [];
}

/** Flattened resources, as cdk-nag renders them, of the Allow statements under `scope` that `kind` accepts. */
export function acceptedWildcards(scope: IConstruct, kind: WildcardKind): string[] {
  const found = new Set<string>();
  for (const node of scope.node.findAll()) {
    for (const statement of policyDocuments(node).flatMap((document) => document.Statement ?? [])) {
      const actions = ([] as unknown[]).concat(statement.Action);
      if (statement.Effect !== 'Allow' || !actions.every((action) => typeof action === 'string' && kind.action.test(action))) continue;
      for (const resource of ([] as unknown[]).concat(statement.Resource)) {
        const flat = flattenReference(resource);
        if (kind.resource(flat)) found.add(flat);
      }
    }
  }
  return [...found];
}

/** Acknowledges, at each construct that recorded `kind`'s intent, the exact IAM5 IDs of its accepted wildcards. */
export function resolveWildcardIntents(app: IConstruct, kind: WildcardKind): void {
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== kind.intent) continue;
      for (const resource of acceptedWildcards(construct, kind)) {
        Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: String(entry.data) });
      }
    }
  }
}
