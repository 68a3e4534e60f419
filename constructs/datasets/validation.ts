import { formatPath, parsePath, renderValue, ValidationReport, valueAt, type ValidationProblem } from '../common/validation-report';
import { DATASET_DEFAULTS, maxFutureSkewHours, maxLatenessDays, projectionDays } from './defaults';
import { MIN_STREAM_FRESHNESS_MINUTES } from './firehose';
import { COMPACTION_SETTINGS } from './iceberg-upkeep';
import { GlueTypeError, parseGlueType, structFieldPaths, type GlueType } from './glue-type';
import { CLASSIFICATIONS, type DatasetDefinition } from './model';
import { timeKeyNames } from './partitioning';
import { isReservedWord } from './reserved-words';
import { datasetShapeIssues } from './schema';

/** One problem in one dataset: where, what, and how to fix it. */
export interface DatasetProblem {
  readonly dataset: string;
  readonly field: string;
  readonly problem: string;
  /** How to fix it; absent where `problem` already says what is allowed (shape problems). */
  readonly fix?: string;
}

/**
 * Thrown by validateDatasets with every problem found, before any construct is built from them: the
 * one validation report, each problem sourced to the dataset's file when the caller names it.
 */
export class DatasetValidationError extends ValidationReport {
  constructor(
    readonly datasetProblems: readonly DatasetProblem[],
    /** Where each problem's dataset is declared; the raw declaration its values are read from. */
    locate: (problem: DatasetProblem) => { readonly source: string; readonly declaration: unknown } = (problem) => ({
      source: `dataset "${problem.dataset}"`,
      declaration: undefined,
    }),
  ) {
    super(
      datasetProblems.map((problem): ValidationProblem => {
        const { source, declaration } = locate(problem);
        return {
          source,
          field: problem.field,
          value: renderValue(valueAt(declaration, parsePath(problem.field))),
          allowed: problem.fix === undefined ? problem.problem : `${problem.problem}. Fix: ${problem.fix}`,
        };
      }),
    );
    this.name = 'DatasetValidationError';
  }
}

export interface DatasetValidationContext {
  /** Zones that exist; a dataset in any other zone is refused. @default any zone */
  readonly zones?: readonly string[];
  /** Allowed `domain` values (they become LF-tag values). @default any value Lake Formation accepts */
  readonly domains?: readonly string[];
  /**
   * The file each declaration comes from (by object identity), named in every problem with it.
   * @default - problems name the dataset only
   */
  readonly sources?: ReadonlyMap<unknown, string>;
}

/** Longest dataset name: `<project>-<env>-<dataset>` must fit Kinesis/Firehose's 64 characters. */
export const MAX_DATASET_NAME_LENGTH = 32;
const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;
const PATH_SAFE_VALUE = /^[A-Za-z0-9_.-]+$/;
const JSON_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Glue's limit on a column comment (the column description plus its classification). */
export const MAX_COLUMN_COMMENT_LENGTH = 255;
/** Glue's limit on a table description. */
export const MAX_TABLE_DESCRIPTION_LENGTH = 2048;
/** Glue's limit on a table parameter value: the whole contract travels in one (`lakehouse.contract`). */
export const MAX_CONTRACT_JSON_LENGTH = 512_000;
/** Lake Formation LF-tag values: 1-256 characters of this set (CreateLFTag API reference). */
const LF_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:*/=+\-@%]{1,256}$/u;

/**
 * Validates every declaration's shape, then every dataset's semantics and their set (unique names);
 * throws DatasetValidationError listing all problems. Accepts untyped input: `cdk synth` does not
 * type-check, so a declaration may be anything.
 */
export function validateDatasets(datasets: readonly DatasetDefinition[], context: DatasetValidationContext = {}): void {
  const list: readonly unknown[] = Array.isArray(datasets) ? datasets : [datasets];
  const labelled = list.map((dataset, index) => ({ dataset, label: datasetLabel(dataset, index) }));
  const problems: Array<DatasetProblem & { readonly declaration: unknown }> = [];
  for (const { dataset, label } of labelled) {
    for (const problem of datasetProblems(dataset as DatasetDefinition, context)) problems.push({ ...problem, dataset: label, declaration: dataset });
  }
  const seen = new Set<string>();
  for (const { dataset, label } of labelled) {
    const name = (dataset as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') continue;
    if (seen.has(name)) problems.push({ dataset: label, field: 'name', problem: `"${name}" is declared twice`, fix: 'give each dataset its own name', declaration: dataset });
    seen.add(name);
  }
  if (problems.length > 0) {
    throw new DatasetValidationError(problems, (problem) => {
      const { declaration } = problem as (typeof problems)[number];
      const file = context.sources?.get(declaration);
      return { source: file ? `${file}, dataset "${problem.dataset}"` : `dataset "${problem.dataset}"`, declaration };
    });
  }
}

function datasetLabel(dataset: unknown, index: number): string {
  const name = (dataset as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name : `datasets[${index}]`;
}

/**
 * Every problem in one dataset (empty when valid): its shape first; the semantic checks run only on a
 * declaration of the right shape, so they never meet a missing object or a wrong type.
 */
export function datasetProblems(dataset: DatasetDefinition, context: DatasetValidationContext = {}): DatasetProblem[] {
  const label = datasetLabel(dataset, 0);
  const shape = datasetShapeIssues(dataset);
  if (shape.length > 0) return shape.map((issue) => ({ dataset: label, field: formatPath(issue.path), problem: issue.allowed }));

  const problems: DatasetProblem[] = [];
  const report = (field: string, problem: string, fix: string) => problems.push({ dataset: dataset.name, field, problem, fix });

  checkIdentifier(dataset.name, 'name', report, MAX_DATASET_NAME_LENGTH);
  for (const field of ['owner', 'description', 'domain'] as const) {
    if (typeof dataset[field] !== 'string' || dataset[field].trim() === '') report(field, 'is empty', `describe the dataset's ${field}`);
  }
  if (dataset.description.length > MAX_TABLE_DESCRIPTION_LENGTH) {
    report('description', `is ${dataset.description.length} characters long; Glue keeps table descriptions of at most ${MAX_TABLE_DESCRIPTION_LENGTH}`, 'shorten it');
  }
  if (context.domains && !context.domains.includes(dataset.domain)) {
    report('domain', `"${dataset.domain}" is not a configured domain`, `use one of ${context.domains.join(', ')}, or add it to the domain list`);
  } else if (!context.domains && dataset.domain.trim() !== '' && !LF_TAG_VALUE.test(dataset.domain)) {
    report('domain', `"${dataset.domain}" is not a Lake Formation tag value`, 'use 1-256 letters, digits, spaces or _ . : * / = + - @ %');
  }
  if (context.zones && !context.zones.includes(dataset.zone)) {
    report('zone', `"${dataset.zone}" is not a zone of this environment`, `use one of ${context.zones.join(', ')}`);
  }

  const columnTypes = checkColumns(dataset, report);
  checkPartitioning(dataset, columnTypes, report);
  checkFormatAndIngestion(dataset, report);
  checkRetention(dataset, context, report);
  checkQuality(dataset, columnTypes, report);
  checkDataSubject(dataset, columnTypes, report);
  checkIcebergUpkeep(dataset, report);
  const contractLength = JSON.stringify(dataset).length;
  if (contractLength > MAX_CONTRACT_JSON_LENGTH) {
    report('(root)', `the contract is ${contractLength} characters as JSON; the Glue table parameter carrying it holds at most ${MAX_CONTRACT_JSON_LENGTH}`, 'shorten descriptions or split the dataset');
  }
  return problems;
}

type Report = (field: string, problem: string, fix: string) => void;

function checkIdentifier(name: unknown, field: string, report: Report, maxLength = 64): void {
  if (typeof name !== 'string' || name === '') {
    report(field, 'is missing', 'give it a snake_case name');
    return;
  }
  if (name.includes('-')) {
    report(field, `"${name}" contains a hyphen, which Athena DDL would need backticks for`, `use underscores: "${name.replace(/-/g, '_')}"`);
  } else if (!SNAKE_CASE.test(name)) {
    report(field, `"${name}" is not snake_case`, `use lowercase letters, digits and underscores, starting with a letter: "${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}"`);
  }
  if (isReservedWord(name)) report(field, `"${name}" is an Athena reserved word`, `rename it, e.g. "${name}_value"`);
  if (name.length > maxLength) report(field, `"${name}" is ${name.length} characters long`, `shorten it to at most ${maxLength}`);
}

function checkColumns(dataset: DatasetDefinition, report: Report): Map<string, GlueType> {
  const types = new Map<string, GlueType>();
  if (!Array.isArray(dataset.columns) || dataset.columns.length === 0) {
    report('columns', 'is empty', 'declare at least one column');
    return types;
  }
  dataset.columns.forEach((column, index) => {
    const at = `columns[${index}]`;
    checkIdentifier(column.name, `${at}.name`, report);
    if (types.has(column.name)) report(`${at}.name`, `"${column.name}" is declared twice`, 'keep one declaration per column');
    try {
      const type = parseGlueType(column.type);
      types.set(column.name, type);
      for (const path of structFieldPaths(type)) {
        const leaf = path.split('.').pop() ?? path;
        if (!SNAKE_CASE.test(leaf)) report(`${at}.type`, `struct field "${path}" is not snake_case`, 'Glue lowercases field names; use lowercase snake_case');
      }
    } catch (error) {
      if (!(error instanceof GlueTypeError)) throw error;
      report(`${at}.type`, error.message, 'use a Glue/Athena type such as string, bigint, decimal(12,2), timestamp, array<string>, map<string,string> or struct<a:string>');
    }
    if (typeof column.description !== 'string' || column.description.trim() === '') {
      report(`${at}.description`, 'is empty', 'say what the column holds; it becomes the Glue column comment and the data dictionary entry');
    } else {
      // The Glue comment is the description plus the classification (glue-table.ts).
      const comment = `${column.description} [${String(column.classification)}]`;
      if (comment.length > MAX_COLUMN_COMMENT_LENGTH) {
        report(
          `${at}.description`,
          `is ${column.description.length} characters long; with " [${String(column.classification)}]" the Glue column comment would be ${comment.length}, above Glue's ${MAX_COLUMN_COMMENT_LENGTH}`,
          `shorten it to at most ${MAX_COLUMN_COMMENT_LENGTH - (comment.length - column.description.length)} characters`,
        );
      }
    }
    if (!CLASSIFICATIONS.includes(column.classification)) {
      report(`${at}.classification`, `"${String(column.classification)}" is not a classification`, `use one of ${CLASSIFICATIONS.join(', ')}`);
    }
  });
  return types;
}

/** Scalar types an erasure can match a subject id against with `=`. */
const SUBJECT_KEY_TYPES = ['string', 'int', 'bigint', 'varchar', 'char'];

/**
 * A dataset with `pii` columns must say whose data it holds, so an erasure request can find it: the
 * subject-key columns, or why there are none. Keys are top-level scalar columns, each named once.
 */
function checkDataSubject(dataset: DatasetDefinition, columnTypes: Map<string, GlueType>, report: Report): void {
  const decision = dataset.dataSubject;
  if (decision === undefined) {
    const pii = dataset.columns.filter((column) => column.classification === 'pii').map((column) => column.name);
    if (pii.length > 0) {
      report(
        'dataSubject',
        `is missing, and the dataset has pii columns (${pii.join(', ')}): an erasure request could not find its rows`,
        `name the columns that identify the person, dataSubject: { keys: ['${pii[0]}'] }, or say why none does, dataSubject: { none: '<why>' }`,
      );
    }
    return;
  }
  if ('none' in decision) {
    if (decision.none.trim() === '') report('dataSubject.none', 'is empty', 'say why no column identifies a person (it is shown in the data dictionary)');
    return;
  }
  if (decision.keys.length === 0) report('dataSubject.keys', 'is empty', "name at least one column, or use { none: '<why>' }");
  const seen = new Set<string>();
  decision.keys.forEach((key, index) => {
    const at = `dataSubject.keys[${index}]`;
    if (seen.has(key)) return report(at, `"${key}" is named twice`, 'name each column once');
    seen.add(key);
    const type = columnTypes.get(key);
    if (!dataset.columns.some((column) => column.name === key)) {
      return report(at, `"${key}" is not a column`, `use one of ${dataset.columns.map((column) => column.name).join(', ')}`);
    }
    const typeName = type?.kind === 'primitive' ? type.name : type?.kind;
    if (type && !SUBJECT_KEY_TYPES.includes(typeName as string)) {
      report(at, `"${key}" is of type ${dataset.columns.find((column) => column.name === key)?.type}; an erasure matches ids with =`, `use a column of type ${SUBJECT_KEY_TYPES.join(', ')}`);
    }
  });
}

function checkPartitioning(dataset: DatasetDefinition, columnTypes: Map<string, GlueType>, report: Report): void {
  const time = dataset.partitioning?.time;
  if (!time || !['hour', 'day', 'month'].includes(time.granularity)) {
    report('partitioning.time.granularity', `"${String(time?.granularity)}" is not a granularity`, 'use hour, day or month');
    return;
  }
  const timeNames = timeKeyNames(time.granularity);
  for (const name of timeNames) {
    if (columnTypes.has(name)) {
      report('partitioning.time', `time partition key "${name}" is also a column`, `rename the column (partition keys and columns share one namespace in Athena)`);
    }
  }
  if (time.source.kind === 'event-time') {
    const type = columnTypes.get(time.source.column);
    if (!type) {
      report('partitioning.time.source.column', `"${time.source.column}" is not a column`, 'name the timestamp column the event time comes from');
    } else if (!(type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'string' || type.name === 'date'))) {
      report('partitioning.time.source.column', `"${time.source.column}" is not a timestamp column`, 'use a timestamp (or ISO-8601 string) column');
    }
    const lateness = maxLatenessDays(dataset);
    if (!Number.isInteger(lateness) || lateness < 0 || lateness >= projectionDays(dataset)) {
      report(
        'partitioning.time.maxLatenessDays',
        `${lateness} must be a whole number below the ${projectionDays(dataset)}-day projection range (the dataset's retention in ${dataset.zone})`,
        'accept less lateness, or keep the data longer',
      );
    }
    const skew = maxFutureSkewHours(dataset);
    if (!Number.isInteger(skew) || skew < 0 || skew > 24) {
      report('partitioning.time.maxFutureSkewHours', `${skew} is outside 0-24 (the projection looks one day ahead)`, 'use 0-24 hours');
    }
  } else if (time.maxLatenessDays !== undefined || time.maxFutureSkewHours !== undefined) {
    report('partitioning.time', 'maxLatenessDays/maxFutureSkewHours only apply to event-time partitioning', 'remove them, or partition by an event-time column');
  }

  const keyNames = new Set<string>(timeNames);
  (dataset.partitioning.keys ?? []).forEach((key, index) => {
    const at = `partitioning.keys[${index}]`;
    checkIdentifier(key.name, `${at}.name`, report);
    if (columnTypes.has(key.name)) {
      report(`${at}.name`, `partition key "${key.name}" is also a column`, 'drop the column or rename the key: the value lives in the object path, not in the file');
    }
    if (keyNames.has(key.name)) report(`${at}.name`, `partition key "${key.name}" is declared twice`, 'give each key its own name');
    keyNames.add(key.name);
    if (!JSON_FIELD.test(key.sourceField ?? '')) {
      report(`${at}.sourceField`, `"${String(key.sourceField)}" is not a top-level JSON field name`, 'name the field of the incoming record the value comes from');
    }
    if (key.kind === 'enum') {
      if (!Array.isArray(key.values) || key.values.length === 0) {
        report(`${at}.values`, 'an enum key has no values', 'list the values the key may take (others map to the catch-all value)');
        return;
      }
      const other = key.otherValue ?? DATASET_DEFAULTS.enumOtherValue;
      for (const value of [...key.values, other]) {
        if (!PATH_SAFE_VALUE.test(value)) {
          report(`${at}.values`, `"${value}" is not safe in an S3 path or a projection list`, 'use letters, digits, "_", "." or "-"');
        }
      }
      if (new Set(key.values).size !== key.values.length) report(`${at}.values`, 'lists a value twice', 'list each value once');
      if (key.values.includes(other)) {
        report(`${at}.otherValue`, `catch-all "${other}" is also a listed value`, 'choose a catch-all that no real value uses');
      }
    } else if (key.kind !== 'injected') {
      report(`${at}.kind`, `"${String((key as { kind: unknown }).kind)}" is not a partition key kind`, 'use enum or injected');
    }
  });
}

function checkFormatAndIngestion(dataset: DatasetDefinition, report: Report): void {
  if (dataset.format !== 'parquet' && dataset.format !== 'iceberg') {
    report('format', `"${String(dataset.format)}" is not a storage format`, 'use parquet or iceberg');
  }
  if (!['stream', 'batch', 'none'].includes(dataset.ingestion)) {
    report('ingestion', `"${String(dataset.ingestion)}" is not an ingestion mode`, 'use stream, batch or none');
  }
  if (dataset.format === 'iceberg') {
    if ((dataset.partitioning?.keys ?? []).length > 0) {
      report('partitioning.keys', 'Iceberg tables cannot use partition projection (enum/injected keys)', 'drop the keys (Iceberg partitions with transforms), or store the dataset as parquet');
    }
    if (dataset.partitioning?.time.source.kind !== 'event-time') {
      report('partitioning.time.source', 'an Iceberg table partitions by a column transform, not by arrival time', 'partition by an event-time date or timestamp column');
    }
    if (dataset.ingestion === 'stream') {
      report('ingestion', 'Firehose writes Parquet objects under a prefix, not Iceberg commits', 'use batch (ELT) for Iceberg tables, or parquet for streamed data');
    }
  }
  if (typeof dataset.freshnessSloMinutes !== 'number' || !(dataset.freshnessSloMinutes > 0)) {
    report('freshnessSloMinutes', `${String(dataset.freshnessSloMinutes)} is not a positive number of minutes`, 'state how fresh the newest data must be');
  } else if (dataset.ingestion === 'stream' && dataset.freshnessSloMinutes < MIN_STREAM_FRESHNESS_MINUTES) {
    report(
      'freshnessSloMinutes',
      `${dataset.freshnessSloMinutes} min is tighter than Firehose can deliver with dynamic partitioning (buffer ≥ 60 s, up to 1.5× that end to end)`,
      `use at least ${MIN_STREAM_FRESHNESS_MINUTES} minutes`,
    );
  }
}

function checkRetention(dataset: DatasetDefinition, context: DatasetValidationContext, report: Report): void {
  for (const [zone, days] of Object.entries(dataset.retentionDays ?? {})) {
    if (context.zones && !context.zones.includes(zone)) {
      report(`retentionDays.${zone}`, `"${zone}" is not a zone of this environment`, `use one of ${context.zones.join(', ')}`);
    }
    if (!Number.isInteger(days) || days < 1) report(`retentionDays.${zone}`, `${days} is not a whole number of days ≥ 1`, 'keep data at least one day, or omit the zone to keep it');
  }
}

function checkQuality(dataset: DatasetDefinition, columnTypes: Map<string, GlueType>, report: Report): void {
  const quality = dataset.quality;
  if (!quality) return;
  const known = (column: string, field: string) => {
    if (!columnTypes.has(column)) report(field, `"${column}" is not a column`, `use one of ${[...columnTypes.keys()].join(', ')}`);
  };
  for (const [column, share] of Object.entries(quality.completeness ?? {})) {
    known(column, `quality.completeness.${column}`);
    if (!(share >= 0 && share <= 1)) report(`quality.completeness.${column}`, `${share} is not a share between 0 and 1`, 'use e.g. 0.99 for 99 %');
  }
  (quality.uniqueKey ?? []).forEach((column, index) => known(column, `quality.uniqueKey[${index}]`));
  for (const [column, values] of Object.entries(quality.acceptedValues ?? {})) {
    known(column, `quality.acceptedValues.${column}`);
    if (values.length === 0) report(`quality.acceptedValues.${column}`, 'lists no values', 'list the accepted values');
  }
  for (const [column, range] of Object.entries(quality.ranges ?? {})) {
    known(column, `quality.ranges.${column}`);
    if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
      report(`quality.ranges.${column}`, `min ${range.min} is above max ${range.max}`, 'swap or correct the bounds');
    }
  }
  for (const [column, pattern] of Object.entries(quality.formats ?? {})) {
    known(column, `quality.formats.${column}`);
    try {
      new RegExp(pattern);
    } catch {
      report(`quality.formats.${column}`, `"${pattern}" is not a valid regular expression`, 'fix the pattern');
    }
  }
  if (quality.freshnessColumn !== undefined) {
    const type = columnTypes.get(quality.freshnessColumn);
    if (!type) known(quality.freshnessColumn, 'quality.freshnessColumn');
    else if (!(type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'date'))) {
      report('quality.freshnessColumn', `"${quality.freshnessColumn}" is not a timestamp or date column`, 'name the column holding when each record happened');
    }
  }
  const rows = quality.rowCount;
  if (rows?.min !== undefined && rows.max !== undefined && rows.min > rows.max) {
    report('quality.rowCount', `min ${rows.min} is above max ${rows.max}`, 'swap or correct the bounds');
  }
}

function checkIcebergUpkeep(dataset: DatasetDefinition, report: Report): void {
  const upkeep = dataset.iceberg;
  if (!upkeep) return;
  if (dataset.format !== 'iceberg') {
    report('iceberg', `is set on a ${String(dataset.format)} dataset`, 'drop it: only Iceberg tables have snapshots to expire and files to compact (Parquet data expires with retentionDays)');
    return;
  }
  if (upkeep.compaction !== undefined && !COMPACTION_SETTINGS.includes(upkeep.compaction)) {
    report('iceberg.compaction', `"${String(upkeep.compaction)}" is not a compaction setting`, 'use binpack or off (sort and z-order need a table sort order, which Athena DDL cannot set)');
  }
  const wholeDays = (field: 'snapshotRetentionDays' | 'minSnapshotsToKeep' | 'orphanFileRetentionDays', unit: string) => {
    const value = upkeep[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) report(`iceberg.${field}`, `${value} is not a whole number of ${unit} ≥ 1`, `use a whole number of ${unit}, at least 1`);
  };
  wholeDays('snapshotRetentionDays', 'days');
  wholeDays('minSnapshotsToKeep', 'snapshots');
  wholeDays('orphanFileRetentionDays', 'days');
  const retention = dataset.retentionDays?.[dataset.zone];
  const snapshots = upkeep.snapshotRetentionDays;
  if (retention !== undefined && snapshots !== undefined && Number.isInteger(snapshots) && snapshots > retention) {
    report(
      'iceberg.snapshotRetentionDays',
      `${snapshots} days is longer than the dataset's ${retention}-day retention in ${dataset.zone}; expired rows would stay readable through old snapshots`,
      `use at most ${retention} days`,
    );
  }
}
