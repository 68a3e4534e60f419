/**
 * Renders docs/data-dictionary.md from the dataset declarations (config/datasets/), through the same
 * derivations the stacks use, so the document cannot drift from the code
 * (test/datasets/data-dictionary.test.ts compares the two).
 * Usage: npm run docs:catalog   (writes the file)   |   tsx scripts/data-dictionary.ts (prints it)
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATASETS } from '../config/datasets';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../config/limits';
import { neighbours, platformJobs, type JobLineage } from '../lib/static-lineage';
import { loadEnvironmentConfig } from '../config/load';
import {
  classificationSummary,
  dataPrefix,
  enumOtherValue,
  errorPrefixRoot,
  firehoseBuffering,
  firehoseDataPrefix,
  firehoseErrorPrefix,
  glueColumns,
  icebergUpkeep,
  gluePartitionKeys,
  LF_TAG_CLASSIFICATION,
  LF_TAG_DOMAIN,
  locationTemplate,
  maxFutureSkewHours,
  maxLatenessDays,
  parquetTableParameters,
  partitionKeys,
  retentionInZone,
  tableLocation,
  valueKeys,
  type DatasetDefinition,
  type PartitionKey,
  type QualityRules,
  type TimeGranularity,
} from '../constructs/datasets';

/** The environment whose database names the examples use; the others are listed in a note. */
export const EXAMPLE_ENVIRONMENT: EnvironmentName = 'prod';

/** The instant example queries select; any date inside the projection range would do. */
const EXAMPLE_INSTANT = new Date(Date.UTC(2026, 0, 15, 9));

/** `<project>_<env>_<zone>`: the Glue database a zone's tables live in. */
export function glueDatabaseName(environment: EnvironmentName, zone: string): string {
  return `${loadEnvironmentConfig(environment).project}_${environment}_${zone}`;
}

/** The Iceberg partition transform of a dataset (its time granularity) and the column it applies to. */
export function icebergPartitionTransform(dataset: DatasetDefinition): { transform: TimeGranularity; column: string } {
  const source = dataset.partitioning.time.source;
  if (source.kind !== 'event-time') throw new Error(`dataset ${dataset.name}: an Iceberg table partitions by an event-time column`);
  return { transform: dataset.partitioning.time.granularity, column: source.column };
}

/** The columns the example query filters on to prune: partition keys (parquet) or the partition source column (iceberg). */
export function pruningColumns(dataset: DatasetDefinition): string[] {
  return dataset.format === 'iceberg' ? [icebergPartitionTransform(dataset).column] : partitionKeys(dataset).map((key) => key.name);
}

const ROW_LIMIT = 100;

/** Markdown-safe table cell text. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${cell(text)}\``;
const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`;

function formatMinutes(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

function formatShare(share: number): string {
  return `${Number((share * 100).toFixed(4))} %`;
}

/** Renders a UTC instant with a Java date pattern (the projection `format`s: yyyy, MM, dd, HH). */
function formatDate(instant: Date, pattern: string): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return pattern
    .replace('yyyy', String(instant.getUTCFullYear()))
    .replace('MM', pad(instant.getUTCMonth() + 1))
    .replace('dd', pad(instant.getUTCDate()))
    .replace('HH', pad(instant.getUTCHours()));
}

function retentionText(dataset: DatasetDefinition): string {
  const entries = Object.entries(dataset.retentionDays ?? {});
  const inZone = retentionInZone(dataset) === undefined ? [`${dataset.zone}: kept until deleted by hand`] : [];
  return [...entries.map(([zone, days]) => `${zone}: ${days} days`), ...inZone].join('; ');
}

function summaryRetention(dataset: DatasetDefinition): string {
  const days = retentionInZone(dataset);
  return days === undefined ? 'kept' : `${days} days`;
}

function ingestionText(dataset: DatasetDefinition): string {
  if (dataset.ingestion !== 'stream') return dataset.ingestion;
  const buffering = firehoseBuffering(dataset);
  return `stream (Firehose, buffered up to ${buffering.intervalSeconds} s or ${buffering.sizeMiB} MiB)`;
}

function storageText(dataset: DatasetDefinition, bucket: string): string {
  if (dataset.format === 'iceberg') return 'Apache Iceberg table (hidden partitioning)';
  const compression = parquetTableParameters(dataset, bucket)['parquet.compression'];
  return `Parquet (${compression.toLowerCase()} compression), partition projection (no crawler, no partition list in Glue)`;
}

const bucketPlaceholder = (dataset: DatasetDefinition) => `<${dataset.zone} zone bucket>`;

function renderSummary(datasets: readonly DatasetDefinition[]): string[] {
  const lines = [
    `## Datasets (${datasets.length})`,
    '',
    '| dataset | zone | format | owner | domain | ingestion | freshness SLO | retention in zone |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const dataset of datasets) {
    lines.push(
      `| [\`${dataset.name}\`](#${dataset.name}) | ${cell(dataset.zone)} | ${dataset.format} | ${cell(dataset.owner)} | ${cell(dataset.domain)} | ` +
        `${dataset.ingestion} | ${formatMinutes(dataset.freshnessSloMinutes)} | ${summaryRetention(dataset)} |`,
    );
  }
  return lines;
}

function renderOverview(dataset: DatasetDefinition, environment: EnvironmentName): string[] {
  const bucket = bucketPlaceholder(dataset);
  return [
    '| | |',
    '|---|---|',
    `| Table | ${code(`${glueDatabaseName(environment, dataset.zone)}.${dataset.name}`)} |`,
    `| Owner | ${cell(dataset.owner)} |`,
    `| Domain | ${cell(dataset.domain)} (Lake Formation tag ${code(LF_TAG_DOMAIN)}) |`,
    `| Zone | ${cell(dataset.zone)} |`,
    `| Storage format | ${cell(storageText(dataset, bucket))} |`,
    `| Ingestion | ${cell(ingestionText(dataset))} |`,
    `| Freshness SLO | newest data at most ${formatMinutes(dataset.freshnessSloMinutes)} old |`,
    `| Retention | ${cell(retentionText(dataset))} |`,
    ...(dataset.format === 'iceberg' ? [`| Iceberg upkeep | ${cell(upkeepText(dataset))} |`] : []),
    `| Column classifications | ${code(classificationSummary(dataset))} |`,
    `| Data subject | ${cell(dataSubjectText(dataset))} |`,
  ];
}

/** Which columns an erasure request matches a person by, or why none does. */
function dataSubjectText(dataset: DatasetDefinition): string {
  const decision = dataset.dataSubject;
  if (decision === undefined) return 'none declared (no pii columns)';
  if ('none' in decision) return `none: ${decision.none}`;
  return `erasure requests match ${decision.keys.map((key) => `\`${key}\``).join(', ')}`;
}

/** The Glue table optimizers' settings (constructs/catalog/iceberg/table-upkeep.ts), defaults resolved. */
function upkeepText(dataset: DatasetDefinition): string {
  const upkeep = icebergUpkeep(dataset);
  const compaction = upkeep.compaction === 'off' ? 'no compaction' : `${upkeep.compaction} compaction`;
  return (
    `${compaction}; snapshots expire after ${upkeep.snapshotRetentionDays} days (at least ${upkeep.minSnapshotsToKeep} kept; time travel reaches that far); ` +
    `unreferenced files removed after ${upkeep.orphanFileRetentionDays} days (Glue table optimizers)`
  );
}

function projectionText(key: PartitionKey): string {
  return Object.entries(key.projection)
    .map(([property, value]) => `${property}=${value}`)
    .join(', ');
}

function renderPartitioning(dataset: DatasetDefinition): string[] {
  const time = dataset.partitioning.time;
  const lines = ['### Partitioning', ''];
  if (dataset.format === 'iceberg') {
    const { transform, column } = icebergPartitionTransform(dataset);
    lines.push(
      `Iceberg hidden partitioning by \`${transform}(${column})\`: there are no partition columns to filter on. ` +
        `Filter on \`${column}\` itself and Athena prunes the ${transform}s outside the filter.`,
    );
    return lines;
  }
  lines.push(
    'Partition keys, in object-path order. Only these prune: a filter on a stored column alone reads every partition.',
    '',
    '| key | type | meaning | projection |',
    '|---|---|---|---|',
  );
  const projections = new Map(partitionKeys(dataset).map((key) => [key.name, key]));
  for (const key of gluePartitionKeys(dataset)) {
    const projected = projections.get(key.name);
    lines.push(`| \`${key.name}\` | ${key.type} | ${cell(key.comment)} | ${projected ? code(projectionText(projected)) : ''} |`);
  }
  lines.push('');
  for (const key of valueKeys(dataset)) {
    if (key.kind === 'enum') {
      lines.push(
        `- \`${key.name}\` (enum) is read from the JSON field \`${key.sourceField}\`: ${key.values.map((value) => `\`${value}\``).join(', ')}; ` +
          `any other value, or a missing field, is written as the catch-all \`${enumOtherValue(key)}\`, which Athena also lists.`,
      );
    } else {
      lines.push(
        `- \`${key.name}\` (injected) is read from the JSON field \`${key.sourceField}\`; its values are unbounded, so every query must ` +
          `filter it with \`=\` or \`IN\` on literal values. Records without it go to the error prefix.`,
      );
    }
  }
  if (time.source.kind === 'event-time') {
    const errors = dataset.ingestion === 'stream' ? firehoseErrorPrefix(dataset) : errorPrefixRoot(dataset);
    lines.push(
      `- Time keys come from the event time \`${time.source.column}\` (ISO-8601 UTC, ending in \`Z\`). Accepted window: up to ` +
        `${maxLatenessDays(dataset)} days late and ${maxFutureSkewHours(dataset)} h ahead (clock skew). Records outside the window, or with a ` +
        `missing or malformed time, go to the error prefix \`${errors}\` (outside the table's location), never to a partition.`,
    );
  } else {
    lines.push(
      '- Time keys are the arrival time at ingestion (UTC), not the time the record describes: late records land in the partition of ' +
        'their arrival, so widen a time filter when looking for them.',
    );
  }
  return lines;
}

function renderLayout(dataset: DatasetDefinition): string[] {
  const bucket = bucketPlaceholder(dataset);
  const lines = ['### S3 layout', ''];
  if (dataset.format === 'iceberg') {
    lines.push(`- Table location (Iceberg data and metadata): \`${tableLocation(dataset, bucket)}\``);
    return lines;
  }
  if (dataset.ingestion === 'stream') {
    lines.push(
      `- Firehose data prefix: \`${firehoseDataPrefix(dataset)}\``,
      `- Firehose error prefix: \`${firehoseErrorPrefix(dataset)}\``,
    );
  } else {
    lines.push(`- Data prefix: \`${dataPrefix(dataset)}\``);
  }
  lines.push(`- Glue location template: \`${locationTemplate(dataset, bucket)}\``);
  return lines;
}

function renderColumns(dataset: DatasetDefinition): string[] {
  const lines = ['### Columns', '', '| column | type | classification | description |', '|---|---|---|---|'];
  const types = new Map(glueColumns(dataset).map((column) => [column.name, column.type]));
  for (const column of dataset.columns) {
    const classification = column.classification === 'pii' ? '**pii**' : column.classification;
    lines.push(`| \`${column.name}\` | ${code(types.get(column.name) ?? column.type)} | ${classification} | ${cell(column.description)} |`);
  }
  return lines;
}

function bounds(range: { readonly min?: number; readonly max?: number }): string {
  if (range.min !== undefined && range.max !== undefined) return `between ${range.min} and ${range.max}`;
  if (range.min !== undefined) return `at least ${range.min}`;
  if (range.max !== undefined) return `at most ${range.max}`;
  return 'unbounded';
}

function renderQuality(quality: QualityRules | undefined): string[] {
  if (!quality) return [];
  const rules: string[] = [];
  for (const [column, share] of Object.entries(quality.completeness ?? {})) {
    rules.push(share >= 1 ? `- \`${column}\` is never null` : `- \`${column}\` is non-null in at least ${formatShare(share)} of rows`);
  }
  if (quality.uniqueKey && quality.uniqueKey.length > 0) {
    rules.push(`- unique key: ${quality.uniqueKey.map((column) => `\`${column}\``).join(', ')}`);
  }
  for (const [column, values] of Object.entries(quality.acceptedValues ?? {})) {
    rules.push(`- \`${column}\` is one of ${values.map((value) => `\`${value}\``).join(', ')}`);
  }
  for (const [column, range] of Object.entries(quality.ranges ?? {})) rules.push(`- \`${column}\` is ${bounds(range)}`);
  for (const [column, pattern] of Object.entries(quality.formats ?? {})) rules.push(`- \`${column}\` matches \`${pattern}\``);
  if (quality.rowCount) rules.push(`- row count is ${bounds(quality.rowCount)}`);
  return rules.length === 0 ? [] : ['### Quality rules', '', ...rules];
}

/** The WHERE conditions that prune a projected Parquet table: every time key, and each value key. */
function parquetConditions(dataset: DatasetDefinition): string[] {
  const conditions: string[] = [];
  for (const key of valueKeys(dataset)) {
    conditions.push(
      key.kind === 'enum'
        ? `${key.name} = ${sqlString(key.values[0])}`
        : `${key.name} = ${sqlString(`<${key.sourceField}>`)} -- injected: = or IN with literals only`,
    );
  }
  const granularity = dataset.partitioning.time.granularity;
  for (const key of partitionKeys(dataset).slice(valueKeys(dataset).length)) {
    if (key.glueType === 'int') {
      conditions.push(`${key.name} = ${EXAMPLE_INSTANT.getUTCHours()}`);
      continue;
    }
    const format = key.projection.format;
    if (granularity === 'day') {
      const weekBefore = new Date(EXAMPLE_INSTANT.getTime() - 6 * 86_400_000);
      conditions.push(`${key.name} BETWEEN ${sqlString(formatDate(weekBefore, format))} AND ${sqlString(formatDate(EXAMPLE_INSTANT, format))}`);
    } else {
      conditions.push(`${key.name} = ${sqlString(formatDate(EXAMPLE_INSTANT, format))}`);
    }
  }
  return conditions;
}

/** A half-open range over the partition source column covering one partition of the Iceberg transform. */
function icebergConditions(dataset: DatasetDefinition): string[] {
  const { transform, column } = icebergPartitionTransform(dataset);
  const start = new Date(EXAMPLE_INSTANT);
  start.setUTCMinutes(0, 0, 0);
  if (transform !== 'hour') start.setUTCHours(0);
  if (transform === 'month') start.setUTCDate(1);
  const end = new Date(start);
  if (transform === 'hour') end.setUTCHours(end.getUTCHours() + 1);
  if (transform === 'day') end.setUTCDate(end.getUTCDate() + 1);
  if (transform === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  const type = glueColumns(dataset).find((candidate) => candidate.name === column)?.type;
  const literal = (instant: Date) => {
    if (type === 'date') return `DATE ${sqlString(formatDate(instant, 'yyyy-MM-dd'))}`;
    if (type === 'timestamp') return `TIMESTAMP ${sqlString(`${formatDate(instant, 'yyyy-MM-dd HH')}:00:00`)}`;
    return sqlString(instant.toISOString().replace('.000Z', 'Z'));
  };
  return [`${column} >= ${literal(start)}`, `${column} < ${literal(end)}`];
}

/** The example Athena query of a dataset: every column, filtered so that it reads one slice of partitions. */
export function exampleQuery(dataset: DatasetDefinition, environment: EnvironmentName = EXAMPLE_ENVIRONMENT): string {
  const conditions = dataset.format === 'iceberg' ? icebergConditions(dataset) : parquetConditions(dataset);
  return [
    `SELECT ${dataset.columns.map((column) => column.name).join(', ')}`,
    `FROM ${glueDatabaseName(environment, dataset.zone)}.${dataset.name}`,
    `WHERE ${conditions.join('\n  AND ')}`,
    `LIMIT ${ROW_LIMIT};`,
  ].join('\n');
}

function renderExample(dataset: DatasetDefinition, environment: EnvironmentName): string[] {
  const filtered = pruningColumns(dataset).map((name) => `\`${name}\``).join(', ');
  const lead =
    dataset.format === 'iceberg'
      ? `Filters on the partition source column ${filtered}, so Athena reads only the matching partitions.`
      : `Filters on the partition keys ${filtered}, so Athena reads only the matching prefixes.`;
  return ['### Example query', '', lead, '', '```sql', exampleQuery(dataset, environment), '```'];
}

const withBlankLine = (lines: string[]) => (lines.length === 0 ? [] : [...lines, '']);

/** Upstream and downstream tables from the jobs' SQL (lib/static-lineage.ts); docs/lineage.md draws them. */
export function renderLineage(dataset: DatasetDefinition, jobs: readonly JobLineage[]): string[] {
  const { upstream, downstream } = neighbours(jobs, dataset.name);
  const list = (entries: ReadonlyArray<{ dataset: string; job: string }>) => entries.map((entry) => `\`${entry.dataset}\` (${code(entry.job)})`).join(', ');
  const lines = [
    '### Lineage',
    '',
    `- Upstream: ${upstream.length > 0 ? list(upstream) : `none (${dataset.ingestion === 'none' ? 'not loaded by a platform job' : `ingestion: ${dataset.ingestion}`})`}`,
    `- Downstream: ${downstream.length > 0 ? list(downstream) : 'none'}`,
  ];
  const recorders = jobs.filter((job) => job.records === dataset.name);
  if (recorders.length > 0) lines.push(`- Run events appended by: ${recorders.map((job) => code(job.job)).join(', ')}`);
  return [...lines, '', 'Derived from the jobs\' SQL; see [lineage](lineage.md) for the graph and the runtime query.'];
}

function renderDataset(dataset: DatasetDefinition, environment: EnvironmentName, jobs: readonly JobLineage[]): string[] {
  return [
    `## \`${dataset.name}\``,
    '',
    dataset.description,
    '',
    ...renderOverview(dataset, environment),
    '',
    ...renderPartitioning(dataset),
    '',
    ...renderLayout(dataset),
    '',
    ...renderColumns(dataset),
    '',
    ...withBlankLine(renderQuality(dataset.quality)),
    ...renderLineage(dataset, jobs),
    '',
    ...renderExample(dataset, environment),
  ];
}

/** The whole data dictionary, as Markdown. */
export function renderDataDictionary(datasets: readonly DatasetDefinition[]): string {
  const environment = EXAMPLE_ENVIRONMENT;
  const others = ENVIRONMENT_NAMES.filter((name) => name !== environment)
    .map((name) => `\`${glueDatabaseName(name, '<zone>')}\``)
    .join(', ');
  const lines = [
    '# Data dictionary',
    '',
    'Generated from the dataset declarations in `config/datasets/` by `npm run docs:catalog`;',
    '`test/datasets/data-dictionary.test.ts` fails when this file and the declarations disagree. Do not edit by hand.',
    '',
    `Each table lives in the Glue database of its zone, \`<project>_<env>_<zone>\`. Names and queries below use ${environment} ` +
      `(\`${glueDatabaseName(environment, '<zone>')}\`); other environments use their own prefix (${others}).`,
    `Each column's classification is its Lake Formation \`${LF_TAG_CLASSIFICATION}\` tag; **pii** marks personal data.`,
    '',
    ...renderSummary(datasets),
  ];
  const jobs = platformJobs(datasets);
  for (const dataset of datasets) lines.push('', ...renderDataset(dataset, environment, jobs));
  return `${lines.join('\n')}\n`;
}

if (resolve(process.argv[1] ?? '') === __filename) {
  const doc = renderDataDictionary(DATASETS);
  if (process.argv.includes('--write')) {
    writeFileSync(join(__dirname, '..', 'docs', 'data-dictionary.md'), doc);
    console.log('Wrote docs/data-dictionary.md');
  } else {
    process.stdout.write(doc);
  }
}
