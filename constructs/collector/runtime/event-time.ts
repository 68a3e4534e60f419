/**
 * The event time of a Segment call, with Segment's clock-skew correction: a device's clock may be off by
 * hours, but the time between the call and its sending (`sentAt − originalTimestamp`) is measured on
 * that one clock, so `receivedAt − (sentAt − originalTimestamp)` is the call's time on the server's
 * clock. Without `sentAt` the sender's time is taken as is (server-side senders with a set timestamp);
 * without any time, the receive time.
 */
import { normalizeTimestamp } from '../../../producer/timestamps';

export type EventTimeResult =
  | { readonly ok: true; readonly epochMs: number; readonly originalMs?: number; readonly sentAtMs?: number }
  | { readonly ok: false; readonly reason: string };

/**
 * `message`: the call (its `originalTimestamp`, else `timestamp`, and `sentAt`); `batchSentAt`: the
 * batch's `sentAt`, used when the call has none; `receivedAt`: epoch ms at which the request arrived.
 */
export function eventTime(message: Readonly<Record<string, unknown>>, batchSentAt: unknown, receivedAt: number): EventTimeResult {
  const originalField = message.originalTimestamp !== undefined ? 'originalTimestamp' : 'timestamp';
  const originalValue = message[originalField];
  const sentAtValue = message.sentAt !== undefined ? message.sentAt : batchSentAt;
  let originalMs: number | undefined;
  let sentAtMs: number | undefined;
  if (originalValue !== undefined && originalValue !== null) {
    const parsed = normalizeTimestamp(originalValue);
    if (!parsed.ok) return { ok: false, reason: `${originalField}: ${parsed.reason}` };
    originalMs = parsed.epochMs;
  }
  if (sentAtValue !== undefined && sentAtValue !== null) {
    const parsed = normalizeTimestamp(sentAtValue);
    if (!parsed.ok) return { ok: false, reason: `sentAt: ${parsed.reason}` };
    sentAtMs = parsed.epochMs;
  }
  if (originalMs === undefined) return { ok: true, epochMs: receivedAt, sentAtMs };
  if (sentAtMs === undefined) return { ok: true, epochMs: originalMs, originalMs };
  return { ok: true, epochMs: receivedAt - (sentAtMs - originalMs), originalMs, sentAtMs };
}
