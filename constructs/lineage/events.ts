/**
 * OpenLineage run events (spec 2-0-2, https://openlineage.io/spec/2-0-2/OpenLineage.json): what the
 * platform's jobs record about each run. `runEvent` builds one from plain input and refuses anything the
 * spec or the lineage table cannot hold, so a bad value fails where the job builds the event, not in
 * Athena. No AWS SDK and no CDK import: Lambda handlers bundle it.
 *
 * Field names follow the spec: eventType, eventTime, run.runId, job.namespace/name, inputs/outputs with
 * namespace/name, producer, schemaURL. Row counts travel as the spec's dataset facets
 * (inputStatistics / outputStatistics); other run facts as one custom run facet of string values.
 */

/** The spec's RunEvent eventType values. */
export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** The producer the platform's jobs name (spec: a URI identifying the code that emitted the event). */
export const DEFAULT_PRODUCER = 'https://github.com/lakehouse-blueprint/lakehouse-blueprint/tree/main/constructs/lineage';
const INPUT_STATISTICS_SCHEMA = 'https://openlineage.io/spec/facets/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet';
const OUTPUT_STATISTICS_SCHEMA = 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet';
/** The custom run facet that carries the `facets` string map. */
export const FACTS_FACET = 'lakehouse_run';

/** Lengths the lineage table and Athena's statement size can carry comfortably. */
export const LIMITS = { name: 1024, runId: 256, datasets: 200, facts: 100, factValue: 4096 } as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** A table a run read or wrote, as OpenLineage names datasets (for Athena: `awsathena://athena.<region>.amazonaws.com`, `awsdatacatalog.<database>.<table>`). */
export interface DatasetRef {
  readonly namespace: string;
  readonly name: string;
  /** Rows read (inputs) or written (outputs) by this run, when known. */
  readonly rowCount?: number | null;
}

export interface RunEventInput {
  readonly eventType: EventType;
  /** ISO-8601 instant or Date. */
  readonly eventTime: string | Date;
  readonly runId: string;
  readonly job: { readonly namespace: string; readonly name: string };
  readonly inputs?: readonly DatasetRef[];
  readonly outputs?: readonly DatasetRef[];
  /** @default DEFAULT_PRODUCER */
  readonly producer?: string;
  /** Other facts of the run as strings (day, query id, error): the row's `facets` map. @default none */
  readonly facts?: Readonly<Record<string, string>>;
}

interface StatisticsFacet {
  readonly _producer: string;
  readonly _schemaURL: string;
  readonly rowCount: number;
}

export interface InputDataset {
  readonly namespace: string;
  readonly name: string;
  readonly inputFacets?: { readonly inputStatistics: StatisticsFacet };
}

export interface OutputDataset {
  readonly namespace: string;
  readonly name: string;
  readonly outputFacets?: { readonly outputStatistics: StatisticsFacet };
}

/** An OpenLineage RunEvent (the subset the platform writes). */
export interface RunEvent {
  readonly eventType: EventType;
  readonly eventTime: string;
  readonly run: { readonly runId: string; readonly facets?: Readonly<Record<string, Readonly<Record<string, string>>>> };
  readonly job: { readonly namespace: string; readonly name: string };
  readonly inputs: readonly InputDataset[];
  readonly outputs: readonly OutputDataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

/** A value a run event cannot carry; the message names the field, the value and what is allowed. */
export class LineageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineageError';
  }
}

/** OpenLineage's dataset namespace for Athena tables in a region. */
export function athenaNamespace(region: string): string {
  return `awsathena://athena.${region}.amazonaws.com`;
}

/** OpenLineage's dataset name for an Athena table of the AWS Glue Data Catalog. */
export function athenaDatasetName(database: string, table: string): string {
  return `awsdatacatalog.${database}.${table}`;
}

/** Builds and validates one run event (see the file comment); throws LineageError. */
export function runEvent(input: RunEventInput): RunEvent {
  if (!EVENT_TYPES.includes(input.eventType)) throw new LineageError(`eventType ${JSON.stringify(input.eventType)} is not one of ${EVENT_TYPES.join(', ')}`);
  const time = input.eventTime instanceof Date ? input.eventTime : new Date(typeof input.eventTime === 'string' && input.eventTime.trim() !== '' ? input.eventTime : Number.NaN);
  if (Number.isNaN(time.getTime())) throw new LineageError(`eventTime ${JSON.stringify(input.eventTime)} is not an ISO-8601 instant`);
  const producer = input.producer ?? DEFAULT_PRODUCER;
  if (typeof producer !== 'string' || !URI.test(producer) || producer.length > LIMITS.name) throw new LineageError(`producer ${JSON.stringify(producer)} must be a URI (the spec's "format: uri")`);
  const facts = checkFacts(input.facts ?? {});
  const statistics = (schemaUrl: string, rowCount: number): StatisticsFacet => ({ _producer: producer, _schemaURL: schemaUrl, rowCount });
  const inputs = checkDatasets('inputs', input.inputs ?? []).map(({ rowCount, ...dataset }): InputDataset =>
    rowCount === undefined || rowCount === null ? dataset : { ...dataset, inputFacets: { inputStatistics: statistics(INPUT_STATISTICS_SCHEMA, rowCount) } },
  );
  const outputs = checkDatasets('outputs', input.outputs ?? []).map(({ rowCount, ...dataset }): OutputDataset =>
    rowCount === undefined || rowCount === null ? dataset : { ...dataset, outputFacets: { outputStatistics: statistics(OUTPUT_STATISTICS_SCHEMA, rowCount) } },
  );
  return {
    eventType: input.eventType,
    eventTime: time.toISOString(),
    run: {
      runId: checkText('run.runId', input.runId, LIMITS.runId),
      ...(Object.keys(facts).length > 0 ? { facets: { [FACTS_FACET]: { _producer: producer, _schemaURL: `${producer}#/$defs/LakehouseRunFacet`, ...facts } } } : {}),
    },
    job: { namespace: checkText('job.namespace', input.job?.namespace, LIMITS.name), name: checkText('job.name', input.job?.name, LIMITS.name) },
    inputs,
    outputs,
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
  };
}

/** The string facts of an event's custom run facet (the row's `facets` map). */
export function eventFacts(event: RunEvent): Record<string, string> {
  const facet = event.run.facets?.[FACTS_FACET] ?? {};
  return Object.fromEntries(Object.entries(facet).filter(([key]) => !key.startsWith('_')));
}

function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new LineageError(`${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (value.length > max) throw new LineageError(`${field} is ${value.length} characters long; at most ${max}`);
  if (CONTROL.test(value)) throw new LineageError(`${field} ${JSON.stringify(value)} contains a control character, which is not written into SQL`);
  return value;
}

function checkDatasets(field: string, datasets: readonly DatasetRef[]): DatasetRef[] {
  if (!Array.isArray(datasets)) throw new LineageError(`${field} must be an array of { namespace, name }`);
  if (datasets.length > LIMITS.datasets) throw new LineageError(`${field} lists ${datasets.length} datasets; at most ${LIMITS.datasets}`);
  return datasets.map((dataset, index) => {
    const rowCount = dataset?.rowCount;
    if (rowCount !== undefined && rowCount !== null && !(Number.isSafeInteger(rowCount) && rowCount >= 0)) {
      throw new LineageError(`${field}[${index}].rowCount ${JSON.stringify(rowCount)} must be a whole number of rows (0 or more)`);
    }
    return {
      namespace: checkText(`${field}[${index}].namespace`, dataset?.namespace, LIMITS.name),
      name: checkText(`${field}[${index}].name`, dataset?.name, LIMITS.name),
      ...(rowCount === undefined ? {} : { rowCount }),
    };
  });
}

function checkFacts(facts: Readonly<Record<string, string>>): Record<string, string> {
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) throw new LineageError('facts must be an object of strings');
  const entries = Object.entries(facts);
  if (entries.length > LIMITS.facts) throw new LineageError(`facts has ${entries.length} entries; at most ${LIMITS.facts}`);
  for (const [key, value] of entries) {
    checkText(`facts key ${JSON.stringify(key)}`, key, LIMITS.name);
    if (key.startsWith('_')) throw new LineageError(`facts key ${JSON.stringify(key)}: keys starting with "_" are reserved by OpenLineage`);
    checkText(`facts.${key}`, value, LIMITS.factValue);
  }
  return { ...facts };
}
