import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ValidationReport } from '../../constructs/common/validation-report';
import { EMBEDDINGS_METRIC_NAMESPACE, EmbeddingsPipeline, type EmbeddingsPipelineProps } from '../../constructs/embeddings';
import { METRIC_NAMESPACE } from '../../constructs/embeddings/handler';
import { LakehouseNetwork } from '../../constructs/network';
import { VectorStore } from '../../constructs/vector-store';
import { constructStack } from '../support/construct-stack';
import { DATASETS } from '../../config/datasets';
import '../../lib/handler-bundling';

function build(overrides: Partial<EmbeddingsPipelineProps> | ((stack: Stack) => Partial<EmbeddingsPipelineProps>) = {}) {
  const stack = constructStack();
  const logsKey = new kms.Key(stack, 'LogsKey');
  const lakeKey = new kms.Key(stack, 'LakeKey');
  const bucket = new s3.Bucket(stack, 'Lake', { encryption: s3.BucketEncryption.KMS, encryptionKey: lakeKey });
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
  const store = new VectorStore(stack, 'Vectors', {
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    vpcCidr: network.cidr,
    secretsManagerEndpoint: network.interfaceEndpoints.secretsmanager!,
    logsKey,
    instanceIdentifier: 'lakehouse-test-vectors',
  });
  const pipeline = new EmbeddingsPipeline(stack, 'Embeddings', {
    settings: { collection: 'documents' },
    sourceBucket: bucket,
    sourcePrefix: 'documents/',
    vectorStore: store,
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    logsKey,
    ...(typeof overrides === 'function' ? overrides(stack) : overrides),
  });
  const id = (construct: { node: { defaultChild?: unknown } } | object) => stack.getLogicalId(((construct as { node: { defaultChild: unknown } }).node.defaultChild ?? construct) as never);
  return { stack, pipeline, bucket, lakeKey, store, template: Template.fromStack(stack), id };
}

const refuse = (overrides: Partial<EmbeddingsPipelineProps>): string => {
  try {
    build(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationReport);
    return (error as Error).message;
  }
  throw new Error('the props were accepted');
};

describe('EmbeddingsPipeline default settings', () => {
  const { stack, pipeline, bucket, lakeKey, store, template, id } = build();
  const queueKeyArn = { 'Fn::GetAtt': [id(pipeline.queueKey), 'Arn'] };
  const queues = template.findResources('AWS::SQS::Queue');
  const ownQueues = [id(pipeline.queue), id(pipeline.deadLetterQueue)];

  it('routes Object Created and Object Deleted of the bucket, under the prefix only, to the queue (DLQ for undeliverable events)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        detail: { bucket: { name: [{ Ref: id(bucket) }] }, object: { key: [{ prefix: 'documents/' }] } },
      },
      Targets: [{ Arn: { 'Fn::GetAtt': [id(pipeline.queue), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(pipeline.deadLetterQueue), 'Arn'] } } }],
    });
  });

  it('encrypts the queue and the DLQ with its customer-managed key, which EventBridge may use for this account\'s queues only', () => {
    for (const queue of ownQueues) expect(queues[queue].Properties.KmsMasterKeyId).toEqual(queueKeyArn);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:sqs:arn': Match.anyValue() } },
          }),
          Match.objectLike({ Effect: 'Deny', Action: 'kms:CreateGrant' }),
        ]),
      },
    });
  });

  it('refuses non-TLS access to both queues', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((policy) =>
      ownQueues.some((queue) => JSON.stringify(policy.Properties.Queues) === JSON.stringify([{ Ref: queue }])),
    );
    const denied = policies.filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).some(
        (statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(denied).toHaveLength(2);
  });

  it('redrives to the DLQ after 5 deliveries; visibility is 6 × the 300 s timeout + the 5 s window; the DLQ keeps 14 days', () => {
    const main = queues[id(pipeline.queue)].Properties;
    expect(main.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [id(pipeline.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 });
    expect(main.VisibilityTimeout).toBe(6 * 300 + 5);
    expect(main.MessageRetentionPeriod).toBe(4 * 24 * 3600);
    expect(queues[id(pipeline.deadLetterQueue)].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('consumes with partial-batch failure reporting, at most as many batches as the reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(pipeline.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('runs the consumer in the VPC with reserved concurrency, a DLQ, a KMS-encrypted log group and the settings as JSON', () => {
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x', MemorySize: 1024 } });
    const [props] = Object.values(fn).map((resource) => resource.Properties);
    expect(props.Timeout).toBe(300);
    expect(props.ReservedConcurrentExecutions).toBe(2);
    expect(props.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(pipeline.securityGroup), 'GroupId'] }]);
    expect(props.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
    expect(props.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [id(pipeline.deadLetterQueue), 'Arn'] } });
    expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: id(pipeline.logGroup) } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    expect(JSON.parse(props.Environment.Variables.EMBEDDINGS_SETTINGS)).toEqual(pipeline.settings);
    expect(props.Environment.Variables).toMatchObject({ PGPORT: '5433', PGDATABASE: 'vectors', PGSSLMODE: 'verify-full', PGUSER: 'vectors_readwrite' });
  });

  it('reaches the database on its literal port and AWS on 443 only', () => {
    const sg = template.findResources('AWS::EC2::SecurityGroup')[id(pipeline.securityGroup)].Properties;
    expect(sg.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs through endpoints', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [id(pipeline.securityGroup), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [id(store.securityGroup), 'GroupId'] },
      FromPort: 5433,
      ToPort: 5433,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id(store.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(pipeline.securityGroup), 'GroupId'] },
      FromPort: 5433,
      ToPort: 5433,
    });
  });

  it('gives its role exactly: read objects under the prefix, decrypt through S3, invoke the embedding models, connect as readwrite, and consume its queues', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((resource) =>
      (resource.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: id(pipeline.role) })),
    );
    const statements = stack.resolve(policy!.Properties.PolicyDocument.Statement) as Array<Record<string, any>>;
    const model = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, `::foundation-model/${name}`]] });
    expect(statements).toEqual([
      {
        Sid: 'ReadDocuments',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(bucket), 'Arn'] }, '/documents/*']] },
      },
      {
        Sid: 'DecryptDocumentsThroughS3',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [id(lakeKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
      {
        Sid: 'InvokeEmbeddingModels',
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: [model('amazon.titan-embed-text-v2:0'), model('cohere.embed-english-v3'), model('cohere.embed-multilingual-v3')],
      },
      { Sid: 'EncryptDeadLetters', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: queueKeyArn },
      {
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':dbuser:', { 'Fn::GetAtt': [id(store.instance), 'DbiResourceId'] }, '/vectors_readwrite'],
          ],
        },
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [id(pipeline.deadLetterQueue), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [id(pipeline.queue), 'Arn'] },
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: queueKeyArn },
    ]);
  });

  it('exposes metrics in the namespace the handler writes, by collection, and the SQS queue metrics', () => {
    expect(EMBEDDINGS_METRIC_NAMESPACE).toBe(METRIC_NAMESPACE);
    const failed = pipeline.metricRecordsFailed();
    expect([failed.namespace, failed.metricName, failed.dimensions, failed.statistic]).toEqual([METRIC_NAMESPACE, 'RecordsFailed', { Collection: 'documents' }, 'Sum']);
    expect(pipeline.metricBedrockThrottles().metricName).toBe('EmbeddingThrottles');
    expect(pipeline.metricEmbeddingTokens().metricName).toBe('EmbeddingTokens');
    expect(pipeline.metricEstimatedCost().metricName).toBe('EstimatedCostUSD');
    expect(pipeline.metricOldestMessageAge()).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum' });
    expect(pipeline.metricDeadLetterMessages()).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible' });
    const rate = pipeline.metricFailureRate();
    expect(rate.expression).toBe('IF(total > 0, 100 * failed / total, 0)');
    const total = rate.usingMetrics.total as cloudwatch.MathExpression;
    expect(Object.values(total.usingMetrics).map((metric) => (metric as cloudwatch.Metric).metricName)).toEqual([
      'DocumentsIndexed',
      'DocumentsSkipped',
      'DocumentsDeleted',
      'EventsStale',
      'RecordsMalformed',
      'RecordsFailed',
    ]);
  });

  it('raises no alarms itself (monitoring does)', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toEqual([]);
    expect(Stack.of(pipeline)).toBe(stack);
  });
});

describe('EmbeddingsPipeline overrides', () => {
  it('takes concurrency, batch, window, timeout and receive count, and derives the visibility timeout from them', () => {
    const { template, pipeline, id } = build({ reservedConcurrency: 4, batchSize: 50, maxBatchingWindow: Duration.seconds(20), timeout: Duration.minutes(2), maxReceiveCount: 3 });
    expect(template.findResources('AWS::SQS::Queue')[id(pipeline.queue)].Properties).toMatchObject({ VisibilityTimeout: 6 * 120 + 20, RedrivePolicy: { maxReceiveCount: 3 } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 50, MaximumBatchingWindowInSeconds: 20, ScalingConfig: { MaximumConcurrency: 4 } });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 4, Timeout: 120 });
  });

  it('uses a key it is given and creates none', () => {
    let given: kms.Key | undefined;
    const built = build((stack) => ({ queueKey: (given = new kms.Key(stack, 'Given')) }));
    expect(built.pipeline.queueKey).toBe(given);
    expect(built.pipeline.node.tryFindChild('QueueKey')).toBeUndefined();
    const queues = built.template.findResources('AWS::SQS::Queue');
    for (const queue of [built.pipeline.queue, built.pipeline.deadLetterQueue]) {
      expect(queues[built.id(queue)].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [built.id(given!), 'Arn'] });
    }
  });
});

describe('EmbeddingsPipeline refuses, before building anything', () => {
  it.each([
    [{ settings: { collection: 'Docs' } }, 'settings.collection: got "Docs"; expected lower-case letters'],
    [{ settings: { collection: 'docs', dimensions: 300 } }, 'settings.dimensions: got 300; is not offered by amazon.titan-embed-text-v2:0 (allowed: 1024, 512, 256)'],
    [{ settings: { collection: 'docs', colour: 'red' } as never }, 'settings.colour: got "red"; is not a setting'],
    [{ reservedConcurrency: 1 }, "reservedConcurrency: got 1; a whole number from 2 to 1000 (the SQS event source's maximum concurrency is at least 2"],
    [{ timeout: Duration.minutes(20) }, 'timeout: got 1200; a whole number from 1 to 900'],
    [{ batchSize: 50, maxBatchingWindow: Duration.seconds(0) }, 'batchSize: got 50; more than 10 records per batch needs a maxBatchingWindow above 0'],
    [{ maxReceiveCount: 0 }, 'maxReceiveCount: got 0; a whole number from 1 to 1000'],
    [{ memorySize: 64 }, 'memorySize: got 64; a whole number from 128 to 10240'],
    [{ sourcePrefix: '/documents' }, 'sourcePrefix: got "/documents"; a key prefix such as "documents/"'],
    [{ sourcePrefix: '' }, 'sourcePrefix: got ""; a key prefix such as "documents/"'],
  ] as Array<[Partial<EmbeddingsPipelineProps>, string]>)('%j', (overrides, line) => {
    const message = refuse(overrides);
    expect(message).toMatch(/^Invalid configuration in EmbeddingsPipeline \(ConstructUnderTest\/Embeddings\)/);
    expect(message).toContain(`- ${line}`);
  });

  it("checks a rows collection against the dataset it is given: a missing column and one of the wrong type", () => {
    const documents = DATASETS.find((dataset) => dataset.name === 'documents')!;
    const message = refuse({ settings: { collection: 'docs', source: 'rows', rows: { dataset: 'documents', textColumn: 'body', orderColumn: 'metadata', metadataColumn: null } }, dataset: documents });
    expect(message).toContain('- settings.rows.textColumn: got "body"; a column of dataset "documents" (document_id, content, metadata, updated_at) holding the document text');
    expect(message).toContain('- settings.rows.orderColumn: got "metadata"; a column holding what orders versions of a document (timestamp, date, tinyint, smallint, int, bigint); "metadata" is map<string,string>');
  });

  it('lists every problem at once', () => {
    const message = refuse({ settings: { collection: 'Docs' }, reservedConcurrency: 0, sourcePrefix: 'x' });
    expect(message.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.split(':')[0].trim())).toEqual([
      '- settings.collection',
      '- reservedConcurrency',
      '- sourcePrefix',
    ]);
  });
});
