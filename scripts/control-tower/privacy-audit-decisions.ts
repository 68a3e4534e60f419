import type { GuardDecision } from './judge';

/**
 * The Control Tower decisions PII discovery and the lake access trail need once the privacy stack holds
 * them (lib/privacy-audit.ts, construct IDs `PiiDiscovery` and `LakeAccessTrail`). Kept apart from
 * CONTROL_TOWER_DECISIONS until that stack exists, because `npm run lint:guard` reports an entry that
 * matches nothing as stale; test/app/privacy-audit.test.ts judges the privacy templates against exactly
 * these. To adopt them: add the log groups to PLATFORM_LOG_GROUPS, the function and framework to the
 * subnet decision of CT.LAMBDA.PR.3, the queue to CT.SQS.PR.1, the CT.S3.PR.2 entry as is, and the same
 * rows to docs/decisions.md.
 */
export const PRIVACY_AUDIT_LOG_GROUPS: readonly string[] = [
  '<env>-privacy/PiiDiscovery/FunctionLogs',
  '<env>-privacy/PiiDiscovery/ProviderLogs',
  '<env>-privacy/LakeAccessTrail/LogGroup',
];

export const PRIVACY_AUDIT_DECISIONS: readonly GuardDecision[] = [
  {
    control: 'CT.CLOUDWATCH.PR.3',
    resources: PRIVACY_AUDIT_LOG_GROUPS,
    crossStackReferenceTo: 'AWS::KMS::Key',
    reason: 'Every log group is encrypted with the logs key, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    resources: PRIVACY_AUDIT_LOG_GROUPS,
    environments: ['dev', 'staging'],
    reason: 'Log retention is per environment (logRetentionDays, network.flowLogRetentionDays): dev keeps 30 days and staging 90 to limit cost; prod keeps 365, as the control asks.',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resources: ['<env>-privacy/PiiDiscovery/Function', '<env>-privacy/PiiDiscovery/Provider/framework-onEvent'],
    crossStackReferenceTo: 'AWS::EC2::Subnet',
    reason: 'These functions run in the isolated subnets of the network stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.SQS.PR.1',
    resources: ['<env>-privacy/PiiDiscovery/DeadLetterQueue'],
    reason: "These queues are the dead-letter queues of the platform's functions; a dead-letter queue of a dead-letter queue would only move the same messages again.",
  },
  {
    control: 'CT.S3.PR.2',
    resources: ['<env>-privacy/LakeAccessTrail/Bucket'],
    crossStackReferenceTo: 'AWS::S3::Bucket',
    reason: "The trail bucket logs its access to the storage stack's access-log bucket; the rule does not resolve cross-stack references.",
  },
];
