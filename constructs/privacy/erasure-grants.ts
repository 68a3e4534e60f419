import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeObjectArnWildcards } from '../compliance/deferred-acknowledgements';
import { acknowledgeGlueTableWildcards } from '../compliance/glue-table-wildcards';
import { grantTablePermissions } from '../governance/table-grants';
import type { ErasureHandler } from './erasure-function';
import { ERASURE_SUBJECTS_TABLE, FIND_PREFIX, FORGET_PREFIX, LEDGER_PREFIX, REPORTS_PREFIX, SUBJECTS_PREFIX } from './names';
import type { ErasureTarget } from './target';
import type { PrivacyErasure, PrivacyErasureProps } from './privacy-erasure';

/**
 * Least privilege for the workflow, written as explicit statements (CDK's grant helpers add action
 * wildcards such as `s3:GetObject*` and `kms:GenerateDataKey*`).
 *
 * What Athena DML on Iceberg needs, from the Athena and Lake Formation guides: Athena calls S3, Glue
 * and KMS with the caller's credentials (here the state machine's role), so the role holds the Glue
 * reads of every table it names, `glue:UpdateTable` on the Iceberg tables (each DELETE, OPTIMIZE and
 * VACUUM commits a new metadata pointer), S3 read/write/delete on each table's prefix and the lake key;
 * Lake Formation grants SELECT, INSERT, DELETE, ALTER and DESCRIBE on each Iceberg table (DELETE writes
 * delete files, OPTIMIZE writes new data files, both commit) and SELECT + DESCRIBE on the Parquet tables
 * and `erasure_subjects`. VACUUM needs `s3:DeleteObject` on the table's files: without it the statement
 * "succeeds" and deletes nothing (Athena's VACUUM reference), so the grant is pinned by a test.
 */

const OBJECT_ARN_REASON =
  "Objects cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): each statement names one bucket's prefix, S3 object actions only.";

type Entry = Pick<ErasureTarget, 'dataset' | 'kind' | 'database' | 'table' | 'bucket' | 'prefix'>;

function arns(stack: Stack) {
  return {
    bucket: (name: string) => `arn:${stack.partition}:s3:::${name}`,
    objects: (name: string, prefix: string) => `arn:${stack.partition}:s3:::${name}/${prefix}*`,
    glue: (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`,
    workgroup: (name: string) => `arn:${stack.partition}:athena:${stack.region}:${stack.account}:workgroup/${name}`,
  };
}

/** The state machine's role: invoke its functions, run the plan's queries, read and write what they touch. */
export function grantWorkflow(erasure: PrivacyErasure, props: PrivacyErasureProps, functionArns: readonly string[]): void {
  const stack = Stack.of(erasure);
  const arn = arns(stack);
  const role = erasure.role;
  const add = (statement: iam.PolicyStatementProps) => role.addToPolicy(new iam.PolicyStatement(statement));
  const plan: readonly Entry[] = props.plan;
  const iceberg = plan.filter((entry) => entry.kind === 'iceberg');
  const parquet = plan.filter((entry) => entry.kind === 'parquet');

  // The unqualified ARNs only: the workflow invokes $LATEST, never a version (no `:*`).
  add({ sid: 'InvokeFunctions', actions: ['lambda:InvokeFunction'], resources: [...functionArns] });
  add({ sid: 'RunQueries', actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution', 'athena:GetWorkGroup'], resources: [arn.workgroup(props.workgroupName)] });
  const databases = [...new Set(plan.map((entry) => entry.database))];
  add({
    sid: 'ReadCatalog',
    actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
    resources: [
      arn.glue('catalog'),
      arn.glue(`database/${props.databaseName}`),
      arn.glue(`table/${props.databaseName}/${ERASURE_SUBJECTS_TABLE}`),
      ...databases.flatMap((database) => [arn.glue(`database/${database}`), arn.glue(`table/${database}/*`)]),
    ],
  });
  // One wildcard per zone database instead of one ARN per table: with about 70 tables the policy would pass
  // IAM's size limit. Lake Formation's table grants below decide which tables the queries may read.
  acknowledgeGlueTableWildcards(
    role,
    "Glue reads on each zone database's tables (compliance decisions in docs/decisions.md, IAM5 on Glue table ARNs): naming each table passes IAM's policy size at about 70 tables; Lake Formation grants decide per table.",
  );
  if (iceberg.length > 0) {
    add({ sid: 'CommitIceberg', actions: ['glue:UpdateTable'], resources: iceberg.map((entry) => arn.glue(`table/${entry.database}/${entry.table}`)) });
  }
  const buckets = [...new Set([props.resultsBucket.bucketName, erasure.workBucket.bucketName, ...plan.map((entry) => entry.bucket)])];
  add({ sid: 'ListBuckets', actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketVersions'], resources: buckets.map((name) => arn.bucket(name)) });
  add({ sid: 'QueryResults', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [props.resultsBucket.arnForObjects(`${props.workgroupName}/*`)] });
  add({ sid: 'ReadSubjects', actions: ['s3:GetObject'], resources: [erasure.workBucket.arnForObjects(`${SUBJECTS_PREFIX}*`)] });
  if (parquet.length > 0) add({ sid: 'FindInParquet', actions: ['s3:GetObject'], resources: parquet.map((entry) => arn.objects(entry.bucket, entry.prefix)) });
  if (iceberg.length > 0) {
    // DELETE and OPTIMIZE write files; VACUUM deletes expired ones (without s3:DeleteObject it silently keeps them).
    add({
      sid: 'ForgetInIceberg',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload'],
      resources: iceberg.map((entry) => arn.objects(entry.bucket, entry.prefix)),
    });
  }
  add({ sid: 'LakeAndWorkKeys', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [...new Set([props.lakeKey.keyArn, erasure.key.keyArn])] });
  if (props.catalogKey) add({ sid: 'CatalogKey', actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [props.catalogKey.keyArn] });
  add({ sid: 'LakeFormationData', actions: ['lakeformation:GetDataAccess'], resources: ['*'] });
  acknowledgeObjectArnWildcards(role, OBJECT_ARN_REASON);

  const subjects = grantTablePermissions(erasure, 'SubjectsGrant', role, { databaseName: props.databaseName, tableName: ERASURE_SUBJECTS_TABLE }, ['SELECT', 'DESCRIBE']);
  subjects.node.addDependency(erasure.node.findChild('SubjectsTable'));
  plan.forEach((entry) => {
    const permissions = entry.kind === 'iceberg' ? (['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE'] as const) : (['SELECT', 'DESCRIBE'] as const);
    grantTablePermissions(erasure, `${grantId(entry.dataset)}Grant`, role, { databaseName: entry.database, tableName: entry.table }, permissions);
  });
}

/** `events_curated` → `EventsCurated`. */
function grantId(dataset: string): string {
  return dataset
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Each function's own statements: exactly the calls its handler's code sends
 * (test/privacy/erasure-grants.test.ts pins each SDK command found in the source to an action here), on
 * the prefixes it touches. The keys
 * follow the data: the privacy key for the table, work and ledger buckets and the salt, the lake key
 * for the raw objects and query results.
 */
export function grantFunctions(erasure: PrivacyErasure, props: PrivacyErasureProps): void {
  const stack = Stack.of(erasure);
  const arn = arns(stack);
  const plan: readonly Entry[] = props.plan;
  const role = (name: ErasureHandler) => erasure.functions[name].role;
  const add = (name: ErasureHandler, statement: iam.PolicyStatementProps) => role(name).addToPrincipalPolicy(new iam.PolicyStatement(statement));
  const table = erasure.requestTable.tableArn;
  const work = erasure.workBucket;
  const ledger = erasure.ledgerBucket;
  const key = erasure.key.keyArn;
  // DynamoDB and S3 writes under the CMK need Encrypt/GenerateDataKey; reads (objects, the salt) Decrypt only.
  const privacyKey = (name: ErasureHandler) => add(name, { sid: 'PrivacyKey', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [key] });
  const salt = (name: ErasureHandler) => add(name, { sid: 'ReadSalt', actions: ['secretsmanager:GetSecretValue'], resources: [erasure.saltSecret.secretArn] });
  const requests = (name: ErasureHandler, actions: readonly string[]) => add(name, { sid: 'Requests', actions: [...actions], resources: [table] });
  const objects = (name: ErasureHandler, sid: string, actions: readonly string[], resources: readonly string[]) => add(name, { sid, actions: [...actions], resources: [...resources] });
  const list = (name: ErasureHandler, actions: readonly string[], buckets: readonly string[]) => add(name, { sid: 'ListBuckets', actions: [...actions], resources: [...buckets] });
  // Object Lock: the ledger writer reads the bucket's default retention and sets one per object when it has none.
  const lockedWrites = (name: ErasureHandler) => add(name, { sid: 'LedgerLock', actions: ['s3:GetBucketObjectLockConfiguration'], resources: [ledger.bucketArn] });
  const removeAllVersions = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
  const subjectsFiles = work.arnForObjects(`${SUBJECTS_PREFIX}*`);

  requests('intake', ['dynamodb:PutItem', 'dynamodb:GetItem']);
  salt('intake');
  privacyKey('intake');

  requests('claim', ['dynamodb:Scan', 'dynamodb:UpdateItem']);
  objects('claim', 'WriteSubjects', ['s3:PutObject'], [subjectsFiles]);
  privacyKey('claim');

  requests('release', ['dynamodb:UpdateItem']);
  list('release', ['s3:ListBucketVersions'], [work.bucketArn]);
  objects('release', 'RemoveSubjects', removeAllVersions, [subjectsFiles]);
  privacyKey('release');

  const guarded = props.eltStateMachineArns ?? [];
  if (guarded.length > 0) add('elt-guard', { sid: 'ListEltExecutions', actions: ['states:ListExecutions'], resources: [...guarded] });

  add('find-results', { sid: 'ReadQueryResults', actions: ['athena:GetQueryExecution', 'athena:GetQueryResults'], resources: [arn.workgroup(props.workgroupName)] });
  // GetQueryResults reads the result file with the caller's credentials.
  objects('find-results', 'ReadResultFiles', ['s3:GetObject'], [props.resultsBucket.arnForObjects(`${props.workgroupName}/*`)]);
  list('find-results', ['s3:ListBucket'], [props.resultsBucket.bucketArn]);
  objects('find-results', 'WriteManifests', ['s3:PutObject'], [work.arnForObjects(`${FIND_PREFIX}*`)]);
  add('find-results', { sid: 'LakeKey', actions: ['kms:Decrypt'], resources: [props.lakeKey.keyArn] });
  privacyKey('find-results');

  const parquet = plan.filter((entry) => entry.kind === 'parquet');
  if (parquet.length > 0) {
    // Rewrite in place with a version guard (tags carried over from the version read), then remove the older versions.
    objects(
      'rewrite-objects',
      'RewriteRawObjects',
      ['s3:GetObject', 's3:GetObjectVersionTagging', 's3:PutObject', 's3:PutObjectTagging', 's3:DeleteObjectVersion'],
      parquet.map((entry) => arn.objects(entry.bucket, entry.prefix)),
    );
    list('rewrite-objects', ['s3:ListBucketVersions'], [...new Set(parquet.map((entry) => arn.bucket(entry.bucket)))]);
    add('rewrite-objects', { sid: 'LakeKey', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.lakeKey.keyArn] });
  }
  objects('rewrite-objects', 'ReadBatchFiles', ['s3:GetObject'], [subjectsFiles, work.arnForObjects(`${FIND_PREFIX}*`)]);
  objects('rewrite-objects', 'WriteResults', ['s3:PutObject'], [work.arnForObjects(`${FORGET_PREFIX}*`)]);
  privacyKey('rewrite-objects');

  props.vectorStore.instance.grantConnect(role('forget-vectors'), erasure.databaseRoleName);
  objects('forget-vectors', 'ReadSubjects', ['s3:GetObject'], [subjectsFiles]);
  add('forget-vectors', { sid: 'PrivacyKey', actions: ['kms:Decrypt'], resources: [key] });

  // No salt: the ledger's hashes are the request's own subjectHashes, written at intake.
  requests('record', ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  list('record', ['s3:ListBucketVersions'], [work.bucketArn]);
  objects('record', 'ReadAndRemoveBatchFiles', ['s3:GetObject', ...removeAllVersions], [SUBJECTS_PREFIX, FIND_PREFIX, FORGET_PREFIX].map((prefix) => work.arnForObjects(`${prefix}*`)));
  objects('record', 'WriteLedger', ['s3:PutObject', 's3:PutObjectRetention'], [ledger.arnForObjects(`${LEDGER_PREFIX}*`)]);
  lockedWrites('record');
  privacyKey('record');

  requests('deadline-monitor', ['dynamodb:Scan']);
  privacyKey('deadline-monitor');

  // Closes the requests whose files are all gone (awaiting-physical-removal → completed).
  requests('physical-check', ['dynamodb:UpdateItem']);
  const iceberg = plan.filter((entry) => entry.kind === 'iceberg');
  list('physical-check', ['s3:ListBucket'], [ledger.bucketArn]);
  objects('physical-check', 'ReadLedger', ['s3:GetObject'], [ledger.arnForObjects(`${LEDGER_PREFIX}*`)]);
  if (iceberg.length > 0) {
    add('physical-check', { sid: 'ListLakeVersions', actions: ['s3:ListBucketVersions'], resources: [...new Set(iceberg.map((entry) => arn.bucket(entry.bucket)))] });
    objects('physical-check', 'RemoveOldVersions', ['s3:DeleteObjectVersion'], iceberg.map((entry) => arn.objects(entry.bucket, entry.prefix)));
  }
  privacyKey('physical-check');

  list('monthly-report', ['s3:ListBucket'], [ledger.bucketArn]);
  objects('monthly-report', 'ReadLedger', ['s3:GetObject'], [ledger.arnForObjects(`${LEDGER_PREFIX}*`)]);
  objects('monthly-report', 'WriteReports', ['s3:PutObject', 's3:PutObjectRetention'], [ledger.arnForObjects(`${REPORTS_PREFIX}*`)]);
  lockedWrites('monthly-report');
  privacyKey('monthly-report');

  for (const fn of Object.values(erasure.functions)) acknowledgeObjectArnWildcards(fn.role, OBJECT_ARN_REASON);
}
