/**
 * The erasure plan: for each dataset whose contract names data-subject keys, where its rows are and the
 * statements that find, delete, compact and verify them (target.ts); for every other dataset, why an
 * erasure leaves it alone (so the docs and runbooks can list it). Derived from the dataset contracts only,
 * like every other part of the platform, and validated: a dataset an erasure could not search is refused
 * at synth (ValidationReport), never discovered by a failed erasure.
 */
import { renderValue, ValidationReport, valueAt, parsePath, type ValidationProblem } from '../common/validation-report';
import { retentionInZone } from '../datasets/defaults';
import { parseGlueType, type GlueType } from '../datasets/glue-type';
import type { DatasetDefinition } from '../datasets/model';
import { dataPrefix, partitionKeys } from '../datasets/partitioning';
import { ERASURE_SUBJECTS_TABLE } from './names';
import type { ErasurePartitioning } from './partitions';
import { isSnakeCaseName } from './sql-text';
import { erasureTarget, icebergFieldName, type ErasureTarget, type ErasureTargetSpec } from './target';

export * from './target';
export type { PartitionValues, ErasurePartitioning } from './partitions';

/** The subjects table's name in the privacy database: the one the privacy construct creates. */
export const SUBJECTS_TABLE = ERASURE_SUBJECTS_TABLE;

export interface ErasurePlanContext {
  /** The Glue database of each zone (`<project>_<env>_<zone>`). */
  readonly databases: Readonly<Record<string, string>>;
  /** The bucket of each zone; a CDK token at synth is fine (it is only carried, never written into SQL). */
  readonly buckets: Readonly<Record<string, string>>;
  /** The Glue database holding the subjects table. */
  readonly privacyDatabase: string;
  /** @default SUBJECTS_TABLE */
  readonly subjectsTable?: string;
  /**
   * The file each dataset is declared in (by object identity), named in every problem with it.
   * @default - problems name the dataset
   */
  readonly sources?: ReadonlyMap<unknown, string>;
}

/** A dataset an erasure leaves alone, and why (the contract's `dataSubject.none`, or: nothing is pii). */
export interface ErasureExclusion {
  readonly dataset: string;
  readonly none: string;
}

/** Key column types an id can be compared with: strings as they are, integers as varchar. */
const KEY_TYPES: Readonly<Record<string, 'text' | 'integer'>> = { string: 'text', varchar: 'text', char: 'text', int: 'integer', bigint: 'integer' };

/** One target per dataset with `dataSubject.keys`, in the order given. Throws ValidationReport with every problem. */
export function erasurePlan(datasets: readonly DatasetDefinition[], context: ErasurePlanContext): ErasureTarget[] {
  const problems: ValidationProblem[] = [...contextProblems(context)];
  const specs: ErasureTargetSpec[] = [];
  const seen = new Set<string>();
  for (const dataset of datasets) {
    const source = context.sources?.get(dataset) ?? `dataset "${dataset.name}"`;
    const report = (field: string, allowed: string) => problems.push({ source, field, value: renderValue(valueAt(dataset, parsePath(field))), allowed });
    if (seen.has(dataset.name)) report('name', 'each dataset is planned once: two datasets have this name');
    seen.add(dataset.name);
    const decision = dataset.dataSubject;
    const pii = (dataset.columns ?? []).filter((column) => column.classification === 'pii').map((column) => column.name);
    if (decision === undefined && pii.length > 0) {
      report('dataSubject', `the dataset has pii columns (${pii.join(', ')}): name the key columns, dataSubject: { keys: ['${pii[0]}'] }, or say why none identifies a person, dataSubject: { none: '<why>' }`);
    }
    if (decision === undefined || !('keys' in decision)) continue;
    const spec = targetSpec(dataset, decision.keys, context, report);
    if (spec) specs.push(spec);
  }
  if (problems.length > 0) throw new ValidationReport(problems);
  return specs.map(erasureTarget);
}

/** Every dataset an erasure does not search, with the reason shown in the docs. */
export function erasureExclusions(datasets: readonly DatasetDefinition[]): ErasureExclusion[] {
  return datasets.flatMap((dataset): ErasureExclusion[] => {
    const decision = dataset.dataSubject;
    if (decision !== undefined && 'keys' in decision) return [];
    if (decision !== undefined) return [{ dataset: dataset.name, none: decision.none }];
    const pii = dataset.columns.filter((column) => column.classification === 'pii').map((column) => column.name);
    // Validation refuses this contract (and erasurePlan does too); the reason must not claim otherwise.
    if (pii.length > 0) return [{ dataset: dataset.name, none: `not searched: pii columns (${pii.join(', ')}) without a dataSubject decision` }];
    return [{ dataset: dataset.name, none: 'no column is classified pii and the contract names no data-subject key' }];
  });
}

function contextProblems(context: ErasurePlanContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const source = 'erasure plan context';
  const name = (field: string, value: unknown) => {
    if (!isSnakeCaseName(value)) problems.push({ source, field, value: renderValue(value), allowed: 'a Glue name: lowercase letters, digits and "_", starting with a letter or "_"' });
  };
  name('privacyDatabase', context.privacyDatabase);
  name('subjectsTable', context.subjectsTable ?? SUBJECTS_TABLE);
  for (const [zone, database] of Object.entries(context.databases ?? {})) name(`databases.${zone}`, database);
  return problems;
}

type Report = (field: string, allowed: string) => void;

function targetSpec(dataset: DatasetDefinition, keys: readonly string[], context: ErasurePlanContext, report: Report): ErasureTargetSpec | undefined {
  const database = context.databases?.[dataset.zone];
  const bucket = context.buckets?.[dataset.zone];
  if (database === undefined) report('zone', `the plan has no Glue database for this zone (known: ${Object.keys(context.databases ?? {}).join(', ') || 'none'})`);
  if (bucket === undefined || bucket === '') report('zone', `the plan has no bucket for this zone (known: ${Object.keys(context.buckets ?? {}).join(', ') || 'none'})`);
  if (!isSnakeCaseName(dataset.name)) report('name', 'a dataset name is snake_case (it is the Glue table name)');
  const keyColumns = subjectKeys(dataset, keys, report);
  const partitioning = dataset.format === 'iceberg' ? hiddenPartitioning(dataset, report) : dataset.format === 'parquet' ? projectedPartitioning(dataset, report) : undefined;
  if (dataset.format !== 'iceberg' && dataset.format !== 'parquet') report('format', 'an erasure handles iceberg and parquet datasets');
  if (database === undefined || bucket === undefined || keyColumns === undefined || partitioning === undefined) return undefined;
  const retention = retentionInZone(dataset);
  return {
    dataset: dataset.name,
    kind: dataset.format === 'iceberg' ? 'iceberg' : 'parquet',
    database,
    table: dataset.name,
    bucket,
    prefix: dataPrefix(dataset),
    keyColumns: keyColumns.map((key) => key.name),
    integerKeyColumns: keyColumns.filter((key) => key.type === 'integer').map((key) => key.name),
    partitioning,
    // Parquet only: Athena cannot see older partitions anyway. An Iceberg table is searched whole, because
    // compaction rewrites old rows into new files that the prefix's lifecycle rule has not expired yet.
    ...(partitioning.kind === 'projection' && retention !== undefined ? { retentionDays: retention } : {}),
    subjects: { database: context.privacyDatabase, table: context.subjectsTable ?? SUBJECTS_TABLE },
  };
}

function subjectKeys(dataset: DatasetDefinition, keys: readonly string[], report: Report): Array<{ name: string; type: 'text' | 'integer' }> | undefined {
  if (!Array.isArray(keys) || keys.length === 0) {
    report('dataSubject.keys', "name at least one column that holds the subject's id");
    return undefined;
  }
  const columns: Array<{ name: string; type: 'text' | 'integer' }> = [];
  keys.forEach((key, index) => {
    const field = `dataSubject.keys[${index}]`;
    const column = dataset.columns.find((candidate) => candidate.name === key);
    if (!column) return report(field, `a key is a column of the dataset (${dataset.columns.map((c) => c.name).join(', ')})`);
    if (keys.indexOf(key) !== index) return report(field, 'name each key column once');
    const type = glueType(column.type);
    const typeName = type === undefined ? undefined : type.kind === 'primitive' ? type.name : type.kind;
    const kind = typeName === undefined ? undefined : KEY_TYPES[typeName];
    if (kind === undefined || !isSnakeCaseName(key)) {
      return report(field, `"${key}" is ${column.type}; a key column is a scalar of type ${Object.keys(KEY_TYPES).join(', ')} (ids are compared with =)`);
    }
    columns.push({ name: key, type: kind });
  });
  return columns.length === keys.length ? columns : undefined;
}

function projectedPartitioning(dataset: DatasetDefinition, report: Report): ErasurePartitioning | undefined {
  const injected = (dataset.partitioning.keys ?? []).filter((key) => key.kind === 'injected');
  if (injected.length > 0) {
    report(
      'partitioning.keys',
      `an erasure cannot search a table with an injected partition key (${injected.map((key) => key.name).join(', ')}): Athena needs its value in every query; use an enum key, or say dataSubject: { none: '<why>' } if no person is in it`,
    );
    return undefined;
  }
  const keys = partitionKeys(dataset);
  const date = keys.find((key) => key.projection.type === 'date');
  if (!date) {
    report('partitioning.time.granularity', 'an erasure restricts its search by the date partition key (dt or month), and this layout has none');
    return undefined;
  }
  // The window is the projection's own look-back, so a search covers exactly the partitions Athena lists.
  const range = /^NOW-(\d+)(DAYS|MONTHS),/.exec(date.projection.range ?? '');
  if (!range) {
    report('partitioning', `the date key's projection range "${String(date.projection.range)}" does not start NOW-<n>DAYS or NOW-<n>MONTHS`);
    return undefined;
  }
  return {
    kind: 'projection',
    keys: keys.map((key) => key.name),
    dateKey: {
      name: date.name,
      format: date.projection.format === 'yyyy-MM' ? '%Y-%m' : '%Y-%m-%d',
      lookBack: { amount: Number(range[1]), unit: range[2] === 'MONTHS' ? 'MONTH' : 'DAY' },
    },
  };
}

function hiddenPartitioning(dataset: DatasetDefinition, report: Report): ErasurePartitioning | undefined {
  const { source, granularity } = dataset.partitioning.time;
  if ((dataset.partitioning.keys ?? []).length > 0) {
    report('partitioning.keys', 'an Iceberg table partitions by a transform of a column; enum and injected keys are partition projection, which Iceberg tables do not use');
    return undefined;
  }
  if (source.kind !== 'event-time') {
    report('partitioning.time.source', 'an Iceberg table partitions by a transform of an event-time column (date or timestamp), not by arrival time');
    return undefined;
  }
  const column = dataset.columns.find((candidate) => candidate.name === source.column);
  const type = column === undefined ? undefined : glueType(column.type);
  const typeName = type?.kind === 'primitive' ? type.name : undefined;
  const allowed = granularity === 'hour' ? ['timestamp'] : ['date', 'timestamp'];
  if (typeName === undefined || !allowed.includes(typeName) || !isSnakeCaseName(source.column)) {
    report('partitioning.time.source.column', `the ${granularity}(…) transform needs a ${allowed.join(' or ')} column of the dataset`);
    return undefined;
  }
  return { kind: 'iceberg', field: icebergFieldName(source.column, granularity), column: source.column, columnType: typeName as 'date' | 'timestamp', transform: granularity };
}

function glueType(text: string): GlueType | undefined {
  try {
    return parseGlueType(text);
  } catch {
    return undefined;
  }
}
