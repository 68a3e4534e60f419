/**
 * Scheduled `deadline-monitor` (hourly): counts open requests (queued, running, verification-failed: not yet erased), those whose
 * deadline is at most `alarmDaysBeforeDeadline` days away, and those past it, and publishes them as
 * embedded metrics (`OpenRequests`, `RequestsNearDeadline`, `OverdueRequests`, namespace
 * `Lakehouse/Privacy`) for the monitoring construct's alarms. Logs request ids (hashes), never subjects.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readPrivacyEnvironment } from '../handler-environment';
import { printMetrics, privacyMetricsDocument } from '../metrics';
import { RequestStore, type RequestSummary } from '../request-store';
import { jsonLog, type Log } from '../runtime';

export interface DeadlineMonitorDependencies {
  readonly store: Pick<RequestStore, 'openRequests'>;
  readonly alarmDaysBeforeDeadline: number;
  readonly now?: () => Date;
  readonly log?: Log;
  readonly emitMetrics?: (document: Record<string, unknown>) => void;
}

export interface DeadlineCounts {
  readonly openRequests: number;
  readonly requestsNearDeadline: number;
  readonly overdueRequests: number;
}

/** Near: the deadline is in the future but within the window. Overdue: the deadline has passed. */
export function deadlineCounts(open: readonly RequestSummary[], now: Date, alarmDays: number): DeadlineCounts & { overdue: string[]; near: string[] } {
  const window = alarmDays * 86_400_000;
  const overdue = open.filter((r) => Date.parse(r.deadline) <= now.getTime()).map((r) => r.requestId);
  const near = open.filter((r) => Date.parse(r.deadline) > now.getTime() && Date.parse(r.deadline) - now.getTime() <= window).map((r) => r.requestId);
  return { openRequests: open.length, requestsNearDeadline: near.length, overdueRequests: overdue.length, overdue, near };
}

export function createDeadlineMonitor(deps: DeadlineMonitorDependencies): () => Promise<DeadlineCounts> {
  const log = deps.log ?? jsonLog;
  const emit = deps.emitMetrics ?? printMetrics;
  return async () => {
    const now = (deps.now ?? (() => new Date()))();
    const open = await deps.store.openRequests();
    const { overdue, near, ...counts } = deadlineCounts(open, now, deps.alarmDaysBeforeDeadline);
    emit(privacyMetricsDocument({ OpenRequests: counts.openRequests, RequestsNearDeadline: counts.requestsNearDeadline, OverdueRequests: counts.overdueRequests }, now.getTime()));
    log('erasure deadlines', { ...counts, overdueRequestIds: overdue, nearDeadlineRequestIds: near });
    return counts;
  };
}

let cached: (() => Promise<DeadlineCounts>) | undefined;

export async function handler(): Promise<DeadlineCounts> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['requestsTable']);
    cached = createDeadlineMonitor({ store: new RequestStore(new DynamoDBClient({}), settings.requestsTable), alarmDaysBeforeDeadline: settings.alarmDaysBeforeDeadline });
  }
  return cached();
}
