/**
 * `physical-check` (scheduled daily): the Iceberg data files that held erased rows must be physically gone
 * once their table's snapshot horizon has passed; their noncurrent versions are deleted as soon as the
 * file is no longer current. Reads the ledger's `pendingPhysicalRemoval` lists (physical-removal.ts says
 * why the ledger and what the field holds).
 *
 * Metric `PhysicalRemovalOverdue` (embedded metric format, namespace Lakehouse/Privacy): files still
 * current more than a day after their horizon, emitted every run (0 included) so the alarm always has data.
 * The overdue files are named in the log line and the result (bucket and key; never a subject id).
 *
 * Requests whose files are all gone move from `awaiting-physical-removal` to `completed` in the request
 * table (otherwise they would never close).
 *
 * Environment: `LEDGER_BUCKET`, `REQUESTS_TABLE`; `PHYSICAL_CHECK_LOOKBACK_DAYS` (ledger entries written within it are
 * checked; default 90, 1-3650).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { runPhysicalCheck, type PhysicalCheckSummary } from '../physical-removal';
import { privacyMetricsDocument } from '../metrics';
import { RequestStore } from '../request-store';

export const DEFAULT_LOOKBACK_DAYS = 90;

export interface PhysicalCheckDependencies {
  readonly s3: S3Client;
  readonly ledgerBucket: string;
  /** The request table: where a request whose files are all gone is closed. */
  readonly store: Pick<RequestStore, 'markPhysicallyRemoved'>;
  /** @default DEFAULT_LOOKBACK_DAYS */
  readonly lookbackDays?: number;
  readonly now?: () => Date;
  /** @default console.log of one JSON line */
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** @default console.log of the embedded-metric-format document */
  readonly emitMetrics?: (document: Record<string, unknown>) => void;
}

export function createPhysicalCheck(deps: PhysicalCheckDependencies): () => Promise<PhysicalCheckSummary> {
  const log = deps.log ?? ((message: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ message, ...fields })));
  const emit = deps.emitMetrics ?? ((document: Record<string, unknown>) => console.log(JSON.stringify(document)));
  return async () => {
    const now = (deps.now ?? (() => new Date()))();
    const summary = await runPhysicalCheck(deps.s3, { ledgerBucket: deps.ledgerBucket, now, lookbackDays: deps.lookbackDays ?? DEFAULT_LOOKBACK_DAYS,
      log,
      closeRequest: (requestId, at) => deps.store.markPhysicallyRemoved(requestId, at),
    });
    emit(privacyMetricsDocument({ PhysicalRemovalOverdue: summary.overdue }, now.getTime()));
    log('physical-check finished', { ...summary });
    return summary;
  };
}

/** Reads the environment; a wrong value fails the invocation with the variable named. */
export function physicalCheckFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): () => Promise<PhysicalCheckSummary> {
  const ledgerBucket = env.LEDGER_BUCKET;
  if (!ledgerBucket) throw new Error('physical-check: LEDGER_BUCKET is not set (the privacy construct sets it)');
  const requestsTable = env.REQUESTS_TABLE;
  if (!requestsTable) throw new Error('physical-check: REQUESTS_TABLE is not set (the privacy construct sets it)');
  const raw = env.PHYSICAL_CHECK_LOOKBACK_DAYS;
  const lookbackDays = raw === undefined || raw === '' ? DEFAULT_LOOKBACK_DAYS : Number(raw);
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 3650) {
    throw new Error(`physical-check: PHYSICAL_CHECK_LOOKBACK_DAYS is ${JSON.stringify(raw)}; use a whole number of days from 1 to 3650`);
  }
  const store = new RequestStore(new DynamoDBClient({ region: env.AWS_REGION }), requestsTable);
  return createPhysicalCheck({ s3: new S3Client({ region: env.AWS_REGION }), ledgerBucket, store, lookbackDays });
}

let run: (() => Promise<PhysicalCheckSummary>) | undefined;
/** The schedule's event carries nothing the check needs. */
export async function handler(): Promise<PhysicalCheckSummary> {
  run ??= physicalCheckFromEnvironment();
  return run();
}
