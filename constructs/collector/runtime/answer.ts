/**
 * What the sender reads back. Segment's convention is `200 {"success":true}`; the collector adds, per
 * request, how many calls were accepted and every call that was not, with its position and reasons,
 * so a sender can fix its data. The status follows what Segment's SDKs do with it:
 * - 200 when at least one call was accepted (the others are listed; they are in quarantine);
 * - 400 (403 when every call wrote a dataset the key does not own) when none was: SDKs do not retry
 *   a 400, and resending the same data would fail again;
 * - 503 with Retry-After only when nothing could be accepted because delivery failed: SDKs retry 5xx,
 *   and the repeated messageIds let the curated layer drop anything delivered twice.
 */
import type { APIGatewayProxyResult } from './proxy-event';
import type { QuarantineStage } from '../quarantine-record';

export interface RejectedCall {
  /** Position in the request: 0 for a single call, the index in `batch` otherwise. */
  readonly index: number;
  readonly messageId?: string;
  readonly stage: QuarantineStage;
  readonly reasons: readonly string[];
}

export interface CollectorAnswer {
  readonly success: boolean;
  readonly accepted: number;
  readonly rejected: readonly RejectedCall[];
  readonly message?: string;
}

export function jsonResult(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** A refusal of the whole request (nothing was looked at call by call). */
export function refusal(status: number, message: string, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult {
  return jsonResult(status, { success: false, accepted: 0, rejected: [], message }, headers);
}

/** The answer to a request whose calls were each accepted or rejected. */
export function callsAnswer(accepted: number, rejected: readonly RejectedCall[], headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult {
  const sorted = [...rejected].sort((a, b) => a.index - b.index);
  if (accepted > 0) return jsonResult(200, { success: sorted.length === 0, accepted, rejected: sorted } satisfies CollectorAnswer, headers);
  if (sorted.some((call) => call.stage === 'delivery')) {
    return jsonResult(503, { success: false, accepted, rejected: sorted, message: 'no call could be delivered; retry the request' } satisfies CollectorAnswer, { ...headers, 'retry-after': '1' });
  }
  const forbidden = sorted.length > 0 && sorted.every((call) => call.stage === 'forbidden');
  return jsonResult(forbidden ? 403 : 400, { success: false, accepted, rejected: sorted, message: 'no call was accepted: see rejected' } satisfies CollectorAnswer, headers);
}
