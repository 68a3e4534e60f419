/**
 * What the privacy handlers share at run time: one JSON log line per event (never a subject id: callers
 * pass counts, request ids and batch ids only), errors rendered as `name: message`, and checks of the
 * values the state machine passes between steps.
 */
import { REQUEST_ID } from './subject-hash';

export type Log = (message: string, fields?: Record<string, unknown>) => void;

export const jsonLog: Log = (message, fields) => console.log(JSON.stringify({ message, ...fields }));

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A step's input must be a JSON object. */
export function inputObject(event: unknown, handler: string): Record<string, unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new TypeError(`${handler}: the input must be a JSON object`);
  return event as Record<string, unknown>;
}

export function checkRequestIds(value: unknown, field = 'requestIds'): string[] {
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !REQUEST_ID.test(id))) {
    throw new TypeError(`${field} must be a list of request ids (32 lower-case hex characters)`);
  }
  return value as string[];
}

export function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${field} must be a whole number ${min}-${max}; got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

/** A Step Functions error (`{ Error, Cause }` from a Catch) or any value, as one line for `lastError`. */
export function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const { Error: name, Cause: cause } = error as { Error?: unknown; Cause?: unknown };
    if (name !== undefined || cause !== undefined) return [name, cause].filter((part) => part !== undefined).map(String).join(': ');
  }
  return JSON.stringify(error) ?? 'unknown error';
}
