import { enumOtherValue, projectionDays, valueKeys } from './defaults';
import type { DatasetDefinition, TimeGranularity, ValuePartitionKey } from './model';

/**
 * How a dataset is laid out in S3 and how Athena finds it: partition keys in path order, each with its
 * Glue type, its projection and how ingestion writes it. The Firehose prefix and the Glue table's
 * `storage.location.template` are both rendered from this one list, so they cannot disagree.
 */
export interface PartitionKey {
  readonly name: string;
  /** Glue type of the partition column. */
  readonly glueType: 'string' | 'int';
  /** Projection properties of this key, without the `projection.<name>.` prefix. */
  readonly projection: Readonly<Record<string, string>>;
  /** What Firehose writes into the path for this key. */
  readonly firehoseValue: string;
  readonly description: string;
}

/** Time keys by granularity: names, formats and the Firehose timestamp pattern for ingestion time. */
const TIME_KEYS: Record<TimeGranularity, Array<{ name: string; kind: 'date' | 'hour'; format: string; unit: string; timestamp: string }>> = {
  month: [{ name: 'month', kind: 'date', format: 'yyyy-MM', unit: 'MONTHS', timestamp: 'yyyy-MM' }],
  day: [{ name: 'dt', kind: 'date', format: 'yyyy-MM-dd', unit: 'DAYS', timestamp: 'yyyy-MM-dd' }],
  hour: [
    { name: 'dt', kind: 'date', format: 'yyyy-MM-dd', unit: 'DAYS', timestamp: 'yyyy-MM-dd' },
    { name: 'hour', kind: 'hour', format: 'HH', unit: 'HOURS', timestamp: 'HH' },
  ],
};

/** Names of the time partition keys a granularity produces. */
export function timeKeyNames(granularity: TimeGranularity): string[] {
  return TIME_KEYS[granularity].map((key) => key.name);
}

/** The dataset's partition keys in path order: value keys first (low cardinality), then time. */
export function partitionKeys(dataset: DatasetDefinition): PartitionKey[] {
  return [...valueKeys(dataset).map(valueKey), ...timeKeys(dataset)];
}

function valueKey(key: ValuePartitionKey): PartitionKey {
  if (key.kind === 'enum') {
    return {
      name: key.name,
      glueType: 'string',
      projection: { type: 'enum', values: [...key.values, enumOtherValue(key)].join(',') },
      firehoseValue: `!{partitionKeyFromQuery:${key.name}}`,
      description: `Partition: ${key.sourceField} (${key.values.join(', ')}; anything else is "${enumOtherValue(key)}")`,
    };
  }
  return {
    name: key.name,
    glueType: 'string',
    projection: { type: 'injected' },
    firehoseValue: `!{partitionKeyFromQuery:${key.name}}`,
    description: `Partition: ${key.sourceField} (filter with = or IN)`,
  };
}

function timeKeys(dataset: DatasetDefinition): PartitionKey[] {
  const { granularity, source } = dataset.partitioning.time;
  const fromEvent = source.kind === 'event-time';
  const days = projectionDays(dataset);
  const origin = fromEvent ? `${source.column} (event time)` : 'arrival time (ingestion)';
  return TIME_KEYS[granularity].map((key): PartitionKey => {
    const firehoseValue = fromEvent ? `!{partitionKeyFromQuery:${key.name}}` : `!{timestamp:${key.timestamp}}`;
    if (key.kind === 'hour') {
      return {
        name: key.name,
        glueType: 'int',
        projection: { type: 'integer', range: '0,23', interval: '1', digits: '2' },
        firehoseValue,
        description: `Partition: hour of ${origin}, UTC, 0-23`,
      };
    }
    // A relative range: the projection reaches as far back as the data is kept, and one step ahead so
    // that records stamped slightly in the future (clock skew) stay visible.
    const range = key.unit === 'MONTHS' ? `NOW-${Math.ceil(days / 28)}MONTHS,NOW+1MONTHS` : `NOW-${days}DAYS,NOW+1DAYS`;
    return {
      name: key.name,
      glueType: 'string',
      projection: { type: 'date', format: key.format, range, interval: '1', 'interval.unit': key.unit },
      firehoseValue,
      description: `Partition: ${key.unit === 'MONTHS' ? 'month' : 'date'} of ${origin}, UTC, ${key.format}`,
    };
  });
}

/** The dataset's prefix in its zone bucket: everything it stores lives under it. */
export function dataPrefix(dataset: DatasetDefinition): string {
  return `${dataset.name}/`;
}

/** Where Firehose puts records it could not partition or convert; outside the table's location. */
export function errorPrefixRoot(dataset: DatasetDefinition): string {
  return `errors/${dataset.name}/`;
}

/** The key path of one partition, `region=eu/dt=2026-01-01/hour=05/`, from rendered key values. */
export function partitionPath(dataset: DatasetDefinition, render: (key: PartitionKey) => string): string {
  return partitionKeys(dataset)
    .map((key) => `${key.name}=${render(key)}/`)
    .join('');
}

/** `storage.location.template` of the Glue table; `bucketName` may be a CDK token. */
export function locationTemplate(dataset: DatasetDefinition, bucketName: string): string {
  return `s3://${bucketName}/${dataPrefix(dataset)}${partitionPath(dataset, (key) => `\${${key.name}}`)}`;
}

/** The table's root location. */
export function tableLocation(dataset: DatasetDefinition, bucketName: string): string {
  return `s3://${bucketName}/${dataPrefix(dataset)}`;
}

/** All table parameters for partition projection, including the location template. */
export function projectionParameters(dataset: DatasetDefinition, bucketName: string): Record<string, string> {
  const parameters: Record<string, string> = { 'projection.enabled': 'true' };
  for (const key of partitionKeys(dataset)) {
    for (const [property, value] of Object.entries(key.projection)) parameters[`projection.${key.name}.${property}`] = value;
  }
  parameters['storage.location.template'] = locationTemplate(dataset, bucketName);
  return parameters;
}
