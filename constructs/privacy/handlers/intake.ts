/**
 * Step `intake` (only when the execution input has `requests`): validates every request first (one
 * refused request queues nothing) and queues them in the request table. Output has request ids and
 * deadlines, never subject ids: everything after this step in the execution history is id-free.
 *
 * Input `{ requests: [{ subjects, regulation?, reference? }] }`; output `{ accepted: [{ requestId, deadline, duplicate }] }`.
 * A refused input throws `ErasureRequestError` (catchable by name; the message names fields and
 * positions, never ids).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readPrivacyEnvironment } from '../handler-environment';
import { ErasureRequestError, validateErasureRequest, type DeadlineDays, type ErasureRequest } from '../request';
import { RequestStore, type EnqueueResult } from '../request-store';
import { jsonLog, type Log } from '../runtime';
import { cachedSalt, loadSalt } from '../salt';
import type { Salt } from '../subject-hash';
import type { ValidationProblem } from '../../common/validation-report';

/** At most this many requests per execution input (the workflow's largest batch). */
export const MAX_REQUESTS_PER_INPUT = 500;

export interface IntakeDependencies {
  readonly store: RequestStore;
  readonly salt: () => Promise<Salt>;
  readonly deadlines: DeadlineDays;
  readonly now?: () => Date;
  readonly log?: Log;
}

export interface IntakeOutput {
  readonly accepted: EnqueueResult[];
}

/** Validates the whole input (every problem of every request in one error) before queueing anything. */
export function validateIntakeInput(event: unknown): ErasureRequest[] {
  const requests = (event as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_REQUESTS_PER_INPUT) {
    const got = Array.isArray(requests) ? `a list of ${requests.length}` : requests === undefined ? '(missing)' : `a ${typeof requests}`;
    throw new ErasureRequestError('intake input', [{ source: 'intake input', field: 'requests', value: got, allowed: `a list of 1-${MAX_REQUESTS_PER_INPUT} requests { subjects, regulation?, reference? }` }]);
  }
  const problems: ValidationProblem[] = [];
  const valid: ErasureRequest[] = [];
  requests.forEach((request, index) => {
    try {
      valid.push(validateErasureRequest(request, `requests[${index}]`));
    } catch (error) {
      if (!(error instanceof ErasureRequestError)) throw error;
      problems.push(...error.problems);
    }
  });
  if (problems.length > 0) throw new ErasureRequestError('intake input', problems.map((p) => ({ ...p, field: `${p.source}.${p.field}` })));
  return valid;
}

export function createIntake(deps: IntakeDependencies): (event: unknown) => Promise<IntakeOutput> {
  const log = deps.log ?? jsonLog;
  return async (event) => {
    const requests = validateIntakeInput(event);
    const salt = await deps.salt();
    const receivedAt = (deps.now ?? (() => new Date()))();
    const accepted: EnqueueResult[] = [];
    for (const request of requests) accepted.push(await deps.store.enqueue(request, { salt, receivedAt, deadlines: deps.deadlines }));
    log('erasure requests queued', {
      requests: accepted.length,
      duplicates: accepted.filter((a) => a.duplicate).length,
      requestIds: accepted.map((a) => a.requestId),
    });
    return { accepted };
  };
}

let cached: ((event: unknown) => Promise<IntakeOutput>) | undefined;

export async function handler(event: unknown): Promise<IntakeOutput> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['requestsTable', 'saltSecretArn']);
    const secrets = new SecretsManagerClient({});
    cached = createIntake({
      store: new RequestStore(new DynamoDBClient({}), settings.requestsTable),
      salt: cachedSalt(() => loadSalt(secrets, settings.saltSecretArn)),
      deadlines: settings.deadlines,
    });
  }
  return cached(event);
}
