import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { flattenReference } from './flatten-reference';

/**
 * A Glue table ARN can only name tables that exist, so a role that may read every table of a
 * database, present and future, is granted `table/<database>/*`, and cdk-nag reports
 * `AwsSolutions-IAM5[Resource::arn:…:table/<database>/*]` with the region and account as they resolve.
 * Constructs record the intent with `acknowledgeGlueTableWildcards(role, reason)`; the
 * DeferredAcknowledgements plugin acknowledges exactly those IDs, for statements whose actions are all
 * Glue read actions on one database's tables. Any other wildcard on the role still fails the synth.
 */
export const GLUE_TABLE_WILDCARD_INTENT = 'lakehouse:acknowledge-glue-table-wildcards';

/** Glue catalog reads: what a table wildcard may carry and still be acknowledged. */
const GLUE_READ_ACTION = /^glue:(GetDatabase|GetDatabases|GetTable|GetTables|GetPartition|GetPartitions|BatchGetPartition)$/;
/**
 * One database's tables, nothing wider: the database name is literal (no `*` in it). Partition, region and
 * account may render as `<AWS::Partition>`, `<AWS::Region>`, `<AWS::AccountId>`, colons included.
 */
const TABLE_WILDCARD = /^arn:.+:glue:.+:table\/[^/*]+\/\*$/;

/** Records that IAM5 findings on Glue `table/<database>/*` ARNs in `scope`'s policies are accepted, for `reason`. */
export function acknowledgeGlueTableWildcards(scope: IConstruct, reason: string): void {
  scope.node.addMetadata(GLUE_TABLE_WILDCARD_INTENT, reason);
}

/** Acknowledges, at each construct that recorded the intent, the Glue table wildcards of its policies. */
export function resolveGlueTableWildcardIntents(app: IConstruct): void {
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== GLUE_TABLE_WILDCARD_INTENT) continue;
      for (const resource of glueTableWildcards(construct)) {
        Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: String(entry.data) });
      }
    }
  }
}

/** Flattened `…:table/<database>/*` ARNs of Allow statements of Glue read actions only, under `scope`. */
export function glueTableWildcards(scope: IConstruct): string[] {
  const found = new Set<string>();
  for (const node of scope.node.findAll()) {
    type Document = { Statement?: Array<{ Effect: string; Action: unknown; Resource: unknown }> };
    let documents: Document[];
    if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) documents = [Stack.of(node).resolve(node.policyDocument) as Document];
    else if (node instanceof iam.CfnRole) documents = ((Stack.of(node).resolve(node.policies) ?? []) as Array<{ policyDocument: Document }>).map((policy) => policy.policyDocument);
    else continue;
    for (const statement of documents.flatMap((document) => document.Statement ?? [])) {
      const actions = ([] as unknown[]).concat(statement.Action);
      if (statement.Effect !== 'Allow' || !actions.every((action) => typeof action === 'string' && GLUE_READ_ACTION.test(action))) continue;
      for (const resource of ([] as unknown[]).concat(statement.Resource)) {
        const flat = flattenReference(resource);
        if (TABLE_WILDCARD.test(flat)) found.add(flat);
      }
    }
  }
  return [...found];
}
