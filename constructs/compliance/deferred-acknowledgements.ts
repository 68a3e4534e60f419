import { CfnResource, type IPolicyValidationContextBeta1, type IPolicyValidationPluginBeta1, type PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { resolveExecutionArnWildcardIntents } from './execution-wildcards';
import { resolveGlueTableWildcardIntents } from './glue-table-wildcards';
import { resolveGrantPolicyIntents } from './grant-policies';
import { resolveResourceWildcardIntents } from './resource-wildcards';
import { acceptedWildcards, resolveWildcardIntents, type WildcardKind } from './wildcard-statements';

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

const OBJECT_ACTION = /^s3:(GetObject|GetObjectVersion|PutObject|DeleteObject|DeleteObjectVersion|AbortMultipartUpload|ListMultipartUploadParts|GetObjectAttributes|GetObjectTagging|GetObjectVersionTagging|PutObjectTagging|PutObjectRetention)$/;

const OBJECT_ARN_WILDCARDS: WildcardKind = {
  intent: OBJECT_ARN_WILDCARD_INTENT,
  action: OBJECT_ACTION,
  resource: (flat) => flat.endsWith('/*') && flat !== '*',
};

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
    resolveWildcardIntents(app, OBJECT_ARN_WILDCARDS);
    resolveGlueTableWildcardIntents(app);
    resolveExecutionArnWildcardIntents(app);
    resolveResourceWildcardIntents(app);
    resolveGrantPolicyIntents(app);
    return { success: true, violations: [] };
  }
}

/** Flattened wildcard object ARNs in the IAM policies under `scope`, as cdk-nag renders them. */
export function objectArnWildcards(scope: IConstruct): string[] {
  return acceptedWildcards(scope, OBJECT_ARN_WILDCARDS);
}

/** True when `construct` is a CloudFormation resource (helper for callers that scope acknowledgements). */
export const isCfnResource = (construct: IConstruct) => CfnResource.isCfnResource(construct);
