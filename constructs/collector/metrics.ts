/**
 * Metric names the collector's handler publishes and the monitoring construct alarms on: the one place both
 * sides read them from. The handler publishes with the embedded metric format (a log line, no API call).
 */

/** CloudWatch namespace of the collector's own metrics. */
export const COLLECTOR_NAMESPACE = 'Lakehouse/Collector';

export const COLLECTOR_METRICS = {
  /** Events written to their dataset's stream (count per request, dimension Source). */
  accepted: 'AcceptedEvents',
  /** Events refused (contract, auth, limits, duplicates) and sent to quarantine (count, dimension Source). */
  rejected: 'RejectedEvents',
} as const;

/** The dimension naming the sending source (CollectorSource.name). */
export const SOURCE_DIMENSION = 'Source';
