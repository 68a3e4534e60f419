/**
 * The producer library: maps events to the canonical record, validates them against the dataset
 * contract and sends them to Kinesis within its limits, with retries. Runtime code; no CDK.
 */
export {
  detectShape,
  toCanonicalEvent,
  type CanonicalEvent,
  type CanonicalEventResult,
  type EventContext,
  type EventShape,
  type EventTraits,
  type SeedEvent,
} from './canonical-event';
export {
  backoffDelay,
  EventProducer,
  isRetryableCallError,
  planBatches,
  type BatchLimits,
  type EventProducerOptions,
  type FailedEvent,
  type PreparedRecord,
  type PutRecordsClient,
  type RejectedEvent,
  type SendReport,
} from './producer';
export { sampleSeedEvents, seededRandom, type SampleOptions } from './sample-events';
export { datasetStreamName } from './stream-name';
export { CANONICAL_TIMESTAMP, normalizeTimestamp, parseCanonicalTimestamp } from './timestamps';
export { checkRecord, KINESIS_LIMITS, validateRecord, type RecordCheck, type ValidateOptions } from './validate';
