import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { DATASETS } from '../../config/datasets';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

/**
 * The logical ID of the storage-stack bucket a synthesized value refers to (through a cross-stack
 * output named after it), so that two templates can be compared on which bucket they name.
 */
function bucketOf(value: unknown): string {
  return JSON.stringify(value).match(/(DataLake\w*?Bucket[0-9A-F]{8})/)?.[1] ?? 'none';
}

/** `{"Fn::Join":["",["s3://",X,"/events/dt=${dt}/"]]}` → `events/dt=${dt}/`. */
function templatePath(value: any): string {
  const parts: unknown[] = value['Fn::Join'][1];
  return String(parts[parts.length - 1]).replace(/^\//, '');
}

/** Firehose prefix → the Athena template it must equal: every `k=<expression>/` becomes `k=${k}/`. */
function asTemplate(prefix: string): string {
  return prefix.replace(/([a-z_]+)=!\{[^}]+\}\//g, (_, key: string) => `${key}=\${${key}}/`);
}

describe.each(ENVIRONMENT_NAMES)('%s ingestion', (environment) => {
  const { templates, config } = synthCached(environment);
  const ingestion = templates[`lakehouse-${environment}-ingestion`] as Template;
  const catalog = templates[`lakehouse-${environment}-catalog`] as Template;
  const streamed = DATASETS.filter((dataset) => dataset.ingestion === 'stream');
  const deliveries = resourcesOfType(ingestion, 'AWS::KinesisFirehose::DeliveryStream');

  it('has one CMK-encrypted stream and one delivery stream per streamed dataset, named <project>-<env>-<dataset>', () => {
    const streams = resourcesOfType(ingestion, 'AWS::Kinesis::Stream');
    expect(streams.map((s) => s.Properties!.Name).sort()).toEqual(streamed.map((d) => `lakehouse-${environment}-${d.name}`).sort());
    expect(deliveries.map((d) => d.Properties!.DeliveryStreamName).sort()).toEqual(streams.map((s) => s.Properties!.Name).sort());
    for (const stream of streams) {
      expect(stream.Properties!.StreamEncryption.EncryptionType).toBe('KMS');
      expect(JSON.stringify(stream.Properties!.StreamEncryption.KeyId)).toContain('StreamKey');
      expect(stream.Properties!.RetentionPeriodHours).toBe(config.ingestion.streamRetentionHours);
    }
  });

  it.each(streamed.map((dataset) => dataset.name))(
    "%s: the delivery stream's prefix and the Glue table's storage.location.template address the same partitions in the same bucket",
    (name) => {
      const delivery = deliveries.find((d) => d.Properties!.DeliveryStreamName.endsWith(`-${name}`))!;
      const destination = delivery.Properties!.ExtendedS3DestinationConfiguration;
      const table = resourcesOfType(catalog, 'AWS::Glue::Table').find((t) => t.Properties!.TableInput.Name === name)!;
      const location = table.Properties!.TableInput.Parameters['storage.location.template'];
      expect(asTemplate(destination.Prefix)).toBe(templatePath(location));
      expect(bucketOf(destination.BucketARN)).toMatch(/^DataLakeRawZoneBucket/);
      expect(bucketOf(destination.BucketARN)).toBe(bucketOf(location));
      // Every partition key of the table appears in the prefix, in the same order.
      const keys = table.Properties!.TableInput.PartitionKeys.map((k: { Name: string }) => k.Name);
      expect([...destination.Prefix.matchAll(/([a-z_]+)=!\{/g)].map((m) => m[1])).toEqual(keys);
      expect(destination.DataFormatConversionConfiguration.SchemaConfiguration.TableName).toBe(name);
      expect(destination.DataFormatConversionConfiguration.SchemaConfiguration.DatabaseName).toBe(table.Properties!.DatabaseName);
    },
  );

  it('enables dynamic partitioning with a MetadataExtraction processor, Parquet conversion, an error prefix and SSE-KMS on every delivery stream', () => {
    for (const delivery of deliveries) {
      const destination = delivery.Properties!.ExtendedS3DestinationConfiguration;
      expect(destination.DynamicPartitioningConfiguration.Enabled).toBe(true);
      expect(destination.ProcessingConfiguration.Processors[0].Type).toBe('MetadataExtraction');
      expect(destination.DataFormatConversionConfiguration.Enabled).toBe(true);
      expect(destination.ErrorOutputPrefix).toContain('!{firehose:error-output-type}');
      expect(JSON.stringify(destination.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN)).toContain('LakeKey');
    }
  });

  it('grants each delivery role SELECT and DESCRIBE on its table in Lake Formation before the delivery stream exists', () => {
    const grants = resourcesOfType(ingestion, 'AWS::LakeFormation::PrincipalPermissions');
    expect(grants).toHaveLength(streamed.length);
    for (const delivery of deliveries) {
      const grant = grants.find((g) => (delivery.DependsOn as string[]).includes(g.logicalId))!;
      expect(grant, delivery.logicalId).toBeDefined();
      expect(grant.Properties!.Permissions).toEqual(['SELECT', 'DESCRIBE']);
      expect(grant.Properties!.Resource.Table.Name).toBe(delivery.Properties!.DeliveryStreamName.replace(`lakehouse-${environment}-`, ''));
    }
  });
});
