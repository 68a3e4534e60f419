import { enumOtherValue, maxFutureSkewHours, maxLatenessDays, valueKeys } from './defaults';
import type { DatasetDefinition, TimeGranularity } from './model';
import { dataPrefix, errorPrefixRoot, partitionPath } from './partitioning';

/**
 * What Firehose needs to write a stream-ingested dataset so that Athena sees every object: the data
 * prefix (rendered from the same partition keys as the Glue location template), the error prefix, the
 * JQ query that extracts partition values, and buffering derived from the freshness SLO.
 */

/** Firehose's `dataOutputPrefix`. */
export function firehoseDataPrefix(dataset: DatasetDefinition): string {
  return `${dataPrefix(dataset)}${partitionPath(dataset, (key) => key.firehoseValue)}`;
}

/**
 * Firehose's `errorOutputPrefix`: outside the table location, split by error type
 * (`processing-failed` holds records the JQ query rejected, such as late events).
 */
export function firehoseErrorPrefix(dataset: DatasetDefinition): string {
  return `${errorPrefixRoot(dataset)}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;
}

/** The `strftime` patterns (jq) that render each time key from epoch seconds. */
const JQ_TIME_FORMATS: Record<TimeGranularity, Array<[string, string]>> = {
  month: [['month', '%Y-%m']],
  day: [['dt', '%Y-%m-%d']],
  hour: [
    ['dt', '%Y-%m-%d'],
    ['hour', '%H'],
  ],
};

/** A jq string literal. */
const jqString = (value: string) => JSON.stringify(value);

/**
 * The JQ-1.6 metadata-extraction query, or undefined when no key comes from the record (ingestion-time
 * partitioning without value keys uses `!{timestamp:…}` only).
 *
 * - enum keys: a value outside the list (or missing, or not a string) becomes the catch-all value,
 *   which the projection lists, so no row lands in a partition Athena never reads;
 * - event time: must be an ISO-8601 UTC string ending in `Z` and lie within the accepted window
 *   (maxLatenessDays back, maxFutureSkewHours ahead, both inside the projection's range); otherwise
 *   the query raises an error and Firehose delivers the record to the error prefix.
 */
export function jqExtractionQuery(dataset: DatasetDefinition): string | undefined {
  const fields: string[] = [];
  for (const key of valueKeys(dataset)) {
    const source = `.${key.sourceField}`;
    if (key.kind === 'enum') {
      const allowed = key.values.map(jqString).join(',');
      fields.push(`${key.name}: (${source} as $v | if ($v | type) == "string" and ($v | IN(${allowed})) then $v else ${jqString(enumOtherValue(key))} end)`);
    } else {
      fields.push(`${key.name}: (${source} | if type == "string" and length > 0 then . else error("${key.sourceField} is missing") end)`);
    }
  }
  const time = dataset.partitioning.time;
  if (time.source.kind === 'ingestion-time') {
    return fields.length === 0 ? undefined : `{${fields.join(', ')}}`;
  }
  for (const [name, format] of JQ_TIME_FORMATS[time.granularity]) fields.push(`${name}: ($t | strftime(${jqString(format)}))`);
  const column = time.source.column;
  const earliest = maxLatenessDays(dataset) * 86_400;
  const latest = maxFutureSkewHours(dataset) * 3_600;
  // fromdateiso8601 in jq 1.6 takes whole seconds only, so fractional seconds are cut before parsing.
  return (
    `(.${column} | if type == "string" and endswith("Z") and length >= 20 then (.[0:19] + "Z" | fromdateiso8601) ` +
    `else error("${column} must be an ISO-8601 UTC timestamp ending in Z") end) as $t | ` +
    `if $t < (now - ${earliest}) or $t > (now + ${latest}) then error("${column} is outside the accepted window") ` +
    `else {${fields.join(', ')}} end`
  );
}

/** Firehose limits with dynamic partitioning or format conversion (aws-cdk-lib validation, Firehose docs). */
export const FIREHOSE_LIMITS = {
  minIntervalSeconds: 60,
  maxIntervalSeconds: 900,
  minSizeMiB: 64,
  maxSizeMiB: 128,
  /** End-to-end delivery can take up to 1.5× the buffer interval (Firehose docs). */
  latencyFactor: 1.5,
} as const;

export interface FirehoseBuffering {
  readonly intervalSeconds: number;
  readonly sizeMiB: number;
}

/**
 * Buffering that meets the dataset's freshness SLO: the longest interval whose worst-case latency
 * (1.5× the interval) fits in the SLO, capped at 900 s, with the largest buffer (128 MiB) for fewer,
 * bigger Parquet files. Throws when the SLO is tighter than Firehose can deliver.
 */
export function firehoseBuffering(dataset: DatasetDefinition): FirehoseBuffering {
  const intervalSeconds = Math.min(
    FIREHOSE_LIMITS.maxIntervalSeconds,
    Math.floor((dataset.freshnessSloMinutes * 60) / FIREHOSE_LIMITS.latencyFactor),
  );
  if (intervalSeconds < FIREHOSE_LIMITS.minIntervalSeconds) {
    throw new Error(
      `dataset ${dataset.name}: freshnessSloMinutes ${dataset.freshnessSloMinutes} is tighter than Firehose can deliver with dynamic partitioning`,
    );
  }
  return { intervalSeconds, sizeMiB: FIREHOSE_LIMITS.maxSizeMiB };
}

/** The tightest freshness SLO Firehose can meet, in minutes (1.5 × 60 s). */
export const MIN_STREAM_FRESHNESS_MINUTES = (FIREHOSE_LIMITS.minIntervalSeconds * FIREHOSE_LIMITS.latencyFactor) / 60;
