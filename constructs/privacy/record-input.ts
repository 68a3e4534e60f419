/**
 * The record step's input, checked at run time (it is assembled by the state machine from the outputs of
 * find-results, rewrite-objects, the Athena tasks and forget-vectors; a wiring mistake must fail with a
 * message naming the field, not write a wrong ledger).
 *
 * `{ batchId, requestIds, startedAt, find: [FindSummary], forget: [ForgetSummary], vectors?, verify: [FindSummary], vectorsRemaining? }`,
 * each field under exactly this name (an unknown field is refused: a renamed field in the definition would
 * otherwise be dropped without a word): `vectors` is forget-vectors' forget output, `vectorsRemaining` its
 * verify output. A find or verify item is a find-results output, with the query execution id it read. A
 * forget item is the rewrite-objects output (Parquet) or `{ dataset, kind: 'iceberg', queryExecutionIds }`
 * (DELETE, OPTIMIZE, VACUUM); without `kind` it is Parquet when it has `objectsRewritten`.
 */
import type { DatasetKind, FindSummary, ForgetSummary, RecordInput, VectorSummary } from './ledger';
import { checkRequestIds, inputObject } from './runtime';
import { checkBatchId } from './work-files';

const DATASET = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const EXECUTION_ID = /^[A-Za-z0-9-]{1,128}$/;
// eslint-disable-next-line no-control-regex -- keys with control characters are refused
const WORK_KEY = /^(find|forget)\/[A-Za-z0-9_-]{1,80}\/[^\u0000-\u001f]{1,900}$/;

export class RecordInputError extends TypeError {
  constructor(readonly problems: readonly string[]) {
    super(`record input is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RecordInputError';
  }
}

/** The fields the ErasureWorkflow's Record state passes (definition.ts), and nothing else. */
export const RECORD_INPUT_FIELDS = ['batchId', 'requestIds', 'startedAt', 'find', 'forget', 'vectors', 'verify', 'vectorsRemaining'] as const;

export function parseRecordInput(event: unknown): RecordInput {
  const raw = inputObject(event, 'record');
  const problems: string[] = [];
  for (const field of Object.keys(raw)) {
    if (!(RECORD_INPUT_FIELDS as readonly string[]).includes(field)) problems.push(`${JSON.stringify(field.slice(0, 60))} is not a field of the record input (fields: ${RECORD_INPUT_FIELDS.join(', ')})`);
  }
  const batchId = attempt(problems, () => checkBatchId(raw.batchId)) ?? '';
  const requestIds = attempt(problems, () => checkRequestIds(raw.requestIds)) ?? [];
  const startedAt = typeof raw.startedAt === 'string' && !Number.isNaN(Date.parse(raw.startedAt)) ? new Date(raw.startedAt).toISOString() : undefined;
  if (!startedAt) problems.push('startedAt must be an ISO date-time (the execution start, $$.Execution.StartTime)');

  const list = (field: string): unknown[] => {
    const value = raw[field];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      problems.push(`${field} must be a list`);
      return [];
    }
    return value;
  };
  const find = list('find').map((item, i) => findSummary(item, `find[${i}]`, problems));
  const forget = list('forget').map((item, i) => forgetSummary(item, `forget[${i}]`, problems));
  const verify = list('verify').map((item, i) => findSummary(item, `verify[${i}]`, problems));
  const verifyVectors = raw.vectorsRemaining === undefined || raw.vectorsRemaining === null ? undefined : vectorSummary(raw.vectorsRemaining, 'vectorsRemaining', problems);
  const vectors = raw.vectors === undefined || raw.vectors === null ? undefined : vectorSummary(raw.vectors, 'vectors', problems);
  for (const [field, items] of [['find', find], ['forget', forget], ['verify', verify]] as const) {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.dataset)) problems.push(`${field}: dataset ${JSON.stringify(item.dataset)} appears twice`);
      seen.add(item.dataset);
    }
  }
  if (problems.length > 0) throw new RecordInputError(problems);
  return { batchId, requestIds, startedAt: startedAt as string, find, forget, verify, ...(vectors ? { vectors } : {}), ...(verifyVectors ? { verifyVectors } : {}) };
}

function attempt<T>(problems: string[], work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

function object(value: unknown, path: string, problems: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path} must be an object`);
    return {};
  }
  return value as Record<string, unknown>;
}

function count(record: Record<string, unknown>, field: string, path: string, problems: string[], required: boolean): number | undefined {
  const value = record[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    problems.push(`${path}.${field} must be a whole number ≥ 0`);
    return undefined;
  }
  return value;
}

function dataset(record: Record<string, unknown>, path: string, problems: string[]): string {
  if (typeof record.dataset !== 'string' || !DATASET.test(record.dataset)) problems.push(`${path}.dataset must be a dataset name`);
  return String(record.dataset);
}

function workKey(record: Record<string, unknown>, field: string, path: string, problems: string[]): string | undefined {
  const value = record[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !WORK_KEY.test(value)) {
    problems.push(`${path}.${field} must be a key under find/<batchId>/ or forget/<batchId>/ in the work bucket`);
    return undefined;
  }
  return value;
}

function kind(value: unknown, path: string, problems: string[]): DatasetKind | undefined {
  if (value === undefined) return undefined;
  if (value !== 'iceberg' && value !== 'parquet') problems.push(`${path}.kind must be iceberg or parquet`);
  return value as DatasetKind;
}

function findSummary(item: unknown, path: string, problems: string[]): FindSummary {
  const record = object(item, path, problems);
  const id = record.queryExecutionId;
  // The ledger lists every query of the batch: a find or verify result without its query is a wiring fault.
  if (typeof id !== 'string' || !EXECUTION_ID.test(id)) problems.push(`${path}.queryExecutionId must be the Athena query execution id the result was read from`);
  if (record.partitions !== undefined && !Array.isArray(record.partitions)) problems.push(`${path}.partitions must be a list`);
  const summary: FindSummary = {
    dataset: dataset(record, path, problems),
    rows: count(record, 'rows', path, problems, true) ?? 0,
    objectCount: count(record, 'objectCount', path, problems, false),
    manifestKey: workKey(record, 'manifestKey', path, problems),
    queryExecutionId: id as string | undefined,
    kind: kind(record.kind, path, problems),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as unknown as FindSummary;
}

function forgetSummary(item: unknown, path: string, problems: string[]): ForgetSummary {
  const record = object(item, path, problems);
  const ids = record.queryExecutionIds;
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !EXECUTION_ID.test(id)))) problems.push(`${path}.queryExecutionIds must be a list of Athena query execution ids`);
  let resolved = kind(record.kind, path, problems);
  if (resolved === undefined) {
    if (record.objectsRewritten !== undefined) resolved = 'parquet';
    else if (ids !== undefined) resolved = 'iceberg';
    else problems.push(`${path} has no kind (iceberg or parquet) and is neither a rewrite-objects output nor a list of queryExecutionIds`);
  }
  if (resolved === 'iceberg' && !(Array.isArray(ids) && ids.length > 0)) problems.push(`${path}.queryExecutionIds must list the Iceberg statements' query execution ids (DELETE, OPTIMIZE, VACUUM)`);
  const summary: ForgetSummary = {
    dataset: dataset(record, path, problems),
    kind: resolved ?? 'parquet',
    queryExecutionIds: Array.isArray(ids) ? (ids as string[]) : [],
    objectsRewritten: count(record, 'objectsRewritten', path, problems, false),
    objectsDeleted: count(record, 'objectsDeleted', path, problems, false),
    rowsRemoved: count(record, 'rowsRemoved', path, problems, false),
    versionsRemoved: count(record, 'versionsRemoved', path, problems, false),
    conflicts: count(record, 'conflicts', path, problems, false),
    resultKey: workKey(record, 'resultKey', path, problems),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as unknown as ForgetSummary;
}

function vectorSummary(item: unknown, path: string, problems: string[]): VectorSummary {
  const record = object(item, path, problems);
  if (record.vacuumed !== undefined && typeof record.vacuumed !== 'boolean') problems.push(`${path}.vacuumed must be true or false`);
  const reason = typeof record.vacuumSkippedReason === 'string' ? record.vacuumSkippedReason.slice(0, 300) : undefined;
  return {
    chunks: count(record, 'chunks', path, problems, true) ?? 0,
    documents: count(record, 'documents', path, problems, true) ?? 0,
    ...(typeof record.vacuumed === 'boolean' ? { vacuumed: record.vacuumed } : {}),
    ...(reason ? { vacuumSkippedReason: reason } : {}),
  };
}
