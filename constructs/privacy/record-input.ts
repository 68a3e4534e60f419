/**
 * The record step's input, checked at run time (it is assembled by the state machine from the outputs of
 * find-results, rewrite-objects, the Athena tasks and forget-vectors; a wiring mistake must fail with a
 * message naming the field, not write a wrong ledger).
 *
 * `{ batchId, requestIds, startedAt, find: [FindSummary], forget: [ForgetSummary], vectors?, verify: [FindSummary], vectorsRemaining? }`:
 * `vectors` is forget-vectors' forget output, `vectorsRemaining` its verify output (also accepted as
 * `verifyVectors`, or as a `verify` item with `chunks`/`documents`). A forget item is the rewrite-objects
 * output (Parquet) or `{ dataset, kind: 'iceberg', deleteQueryExecutionId, optimizeQueryExecutionId,
 * vacuumQueryExecutionId }` (or `queryExecutionIds: [...]`); without `kind` it is Parquet when it has
 * `objectsRewritten` and Iceberg when it has query execution ids.
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

export function parseRecordInput(event: unknown): RecordInput {
  const raw = inputObject(event, 'record');
  const problems: string[] = [];
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
  const verify: FindSummary[] = [];
  // `vectorsRemaining` is what the ErasureWorkflow passes (forget-vectors in verify mode); `verifyVectors` an alias.
  const remainingField = raw.vectorsRemaining !== undefined ? 'vectorsRemaining' : 'verifyVectors';
  let verifyVectors = raw[remainingField] === undefined || raw[remainingField] === null ? undefined : vectorSummary(raw[remainingField], remainingField, problems);
  list('verify').forEach((item, i) => {
    const record = item as Record<string, unknown>;
    if (record && typeof record === 'object' && ('chunks' in record || 'documents' in record) && !('dataset' in record)) verifyVectors = vectorSummary(item, `verify[${i}]`, problems);
    else verify.push(findSummary(item, `verify[${i}]`, problems));
  });
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
  if (id !== undefined && (typeof id !== 'string' || !EXECUTION_ID.test(id))) problems.push(`${path}.queryExecutionId must be an Athena query execution id`);
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
  const named = ['deleteQueryExecutionId', 'optimizeQueryExecutionId', 'vacuumQueryExecutionId'].map((field) => record[field]).filter((id) => id !== undefined && id !== null);
  const ids = record.queryExecutionIds ?? (named.length > 0 ? named : undefined);
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !EXECUTION_ID.test(id)))) problems.push(`${path}: query execution ids must be Athena query execution ids`);
  let resolved = kind(record.kind, path, problems);
  if (resolved === undefined) {
    if (record.objectsRewritten !== undefined) resolved = 'parquet';
    else if (ids !== undefined) resolved = 'iceberg';
    else problems.push(`${path} has no kind (iceberg or parquet) and is neither a rewrite-objects output nor a list of queryExecutionIds`);
  }
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
