import type { IConstruct } from 'constructs';
import { acceptedWildcards, resolveWildcardIntents, type WildcardKind } from './wildcard-statements';

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

const GLUE_TABLE_WILDCARDS: WildcardKind = { intent: GLUE_TABLE_WILDCARD_INTENT, action: GLUE_READ_ACTION, resource: (flat) => TABLE_WILDCARD.test(flat) };

/** Acknowledges, at each construct that recorded the intent, the Glue table wildcards of its policies. */
export function resolveGlueTableWildcardIntents(app: IConstruct): void {
  resolveWildcardIntents(app, GLUE_TABLE_WILDCARDS);
}

/** Flattened `…:table/<database>/*` ARNs of Allow statements of Glue read actions only, under `scope`. */
export function glueTableWildcards(scope: IConstruct): string[] {
  return acceptedWildcards(scope, GLUE_TABLE_WILDCARDS);
}
