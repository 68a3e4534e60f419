/**
 * CloudWatch embedded metric format for the privacy handlers: one document per invocation, namespace
 * `Lakehouse/Privacy`, no dimensions (the alarms watch the account-wide sum; which dataset or file is in
 * the handler's result and log line). Values are counts, never anything about a subject.
 */
export const PRIVACY_METRIC_NAMESPACE = 'Lakehouse/Privacy';

export function privacyMetricsDocument(values: Readonly<Record<string, number>>, now: Date = new Date()): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [{ Namespace: PRIVACY_METRIC_NAMESPACE, Dimensions: [[]], Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    ...values,
  };
}

/** Runs `work` over `items` with at most `limit` in flight, results in input order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
