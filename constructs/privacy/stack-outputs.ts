/**
 * The names by which operator tools find the erasure workflow in a deployed environment: the privacy
 * stack's name and the CloudFormation output keys it publishes. The stack emits outputs under exactly
 * these keys; `npm run privacy:erase` and `npm run privacy:report` read them. Pure: no CDK.
 */

/** `<project>-<env>-privacy`. */
export function privacyStackName(project: string, environment: string): string {
  return `${project}-${environment}-privacy`;
}

export const PRIVACY_OUTPUT_KEYS = {
  /** The DynamoDB request table's name. */
  requestTable: 'ErasureRequestTableName',
  /** The ErasureWorkflow state machine's ARN. */
  stateMachine: 'ErasureStateMachineArn',
  /** The salt secret's ARN: `privacy:erase` computes request IDs with it (HMAC-SHA256), as intake does. */
  saltSecret: 'ErasureSaltSecretArn',
  /** The ledger bucket's name (entries and monthly reports). */
  ledgerBucket: 'ErasureLedgerBucketName',
  /** The erasure horizon per backup kind, JSON (docs/privacy.md, "Backups and the erasure horizon"). */
  erasureHorizon: 'ErasureHorizonDays',
} as const;
