/**
 * CloudWatch embedded metric format for the privacy handlers: one JSON document per invocation,
 * namespace `Lakehouse/Privacy`, no dimensions (one erasure workflow per environment; the alarms in the
 * monitoring construct watch these names). Values are counts, never ids.
 */
import { PRIVACY_METRIC_NAMESPACE, PRIVACY_METRICS, type PrivacyMetricName } from './names';

export function privacyMetricsDocument(values: Partial<Record<PrivacyMetricName, number>>, timestamp = Date.now()): Record<string, unknown> {
  const names = PRIVACY_METRICS.filter((name) => values[name] !== undefined);
  return {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: PRIVACY_METRIC_NAMESPACE, Dimensions: [[]], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) }] },
    ...Object.fromEntries(names.map((name) => [name, values[name]])),
  };
}

export const printMetrics = (document: Record<string, unknown>): void => console.log(JSON.stringify(document));
