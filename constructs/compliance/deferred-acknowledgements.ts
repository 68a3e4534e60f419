import { CfnResource, Stack, Validations, type IPolicyValidationContextBeta1, type IPolicyValidationPluginBeta1, type PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { flattenReference } from './flatten-reference';
import { resolveGlueTableWildcardIntents } from './glue-table-wildcards';
import { resolveGrantPolicyIntents } from './grant-policies';
import { resolveResourceWildcardIntents } from './resource-wildcards';

/**
 * cdk-nag names a wildcard-resource finding after the resource as it resolves at synthesis:
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/events/*]`. When the bucket lives in another stack, that
 * string only exists once cross-stack references are resolved (as `Fn::GetStackOutput`), so it cannot
 * be written at construction time. Constructs record the intent instead, with
 * `acknowledgeObjectArnWildcards(role, reason)`, and this plugin, registered before the cdk-nag packs,
 * turns it into acknowledgements of the exact granular IDs once the templates are resolved.
 *
 * Only statements whose actions are all S3 object actions, on resources ending in `/*`, are
 * acknowledged; any other wildcard on the same role still fails the synth.
 */
export const OBJECT_ARN_WILDCARD_INTENT = 'lakehouse:acknowledge-object-arn-wildcards';

/** The rule that reports wildcard resources (cdk-nag AwsSolutions pack). */
const IAM5 = 'AwsSolutions-IAM5';
const OBJECT_ACTION = /^s3:(GetObject|GetObjectVersion|PutObject|DeleteObject|DeleteObjectVersion|AbortMultipartUpload|ListMultipartUploadParts|GetObjectAttributes|GetObjectTagging|PutObjectTagging)$/;

/** Records that IAM5 findings on S3 object ARNs (`…/prefix/*`) in `scope`'s policies are accepted, for `reason`. */
export function acknowledgeObjectArnWildcards(scope: IConstruct, reason: string): void {
  scope.node.addMetadata(OBJECT_ARN_WILDCARD_INTENT, reason);
}

/**
 * The policy-validation plugin that resolves recorded intents (object-ARN wildcards, exact actions on
 * `Resource::*`, grant-generated inline policies); add it before the cdk-nag packs.
 */
export class DeferredAcknowledgements implements IPolicyValidationPluginBeta1 {
  public readonly name = 'LakehouseDeferredAcknowledgements';
  public readonly version = '1';
  public readonly ruleIds: string[] = [];

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const app = (context as IPolicyValidationContextBeta1 & { appConstruct?: IConstruct }).appConstruct;
    if (!app) throw new Error('DeferredAcknowledgements needs a CDK version that passes the construct tree to validation plugins');
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== OBJECT_ARN_WILDCARD_INTENT) continue;
        for (const resource of objectArnWildcards(construct)) {
          Validations.of(construct).acknowledge({ id: `${IAM5}[Resource::${resource}]`, reason: String(entry.data) });
        }
      }
    }
    resolveGlueTableWildcardIntents(app);
    resolveResourceWildcardIntents(app);
    resolveGrantPolicyIntents(app);
    return { success: true, violations: [] };
  }
}

/** Flattened wildcard object ARNs in the IAM policies under `scope`, as cdk-nag renders them. */
export function objectArnWildcards(scope: IConstruct): string[] {
  const found = new Set<string>();
  for (const node of scope.node.findAll()) {
    type Document = { Statement?: Array<{ Effect: string; Action: unknown; Resource: unknown }> };
    let documents: Document[];
    if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) documents = [Stack.of(node).resolve(node.policyDocument) as Document];
    // A role's inline policies (the `Policies` property) are named after the role by cdk-nag, like a policy's.
    // (Resolved L1 properties keep their camelCase keys: `policyDocument`.)
    else if (node instanceof iam.CfnRole) documents = ((Stack.of(node).resolve(node.policies) ?? []) as Array<{ policyDocument: Document }>).map((policy) => policy.policyDocument);
    else continue;
    for (const statement of documents.flatMap((document) => document.Statement ?? [])) {
      const actions = ([] as unknown[]).concat(statement.Action);
      if (statement.Effect !== 'Allow' || !actions.every((action) => typeof action === 'string' && OBJECT_ACTION.test(action))) continue;
      for (const resource of ([] as unknown[]).concat(statement.Resource)) {
        const flat = flattenReference(resource);
        if (flat.endsWith('/*') && flat !== '*') found.add(flat);
      }
    }
  }
  return [...found];
}

/** True when `construct` is a CloudFormation resource (helper for callers that scope acknowledgements). */
export const isCfnResource = (construct: IConstruct) => CfnResource.isCfnResource(construct);
