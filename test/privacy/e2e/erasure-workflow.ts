/**
 * The erasure workflow as the privacy stack deploys it, assembled from the real parts for the end-to-end
 * test: the real plan of events and events_curated (plan.ts), the real state machine definition
 * (definition.ts), and behind each Lambda task the real handler created with clients on moto, PGlite and
 * the local Athena. Only the wiring that the privacy construct does at deploy time is done here; nothing
 * of the definition is adapted, so what runs is what the construct deploys.
 */
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import { ERASURE_WORKFLOW_TIMING, erasureDefinition } from '../../../constructs/privacy/definition';
import { createEltGuard, stepFunctionsProbe } from '../../../constructs/privacy/handlers/elt-guard';
import { createFindResults } from '../../../constructs/privacy/handlers/find-results';
import { createForgetVectors } from '../../../constructs/privacy/handlers/forget-vectors';
import { createClaim } from '../../../constructs/privacy/handlers/claim';
import { createIntake } from '../../../constructs/privacy/handlers/intake';
import { createRecord } from '../../../constructs/privacy/handlers/record';
import { createRelease } from '../../../constructs/privacy/handlers/release';
import { createRewriteObjects } from '../../../constructs/privacy/handlers/rewrite-objects';
import { privacyDatabaseRoleName } from '../../../constructs/privacy/names';
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

export interface ErasureWorkflow {
  readonly definition: Record<string, unknown>;
  readonly functions: Readonly<Record<string, Handler>>;
  readonly store: RequestStore;
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
  // The definition exactly as the privacy construct builds it, from the real plan (only the ARNs differ).
  const definition = erasureDefinition({
    plan: localPlan(),
    functions: FUNCTION_ARNS,
    workgroup: 'lakehouse-local-privacy',
    batchSize: WORKFLOW_SETTINGS.batchSize,
    eltStateMachineArns: [elt.stateMachineArn as string],
    ...ERASURE_WORKFLOW_TIMING,
  });
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
  return { definition, functions, store };
}
