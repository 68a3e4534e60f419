/**
 * find-results: after the workflow's find (or verify) query for one dataset has run in Athena, reads its
 * results (GetQueryResults, every page), writes the manifest the forget steps work from to the work bucket
 * (`find/<batchId>/<dataset>.json`; verify mode `find/<batchId>/<dataset>.verify.json`, beside it so the
 * batch's cleanup of `find/<batchId>/` removes both) and returns the summary.
 *
 * A query that FAILED or was CANCELLED, or a result that is not what the plan's statements return, throws
 * `FindFailed` before anything is written: the state machine catches it and releases the batch, so a
 * forget never works from a partial manifest. Errors of the AWS calls themselves (throttling, network)
 * are thrown as the SDK raised them, so the state machine's retry policy can tell them apart.
 *
 * Nothing here sees a subject id: the statements read them from the subjects table, and their results
 * carry only object paths, partition values and counts. Nothing is logged beyond counts.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, type Row } from '@aws-sdk/client-athena';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BATCH_ID_PATTERN } from '../names';
import { erasureTarget, type ErasureTargetSpec } from '../target';
import type { PartitionValues } from '../partitions';

export interface FindResultsInput {
  readonly batchId: string;
  readonly dataset: string;
  readonly queryExecutionId: string;
  readonly mode: 'find' | 'verify';
  /**
   * The dataset's plan entry (`target.spec`), when the state machine carries it: an Iceberg target's
   * output then includes the OPTIMIZE statement for the partitions found. @default none
   */
  readonly target?: ErasureTargetSpec;
}

/** One object (Parquet) or data file (Iceberg) holding the batch's subjects. */
export interface ManifestObject {
  readonly bucket: string;
  readonly key: string;
  readonly rows: number;
}

/** What the forget steps work from. No subject ids. */
export interface FindManifest {
  readonly dataset: string;
  readonly batchId: string;
  readonly mode: 'find' | 'verify';
  readonly rows: number;
  readonly objects: readonly ManifestObject[];
  readonly partitions: readonly PartitionValues[];
}

export interface FindResultsOutput {
  readonly dataset: string;
  readonly rows: number;
  readonly objectCount: number;
  readonly partitions: readonly PartitionValues[];
  readonly manifestKey: string;
  /** The query this summarises: the ledger lists it (record's FindSummary), Athena's history holds its statement. */
  readonly queryExecutionId: string;
  /** With `target` of an Iceberg dataset in find mode: OPTIMIZE for the partitions found, null when none. */
  readonly optimizeSql?: string | null;
}

/** The query did not succeed, or its result is not a find result: nothing was written. */
export class FindFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FindFailed';
  }
}

export interface FindResultsDependencies {
  readonly athena: AthenaClient;
  readonly s3: S3Client;
  /** The work bucket's name. @default process.env.WORK_BUCKET */
  readonly workBucket?: string;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** Rows per GetQueryResults page (Athena allows 1-1000). @default 1000 */
  readonly pageSize?: number;
}

const DATASET = /^[a-z_][a-z0-9_]{0,254}$/;
const QUERY_ID = /^[A-Za-z0-9-]{1,128}$/;
const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;
const PATH_COLUMN = '$path';
const ROWS_COLUMN = '$rows';

/** Where a manifest goes in the work bucket: both modes under `find/<batchId>/`. */
export function manifestKey(mode: 'find' | 'verify', batchId: string, dataset: string): string {
  return `find/${batchId}/${dataset}${mode === 'verify' ? '.verify' : ''}.json`;
}

export function createFindResults(dependencies: FindResultsDependencies): (event: unknown) => Promise<FindResultsOutput> {
  const log = dependencies.log ?? ((line: string) => console.log(line));
  return async (event) => {
    const input = checkInput(event);
    const bucket = dependencies.workBucket ?? process.env.WORK_BUCKET;
    if (!bucket) throw new FindFailed('WORK_BUCKET is not set: the function cannot write the manifest');
    await checkSucceeded(dependencies.athena, input);
    const { columns, rows } = await readResults(dependencies.athena, input.queryExecutionId, dependencies.pageSize ?? 1000);
    const manifest = toManifest(input, columns, rows);
    const key = manifestKey(input.mode, input.batchId, input.dataset);
    // Rendered before anything is written: partitions OPTIMIZE cannot take fail the find, not a later step.
    const optimize = optimizeFor(input, manifest);
    await dependencies.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest), ContentType: 'application/json' }));
    log(JSON.stringify({ message: 'find results', dataset: input.dataset, mode: input.mode, rows: manifest.rows, objects: manifest.objects.length, partitions: manifest.partitions.length }));
    const output: FindResultsOutput = {
      dataset: input.dataset,
      rows: manifest.rows,
      objectCount: manifest.objects.length,
      partitions: manifest.partitions,
      manifestKey: key,
      queryExecutionId: input.queryExecutionId,
    };
    return optimize === undefined ? output : { ...output, optimizeSql: optimize };
  };
}

/** OPTIMIZE for an Iceberg target in find mode (null: nothing found); undefined otherwise. */
function optimizeFor(input: FindResultsInput, manifest: FindManifest): string | null | undefined {
  if (input.target === undefined || input.mode !== 'find') return undefined;
  try {
    const target = erasureTarget(input.target);
    return target.kind === 'iceberg' ? (target.optimizeSql(manifest.partitions) ?? null) : undefined;
  } catch (error) {
    throw new FindFailed(`the plan entry of ${input.dataset} cannot render OPTIMIZE for the partitions found: ${(error as Error).message}; nothing was written`);
  }
}

/** The function Lambda runs: clients from the environment (region, credentials), created once. */
let deployed: ((event: unknown) => Promise<FindResultsOutput>) | undefined;
export const handler = (event: unknown): Promise<FindResultsOutput> => {
  deployed ??= createFindResults({ athena: new AthenaClient({}), s3: new S3Client({}) });
  return deployed(event);
};

function checkInput(event: unknown): FindResultsInput {
  const input = (event ?? {}) as Partial<Record<keyof FindResultsInput, unknown>>;
  const problems: string[] = [];
  if (typeof input.batchId !== 'string' || !BATCH_ID_PATTERN.test(input.batchId)) problems.push('batchId must be 1-80 letters, digits, "_" or "-"');
  if (typeof input.dataset !== 'string' || !DATASET.test(input.dataset)) problems.push('dataset must be a snake_case dataset name');
  if (typeof input.queryExecutionId !== 'string' || !QUERY_ID.test(input.queryExecutionId)) problems.push('queryExecutionId must be an Athena query execution id');
  if (input.mode !== 'find' && input.mode !== 'verify') problems.push('mode must be "find" or "verify"');
  const target = input.target as ErasureTargetSpec | undefined;
  if (target !== undefined && (typeof target !== 'object' || target === null || target.dataset !== input.dataset)) problems.push('target, when given, must be the plan entry of this dataset');
  if (problems.length > 0) throw new FindFailed(`find-results was called with a bad input: ${problems.join('; ')}`);
  return input as FindResultsInput;
}

async function checkSucceeded(athena: AthenaClient, input: FindResultsInput): Promise<void> {
  const { QueryExecution: execution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: input.queryExecutionId }));
  const state = execution?.Status?.State;
  if (state === 'SUCCEEDED') return;
  // Only the error's name (COLUMN_NOT_FOUND, HIVE_BAD_DATA…), never Athena's full text: that can quote a
  // value it could not read (a line of the subjects file), and this message travels in the execution's
  // history. The whole reason stays in Athena, under the query id.
  const reason = /^[A-Z][A-Z0-9_]*(?=:|$)/.exec(execution?.Status?.StateChangeReason ?? '')?.[0];
  const type = execution?.Status?.AthenaError?.ErrorType;
  const detail = [reason, type === undefined ? undefined : `error type ${type}`].filter((part) => part !== undefined).join(', ');
  throw new FindFailed(
    `the ${input.mode} query of ${input.dataset} (${input.queryExecutionId}) is ${state ?? 'unknown'}${detail ? ` (${detail})` : ''}; nothing was written; Athena has the full reason under the query id`,
  );
}

/** Column names and data rows of every page; Athena's header row (first row of a SELECT's first page) dropped. */
async function readResults(athena: AthenaClient, queryExecutionId: string, pageSize: number): Promise<{ columns: string[]; rows: Array<Array<string | null>> }> {
  let columns: string[] | undefined;
  const rows: Array<Array<string | null>> = [];
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken, MaxResults: pageSize }));
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? '');
    const values = (page.ResultSet?.Rows ?? []).map(cells);
    if (first && values.length > 0 && values[0].every((value, index) => value === columns?.[index])) values.shift();
    rows.push(...values);
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  return { columns: columns ?? [], rows };
}

function cells(row: Row): Array<string | null> {
  return (row.Data ?? []).map((datum) => datum.VarCharValue ?? null);
}

function toManifest(input: FindResultsInput, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): FindManifest {
  const bad = (what: string) => new FindFailed(`the ${input.mode} query of ${input.dataset} returned ${what}; nothing was written`);
  const rowsAt = columns.indexOf(ROWS_COLUMN);
  const pathAt = columns.indexOf(PATH_COLUMN);
  if (rowsAt === -1) throw bad(`no "${ROWS_COLUMN}" column (columns: ${columns.join(', ') || 'none'})`);
  if (input.mode === 'find' && pathAt === -1) throw bad(`no "${PATH_COLUMN}" column (columns: ${columns.join(', ')})`);
  const objects = new Map<string, ManifestObject>();
  const partitions = new Map<string, PartitionValues>();
  let total = 0;
  rows.forEach((row, index) => {
    if (row.length !== columns.length) throw bad(`row ${index + 1} with ${row.length} values for ${columns.length} columns`);
    const count = Number(row[rowsAt]);
    if (row[rowsAt] === null || !/^\d+$/.test(String(row[rowsAt])) || !Number.isSafeInteger(count)) throw bad(`row ${index + 1} with "${ROWS_COLUMN}" = ${JSON.stringify(row[rowsAt])}`);
    total += count;
    if (pathAt === -1 || count === 0) return;
    const match = S3_URI.exec(String(row[pathAt]));
    if (!match) throw bad(`row ${index + 1} whose "${PATH_COLUMN}" is not an s3:// URI`);
    const previous = objects.get(String(row[pathAt]));
    objects.set(String(row[pathAt]), { bucket: match[1], key: match[2], rows: (previous?.rows ?? 0) + count });
    const partition = Object.fromEntries(columns.flatMap((name, at) => (at === rowsAt || at === pathAt ? [] : [[name, row[at]]])));
    partitions.set(JSON.stringify(partition), partition);
  });
  return { dataset: input.dataset, batchId: input.batchId, mode: input.mode, rows: total, objects: [...objects.values()], partitions: [...partitions.values()] };
}
