/**
 * The erasure workflow as the privacy stack deploys it, assembled from the real parts for the end-to-end
 * test: the real plan of events and events_curated (plan.ts), the real state machine definition
 * (definition.ts), and behind each Lambda task the real handler created with clients on moto, PGlite and
 * the local Athena. Only the wiring that the privacy construct does at deploy time is done here.
 *
 * Where two parts do not fit yet, `fitSeams` adapts the definition (never the parts) and names the seam,
 * so the rest of the flow can still be proven; each is listed in the report for its owner to fix.
 */
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import { erasureDefinition, datasetStates } from '../../../constructs/privacy/definition';
import { createEltGuard, stepFunctionsProbe } from '../../../constructs/privacy/handlers/elt-guard';
import { createFindResults } from '../../../constructs/privacy/handlers/find-results';
import { createForgetVectors } from '../../../constructs/privacy/handlers/forget-vectors';
import { createClaim } from '../../../constructs/privacy/handlers/claim';
import { createIntake } from '../../../constructs/privacy/handlers/intake';
import { createRecord } from '../../../constructs/privacy/handlers/record';
import { createRelease } from '../../../constructs/privacy/handlers/release';
import { createRewriteObjects } from '../../../constructs/privacy/handlers/rewrite-objects';
import { privacyDatabaseRoleName } from '../../../constructs/privacy/names';
import type { ErasurePlanEntry } from '../../../constructs/privacy/plan-entry';
import type { ErasureTarget } from '../../../constructs/privacy/plan';
import { RequestStore } from '../../../constructs/privacy/request-store';
import { cachedSalt, loadSalt } from '../../../constructs/privacy/salt';
import { readSubjectsFile } from '../../../constructs/privacy/work-files';
import { localPlan, VECTOR_DATABASE, type ErasureHarness } from './harness';
import { CREDENTIALS, NAMES, REGION } from './services';
import type { Handler } from './workflow-runner';

const arn = (name: string) => `arn:aws:lambda:${REGION}:111111111111:function:lakehouse-local-privacy-${name}`;
export const FUNCTION_ARNS = {
  intake: arn('intake'),
  claim: arn('claim'),
  release: arn('release'),
  eltGuard: arn('elt-guard'),
  findResults: arn('find-results'),
  rewriteObjects: arn('rewrite-objects'),
  forgetVectors: arn('forget-vectors'),
  record: arn('record'),
} as const;

/** The workflow's settings as the dev environment's config gives them. */
export const WORKFLOW_SETTINGS = { batchSize: 50, gdprDays: 30, ccpaDays: 45, ledgerRetentionDays: 1, snapshotRetentionDays: 5 } as const;

/**
 * SEAM (plan.ts ↔ plan-entry.ts): erasurePlan returns ErasureTarget, whose Parquet targets have no
 * delete/optimize/vacuum statements and whose optimizeSql may be undefined and takes partition values
 * typed string | null, while the workflow's ErasurePlanEntry wants every statement, a string, and values
 * typed string | number. This is the adapter the privacy construct needs.
 */
export function planEntry(target: ErasureTarget): ErasurePlanEntry {
  const refuse = (what: string) => () => {
    throw new Error(`${target.dataset} is a Parquet dataset: it has no ${what} statement`);
  };
  return {
    dataset: target.dataset,
    kind: target.kind,
    database: target.database,
    table: target.table,
    bucket: target.bucket,
    prefix: target.prefix,
    keyColumns: [...target.keyColumns],
    findSql: (batchId) => target.findSql(batchId),
    verifySql: (batchId) => target.verifySql(batchId),
    deleteSql: target.kind === 'iceberg' ? (batchId) => target.deleteSql(batchId) : refuse('DELETE'),
    // Partition values: the workflow's type allows numbers, the plan's takes Athena's text.
    optimizeSql: target.kind === 'iceberg' ? (partitions) => target.optimizeSql(partitions.map((partition) => Object.fromEntries(Object.entries(partition).map(([key, value]) => [key, String(value)])))) ?? '' : refuse('OPTIMIZE'),
    vacuumSql: target.kind === 'iceberg' ? target.vacuumSql : '',
    ...(target.retentionDays === undefined ? {} : { retentionDays: target.retentionDays }),
  };
}

type States = Record<string, Record<string, any>>;

/**
 * Adapts the definition where its wiring and the handlers disagree; returns the seams it had to fit
 * (an empty list once the parts agree).
 */
export function fitSeams(definition: Record<string, unknown>, plan: readonly ErasureTarget[]): string[] {
  const states = definition.States as States;
  const fitted: string[] = [];
  const payload = states.Record?.Arguments?.Payload;
  for (const target of plan) {
    const names = datasetStates(target.dataset);
    // The ledger lists each find/verify query's execution id (FindSummary.queryExecutionId); find-results
    // does not return it and the definition does not add it, so the ledger has none of them.
    for (const [state, variable] of [[names.findResults, names.foundVariable], [names.verifyResults, names.verifiedVariable]]) {
      if (states[state]?.Assign?.[variable] === '{% $states.result.Payload %}') {
        states[state].Assign[variable] = '{% $merge([$states.result.Payload, { "queryExecutionId": $states.input.queryExecutionId }]) %}';
        fitted.push(`${state}: the query execution id kept beside find-results' output`);
      }
    }
    if (target.kind !== 'iceberg') continue;
    const optimize = states[names.optimize];
    // The definition renders OPTIMIZE from find-results' partitions ({ event_date_day: … }): a predicate on
    // the Iceberg partition FIELD, which is no column of the table (Athena: COLUMN_NOT_FOUND). The plan
    // renders it on the source column (optimizeSql), and find-results returns it when given the plan entry.
    if (typeof optimize?.Arguments?.QueryString === 'string' && !optimize.Arguments.QueryString.includes('optimizeSql')) {
      states[names.findResults].Arguments.Payload.target = target.spec;
      optimize.Arguments.QueryString = `{% $${names.foundVariable}.optimizeSql %}`;
      fitted.push(`${names.optimize}: OPTIMIZE from the plan's optimizeSql (find-results with target), not from partition fields`);
    }
    // The ledger takes the Iceberg statements' query execution ids as `queryExecutionIds` (record-input.ts);
    // the definition assigns deleteQueryExecutionId / optimizeQueryExecutionId / vacuumQueryExecutionId.
    const assign = states[names.delete]?.Assign?.[names.forgottenVariable];
    if (typeof assign === 'string' && assign.includes('deleteQueryExecutionId')) {
      const id = '$states.result.QueryExecution.QueryExecutionId';
      const variable = `$${names.forgottenVariable}`;
      states[names.delete].Assign[names.forgottenVariable] = `{% { "dataset": ${JSON.stringify(target.dataset)}, "kind": "iceberg", "queryExecutionIds": [${id}] } %}`;
      for (const state of [names.optimize, names.vacuum]) {
        states[state].Assign[names.forgottenVariable] = `{% $merge([${variable}, { "queryExecutionIds": $append(${variable}.queryExecutionIds, [${id}]) }]) %}`;
      }
      fitted.push(`${names.delete}/${names.optimize}/${names.vacuum}: query execution ids as the queryExecutionIds list record reads`);
    }
  }
  // record reads the vector verification as `verifyVectors`; the definition passes `vectorsRemaining`, so
  // record would see none and fail every batch with vectors ("vectors: no verification result").
  if (payload && 'vectorsRemaining' in payload && !('verifyVectors' in payload)) {
    payload.verifyVectors = payload.vectorsRemaining;
    delete payload.vectorsRemaining;
    fitted.push('Record: vector verification passed as verifyVectors');
  }
  return fitted;
}

export interface ErasureWorkflow {
  readonly definition: Record<string, unknown>;
  readonly functions: Readonly<Record<string, Handler>>;
  readonly store: RequestStore;
  /** The seams fitSeams adapted. */
  readonly seams: readonly string[];
}

export interface WorkflowOptions {
  /** The S3 client rewrite-objects works with (a test injects a concurrent writer through it). @default the harness's */
  readonly rewriteS3?: S3Client;
  /** The time every handler sees. @default the clock */
  readonly now?: () => Date;
}

export async function erasureWorkflow(h: ErasureHarness, options: WorkflowOptions = {}): Promise<ErasureWorkflow> {
  const { s3, dynamodb, secrets } = h.services;
  const store = new RequestStore(dynamodb, NAMES.requestTable);
  const salt = cachedSalt(() => loadSalt(secrets, h.services.saltSecretArn));
  const sfn = new SFNClient({ region: REGION, endpoint: h.services.moto.endpoint, credentials: CREDENTIALS });
  const elt = await sfn.send(
    new CreateStateMachineCommand({
      name: `lakehouse-local-metrics-elt-${Date.now()}`,
      roleArn: 'arn:aws:iam::111111111111:role/elt',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  const plan = localPlan();
  const definition = erasureDefinition({
    plan: plan.map(planEntry),
    functions: FUNCTION_ARNS,
    workgroup: 'lakehouse-local-privacy',
    batchSize: WORKFLOW_SETTINGS.batchSize,
    eltStateMachineArns: [elt.stateMachineArn as string],
    eltPollSeconds: 600,
    eltMaxPolls: 12,
    queryTimeoutSeconds: 3600,
    timeoutSeconds: 43_200,
  });
  const seams = fitSeams(definition, plan);
  const role = privacyDatabaseRoleName(VECTOR_DATABASE);
  const functions: Record<string, Handler> = {
    [FUNCTION_ARNS.intake]: createIntake({ store, salt, deadlines: { gdprDays: WORKFLOW_SETTINGS.gdprDays, ccpaDays: WORKFLOW_SETTINGS.ccpaDays }, now: options.now }),
    [FUNCTION_ARNS.claim]: createClaim({ store, s3, workBucket: NAMES.workBucket, now: options.now }),
    [FUNCTION_ARNS.release]: createRelease({ store, s3, workBucket: NAMES.workBucket }),
    [FUNCTION_ARNS.eltGuard]: createEltGuard(stepFunctionsProbe(sfn)),
    [FUNCTION_ARNS.findResults]: createFindResults({ athena: h.athena, s3, workBucket: NAMES.workBucket }),
    [FUNCTION_ARNS.rewriteObjects]: createRewriteObjects({ s3: options.rewriteS3 ?? s3, workBucket: NAMES.workBucket, maxObjectBytes: 16 * 1024 * 1024, now: options.now }),
    // The vector store session signs in as the privacy role its migration creates: the grants are proven too.
    [FUNCTION_ARNS.forgetVectors]: createForgetVectors({
      subjects: (batchId) => readSubjectsFile(s3, NAMES.workBucket, batchId),
      connect: async () => {
        await h.sql.query(`SET ROLE ${role}`);
        return { query: (text: string, params?: unknown[]) => h.sql.query(text, params), end: async () => void (await h.sql.query('RESET ROLE')) };
      },
    }),
    [FUNCTION_ARNS.record]: createRecord({
      store,
      s3,
      settings: {
        workBucket: NAMES.workBucket,
        ledgerBucket: NAMES.ledgerBucket,
        ledgerMode: 'governance',
        ledgerRetentionDays: WORKFLOW_SETTINGS.ledgerRetentionDays,
        snapshotRetentionDays: WORKFLOW_SETTINGS.snapshotRetentionDays,
      },
      now: options.now,
    }),
  };
  return { definition, functions, store, seams };
}
