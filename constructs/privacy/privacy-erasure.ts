import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeResourceWildcard, acknowledgeUnrotatedHashKey, STEP_FUNCTIONS_LOG_DELIVERY_ACTIONS, STEP_FUNCTIONS_TRACING_ACTIONS } from '../compliance';
import { acknowledgeReplicationFinding } from '../storage/storage-compliance';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import type { VectorStore } from '../vector-store/vector-store';
import { ERASURE_WORKFLOW_TIMING, erasureDefinition, type ErasureFunctions } from './definition';
import { createErasureFunction, ERASURE_HANDLERS, functionSizing, type ErasureFunction, type ErasureHandler } from './erasure-function';
import { grantFunctions, grantWorkflow } from './erasure-grants';
import { PRIVACY_METRIC_NAMESPACE, type PrivacyMetricName } from './names';
import type { ErasureTarget } from './target';
import { erasurePropsProblems, type ErasureSettings } from './props-validation';
import { createSubjectsTable } from './subjects-table';
import { ValidationReport } from '../common/validation-report';

/**
 * Interface endpoints the erasure functions call from an isolated VPC: Secrets Manager (the salt), Step
 * Functions (the ELT guard) and Athena (query results). S3 and DynamoDB go through gateway endpoints,
 * the vector store directly (IAM token signed locally), metrics out as log lines (embedded metric format).
 */
export const PRIVACY_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['secretsmanager', 'states', 'athena'];

/** Properties of {@link PrivacyErasure}. */
export interface PrivacyErasureProps {
  /** One entry per dataset with data-subject keys (`erasurePlan`), in processing order. */
  readonly plan: readonly ErasureTarget[];
  /** The Glue database this construct creates for `erasure_subjects` (`privacyDatabaseName(project, env)`). */
  readonly databaseName: string;
  /** The Athena workgroup the queries run in; its enforced result location is `resultsBucket`/`<workgroup>/`. */
  readonly workgroupName: string;
  readonly resultsBucket: s3.IBucket;
  /** Key of the query results and of the lake buckets the plan names (the lake key). */
  readonly lakeKey: kms.IKey;
  /** The Data Catalog's key, when the catalog is encrypted. @default none */
  readonly catalogKey?: kms.IKey;
  /** The vector store whose embeddings rows carry the subject; forget-vectors signs in as `<db>_privacy`. */
  readonly vectorStore: VectorStore;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Key of the pre-created log groups (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The request table, work bucket and log groups on stack deletion. The ledger bucket, its key and the
   * salt are always retained. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Deletion protection of the request table. @default true */
  readonly deletionProtection?: boolean;
  /** Key of the request table, buckets, salt and dead-letter queue. @default a new key, rotation on, always retained */
  readonly encryptionKey?: kms.Key;
  /** Server access logs of the work and ledger buckets (cdk-nag S1). @default none */
  readonly accessLogsBucket?: s3.IBucket;
  /** State machines whose running executions hold an erasure back (the ELT, the daily pipeline). @default none */
  readonly eltStateMachineArns?: readonly string[];
  /** Schedule, batch size, deadlines and the ledger's lock. */
  readonly settings: ErasureSettings;
  /**
   * The longest snapshot retention (days) of the plan's Iceberg tables: files replaced by an erasure are
   * due gone that long after it (VACUUM cannot expire a younger snapshot), so the physical check waits for
   * it, and looks back far enough to still see those entries.
   * @default 5 (Glue's default, the contracts' `iceberg.snapshotRetentionDays` default)
   */
  readonly snapshotRetentionDays?: number;
}

/**
 * The right-to-erasure workflow (GDPR Art. 17, CCPA deletion requests) for a lake whose contracts name
 * data-subject keys: a request table (DynamoDB, CMK, PITR), a work bucket (subjects files, manifests),
 * an Object-Locked ledger bucket, a generated salt (ledger hashes), the `erasure_subjects` Glue table,
 * one function per handler (in the VPC, own role, DLQ, reserved concurrency, KMS log group), the
 * `ErasureWorkflow` state machine (definition.ts) and its schedules: the workflow per `schedule`, the
 * deadline monitor hourly, the physical-removal check daily, the monthly report on the 1st.
 *
 * Refuses, before anything is built: a batch size, deadline, lock or schedule AWS or the workflow
 * could not honour, and a plan whose statements ignore the batch (props-validation.ts, definition.ts).
 * Exposes `metric…()` for the monitoring construct and raises no alarms itself.
 */
export class PrivacyErasure extends Construct {
  public readonly key: kms.Key;
  public readonly requestTable: dynamodb.Table;
  public readonly workBucket: s3.Bucket;
  public readonly ledgerBucket: s3.Bucket;
  public readonly saltSecret: secretsmanager.Secret;
  public readonly databaseName: string;
  /** Dead-letter queue of every function's failed asynchronous (scheduled) invocations. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly securityGroup: ec2.SecurityGroup;
  /** forget-vectors' own group: the only one allowed to the database. */
  public readonly vectorSecurityGroup: ec2.SecurityGroup;
  public readonly functions: Readonly<Record<ErasureHandler, ErasureFunction>>;
  public readonly stateMachine: sfn.StateMachine;
  public readonly role: iam.Role;
  public readonly schedules: Readonly<Record<'workflow' | 'deadlineMonitor' | 'physicalCheck' | 'monthlyReport', events.Rule>>;
  /** The snapshot horizon (days) the physical check waits for; see PrivacyErasureProps. */
  public readonly snapshotRetentionDays: number;
  /** The vector store role forget-vectors signs in as. */
  public readonly databaseRoleName: string;
  public readonly settings: ErasureSettings;

  constructor(scope: Construct, id: string, props: PrivacyErasureProps) {
    super(scope, id);
    const problems = erasurePropsProblems(`PrivacyErasure (${this.node.path})`, props);
    if (problems.length > 0) throw new ValidationReport(problems);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.settings = props.settings;
    this.databaseName = props.databaseName;

    // The ledger outlives every deploy, so the key that reads it does too.
    this.key =
      props.encryptionKey ??
      denyGrantsExceptForAwsResources(
        new kms.Key(this, 'Key', {
          description: 'Erasure workflow: request table, work and ledger buckets, salt, dead letters',
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
          pendingWindow: Duration.days(30),
        }),
      );

    this.requestTable = new dynamodb.Table(this, 'RequestTable', {
      partitionKey: { name: 'requestId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });

    const bucketDefaults: s3.BucketProps = {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
    };
    // Subjects files live for one batch; anything a failed cleanup leaves expires within two days, all versions.
    this.workBucket = new s3.Bucket(this, 'WorkBucket', {
      ...bucketDefaults,
      removalPolicy,
      lifecycleRules: [
        {
          id: 'short-lived',
          expiration: Duration.days(2),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
    const lock = props.settings.ledger;
    this.ledgerBucket = new s3.Bucket(this, 'LedgerBucket', {
      ...bucketDefaults,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        lock.mode === 'compliance' ? s3.ObjectLockRetention.compliance(Duration.days(lock.retentionDays)) : s3.ObjectLockRetention.governance(Duration.days(lock.retentionDays)),
      // Evidence of erasure: never deleted with a stack, never emptied by a deploy.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    if (props.accessLogsBucket) logAccess(props.accessLogsBucket, [[this.workBucket, 'privacy-work/'], [this.ledgerBucket, 'privacy-ledger/']]);
    // Object events of both buckets go to EventBridge natively (no notification custom resource): an audit trail of writes.
    for (const bucket of [this.workBucket, this.ledgerBucket]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
    // DR for the ledger is AWS Backup (a selection in the stack that owns it); the work bucket holds files of one batch only.
    acknowledgeReplicationFinding(this.ledgerBucket);
    acknowledgeReplicationFinding(this.workBucket);

    this.saltSecret = new secretsmanager.Secret(this, 'Salt', {
      description: 'Erasure ledger salt: HMAC-SHA256 key of subject hashes and request IDs (64 hex characters = 32 bytes)',
      encryptionKey: this.key,
      generateSecretString: {
        passwordLength: 64,
        excludeUppercase: true,
        excludePunctuation: true,
        includeSpace: false,
        excludeCharacters: 'ghijklmnopqrstuvwxyz',
        requireEachIncludedType: false,
      },
      // A new salt would make every recorded hash unmatchable: kept whatever happens to the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeUnrotatedHashKey(
      this.saltSecret,
      'The salt keys the erasure ledger\'s subject hashes and request IDs (HMAC-SHA256), it grants no access; rotating it would make every ' +
        'earlier hash unmatchable: a repeated request would no longer be recognised and a ledger entry could no longer be checked against a subject ' +
        '(compliance decisions in docs/decisions.md).',
    );

    createSubjectsTable(this, props.databaseName, this.workBucket);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Erasure functions: HTTPS to AWS endpoints only',
      allowAllOutbound: false,
    });
    // S3 and DynamoDB are regional prefix lists behind gateway endpoints, unnamed offline: any IPv4 on 443.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');
    const store = props.vectorStore;
    this.vectorSecurityGroup = new ec2.SecurityGroup(this, 'VectorSecurityGroup', {
      vpc: props.vpc,
      description: 'Erasure forget-vectors: PostgreSQL to the vector store, HTTPS to AWS endpoints',
      allowAllOutbound: false,
    });
    this.vectorSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');
    this.vectorSecurityGroup.addEgressRule(store.securityGroup, ec2.Port.tcp(store.port), 'PostgreSQL to the vector store');
    store.securityGroup.addIngressRule(this.vectorSecurityGroup, ec2.Port.tcp(store.port), 'PostgreSQL from the erasure forget-vectors function', true);
    this.databaseRoleName = store.roleNames.privacy;
    this.snapshotRetentionDays = props.snapshotRetentionDays ?? 5;

    const shared = {
      REQUESTS_TABLE: this.requestTable.tableName,
      WORK_BUCKET: this.workBucket.bucketName,
      LEDGER_BUCKET: this.ledgerBucket.bucketName,
      SALT_SECRET_ARN: this.saltSecret.secretArn,
      ATHENA_WORKGROUP: props.workgroupName,
      PRIVACY_SETTINGS: JSON.stringify({
        deadlines: props.settings.deadlines,
        alarmDaysBeforeDeadline: props.settings.alarmDaysBeforeDeadline,
        ledger: props.settings.ledger,
        snapshotRetentionDays: this.snapshotRetentionDays,
      }),
      // Entries stay checked until well after their files are due (a month past the longest horizon, within
      // the handler's 3,650-day limit).
      PHYSICAL_CHECK_LOOKBACK_DAYS: String(Math.min(3_650, Math.max(90, this.snapshotRetentionDays + 30))),
    };
    const functions = {} as Record<ErasureHandler, ErasureFunction>;
    for (const name of ERASURE_HANDLERS) {
      const vectors = name === 'forget-vectors';
      functions[name] = createErasureFunction(this, name, {
        description: HANDLER_DESCRIPTIONS[name],
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroup: vectors ? this.vectorSecurityGroup : this.securityGroup,
        logsKey: props.logsKey,
        logRetention,
        logRemovalPolicy: removalPolicy,
        deadLetterQueue: this.deadLetterQueue,
        deadLetterKey: this.key,
        environment: vectors ? { ...shared, ...store.environment('readWrite'), PGUSER: this.databaseRoleName } : shared,
        ...functionSizing(name),
        reservedConcurrency: 1,
      });
    }
    this.functions = functions;
    grantFunctions(this, props);

    const eltStateMachineArns = props.eltStateMachineArns ?? [];
    const fn = (name: ErasureHandler) => functions[name].function.functionArn;
    const functionArns: ErasureFunctions = {
      intake: fn('intake'),
      claim: fn('claim'),
      release: fn('release'),
      eltGuard: fn('elt-guard'),
      findResults: fn('find-results'),
      rewriteObjects: fn('rewrite-objects'),
      forgetVectors: fn('forget-vectors'),
      record: fn('record'),
    };
    const definition = erasureDefinition({
      plan: props.plan,
      functions: functionArns,
      workgroup: props.workgroupName,
      batchSize: props.settings.batchSize,
      eltStateMachineArns: eltStateMachineArns.length > 0 ? eltStateMachineArns : [NO_ELT_PLACEHOLDER(Stack.of(this))],
      ...ERASURE_WORKFLOW_TIMING,
    });

    this.role = new iam.Role(this, 'WorkflowRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Erasure workflow: its functions, the Athena queries that find, delete, optimize and vacuum',
    });
    grantWorkflow(this, props, Object.values(functionArns));
    this.stateMachine = new sfn.StateMachine(this, 'ErasureWorkflow', {
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(definition)),
      role: this.role,
      tracingEnabled: true,
      timeout: Duration.seconds(ERASURE_WORKFLOW_TIMING.timeoutSeconds),
      logs: {
        destination: new logs.LogGroup(this, 'WorkflowLogs', { encryptionKey: props.logsKey, retention: logRetention, removalPolicy }),
        level: sfn.LogLevel.ALL,
        // Payloads could hold intake's subject IDs: log the transitions, never the data.
        includeExecutionData: false,
      },
    });
    acknowledgeResourceWildcard(
      this.role,
      ['lakeformation:GetDataAccess', ...STEP_FUNCTIONS_TRACING_ACTIONS, ...STEP_FUNCTIONS_LOG_DELIVERY_ACTIONS],
      'X-Ray and CloudWatch Logs delivery actions, which Step Functions needs for tracing and execution logging, support ' +
        'no resource-level permissions; lakeformation:GetDataAccess neither.',
    );

    const scheduled = (ruleId: string, description: string, schedule: events.Schedule, target: events.IRuleTarget) =>
      new events.Rule(this, ruleId, { description, schedule, targets: [target] });
    const invoke = (name: ErasureHandler) => new targets.LambdaFunction(functions[name].function as lambda.IFunction, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 });
    this.schedules = {
      workflow: scheduled('WorkflowSchedule', 'Erasure workflow: process the queued requests', events.Schedule.expression(props.settings.schedule), new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({}) })),
      deadlineMonitor: scheduled('DeadlineMonitorSchedule', 'Erasure requests: deadline metrics', events.Schedule.rate(Duration.hours(1)), invoke('deadline-monitor')),
      physicalCheck: scheduled('PhysicalCheckSchedule', 'Erasure: files that held erased rows are gone, all versions', events.Schedule.cron({ minute: '0', hour: '5' }), invoke('physical-check')),
      monthlyReport: scheduled('MonthlyReportSchedule', 'Erasure: the previous month\'s report', events.Schedule.cron({ minute: '0', hour: '6', day: '1' }), invoke('monthly-report')),
    };
  }

  /** Open requests due within `alarmDaysBeforeDeadline` (deadline-monitor, hourly), Maximum. */
  public metricRequestsNearDeadline(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('RequestsNearDeadline', 'Maximum', props);
  }

  /** Open requests past their deadline, Maximum. */
  public metricOverdueRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('OverdueRequests', 'Maximum', props);
  }

  /** Open requests, Maximum. */
  public metricOpenRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('OpenRequests', 'Maximum', props);
  }

  /** Requests closed as erased, Sum. */
  public metricRequestsErased(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('RequestsErased', 'Sum', props);
  }

  /** Requests whose verification still found data, Sum. */
  public metricVerificationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('VerificationFailures', 'Sum', props);
  }

  /** Parquet rewrites rolled back because another writer changed the object, Sum. */
  public metricRewriteConflicts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('RewriteConflicts', 'Sum', props);
  }

  /** Files past the snapshot horizon that still exist (physical-check, daily), Maximum. */
  public metricPhysicalRemovalOverdue(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.privacyMetric('PhysicalRemovalOverdue', 'Maximum', props);
  }

  /** Workflow executions that failed, timed out or were aborted, Sum. */
  public metricWorkflowFailures(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    const options = { statistic: 'Sum', period: Duration.hours(1), ...props };
    return new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: { failed: this.stateMachine.metricFailed(options), timedOut: this.stateMachine.metricTimedOut(options), aborted: this.stateMachine.metricAborted(options) },
      label: 'Erasure workflow: failed executions',
      period: options.period,
    });
  }

  private privacyMetric(metricName: PrivacyMetricName, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: PRIVACY_METRIC_NAMESPACE, metricName, statistic, period: Duration.hours(1), ...props });
  }
}

/**
 * Server access logs of `buckets` into `target` under their prefixes. Written on the L1 with the delivery
 * grant added here, conditioned on this account: CDK's own grant omits every condition when the target
 * lives in another stack (naming the source bucket there would make a cycle).
 */
function logAccess(target: s3.IBucket, buckets: ReadonlyArray<readonly [s3.Bucket, string]>): void {
  const stack = Stack.of(buckets[0][0]);
  for (const [bucket, prefix] of buckets) {
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
  }
  target.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ErasureBucketsAccessLogs',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: buckets.map(([, prefix]) => target.arnForObjects(`${prefix}*`)),
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
}

/** Without an ELT to wait for, the guard asks about a state machine that cannot exist (and answers "idle"). */
const NO_ELT_PLACEHOLDER = (stack: Stack) => `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:no-elt`;

const HANDLER_DESCRIPTIONS: Record<ErasureHandler, string> = {
  intake: 'validates and enqueues erasure requests',
  claim: 'claims queued requests for a batch and writes its subjects file',
  release: 'returns a failed batch to the queue and deletes its subjects file',
  'elt-guard': 'tells whether an ELT execution is running',
  'find-results': 'reads a find or verify query result into a manifest',
  'rewrite-objects': 'rewrites raw Parquet objects without the subjects\' rows',
  'forget-vectors': 'deletes the subjects\' embeddings rows and vacuums',
  record: 'writes ledger entries and closes the requests',
  'deadline-monitor': 'publishes deadline metrics of open requests',
  'physical-check': 'checks that files which held erased rows are gone',
  'monthly-report': 'writes the monthly erasure report',
};
