import type { App } from 'aws-cdk-lib';
import { environmentFile } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS } from '../constructs/backup';
import { ICEBERG_DDL_INTERFACE_ENDPOINTS } from '../constructs/catalog';
import { parsePath, renderValue, ValidationReport, valueAt, type ValidationProblem } from '../constructs/common/validation-report';
import { checkWindow, compileQualityQuery, DATA_QUALITY_INTERFACE_ENDPOINTS, HISTORY_TABLE, QualityRuleError } from '../constructs/data-quality';
import { DatasetValidationError, validateDatasets, type DatasetDefinition } from '../constructs/datasets';
import { CURATED_TARGET, DEFAULT_LATENESS_DAYS, ELT_SOURCE, ELT_TARGETS, MAX_LATENESS_DAYS } from '../constructs/elt';
import { LINEAGE_TABLE } from '../constructs/lineage/sql';
import type { InterfaceEndpointName } from '../constructs/network/interface-endpoints';
import { VECTOR_STORE_INTERFACE_ENDPOINTS } from '../constructs/vector-store';
import { EMBEDDINGS_INTERFACE_ENDPOINTS } from '../constructs/embeddings';
import { COLLECTOR_INTERFACE_ENDPOINTS } from '../constructs/collector/collector';
import { PII_DISCOVERY_INTERFACE_ENDPOINTS } from '../constructs/privacy/pii-discovery';
import { PRIVACY_INTERFACE_ENDPOINTS } from '../constructs/privacy/privacy-erasure';
import { collectorConfigProblems } from './collector-validation';
import { deploysPiiDiscovery, environmentInterfaceEndpoints } from './interface-endpoints';
import { outputId } from './stacks/embeddings-stack';
import { collectionSettings } from '../config/embeddings-schema';
import { EmbeddingSettingsError, resolveSettings } from '../constructs/embeddings/settings';
import { rowSourceProblems } from '../constructs/embeddings/row-source-validation';

/**
 * Everything the app checks before it creates a single construct, reported together as one
 * ValidationReport: the dataset contracts against this environment, the quality rules and ELT they
 * imply, the interface endpoints the deployed functions need, and the CDK context offline synthesis
 * needs. The environment file itself was validated by its schema before this runs.
 */
export function validateInputs(app: App, config: EnvironmentConfig, datasets: readonly DatasetDefinition[], sources: ReadonlyMap<unknown, string>): void {
  const problems: ValidationProblem[] = [...contextProblems(app, config)];
  let datasetsValid = true;
  try {
    validateDatasets(datasets, { zones: config.storage.zones.map((zone) => zone.name), domains: config.catalog.domains, sources });
  } catch (error) {
    if (!(error instanceof DatasetValidationError)) throw error;
    problems.push(...error.problems);
    datasetsValid = false;
  }
  // Quality rules and the ELT read contracts of the right shape only.
  if (datasetsValid) problems.push(...qualityRuleProblems(datasets, sources), ...eltProblems(datasets, sources), ...lineageProblems(datasets, sources));
  problems.push(...embeddingsDatasetProblems(config, datasets), ...endpointProblems(config, datasets), ...collectorConfigProblems(config, datasets));
  if (problems.length > 0) throw new ValidationReport(problems);
}

/** Where a dataset is declared, as problems name it. */
function datasetSource(dataset: DatasetDefinition, sources: ReadonlyMap<unknown, string>): string {
  const file = sources.get(dataset);
  return file ? `${file}, dataset "${dataset.name}"` : `dataset "${dataset.name}"`;
}

/** The data-quality checks of every checked dataset compile (as the DataQuality construct compiles them at synth). */
export function qualityRuleProblems(datasets: readonly DatasetDefinition[], sources: ReadonlyMap<unknown, string>): ValidationProblem[] {
  if (!datasets.some((dataset) => dataset.name === HISTORY_TABLE)) return [];
  return datasets
    .filter((dataset) => dataset.name !== HISTORY_TABLE)
    .flatMap((dataset) => {
      try {
        compileQualityQuery(dataset, { database: 'validation', window: checkWindow(dataset, 0) });
        return [];
      } catch (error) {
        if (!(error instanceof QualityRuleError)) throw error;
        // Messages read `dataset "x": <field>: <problem>` or `dataset "x": <problem>`.
        const detail = error.message.replace(/^dataset "[^"]*": /, '');
        const match = /^((?:quality|partitioning)\.[\w.[\]+-]*?)(: | names | is | lists )(.*)$/.exec(detail);
        const field = match ? match[1] : 'quality';
        const reason = match ? `${match[2] === ': ' ? '' : match[2].trimStart()}${match[3]}` : detail;
        return [
          {
            source: datasetSource(dataset, sources),
            field,
            value: renderValue(valueAt(dataset, parsePath(field))),
            allowed: `the data-quality checks cannot use it: ${reason}`,
          },
        ];
      }
    });
}

/** The ELT reads `events` and writes `events_curated` and every metrics table: declaring part of them is a mistake. */
export function eltProblems(datasets: readonly DatasetDefinition[], sources: ReadonlyMap<unknown, string>): ValidationProblem[] {
  const names = new Set(datasets.map((dataset) => dataset.name));
  const involved = [ELT_SOURCE, CURATED_TARGET, ...ELT_TARGETS];
  const declared = involved.filter((name) => names.has(name));
  if (declared.length === 0) return [];
  if (declared.length === involved.length) return curatedProblems(datasets, sources);
  const missing = involved.filter((name) => !names.has(name));
  const files = [...new Set(datasets.flatMap((dataset) => (involved.includes(dataset.name) ? [sources.get(dataset)] : [])).filter((file) => file !== undefined))];
  return [
    {
      source: 'the dataset list',
      field: 'datasets',
      value: `${declared.join(', ')}${files.length > 0 ? ` (from ${files.join(', ')})` : ''}`,
      allowed: `the metrics ELT reads ${ELT_SOURCE} and writes ${[CURATED_TARGET, ...ELT_TARGETS].join(', ')}; declare the missing dataset(s) ${missing.join(', ')}, or none of them`,
    },
  ];
}

/**
 * What the curated step needs from the two contracts: a lateness window it can re-read every run (the
 * dataset rules allow up to the retention), and every raw column in the curated table with its type,
 * so that a column added to events is not silently left out of curated. Refused with file and field.
 */
function curatedProblems(datasets: readonly DatasetDefinition[], sources: ReadonlyMap<unknown, string>): ValidationProblem[] {
  const source = datasets.find((dataset) => dataset.name === ELT_SOURCE) as DatasetDefinition;
  const curated = datasets.find((dataset) => dataset.name === CURATED_TARGET) as DatasetDefinition;
  const problems: ValidationProblem[] = [];
  const lateness = source.partitioning.time.maxLatenessDays ?? DEFAULT_LATENESS_DAYS;
  if (lateness > MAX_LATENESS_DAYS) {
    problems.push({
      source: datasetSource(source, sources),
      field: 'partitioning.time.maxLatenessDays',
      value: renderValue(lateness),
      allowed: `at most ${MAX_LATENESS_DAYS}: each daily ELT run re-curates that many days of ${CURATED_TARGET} from raw (constructs/elt/README.md, "The curated step")`,
    });
  }
  const curatedTypes = new Map(curated.columns.map((column) => [column.name, column.type]));
  source.columns.forEach((column, index) => {
    const type = curatedTypes.get(column.name);
    if (type === column.type) return;
    problems.push({
      source: datasetSource(curated, sources),
      field: 'columns',
      value: type === undefined ? `no column ${column.name}` : `${column.name} ${type}`,
      allowed:
        `every column of ${ELT_SOURCE} with the same type (${ELT_SOURCE}.columns[${index}] is ${column.name} ${column.type}): ` +
        `add it at the end of ${CURATED_TARGET}'s columns, and to the INSERT of constructs/elt/sql/${CURATED_TARGET}.sql`,
    });
  });
  return problems;
}

/**
 * The jobs append to `lineage` with Athena INSERT, and the ELT writes it where it writes its targets:
 * a dataset of that name must be Iceberg in the analytics zone.
 */
export function lineageProblems(datasets: readonly DatasetDefinition[], sources: ReadonlyMap<unknown, string>): ValidationProblem[] {
  const lineage = datasets.find((dataset) => dataset.name === LINEAGE_TABLE);
  if (!lineage) return [];
  const problems: ValidationProblem[] = [];
  if (lineage.format !== 'iceberg') {
    problems.push({ source: datasetSource(lineage, sources), field: 'format', value: renderValue(lineage.format), allowed: 'the lineage table must be "iceberg": every job appends to it with Athena INSERT' });
  }
  if (lineage.zone !== 'analytics') {
    problems.push({ source: datasetSource(lineage, sources), field: 'zone', value: renderValue(lineage.zone), allowed: 'the lineage table must be in the "analytics" zone, where the metrics ELT (which records lineage) writes' });
  }
  return problems;
}

/**
 * Each embeddings collection reads a declared dataset's prefix, and gets construct and output IDs of its
 * own (`_docs` and `docs` would both be `Docs`).
 */
export function embeddingsDatasetProblems(config: EnvironmentConfig, datasets: readonly DatasetDefinition[]): ValidationProblem[] {
  if (!config.embeddings.enabled) return [];
  const names = datasets.map((dataset) => dataset.name);
  const ids = config.embeddings.collections.map((collection) => outputId(collection.collection));
  return config.embeddings.collections.flatMap((collection, index) => [
    ...rowSourceConfigProblems(config, collection, index, datasets),
    ...(names.includes(collection.dataset)
      ? []
      : [
          {
            source: environmentFile(config.name),
            field: `embeddings.collections[${index}].dataset`,
            value: renderValue(collection.dataset),
            allowed: `must be a declared dataset (its prefix in its zone bucket holds the documents): ${names.join(', ') || '(none declared)'}; or set embeddings.enabled: false`,
          },
        ]),
    ...(ids.indexOf(ids[index]) !== index && config.embeddings.collections[ids.indexOf(ids[index])].collection !== collection.collection
      ? [
          {
            source: environmentFile(config.name),
            field: `embeddings.collections[${index}].collection`,
            value: renderValue(collection.collection),
            allowed: `names the same stack outputs (${ids[index]}) as collections[${ids.indexOf(ids[index])}]; collection names must differ in more than underscores`,
          },
        ]
      : []),
  ]);
}

/**
 * A rows collection reads its dataset's Parquet files: the dataset is plain Parquet and has the id, text,
 * ordering (and, when named, metadata and subject) columns with types the row reader accepts.
 */
function rowSourceConfigProblems(config: EnvironmentConfig, collection: EnvironmentConfig['embeddings']['collections'][number], index: number, datasets: readonly DatasetDefinition[]): ValidationProblem[] {
  const dataset = datasets.find((candidate) => candidate.name === collection.dataset);
  if (!dataset) return [];
  let settings;
  try {
    settings = resolveSettings(collectionSettings(config.embeddings, collection, dataset));
  } catch (error) {
    // The schema reported the collection's own setting problems already.
    if (error instanceof EmbeddingSettingsError) return [];
    throw error;
  }
  if (!settings.rows) return [];
  return rowSourceProblems(settings.rows, dataset).map((problem) => ({
    source: environmentFile(config.name),
    field: `embeddings.collections[${index}].${problem.field}`,
    value: renderValue(problem.value),
    allowed: problem.allowed,
  }));
}

/** What an environment deploys into its VPC besides the dataset-driven functions. */
export interface DeployedFunctions {
  /** The embeddings pipeline (`embeddings.enabled`). @default true, as in the shipped configs */
  readonly embeddings?: boolean;
  /** The HTTP collector (`collector.enabled`). @default false */
  readonly collector?: boolean;
  /** PII discovery's Macie job function (`privacy.discovery.enabled`). @default false */
  readonly privacyDiscovery?: boolean;
  /** The erasure workflow (`privacy.enabled`). @default false */
  readonly privacy?: boolean;
}

/** Who needs which interface endpoint, derived from what this environment deploys into its VPC. */
export function requiredInterfaceEndpoints(datasets: readonly DatasetDefinition[], deployed: DeployedFunctions = {}): Map<InterfaceEndpointName, string[]> {
  const needs = new Map<InterfaceEndpointName, string[]>();
  const add = (endpoints: readonly InterfaceEndpointName[], who: string) => {
    for (const endpoint of endpoints) needs.set(endpoint, [...(needs.get(endpoint) ?? []), who]);
  };
  add(VECTOR_STORE_INTERFACE_ENDPOINTS, 'the vector store bootstrap');
  add(RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS, 'the recovery evidence functions');
  if (datasets.some((dataset) => dataset.format === 'iceberg')) add(ICEBERG_DDL_INTERFACE_ENDPOINTS, 'the Iceberg DDL function');
  if (datasets.some((dataset) => dataset.name === HISTORY_TABLE) && datasets.some((dataset) => dataset.name !== HISTORY_TABLE)) {
    add(DATA_QUALITY_INTERFACE_ENDPOINTS, 'the data-quality checks');
  }
  if (deployed.embeddings ?? true) add(EMBEDDINGS_INTERFACE_ENDPOINTS, 'the embeddings consumers');
  if (deployed.collector ?? false) add(COLLECTOR_INTERFACE_ENDPOINTS, 'the HTTP collector');
  if (deployed.privacyDiscovery ?? false) add(PII_DISCOVERY_INTERFACE_ENDPOINTS, 'the PII discovery job function');
  if (deployed.privacy ?? false) add(PRIVACY_INTERFACE_ENDPOINTS, 'the erasure functions');
  return needs;
}

/**
 * Functions in isolated subnets reach AWS only through interface endpoints: an explicit endpoint list
 * must contain every endpoint they call. With NAT gateways they have another route (only the vector
 * store's Secrets Manager endpoint stays required), and without an explicit list the default, plus
 * what enabled features add (lib/interface-endpoints.ts), covers everything (a test keeps it so).
 */
export function endpointProblems(config: EnvironmentConfig, datasets: readonly DatasetDefinition[]): ValidationProblem[] {
  const listed = environmentInterfaceEndpoints(config);
  const deployed: DeployedFunctions = {
    embeddings: config.embeddings.enabled,
    collector: config.collector.enabled,
    privacy: config.privacy.enabled,
    privacyDiscovery: deploysPiiDiscovery(config),
  };
  // The vector store takes its Secrets Manager endpoint as a prop (its rotation depends on it), NAT or not.
  const missing = [...requiredInterfaceEndpoints(datasets, deployed)].filter(
    ([endpoint]) => !listed.includes(endpoint) && (config.network.natGateways === 0 || endpoint === 'secretsmanager'),
  );
  if (missing.length === 0) return [];
  return [
    {
      source: environmentFile(config.name),
      field: 'network.interfaceEndpoints',
      value: renderValue(config.network.interfaceEndpoints),
      allowed:
        `lacks ${missing.map(([endpoint, who]) => `"${endpoint}" (called by ${who.join(' and ')})`).join(', ')}: ` +
        'functions in isolated subnets have no other route to these services; add them, or remove the list to get the defaults',
    },
  ];
}

/**
 * A stack with an account and region looks its availability zones up in the CDK context; without the
 * committed entry the CLI would try AWS (and fail on credentials a minute later). Say so at once.
 */
export function contextProblems(app: App, config: EnvironmentConfig): ValidationProblem[] {
  if (config.account === undefined || config.region === undefined) return [];
  const key = `availability-zones:account=${config.account}:region=${config.region}`;
  const zones: unknown = app.node.tryGetContext(key);
  if (Array.isArray(zones)) {
    if (zones.length >= config.network.maxAzs) return [];
    // The VPC would silently span fewer zones than asked for.
    return [
      {
        source: environmentFile(config.name),
        field: 'network.maxAzs',
        value: String(config.network.maxAzs),
        allowed: `must be at most ${zones.length}: cdk.context.json lists ${zones.length} availability zones for account ${config.account} in ${config.region} (${zones.join(', ')})`,
      },
    ];
  }
  if (zones !== undefined) {
    return [{ source: 'cdk.context.json', field: JSON.stringify(key), value: renderValue(zones), allowed: 'must be a list of availability zone names' }];
  }
  return [
    {
      source: 'cdk.context.json',
      field: JSON.stringify(key),
      value: '(missing)',
      allowed:
        `${environmentFile(config.name)} names account ${config.account} in ${config.region}, whose availability zones synthesis needs offline: ` +
        `add "${key}": ["${config.region}a", "${config.region}b", "${config.region}c"] (the zone names of that account), ` +
        `or run \`npx cdk synth -c env=${config.name}\` once with credentials for that account so the CLI records them`,
    },
  ];
}
