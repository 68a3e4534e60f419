/**
 * One Segment call (track, identify, page, screen, group, alias) to the canonical event input the
 * producer maps and validates (`toCanonicalEvent`, canonical shape), plus its target dataset. Only the
 * Segment-specific part lives here: whether the call is well formed (a type, a user, a dataset the source
 * owns), its time and its privacy; the contract is checked by the producer's own code afterwards.
 * The table of what goes where is in the collector README ("Runtime").
 */
import { randomUUID } from 'node:crypto';
import { eventIdProblem } from '../../../producer/canonical-event';
import type { CollectorPrivacy, CollectorSource } from '../settings';
import { eventTime } from './event-time';
import { storedIp, storedUserAgent } from './privacy';

export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** The `event` column of calls that carry no event name of their own. */
export const EVENT_NAMES: Readonly<Record<Exclude<SegmentType, 'track'>, string>> = {
  page: 'page_view',
  screen: 'screen_view',
  identify: 'identify',
  group: 'group',
  alias: 'alias',
};

/** Prefix of the `properties` keys the collector writes itself (they win over a sender's same-named key). */
export const COLLECTOR_PROPERTY_PREFIX = 'segment.';
/** The property holding the anonymous id: the partition key of calls without a userId. */
export const ANONYMOUS_ID_PROPERTY = `${COLLECTOR_PROPERTY_PREFIX}anonymousId`;

/** Segment fields that carry transport or routing information, not data; never stored. */
const TRANSPORT_FIELDS = new Set(['type', 'writeKey', 'integrations', 'sentAt', 'receivedAt', '_metadata', 'version', 'channel']);
/** Fields mapped to a column or a `segment.` property by this module. */
const MAPPED_FIELDS = new Set([
  'event',
  'userId',
  'anonymousId',
  'messageId',
  'timestamp',
  'originalTimestamp',
  'properties',
  'traits',
  'context',
  'name',
  'category',
  'groupId',
  'previousId',
]);
/** `context` fields handled here rather than copied: the page (two of its fields are columns), privacy, routing. */
const CONTEXT_HANDLED = new Set(['page', 'ip', 'userAgent', 'dataset']);

export interface RequestFacts {
  readonly receivedAt: number;
  /** The batch's own `sentAt`, for calls inside `/v1/batch`. */
  readonly batchSentAt?: unknown;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly privacy: CollectorPrivacy;
  readonly source: CollectorSource;
}

export type MappedCall =
  | {
      readonly ok: true;
      readonly type: SegmentType;
      readonly dataset: string;
      readonly messageId: string;
      /** The canonical-shape input for `toCanonicalEvent` / `EventProducer.prepare`. */
      readonly input: Record<string, unknown>;
    }
  | {
      readonly ok: false;
      readonly messageId?: string;
      readonly dataset?: string;
      /** `forbidden`: the source may not write the dataset; `invalid`: anything else. */
      readonly kind: 'invalid' | 'forbidden';
      readonly reasons: readonly string[];
    };

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const optionalString = (value: unknown): value is string | undefined | null => value === undefined || value === null || typeof value === 'string';

/** The call's type: the endpoint's for single calls, the element's `type` inside a batch. */
export function callType(value: unknown): SegmentType | undefined {
  return (SEGMENT_TYPES as readonly unknown[]).includes(value) ? (value as SegmentType) : undefined;
}

/** The dataset a call writes: `context.dataset` when given, else the source's first dataset. */
function targetDataset(message: Record<string, unknown>, source: CollectorSource): { dataset?: string; reason?: string; forbidden?: boolean } {
  const context = isPlainObject(message.context) ? message.context : {};
  const requested = context.dataset;
  if (requested === undefined || requested === null) return { dataset: source.datasets[0] };
  if (typeof requested !== 'string') return { reason: `context.dataset must be a string, got ${kindOf(requested)}` };
  if (!source.datasets.includes(requested)) {
    return { dataset: requested, forbidden: true, reason: `source "${source.name}" may not write dataset "${requested}" (it may write: ${source.datasets.join(', ')})` };
  }
  return { dataset: requested };
}

/**
 * Maps one call. `type` is the call's type (already known valid); `message` the call's JSON.
 * Reasons list every problem found, so a sender fixes them in one go.
 */
export function mapSegmentCall(type: SegmentType, message: Record<string, unknown>, facts: RequestFacts): MappedCall {
  const reasons: string[] = [];
  const rawMessageId = message.messageId;
  const idProblem = rawMessageId === undefined || rawMessageId === null ? undefined : eventIdProblem(rawMessageId);
  if (idProblem) reasons.push(`messageId ${idProblem}`);
  // Segment's SDKs always send one; a hand-written call without one gets a server-made id.
  const messageId = typeof rawMessageId === 'string' && !idProblem ? rawMessageId : rawMessageId === undefined || rawMessageId === null ? `srv-${randomUUID()}` : undefined;

  const target = targetDataset(message, facts.source);
  if (target.reason) {
    if (target.forbidden) return { ok: false, kind: 'forbidden', messageId, dataset: target.dataset, reasons: [target.reason] };
    reasons.push(target.reason);
  }

  for (const field of ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId'] as const) {
    if (!optionalString(message[field])) reasons.push(`${field} must be a string, got ${kindOf(message[field])}`);
  }
  const userId = typeof message.userId === 'string' && message.userId !== '' ? message.userId : undefined;
  const anonymousId = typeof message.anonymousId === 'string' && message.anonymousId !== '' ? message.anonymousId : undefined;
  if (userId === undefined && anonymousId === undefined) reasons.push('userId or anonymousId is required (Segment: every call names its user)');
  if (type === 'track' && (typeof message.event !== 'string' || message.event === '')) reasons.push('track calls need an event name (event)');
  if (type === 'group' && (typeof message.groupId !== 'string' || message.groupId === '')) reasons.push('group calls need a groupId');
  if (type === 'alias' && (typeof message.previousId !== 'string' || message.previousId === '')) reasons.push('alias calls need a previousId');
  for (const field of ['properties', 'traits', 'context'] as const) {
    const value = message[field];
    if (value !== undefined && value !== null && !isPlainObject(value)) reasons.push(`${field} must be an object, got ${kindOf(value)}`);
  }

  const time = eventTime(message, facts.batchSentAt, facts.receivedAt);
  if (!time.ok) reasons.push(time.reason);
  if (reasons.length > 0 || !time.ok || messageId === undefined || target.dataset === undefined) {
    return { ok: false, kind: 'invalid', messageId, dataset: target.dataset, reasons };
  }

  const context = isPlainObject(message.context) ? message.context : {};
  const page = isPlainObject(context.page) ? context.page : {};
  const properties = isPlainObject(message.properties) ? message.properties : {};
  const { url: pageUrl, referrer, ...pageRest } = page;
  const canonicalContext: Record<string, unknown> = {
    // A page call's own properties.url/referrer are the page's (analytics.js sends them in both places).
    page_url: pageUrl ?? (type === 'page' ? properties.url : undefined) ?? null,
    referrer: referrer ?? (type === 'page' ? properties.referrer : undefined) ?? null,
  };
  if (Object.keys(pageRest).length > 0) canonicalContext.page = pageRest;
  const contextProperties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (CONTEXT_HANDLED.has(key) || key === 'traits') continue;
    // A context field named like a column field (mobile SDKs send `context.referrer` as an object) must not
    // replace it: it is kept as a property, as every other context field is.
    if (key in canonicalContext) contextProperties[`context.${key}`] = value;
    else canonicalContext[key] = value;
  }

  const userTraits = type === 'identify' ? (message.traits ?? context.traits) : context.traits;
  const collected: Record<string, unknown> = {
    anonymousId,
    type,
    name: message.name,
    category: message.category,
    groupId: message.groupId,
    previousId: message.previousId,
    groupTraits: type === 'group' ? message.traits : undefined,
    receivedAt: new Date(facts.receivedAt).toISOString(),
    originalTimestamp: time.originalMs === undefined || time.originalMs === time.epochMs ? undefined : new Date(time.originalMs).toISOString(),
    ip: storedIp(typeof context.ip === 'string' ? context.ip : facts.sourceIp, facts.privacy.ip),
    userAgent: storedUserAgent(typeof context.userAgent === 'string' ? context.userAgent : facts.userAgent, facts.privacy),
  };
  const mappedProperties: Record<string, unknown> = { ...properties, ...contextProperties };
  for (const [key, value] of Object.entries(message)) {
    // Anything else a sender adds at the top level is kept, not dropped: as a property of the same name.
    if (!TRANSPORT_FIELDS.has(key) && !MAPPED_FIELDS.has(key)) mappedProperties[key] = value;
  }
  for (const [key, value] of Object.entries(collected)) if (value !== undefined && value !== null) mappedProperties[`${COLLECTOR_PROPERTY_PREFIX}${key}`] = value;

  return {
    ok: true,
    type,
    dataset: target.dataset,
    messageId,
    input: {
      event: type === 'track' ? message.event : EVENT_NAMES[type],
      user_id: userId ?? null,
      // Epoch ms: the producer's mapping range-checks and renders it (a skew-corrected time can be absurd).
      event_time: time.epochMs,
      context: canonicalContext,
      traits: userTraits ?? null,
      properties: mappedProperties,
      event_id: messageId,
    },
  };
}

/** The partition key of a mapped record: the user id, else the anonymous id (both checked non-empty above). */
export function segmentPartitionKey(record: { readonly user_id: string | null; readonly properties: Readonly<Record<string, string | null>> }): string {
  return record.user_id ?? record.properties[ANONYMOUS_ID_PROPERTY] ?? '';
}
