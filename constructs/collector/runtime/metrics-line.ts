/**
 * The collector's metrics as CloudWatch embedded metric format: one JSON log line per request, turned
 * into metrics by CloudWatch Logs, so publishing costs no API call and no latency.
 */
import { COLLECTOR_METRICS, COLLECTOR_NAMESPACE, SOURCE_DIMENSION } from '../metrics';

/** The dimension value of requests refused before their source is known (no or a bad write key). */
export const UNAUTHENTICATED_SOURCE = '(unauthenticated)';

export function metricsLine(source: string, accepted: number, rejected: number, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: COLLECTOR_NAMESPACE,
          Dimensions: [[SOURCE_DIMENSION]],
          Metrics: [
            { Name: COLLECTOR_METRICS.accepted, Unit: 'Count' },
            { Name: COLLECTOR_METRICS.rejected, Unit: 'Count' },
          ],
        },
      ],
    },
    [SOURCE_DIMENSION]: source,
    [COLLECTOR_METRICS.accepted]: accepted,
    [COLLECTOR_METRICS.rejected]: rejected,
  };
}
