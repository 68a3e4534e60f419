/**
 * What `npm run dataset:new` writes: a dataset declaration that already passes the contract's validation
 * (so the first synth after scaffolding succeeds), with example columns and descriptions that say they
 * are examples, and the edit of config/datasets/index.ts that registers it. Pure functions: the command
 * (scripts/dataset-new.ts) does the reading and writing.
 */
import { datasetProblems, type DatasetDefinition, type IngestionMode, type StorageFormat } from '../constructs/datasets';

/** A request the scaffold refuses; its message is one line, printed without a stack trace. */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

export interface ScaffoldRequest {
  readonly name: string;
  readonly domain?: string;
  readonly zone?: string;
  readonly format?: StorageFormat;
  readonly ingestion?: IngestionMode;
}

/** What the configuration allows: the zones and domains every environment has, and the datasets already declared. */
export interface ScaffoldContext {
  readonly zones: readonly string[];
  readonly domains: readonly string[];
  readonly existingNames: readonly string[];
  /** Files already in config/datasets/ (names only), so a file is never overwritten. */
  readonly existingFiles: readonly string[];
}

export interface Scaffold {
  readonly dataset: DatasetDefinition;
  /** File name in config/datasets/: the dataset name with hyphens. */
  readonly fileName: string;
  /** The exported constant: the dataset name in camelCase. */
  readonly exportName: string;
  readonly source: string;
}

const FORMATS: readonly StorageFormat[] = ['parquet', 'iceberg'];
const INGESTIONS: readonly IngestionMode[] = ['stream', 'batch', 'none'];

export const datasetFileName = (name: string) => `${name.replace(/_/g, '-')}.ts`;
export const datasetExportName = (name: string) => name.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase());

/** Iceberg tables take batch writes (Firehose cannot commit to Iceberg); Parquet datasets are usually streamed. */
const defaultIngestion = (format: StorageFormat): IngestionMode => (format === 'iceberg' ? 'batch' : 'stream');

function defaultZone(format: StorageFormat, zones: readonly string[]): string {
  const preferred = format === 'iceberg' ? 'analytics' : 'raw';
  return zones.includes(preferred) ? preferred : zones[0];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ScaffoldError(`--${flag} "${value}" is not allowed; use one of ${allowed.join(', ')}`);
  return value as T;
}

/** The declaration for `request`, refused with one line when the name, domain, zone or combination is not allowed. */
export function planDataset(request: ScaffoldRequest, context: ScaffoldContext): Scaffold {
  const { name } = request;
  const format = oneOf(request.format, FORMATS, 'format') ?? 'parquet';
  const ingestion = oneOf(request.ingestion, INGESTIONS, 'ingestion') ?? defaultIngestion(format);
  if (context.existingNames.includes(name)) {
    throw new ScaffoldError(`dataset "${name}" already exists (config/datasets/); choose another name`);
  }
  const domain = request.domain ?? context.domains[0];
  if (!context.domains.includes(domain)) {
    throw new ScaffoldError(
      `domain "${domain}" is not configured; use one of ${context.domains.join(', ')}, or add it to catalog.domains in every file of config/environments/ first`,
    );
  }
  const zone = request.zone ?? defaultZone(format, context.zones);
  if (!context.zones.includes(zone)) {
    throw new ScaffoldError(`zone "${zone}" is not a zone of every environment; use one of ${context.zones.join(', ')} (storage.zones in config/environments/)`);
  }

  const dataset = exampleDataset(name, { domain, zone, format, ingestion });
  // The contract's own validation decides the name rules (snake_case, not reserved, ≤ 32 characters) and
  // the combinations (an Iceberg table is not streamed), so the scaffold cannot drift from it.
  const problems = datasetProblems(dataset, { zones: context.zones, domains: context.domains });
  if (problems.length > 0) {
    throw new ScaffoldError(problems.map((problem) => `${problem.field}: ${problem.problem}. Fix: ${problem.fix}`).join('; '));
  }
  const fileName = datasetFileName(name);
  if (context.existingFiles.includes(fileName)) {
    throw new ScaffoldError(`config/datasets/${fileName} already exists; choose another name`);
  }
  const exportName = datasetExportName(name);
  return { dataset, fileName, exportName, source: renderDatasetFile(dataset, exportName) };
}

interface Choices {
  readonly domain: string;
  readonly zone: string;
  readonly format: StorageFormat;
  readonly ingestion: IngestionMode;
}

/** Example freshness: a stream delivers within minutes; a batch dataset is typically loaded daily. */
const freshnessMinutes = (ingestion: IngestionMode) => (ingestion === 'stream' ? 60 : 26 * 60);

function exampleDataset(name: string, choices: Choices): DatasetDefinition {
  return {
    name,
    zone: choices.zone,
    owner: 'owning-team',
    domain: choices.domain,
    description: `Example description of ${name}: say what one record is and who uses the data.`,
    columns: [
      { name: 'record_id', type: 'string', description: 'Example column: a unique identifier of the record', classification: 'internal' },
      { name: 'occurred_at', type: 'timestamp', description: 'Example column: when the record happened, UTC', classification: 'internal' },
      { name: 'example_value', type: 'string', description: 'Example column: replace with the real attributes', classification: 'internal' },
    ],
    format: choices.format,
    partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'occurred_at' } } },
    // Lifecycle expiry under an Iceberg table would delete files its metadata still references.
    ...(choices.format === 'parquet' ? { retentionDays: { [choices.zone]: 365 } } : {}),
    freshnessSloMinutes: freshnessMinutes(choices.ingestion),
    ingestion: choices.ingestion,
    quality: { uniqueKey: ['record_id'], completeness: { record_id: 1 }, freshnessColumn: 'occurred_at' },
  };
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function renderDatasetFile(dataset: DatasetDefinition, exportName: string): string {
  const retention = dataset.retentionDays
    ? `  // Days kept in each zone; the lifecycle rule on this dataset's prefix expires older objects.\n  retentionDays: { ${dataset.zone}: 365 },\n`
    : '';
  const columns = dataset.columns
    .map(
      (column) =>
        `    { name: ${quote(column.name)}, type: ${quote(column.type)}, description: ${quote(column.description)}, classification: ${quote(column.classification)} },`,
    )
    .join('\n');
  return `import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Scaffolded by \`npm run dataset:new\`. Replace the owner, the description and the example columns with
 * the real ones; docs/adding-a-dataset.md explains each field and the steps after editing.
 */
export const ${exportName}: DatasetDefinition = {
  name: ${quote(dataset.name)},
  zone: ${quote(dataset.zone)},
  owner: ${quote(dataset.owner)},
  domain: ${quote(dataset.domain)},
  description: ${quote(dataset.description)},
  // Classification becomes each column's Lake Formation tag: public, internal, confidential or pii.
  columns: [
${columns}
  ],
  format: ${quote(dataset.format)},
  // Partitioned by the day of occurred_at; records more than 7 days late go to the error prefix.
  partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'occurred_at' } } },
${retention}  freshnessSloMinutes: ${dataset.freshnessSloMinutes},
  ingestion: ${quote(dataset.ingestion)},
  quality: { uniqueKey: ['record_id'], completeness: { record_id: 1 }, freshnessColumn: 'occurred_at' },
};
`;
}

/**
 * config/datasets/index.ts with the new dataset imported and registered: as an entry of DATASET_FILES
 * (`{ file, datasets }`, so validation errors can name the file), or, in an index that predates it,
 * appended to the DATASETS array.
 */
export function registerDataset(indexSource: string, scaffold: Pick<Scaffold, 'fileName' | 'exportName'>): string {
  const files = /(export const DATASET_FILES\b[^=]*=\s*\[)([\s\S]*?)(\n?\];)/.exec(indexSource);
  const array = files ? undefined : /(export const DATASETS\b[^=]*=\s*\[)([\s\S]*?)(\s*\];)/.exec(indexSource);
  const imports = [...indexSource.matchAll(/^import .*;$/gm)];
  if ((!files && !array) || imports.length === 0) {
    throw new ScaffoldError(
      `config/datasets/index.ts has neither "export const DATASET_FILES = [ ... ];" nor "export const DATASETS = [ ... ];" to add ${scaffold.exportName} to; add the import and the entry by hand`,
    );
  }
  const module = `./${scaffold.fileName.replace(/\.ts$/, '')}`;
  const importLine = `import { ${scaffold.exportName} } from '${module}';`;
  const lastImport = imports[imports.length - 1];
  const afterImports = (lastImport.index ?? 0) + lastImport[0].length;
  let withEntry: string;
  if (files) {
    const entries = files[2].trimEnd();
    const separator = entries === '' || entries.endsWith(',') ? '' : ',';
    const entry = `  { file: 'config/datasets/${scaffold.fileName}', datasets: [${scaffold.exportName}] },`;
    withEntry = indexSource.replace(files[0], `${files[1]}${entries}${separator}\n${entry}\n];`);
  } else {
    const match = array!;
    const entries = match[2].trimEnd();
    const separator = entries === '' ? '' : entries.endsWith(',') ? ' ' : ', ';
    withEntry = indexSource.replace(match[0], `${match[1]}${entries}${separator}${scaffold.exportName}${match[3]}`);
  }
  return `${withEntry.slice(0, afterImports)}\n${importLine}${withEntry.slice(afterImports)}`;
}
