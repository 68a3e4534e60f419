/**
 * The `events` record, in the two shapes producers may send, and the mapping to the canonical flat
 * record the lake stores (docs/architecture.md, "The events record"; the columns are in config/datasets/events.ts).
 */
import { normalizeTimestamp } from './timestamps';

/** Where the event happened. */
export interface EventContext {
  readonly page_url?: string | null;
  readonly referrer?: string | null;
  /** Anything else is moved into the canonical `properties` map as `context.<name>`. */
  readonly [extra: string]: unknown;
}

/** Who the user is at event time. */
export interface EventTraits {
  readonly plan?: string | null;
  readonly source?: string | null;
  /** Anything else is moved into the canonical `properties` map as `traits.<name>`. */
  readonly [extra: string]: unknown;
}

/**
 * The seed's nested shape: everything but the event name lives in `properties`.
 *
 * ```json
 * { "event": "page_view",
 *   "properties": { "user_id": "u-1", "timestamp": "2026-01-31T10:00:00+01:00",
 *                   "context": { "page_url": "https://…", "referrer": "https://…" },
 *                   "traits": { "plan": "pro", "source": "ads" }, "button": "buy", "items": 3 } }
 * ```
 */
export interface SeedEvent {
  readonly event: string;
  readonly properties: {
    readonly user_id?: string | null;
    /** ISO-8601 with `Z` or an offset, or epoch milliseconds (a number). */
    readonly timestamp: string | number;
    readonly context?: EventContext | null;
    readonly traits?: EventTraits | null;
    /** Any other property; stored as a string in the canonical `properties` map. */
    readonly [property: string]: unknown;
  };
}

/** The canonical flat record, one row of the `events` table. */
export interface CanonicalEvent {
  readonly event: string | null;
  readonly user_id: string | null;
  /** ISO-8601 UTC with milliseconds, ending in `Z`: `2026-01-31T09:00:00.000Z`. */
  readonly event_time: string;
  readonly context: { readonly page_url: string | null; readonly referrer: string | null } | null;
  readonly traits: { readonly plan: string | null; readonly source: string | null } | null;
  /** Every other property, as a string (objects and arrays as JSON); a null value stays null. */
  readonly properties: Readonly<Record<string, string | null>>;
  /**
   * The event's unique id (the HTTP collector stores Segment's `messageId` here); the curated job keeps
   * one row per id. Absent when the sender gave none (`EventProducer` then generates a UUID when the
   * contract has the column).
   */
  readonly event_id?: string | null;
}

/** Which shape an input was read as. */
export type EventShape = 'seed' | 'canonical';

export type CanonicalEventResult =
  | { readonly ok: true; readonly shape: EventShape; readonly record: CanonicalEvent }
  | { readonly ok: false; readonly shape?: EventShape; readonly reasons: readonly string[] };

/** Fields of the seed's `properties` that are not free-form. */
const SEED_RESERVED = ['user_id', 'timestamp', 'context', 'traits'] as const;
const SEED_FIELDS = ['event', 'properties', 'event_id'] as const;
const CANONICAL_FIELDS = ['event', 'user_id', 'event_time', 'context', 'traits', 'properties', 'event_id'] as const;

/** Longest event id accepted: UUIDs are 36 characters; Segment SDKs send `ajs-next-<32 hex>` and similar. */
export const MAX_EVENT_ID_LENGTH = 128;
/** Printable ASCII without spaces: an id is compared byte for byte by the curated job's dedupe. */
const EVENT_ID = /^[\x21-\x7e]+$/;
const STRUCT_FIELDS = { context: ['page_url', 'referrer'], traits: ['plan', 'source'] } as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** A property value as the `map<string,string>` column stores it. */
function propertyString(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? undefined;
}

/**
 * Which shape `input` is: canonical when it has a top-level `event_time`, seed when it has
 * `properties.timestamp`; undefined when it has neither (the event has no time).
 */
export function detectShape(input: Record<string, unknown>): EventShape | undefined {
  if (Object.prototype.hasOwnProperty.call(input, 'event_time')) return 'canonical';
  if (isPlainObject(input.properties) && Object.prototype.hasOwnProperty.call(input.properties, 'timestamp')) return 'seed';
  return undefined;
}

/**
 * Maps either shape to the canonical flat record:
 * - the time (`properties.timestamp` or `event_time`) becomes `event_time`, ISO-8601 UTC with `Z`
 *   (offsets and epoch milliseconds are converted; anything unparseable is refused with a reason);
 * - `user_id`, `context` and `traits` move to the top level; `context`/`traits` keep their declared
 *   fields, and any other field in them is kept in `properties` as `context.<name>`/`traits.<name>`;
 * - every other property goes into the `properties` map as a string (objects and arrays as JSON).
 *
 * - a top-level `event_id` (either shape) is kept as the event's id (`eventIdProblem` says what is allowed).
 *
 * Fields the mapping owns must have the right kind (`event`, `user_id` strings; `context`, `traits`,
 * `properties` objects); anything else at the top level is refused as an unknown field. The result is
 * checked against the dataset contract by `validateRecord`.
 */
export function toCanonicalEvent(input: unknown): CanonicalEventResult {
  if (!isPlainObject(input)) return { ok: false, reasons: [`an event must be a JSON object, got ${kindOf(input)}`] };
  const shape = detectShape(input);
  if (shape === undefined) {
    return { ok: false, reasons: ['the event has no time: expected properties.timestamp (seed shape) or event_time (canonical shape)'] };
  }
  const seed = shape === 'seed';
  const reasons: string[] = [];
  const properties: Record<string, string | null> = {};

  const known: readonly string[] = seed ? SEED_FIELDS : CANONICAL_FIELDS;
  for (const field of Object.keys(input)) {
    if (!known.includes(field)) reasons.push(`unknown field "${field}" (the ${shape} shape has: ${known.join(', ')})`);
  }

  const sourceProperties = input.properties;
  if (sourceProperties !== undefined && sourceProperties !== null && !isPlainObject(sourceProperties)) {
    reasons.push(`properties must be an object, got ${kindOf(sourceProperties)}`);
  }
  const props = isPlainObject(sourceProperties) ? sourceProperties : {};
  // Where the mapped fields are read from: inside properties (seed) or at the top level (canonical).
  const holder = seed ? props : input;
  const prefix = seed ? 'properties.' : '';

  const event = input.event;
  if (event !== undefined && event !== null && typeof event !== 'string') reasons.push(`event must be a string, got ${kindOf(event)}`);

  const userId = holder.user_id;
  if (userId !== undefined && userId !== null && typeof userId !== 'string') reasons.push(`${prefix}user_id must be a string, got ${kindOf(userId)}`);

  const eventId = input.event_id;
  if (eventId !== undefined && eventId !== null) {
    const problem = eventIdProblem(eventId);
    if (problem) reasons.push(`event_id ${problem}`);
  }

  const time = normalizeTimestamp(seed ? props.timestamp : input.event_time);
  if (!time.ok) reasons.push(`${seed ? 'properties.timestamp' : 'event_time'}: ${time.reason}`);

  const context = mapStruct(holder.context, 'context', prefix, properties, reasons) as CanonicalEvent['context'];
  const traits = mapStruct(holder.traits, 'traits', prefix, properties, reasons) as CanonicalEvent['traits'];

  for (const key of Object.keys(props)) {
    if (seed && (SEED_RESERVED as readonly string[]).includes(key)) continue;
    const stored = propertyString(props[key]);
    if (stored !== undefined) properties[key] = stored;
  }

  if (reasons.length > 0 || !time.ok) return { ok: false, shape, reasons };
  return {
    ok: true,
    shape,
    record: {
      event: typeof event === 'string' ? event : null,
      user_id: typeof userId === 'string' ? userId : null,
      event_time: time.iso as string,
      context,
      traits,
      properties,
      // Only when sent: a record without it still satisfies a contract that has no event_id column.
      ...(typeof eventId === 'string' ? { event_id: eventId } : {}),
    },
  };
}

/** Why `value` cannot be an event id, or undefined when it can. */
export function eventIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${kindOf(value)}`;
  if (value.length === 0 || value.length > MAX_EVENT_ID_LENGTH || !EVENT_ID.test(value)) {
    return `must be 1-${MAX_EVENT_ID_LENGTH} printable ASCII characters without spaces, got ${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '…' : ''}`;
  }
  return undefined;
}

/** `context` or `traits`: declared fields kept (null when missing), other fields moved into `properties`. */
function mapStruct(
  value: unknown,
  name: keyof typeof STRUCT_FIELDS,
  prefix: string,
  properties: Record<string, string | null>,
  reasons: string[],
): Record<string, string | null> | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) {
    reasons.push(`${prefix}${name} must be an object, got ${kindOf(value)}`);
    return null;
  }
  const declared: readonly string[] = STRUCT_FIELDS[name];
  const result: Record<string, string | null> = {};
  for (const field of declared) {
    const fieldValue = value[field];
    if (fieldValue !== undefined && fieldValue !== null && typeof fieldValue !== 'string') {
      reasons.push(`${prefix}${name}.${field} must be a string, got ${kindOf(fieldValue)}`);
    }
    result[field] = typeof fieldValue === 'string' ? fieldValue : null;
  }
  for (const field of Object.keys(value)) {
    if (declared.includes(field)) continue;
    const stored = propertyString(value[field]);
    if (stored !== undefined) properties[`${name}.${field}`] = stored;
  }
  return result;
}
