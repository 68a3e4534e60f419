import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { firehoseBuffering, jqExtractionQuery } from '../../constructs/datasets';
import { StreamingIngestion, type StreamingIngestionProps } from '../../constructs/ingestion';
import { DataLakeStorage } from '../../constructs/storage';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';
import { constructStack } from '../support/construct-stack';

function build(overrides: Partial<StreamingIngestionProps> = {}) {
  const stack = constructStack();
  const lake = new DataLakeStorage(stack, 'Lake');
  const ingestion = new StreamingIngestion(stack, 'Events', {
    dataset: events,
    bucket: lake.bucket('raw'),
    table: { databaseName: 'lakehouse_test_raw', tableName: 'events' },
    ...overrides,
  });
  return {
    stack,
    lake,
    ingestion,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

describe('StreamingIngestion default settings', () => {
  const { stack, lake, ingestion, template } = build();
  const [delivery] = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'));
  const s3Config = delivery.Properties.ExtendedS3DestinationConfiguration;
  const lakeKeyArn = { 'Fn::GetAtt': [stack.getLogicalId(lake.encryptionKey.node.defaultChild as any), 'Arn'] };

  it('creates an on-demand Kinesis stream encrypted with a customer-managed key, keeping records 24 h, retained', () => {
    template.hasResource('AWS::Kinesis::Stream', {
      DeletionPolicy: 'Retain',
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [stack.getLogicalId(ingestion.streamKey.node.defaultChild as any), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'Kinesis stream of events', EnableKeyRotation: true });
  });

  it('delivers from the stream with the delivery role', () => {
    expect(delivery.Properties.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(delivery.Properties.KinesisStreamSourceConfiguration.KinesisStreamARN).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(ingestion.stream.node.defaultChild as any), 'Arn'],
    });
  });

  it('partitions dynamically with the contract JQ query, prefix and error prefix', () => {
    expect(s3Config.DynamicPartitioningConfiguration).toEqual({ Enabled: true, RetryOptions: { DurationInSeconds: 300 } });
    expect(s3Config.ProcessingConfiguration.Processors).toEqual([
      {
        Type: 'MetadataExtraction',
        Parameters: [
          { ParameterName: 'MetadataExtractionQuery', ParameterValue: jqExtractionQuery(events) },
          { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
        ],
      },
    ]);
    expect(s3Config.Prefix).toBe('events/dt=!{partitionKeyFromQuery:dt}/hour=!{partitionKeyFromQuery:hour}/');
    expect(s3Config.ErrorOutputPrefix).toBe('errors/events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
  });

  it('converts JSON to Parquet with the Glue table as the schema, parsing ISO-8601 UTC timestamps', () => {
    const conversion = s3Config.DataFormatConversionConfiguration;
    expect(conversion.Enabled).toBe(true);
    expect(conversion.SchemaConfiguration).toMatchObject({ DatabaseName: 'lakehouse_test_raw', TableName: 'events', VersionId: 'LATEST' });
    expect(conversion.InputFormatConfiguration.Deserializer.HiveJsonSerDe.TimestampFormats).toContain("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
    expect(conversion.OutputFormatConfiguration.Serializer.ParquetSerDe.Compression).toBe('SNAPPY');
    expect(s3Config.CompressionFormat).toBe('UNCOMPRESSED');
  });

  it('buffers as the freshness SLO allows, within Firehose limits (≥ 64 MiB, ≥ 60 s)', () => {
    const expected = firehoseBuffering(events);
    expect(s3Config.BufferingHints).toEqual({ IntervalInSeconds: expected.intervalSeconds, SizeInMBs: expected.sizeMiB });
    expect(s3Config.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(s3Config.BufferingHints.IntervalInSeconds).toBeGreaterThanOrEqual(60);
  });

  it('writes objects with SSE-KMS under the bucket key and logs errors to an encrypted log group', () => {
    expect(s3Config.EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: lakeKeyArn } });
    expect(s3Config.CloudWatchLoggingOptions).toMatchObject({ Enabled: true, LogStreamName: 'DestinationDelivery' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Logs::LogStream', { LogStreamName: 'DestinationDelivery' });
  });

  it('gives the delivery role explicit actions on this stream, these prefixes, this table and these keys only', () => {
    // Inline in the role: no policy resource of its own.
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Firehose delivery') } }));
    const [policy] = role.Properties.Policies;
    expect(policy.PolicyName).toBe('DeliveryPolicy');
    const statements: any[] = policy.PolicyDocument.Statement;
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.some((action: string) => action.includes('*'))).toBe(false);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(JSON.stringify(bySid.WriteThesePrefixes.Resource)).toContain('/events/*');
    expect(JSON.stringify(bySid.WriteThesePrefixes.Resource)).toContain('/errors/events/*');
    expect(JSON.stringify(bySid.ReadThisTable.Resource)).toContain('table/lakehouse_test_raw/events');
    expect(bySid.EncryptObjects.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'firehose.amazonaws.com' } })] },
    });
  });

  it('exposes metrics for monitoring to compose, with Firehose and Kinesis names', () => {
    const resolve = (metric: { toMetricConfig(): any }) => stack.resolve(metric.toMetricConfig().metricStat);
    expect(resolve(ingestion.metricDataFreshness())).toMatchObject({ namespace: 'AWS/Firehose', metricName: 'DeliveryToS3.DataFreshness', statistic: 'Maximum' });
    expect(resolve(ingestion.metricDeliverySuccess())).toMatchObject({ metricName: 'DeliveryToS3.Success', statistic: 'Average' });
    expect(resolve(ingestion.metricFailedConversion())).toMatchObject({ metricName: 'FailedConversion.Records', statistic: 'Sum' });
    expect(resolve(ingestion.metricPartitionCountExceeded())).toMatchObject({ metricName: 'PartitionCountExceeded' });
    expect(resolve(ingestion.metricIncomingRecords())).toMatchObject({ namespace: 'AWS/Kinesis', metricName: 'IncomingRecords', statistic: 'Sum' });
    expect(resolve(ingestion.metricIteratorAge())).toMatchObject({ metricName: 'GetRecords.IteratorAgeMilliseconds', statistic: 'Maximum' });
    expect(resolve(ingestion.metricWriteThrottling())).toMatchObject({ metricName: 'PutRecords.ThrottledRecords' });
    expect(resolve(ingestion.metricDataFreshness()).dimensions).toEqual([
      { name: 'DeliveryStreamName', value: { Ref: stack.getLogicalId(ingestion.deliveryStream) } },
    ]);
  });
});

describe('StreamingIngestion options', () => {
  it('grantPutRecords lets a producer put records and use the stream key', () => {
    const { stack, ingestion } = build();
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    ingestion.grantPutRecords(producer);
    const json = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(json).toContain('kinesis:PutRecords');
    expect(json).toContain('kms:GenerateDataKey');
  });

  it('supports provisioned streams with a shard count and longer retention', () => {
    const { template } = build({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 4, retention: Duration.hours(168) });
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 4, RetentionPeriodHours: 168, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
  });

  it('partitions an enum dataset by its key before arrival day', () => {
    const { template } = build({ dataset: clientErrors, table: { databaseName: 'db', tableName: 'client_errors' } });
    const [delivery] = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'));
    expect(delivery.Properties.ExtendedS3DestinationConfiguration.Prefix).toBe(
      'client_errors/platform=!{partitionKeyFromQuery:platform}/dt=!{timestamp:yyyy-MM-dd}/',
    );
  });
});

describe('StreamingIngestion refuses', () => {
  it('retention outside 24-8760 hours', () => {
    expect(() => build({ retention: Duration.hours(12) })).toThrow('stream retention must be 24-8760 hours, got 12');
    expect(() => build({ retention: Duration.hours(9000) })).toThrow('got 9000');
  });
  it('a shard count on an on-demand stream', () => {
    expect(() => build({ shardCount: 2 })).toThrow('shardCount needs streamMode PROVISIONED');
  });
  it('datasets that are not streamed Parquet', () => {
    expect(() => build({ dataset: documents })).toThrow('dataset documents is not stream-ingested');
    expect(() => build({ dataset: { ...dailyActiveUsers, ingestion: 'stream' } })).toThrow('is iceberg; Firehose writes Parquet objects');
  });
  it('a dataset with nothing to partition by from the record', () => {
    const arrivalOnly = { ...clientErrors, partitioning: { time: clientErrors.partitioning.time } };
    expect(() => build({ dataset: arrivalOnly })).toThrow('has no partition key from the record');
  });
  it('a bucket without a KMS key', () => {
    const stack = constructStack();
    const bucket = new s3.Bucket(stack, 'Plain');
    expect(() => new StreamingIngestion(stack, 'X', { dataset: events, bucket, table: { databaseName: 'd', tableName: 't' } })).toThrow(
      'has no KMS key; objects must be written with SSE-KMS',
    );
  });
});
