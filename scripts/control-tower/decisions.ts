import type { GuardDecision } from './judge';

/**
 * Every log group the platform pre-creates: KMS-encrypted with the logs key (CT.CLOUDWATCH.PR.3) and kept
 * for the environment's retention (CT.CLOUDWATCH.PR.2). One list, so a new group joins both decisions.
 */
const PLATFORM_LOG_GROUPS: readonly string[] = [
  '<env>-catalog/Catalog/Iceberg/FunctionLogs',
  '<env>-catalog/Catalog/Iceberg/ProviderLogs',
  '<env>-collector/Collector/*Logs',
  '<env>-collector/Collector/Waf/Logs',
  '<env>-ingestion/*/ErrorLogs',
  '<env>-network/Network/FlowLogGroup',
  '<env>-operations/DataQuality/Logs',
  '<env>-operations/MetricsElt/ExecutionLogs',
  '<env>-operations/MetricsPipeline/ExecutionLogs',
  '<env>-operations/RecoveryEvidence/*Logs',
  '<env>-vector/VectorStore/*Logs',
  '<env>-embeddings/*/Logs',
  '<env>-privacy/Erasure/*Logs',
  '<env>-privacy/PiiDiscovery/FunctionLogs',
  '<env>-privacy/PiiDiscovery/ProviderLogs',
  '<env>-privacy/LakeAccessTrail/LogGroup',
];

/**
 * AWS Control Tower proactive controls the app fails on purpose, each with the resources and the reason.
 * `npm run lint:guard` fails on any failure not listed here, on a listed one whose stated cause does not
 * hold (`crossStackReferenceTo`), and on an entry that no longer matches anything. docs/decisions.md lists
 * the same decisions for readers (test/app/control-tower-decisions.test.ts keeps the two in step).
 */
export const CONTROL_TOWER_DECISIONS: readonly GuardDecision[] = [
  // The guard rules accept a key, subnet or security group only as a literal or a reference inside the
  // same template. Here every key lives in the storage stack and the subnets in the network stack
  // (docs/architecture.md), referenced weakly across stacks; the script checks that each rejected value is exactly that.
  {
    control: 'CT.ATHENA.PR.2',
    resources: ['<env>-catalog/Catalog/*Workgroup'],
    crossStackReferenceTo: 'AWS::KMS::Key',
    reason: 'Results are encrypted with SSE_KMS under the lake key, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    resources: PLATFORM_LOG_GROUPS,
    crossStackReferenceTo: 'AWS::KMS::Key',
    reason: 'Every log group is encrypted with the logs key, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.KINESIS.PR.1',
    resources: ['<env>-ingestion/*/Stream'],
    crossStackReferenceTo: 'AWS::KMS::Key',
    reason: 'Every stream is encrypted with the stream key, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.RDS.PR.30',
    resources: ['<env>-vector/VectorStore/Instance'],
    crossStackReferenceTo: 'AWS::KMS::Key',
    reason: 'Storage is encrypted with the database key, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resources: [
      '<env>-catalog/Catalog/Iceberg/Function',
      '<env>-catalog/Catalog/Iceberg/Provider/framework-onEvent',
      '<env>-collector/Collector/Function',
      '<env>-operations/DataQuality/Function',
      '<env>-operations/RecoveryEvidence/RecoveryPointAge',
      '<env>-operations/RecoveryEvidence/RestoreEvidence',
      '<env>-vector/VectorStore/Bootstrap*',
      '<env>-vector/VectorStore/BootstrapProvider/framework-*',
      '<env>-embeddings/*/Function',
      '<env>-privacy/Erasure/*Function',
      '<env>-privacy/PiiDiscovery/Function',
      '<env>-privacy/PiiDiscovery/Provider/framework-onEvent',
    ],
    crossStackReferenceTo: 'AWS::EC2::Subnet',
    reason: 'These functions run in the isolated subnets of the network stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resources: ['<env>-network/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler'],
    reason:
      'aws-cdk-lib\'s provider for restrictDefaultSecurityGroup (needed to close the default security group) is a plain CfnResource with no VPC setting; it calls only the EC2 API, once per deploy.',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resources: ['<env>-storage/Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler'],
    environments: ['dev'],
    reason: 'dev opts into DESTROY with autoDeleteObjects; aws-cdk-lib\'s provider that empties the buckets on stack deletion has no VPC setting. Not created in staging or prod.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    resources: PLATFORM_LOG_GROUPS,
    environments: ['dev', 'staging'],
    reason: 'Log retention is per environment (logRetentionDays, network.flowLogRetentionDays): dev keeps 30 days and staging 90 to limit cost; prod keeps 365, as the control asks.',
  },
  {
    control: 'CT.LAMBDA.PR.2',
    resources: ['<env>-collector/Collector/Api/Default/v1/*/POST/ApiPermission.*'],
    environments: ['dev'],
    reason:
      'API Gateway\'s permissions to invoke the collector name the API in SourceArn and the account in SourceAccount; dev is environment-agnostic, so both are references the rule does not accept. Staging and prod carry the literal account, as the control asks.',
  },
  {
    control: 'CT.RDS.PR.1',
    resources: ['<env>-vector/VectorStore/Instance'],
    environments: ['dev'],
    reason: 'The dev database is single-AZ and disposable (compliance decisions in docs/decisions.md, dev only); staging and prod are Multi-AZ.',
  },
  {
    control: 'CT.RDS.PR.13',
    resources: ['<env>-vector/VectorStore/Instance'],
    environments: ['dev'],
    reason: 'The dev database is disposable, without deletion protection (compliance decisions in docs/decisions.md, dev only); staging and prod have it.',
  },
  {
    control: 'CT.RDS.PR.8',
    resources: ['<env>-vector/VectorStore/Instance'],
    environments: ['dev'],
    reason: 'The dev database keeps 1 day of automated backups (vectorStore.backupRetentionDays), being disposable; staging keeps 7 and prod 35, as the control asks.',
  },
  {
    control: 'CT.S3.PR.2',
    resources: ['<env>-storage/DataLake/AccessLogsBucket'],
    reason: 'The access-log bucket does not log itself (compliance decisions in docs/decisions.md, access-log bucket); every other bucket logs to it.',
  },
  {
    control: 'CT.S3.PR.2',
    resources: ['<env>-privacy/Erasure/LedgerBucket', '<env>-privacy/Erasure/WorkBucket', '<env>-privacy/LakeAccessTrail/Bucket'],
    crossStackReferenceTo: 'AWS::S3::Bucket',
    reason: 'They log to the access-log bucket, which lives in the storage stack; the rule does not resolve cross-stack references.',
  },
  {
    control: 'CT.S3.PR.10',
    resources: ['<env>-storage/DataLake/AccessLogsBucket'],
    reason: 'S3 delivers server access logs only to SSE-S3 buckets (compliance decisions in docs/decisions.md, access-log bucket); every other bucket uses SSE-KMS.',
  },
  {
    control: 'CT.S3.PR.9',
    resources: [
      '<env>-storage/DataLake/AccessLogsBucket',
      '<env>-storage/DataLake/AthenaResultsBucket',
      '<env>-storage/DataLake/*ZoneBucket',
      '<env>-privacy/Erasure/WorkBucket',
    ],
    reason:
      'No S3 Object Lock: datasets expire by retention and personal data must be erasable (docs/architecture.md: lifecycle has one owner per prefix; personal data must stay erasable); immutability comes from the locked AWS Backup vault (vault lock in prod) and its DR copies.',
  },
  {
    control: 'CT.SQS.PR.1',
    resources: [
      '<env>-catalog/Catalog/Iceberg/DeadLetterQueue',
      '<env>-operations/DataQuality/DeadLetterQueue',
      '<env>-operations/RecoveryEvidence/*DeadLetters',
      '<env>-vector/VectorStore/BootstrapDeadLetterQueue',
      '<env>-embeddings/*/DeadLetterQueue',
      '<env>-privacy/Erasure/DeadLetterQueue',
      '<env>-privacy/PiiDiscovery/DeadLetterQueue',
    ],
    reason: 'These queues are the dead-letter queues of the platform\'s functions; a dead-letter queue of a dead-letter queue would only move the same messages again.',
  },
  {
    control: 'CT.STEPFUNCTIONS.PR.2',
    resources: ['<env>-vector/VectorStore/BootstrapProvider/waiter-state-machine'],
    reason: 'The Provider framework\'s internal waiter has no tracing setting (compliance decisions in docs/decisions.md, SF2 on the waiter); its executions are logged (ALL events).',
  },
];
