import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundledHandlerCode, HANDLER_RUNTIME } from '../common/bundled-code';
import { renderValue, ValidationReport } from '../common/validation-report';
import type { DatasetDefinition } from '../datasets/model';
import { acknowledgeObjectArnWildcards } from '../compliance/deferred-acknowledgements';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import type { VectorStore } from '../vector-store/vector-store';
import { allowEventBridgeToQueues } from './queue-key';
import { limitProblems, settingsProblems, visibilityTimeoutSeconds } from './pipeline-validation';
import { EMBEDDING_MODELS, type EmbeddingCollectionSettings, type EmbeddingSettingsInput } from './settings';
import { rowSourceProblems } from './row-source-validation';
import { vpcLambdaRole } from '../compliance';

/**
 * Interface endpoints the consumer calls from an isolated VPC: Bedrock's runtime (InvokeModel). S3 is
 * reached through the gateway endpoint, the database directly, the IAM token is signed locally, metrics
 * go out as log lines (embedded metric format) and SQS is polled by Lambda itself, not by the function.
 * A test derives the SDK clients from handler.ts and checks this list covers them.
 */
export const EMBEDDINGS_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['bedrock-runtime'];

/** Namespace of the consumer's metrics (embedded metric format; see handler.ts). */
export const EMBEDDINGS_METRIC_NAMESPACE = 'Lakehouse/Embeddings';

/** Properties of {@link EmbeddingsPipeline}. */
export interface EmbeddingsPipelineProps {
  /**
   * The collection's settings (collection name, model, dimensions, chunking, rate limits), validated here
   * with the rules the function applies at start-up (settings.ts) and passed to it as JSON.
   */
  readonly settings: EmbeddingSettingsInput;
  /**
   * The dataset a `rows` collection reads (settings `source: 'rows'`): when given, its contract is checked
   * here (plain Parquet; the id, text, ordering, metadata and subject columns exist with readable types).
   * @default - not checked (the function skips a file without the columns, with the reason)
   */
  readonly dataset?: DatasetDefinition;
  /** The bucket documents are written to; it must send its object events to EventBridge. */
  readonly sourceBucket: s3.IBucket;
  /** The documents' key prefix in that bucket (e.g. `documents/`): the rule and the read permission stop here. */
  readonly sourcePrefix: string;
  /** The bucket's KMS key: the function may decrypt with it through S3 only. @default - the bucket's `encryptionKey`, if any */
  readonly sourceKey?: kms.IKey;
  /** The vector store the chunks go to; the function signs in as its `readWrite` role with IAM authentication. */
  readonly vectorStore: VectorStore;
  readonly vpc: ec2.IVpc;
  /** Subnets of the function: those of the database (isolated, or private with egress). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Key of the queue and its dead-letter queue. @default - a new key, rotation on, retained, admitting EventBridge for this account's queues */
  readonly queueKey?: kms.IKey;
  /** Key of the function's pre-created log group (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Function timeout; the queue's visibility timeout is 6 × this + the batching window. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 1024 (MiB; documents up to `maxObjectBytes` are held in memory with their chunks) */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of the function, and the event source's maximum concurrency (the same number, so
   * Lambda never polls more batches than may run: throttled batches would count towards the DLQ). At
   * least 2. Each instance holds one database connection and its own Bedrock rate limit. @default 2
   */
  readonly reservedConcurrency?: number;
  /** SQS records per invocation. @default 10 */
  readonly batchSize?: number;
  /** How long Lambda gathers records before invoking. @default Duration.seconds(5) */
  readonly maxBatchingWindow?: Duration;
  /** Deliveries of a message before it moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** How long the dead-letter queue keeps a message. @default Duration.days(14) (the SQS maximum) */
  readonly deadLetterRetention?: Duration;
}

/**
 * One collection's embeddings pipeline: an EventBridge rule for `Object Created` and `Object Deleted` under
 * one prefix of the lake bucket → a KMS-encrypted, SSL-only SQS queue with a dead-letter queue (redrive
 * after `maxReceiveCount` deliveries; the rule's undeliverable events go there too) → the consumer
 * function (handler.ts) in the VPC with partial-batch failure reporting, reserved concurrency, a
 * pre-created KMS-encrypted log group and a role that can do only this: read objects (and their tags) under
 * the prefix, decrypt them through S3, invoke the embedding models, and sign in to the vector store as its
 * read-write role. It exposes `metric…()` for the monitoring construct and raises no alarms itself.
 *
 * Refuses, before anything is built: settings the function would refuse (settings.ts), and function,
 * queue and event-source values Lambda or SQS would reject (pipeline-validation.ts).
 */
export class EmbeddingsPipeline extends Construct {
  /** The resolved settings the function runs with (`EMBEDDINGS_SETTINGS`). */
  public readonly settings: EmbeddingCollectionSettings;
  public readonly collection: string;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly queueKey: kms.IKey;
  public readonly rule: events.Rule;
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logGroup: logs.LogGroup;
  /** The prefix the rule and the read permission cover. */
  public readonly sourcePrefix: string;

  constructor(scope: Construct, id: string, props: EmbeddingsPipelineProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    const maxBatchingWindow = props.maxBatchingWindow ?? Duration.seconds(5);
    const limits = {
      timeout,
      memorySize: props.memorySize ?? 1024,
      reservedConcurrency: props.reservedConcurrency ?? 2,
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow,
      maxReceiveCount: props.maxReceiveCount ?? 5,
      deadLetterRetention: props.deadLetterRetention ?? Duration.days(14),
      sourcePrefix: props.sourcePrefix,
    };
    const source = `EmbeddingsPipeline (${this.node.path})`;
    const resolved = settingsProblems(source, props.settings);
    const rowProblems = resolved.settings?.rows && props.dataset ? rowSourceProblems(resolved.settings.rows, props.dataset) : [];
    const problems = [
      ...resolved.problems,
      ...rowProblems.map((problem) => ({ source, field: `settings.${problem.field}`, value: renderValue(problem.value), allowed: problem.allowed })),
      ...limitProblems(source, limits),
    ];
    if (problems.length > 0 || !resolved.settings) throw new ValidationReport(problems);
    this.settings = resolved.settings;
    this.collection = resolved.settings.collection;
    this.sourcePrefix = props.sourcePrefix;
    const sourceKey = props.sourceKey ?? props.sourceBucket.encryptionKey;

    if (props.queueKey) {
      this.queueKey = props.queueKey;
    } else {
      const key = new kms.Key(this, 'QueueKey', {
        description: `Embeddings queue and dead-letter queue (${this.collection})`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      allowEventBridgeToQueues(key);
      this.queueKey = denyGrantsExceptForAwsResources(key);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: limits.deadLetterRetention,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      // One data key per 5 minutes instead of a KMS call per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(timeout, maxBatchingWindow)),
      // Longer than the DLQ's would drop messages on redrive (SQS keeps the original enqueue time).
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: limits.maxReceiveCount },
    });

    this.rule = new events.Rule(this, 'ObjectEvents', {
      description: `Objects created or deleted under ${props.sourcePrefix} → embeddings (${this.collection})`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created', 'Object Deleted'],
        detail: { bucket: { name: [props.sourceBucket.bucketName] }, object: { key: events.Match.prefix(props.sourcePrefix) } },
      },
      // Events EventBridge cannot deliver (queue key or policy trouble) land in the DLQ, where the alarm sees them.
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Embeddings consumer (${this.collection}): HTTPS to AWS endpoints and PostgreSQL to the vector store only`,
      allowAllOutbound: false,
    });
    // Isolated subnets reach only the interface endpoints and S3 (gateway endpoint); S3's addresses are a
    // regional prefix list that cannot be named offline, hence any IPv4 on 443.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');
    // Literal port on both sides (the instance's `connections` carry a token port cdk-nag cannot evaluate).
    // The ingress rule is created in this stack (`remoteRule`), so the vector stack never reads this one.
    const store = props.vectorStore;
    this.securityGroup.addEgressRule(store.securityGroup, ec2.Port.tcp(store.port), 'PostgreSQL to the vector store');
    store.securityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(store.port), `PostgreSQL from the embeddings consumer (${this.collection})`, true);

    this.role = vpcLambdaRole(this, 'Role', `Embeddings consumer (${this.collection}): reads documents, invokes embedding models, writes the vector store`);
    this.grantConsumer(props, sourceKey);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: `Embeddings consumer (${this.collection}): documents under ${props.sourcePrefix} → chunks, Bedrock embeddings, pgvector`,
      runtime: HANDLER_RUNTIME,
      handler: 'index.handler',
      code: bundledHandlerCode(__dirname, 'handler'),
      role: this.role,
      timeout,
      memorySize: limits.memorySize,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      logGroup: this.logGroup,
      // Only direct asynchronous invocations use it (the queue has its own redrive); one DLQ to watch.
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions: limits.reservedConcurrency,
      environment: {
        EMBEDDINGS_SETTINGS: JSON.stringify(this.settings),
        ...store.environment('readWrite'),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: limits.batchSize,
        maxBatchingWindow: maxBatchingWindow.toSeconds() > 0 ? maxBatchingWindow : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: limits.reservedConcurrency,
      }),
    );
  }

  /** Age of the oldest message waiting, seconds (Maximum). */
  public metricOldestMessageAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', ...props });
  }

  /** Messages waiting in the dead-letter queue (Maximum). */
  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }

  /** Records reported failed (Bedrock or database errors; retried by SQS), Sum. */
  public metricRecordsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.consumerMetric('RecordsFailed', props);
  }

  /** Records the function finished with (every outcome, failures included), Sum. */
  public metricRecordsProcessed(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    const names = ['DocumentsIndexed', 'DocumentsSkipped', 'DocumentsDeleted', 'EventsStale', 'RecordsMalformed', 'RecordsFailed'];
    const usingMetrics = Object.fromEntries(names.map((name, index) => [`m${index}`, this.consumerMetric(name, props)]));
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics).join(' + '),
      usingMetrics,
      label: `${this.collection}: records processed`,
      period: props?.period ?? Duration.minutes(5),
    });
  }

  /** Percentage of records reported failed; 0 when nothing was processed. */
  public metricFailureRate(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(total > 0, 100 * failed / total, 0)',
      usingMetrics: { failed: this.metricRecordsFailed(props), total: this.metricRecordsProcessed(props) },
      label: `${this.collection}: failed records (%)`,
      period: props?.period ?? Duration.minutes(5),
    });
  }

  /** InvokeModel calls Bedrock throttled (each retried with backoff), Sum. */
  public metricBedrockThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.consumerMetric('EmbeddingThrottles', props);
  }

  /** Estimated input tokens sent to the model, Sum. */
  public metricEmbeddingTokens(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.consumerMetric('EmbeddingTokens', props);
  }

  /** Estimated model cost in USD (list price of the model), Sum. */
  public metricEstimatedCost(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.consumerMetric('EstimatedCostUSD', props);
  }

  /** Chunks embedded by the model, and chunks whose stored embedding was reused (ledger hits), Sum. */
  public metricChunks(kind: 'embedded' | 'reused', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.consumerMetric(kind === 'embedded' ? 'ChunksEmbedded' : 'ChunksReused', props);
  }

  /** Invocations Lambda throttled (reserved concurrency reached), Sum. */
  public metricFunctionThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles({ statistic: 'Sum', ...props });
  }

  /** Invocations that failed as a whole (timeouts, crashes), Sum. */
  public metricFunctionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ statistic: 'Sum', ...props });
  }

  private consumerMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: EMBEDDINGS_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Collection: this.collection },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private grantConsumer(props: EmbeddingsPipelineProps, sourceKey: kms.IKey | undefined): void {
    const stack = Stack.of(this);
    // Reads only: objects, their versions and tags, under the prefix (the handler's GetObject and GetObjectTagging).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDocuments',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
        resources: [props.sourceBucket.arnForObjects(`${props.sourcePrefix}*`)],
      }),
    );
    acknowledgeObjectArnWildcards(
      this.role,
      'Objects cannot be enumerated: one statement of S3 read actions on the documents prefix of one bucket (compliance decisions in docs/decisions.md, IAM5 on object ARNs).',
    );
    if (sourceKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptDocumentsThroughS3',
          actions: ['kms:Decrypt'],
          resources: [sourceKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    // Every model the pipeline can call, by exact ARN: during a model change the function still embeds
    // for the active generation with the old model until the new generation is switched in.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeEmbeddingModels',
        actions: ['bedrock:InvokeModel'],
        resources: Object.keys(EMBEDDING_MODELS)
          .sort()
          .map((model) => `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${model}`),
      }),
    );
    // The function's own dead-letter queue is encrypted: sending to it needs a data key (CDK's
    // `deadLetterQueue` grants only sqs:SendMessage, and grantSendMessages would add kms wildcards).
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EncryptDeadLetters', actions: ['kms:GenerateDataKey'], resources: [this.queueKey.keyArn] }));
    props.vectorStore.grantConnect(this.role, 'readWrite');
  }
}
