/**
 * Run-time checks of {@link EmbeddingsPipelineProps}: `cdk synth` does not type-check, and a value Lambda,
 * SQS or EventBridge would refuse (or silently clamp) must fail the synth with the field and what is allowed.
 */
import { Token, type Duration } from 'aws-cdk-lib';
import { renderValue, type ValidationProblem } from '../common/validation-report';
import { EmbeddingSettingsError, resolveSettings, type EmbeddingCollectionSettings } from './settings';

/** Lambda's SQS event source: at most 10 records per batch without a batching window (Lambda API). */
export const MAX_BATCH_WITHOUT_WINDOW = 10;
/** SQS: the visibility timeout is at most 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
/**
 * AWS's guidance for Lambda consumers: a visibility timeout of at least six times the function timeout
 * (plus the batching window), so a message is not handed to a second consumer while a throttled or retried
 * invocation still holds it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface PipelineLimitsInput {
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency: number;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly maxReceiveCount: number;
  readonly deadLetterRetention: Duration;
  readonly sourcePrefix: string;
}

/** Turns the runtime's settings errors into problems of the one validation report. */
export function settingsProblems(source: string, settings: unknown): { settings?: EmbeddingCollectionSettings; problems: ValidationProblem[] } {
  try {
    return { settings: resolveSettings(settings, 'settings'), problems: [] };
  } catch (error) {
    if (!(error instanceof EmbeddingSettingsError)) throw error;
    return {
      problems: error.problems.map((problem) => {
        // Each problem starts with its field path (`settings.chunk.size …`); keep the path as the field.
        const field = /^(settings(?:\.[A-Za-z]+)*)\s/.exec(problem)?.[1] ?? 'settings';
        const value = fieldValue(settings, field);
        // The report prints the value ("got 8"); drop the runtime's own repetition of it ("8: expected …").
        const shown = JSON.stringify(value);
        let allowed = problem.slice(field.length).trim();
        if (shown !== undefined && allowed.startsWith(`${shown}: `)) allowed = allowed.slice(shown.length + 2);
        else if (shown !== undefined && allowed.startsWith(`${shown} `)) allowed = allowed.slice(shown.length + 1);
        return { source, field, value: renderValue(value), allowed };
      }),
    };
  }
}

function fieldValue(input: unknown, field: string): unknown {
  return field
    .split('.')
    .slice(1)
    .reduce<unknown>((current, part) => (current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined), input);
}

/** Problems with the CDK-level props (function, queue, event source, prefix). */
export function limitProblems(source: string, input: PipelineLimitsInput): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const wholeIn = (field: string, value: number, min: number, max: number, why: string) => {
    if (Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) problems.push({ source, field, value: renderValue(value), allowed: `a whole number from ${min} to ${max} (${why})` });
  };
  const timeoutSeconds = input.timeout.toSeconds();
  wholeIn('timeout', timeoutSeconds, 1, 900, 'seconds; Lambda allows at most 15 minutes');
  wholeIn('memorySize', input.memorySize, 128, 10_240, 'MiB, Lambda limits');
  // Lambda's SQS event source scales to at least 2 concurrent pollers (maximumConcurrency's minimum).
  wholeIn('reservedConcurrency', input.reservedConcurrency, 2, 1000, "the SQS event source's maximum concurrency is at least 2; more than the reserved concurrency would only throttle");
  wholeIn('batchSize', input.batchSize, 1, 10_000, 'records per invocation (Lambda, standard SQS queue)');
  wholeIn('maxBatchingWindow', input.maxBatchingWindow.toSeconds(), 0, 300, 'seconds; Lambda allows at most 5 minutes');
  wholeIn('maxReceiveCount', input.maxReceiveCount, 1, 1000, 'deliveries before a message moves to the dead-letter queue (SQS redrive policy)');
  wholeIn('deadLetterRetention', input.deadLetterRetention.toSeconds(), 60, 1_209_600, 'seconds; SQS keeps messages 1 minute to 14 days');
  if (input.batchSize > MAX_BATCH_WITHOUT_WINDOW && input.maxBatchingWindow.toSeconds() === 0) {
    problems.push({
      source,
      field: 'batchSize',
      value: renderValue(input.batchSize),
      allowed: `more than ${MAX_BATCH_WITHOUT_WINDOW} records per batch needs a maxBatchingWindow above 0 (Lambda refuses the event source otherwise)`,
    });
  }
  const visibility = visibilityTimeoutSeconds(input.timeout, input.maxBatchingWindow);
  if (visibility > MAX_VISIBILITY_SECONDS) {
    problems.push({
      source,
      field: 'timeout',
      value: renderValue(timeoutSeconds),
      allowed: `the queue's visibility timeout (${VISIBILITY_TIMEOUT_FACTOR} × timeout + maxBatchingWindow = ${visibility} s) must stay within SQS's 12 hours`,
    });
  }
  const prefix = input.sourcePrefix;
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.startsWith('/') || !prefix.endsWith('/') || prefix.includes('*') || prefix.length > 1024) {
    problems.push({
      source,
      field: 'sourcePrefix',
      value: renderValue(prefix),
      allowed: 'a key prefix such as "documents/": not empty, no leading "/", ending in "/", no "*" (it scopes both the event rule and the read permission)',
    });
  }
  return problems;
}

/** The queue's visibility timeout: six function timeouts plus the batching window. */
export function visibilityTimeoutSeconds(timeout: Duration, maxBatchingWindow: Duration): number {
  return VISIBILITY_TIMEOUT_FACTOR * timeout.toSeconds() + maxBatchingWindow.toSeconds();
}
