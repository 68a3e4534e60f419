/**
 * Seeded sample events in the canonical flat record (the events contract), shaped so that every metric
 * has a non-trivial known answer: users active on several days with several events a day (so counting
 * rows and counting users differ), events without a user, sign-up funnels that complete, stop, run out of
 * order or finish after the 7-day window, users who complete sign-up twice, feature use through
 * `feature_used` (with a named, empty or missing feature) and through dedicated events, and a user
 * without an acquisition source, and users who come for one day only. Every event has its own event_id
 * (a seeded UUID, as the producer sets one). The answers are computed from these records in TypeScript by
 * expected.ts, never by the SQL under test.
 */
import { seededRandom } from '../../producer/sample-events';
import { addDays } from './days';

/** One row of `events`, as the producer's canonical mapping stores it. */
// A type alias, not an interface, so that it is assignable to the writer's generic record type.
export type EventRecord = {
  readonly event: string;
  readonly user_id: string | null;
  /** ISO-8601 UTC with milliseconds, ending in Z. */
  readonly event_time: string;
  readonly context: { readonly page_url: string | null; readonly referrer: string | null };
  readonly traits: { readonly plan: string | null; readonly source: string | null };
  readonly properties: Readonly<Record<string, string>>;
  /** The producer's UUID; absent (null in Parquet) in records written before the contract had the column. */
  readonly event_id?: string | null;
};

export interface FixtureOptions {
  /** @default 13 */
  readonly seed?: number;
  /** First day with events, yyyy-mm-dd. @default 2026-01-01 */
  readonly firstDay?: string;
  /** Days with events. @default 62 */
  readonly days?: number;
  /** Distinct users. @default 40 */
  readonly users?: number;
}

export interface Fixture {
  readonly events: readonly EventRecord[];
  readonly firstDay: string;
  readonly lastDay: string;
  /** The day after the last day: `current_date` for the named queries, so every day of data is complete. */
  readonly today: string;
}

/** Hours events happen at: few, so that the lake has few partitions (fast), yet several per day. */
const HOURS = [2, 9, 14, 21];
const ACTIVITY = ['page_view', 'page_view', 'button_clicked', 'search_performed', 'feature_used', 'report_exported', 'dashboard_shared', 'invite_sent'];
const FEATURES = ['export', 'search', 'share', '', undefined];
const PLANS = ['free', 'pro', 'team'];
const SOURCES = ['organic', 'ads', 'referral', null];

export function generateFixture(options: FixtureOptions = {}): Fixture {
  const random = seededRandom(options.seed ?? 13);
  const firstDay = options.firstDay ?? '2026-01-01';
  const days = options.days ?? 62;
  const users = options.users ?? 40;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const events: EventRecord[] = [];
  const traitsOf = new Map<string, EventRecord['traits']>();
  const record = (event: string, user: string | null, day: string, hour: number, minute: number, properties: Record<string, string> = {}) => {
    const traits = user === null ? { plan: null, source: null } : (traitsOf.get(user) as EventRecord['traits']);
    const time = `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
    events.push({ event, user_id: user, event_time: time, context: { page_url: `https://shop.example.com/${event}`, referrer: null }, traits, properties });
  };
  const ids = Array.from({ length: users }, (_, index) => `user-${String(index + 1).padStart(3, '0')}`);
  for (const user of ids) traitsOf.set(user, { plan: pick(PLANS), source: pick(SOURCES) });

  // Each user is around for a stretch of days at their own rate, so that DAU, rolling and calendar MAU differ.
  const stretch = new Map(ids.map((user) => {
    const from = Math.floor(random() * days);
    const span = random() < 0.25 ? 0 : 5 + Math.floor(random() * days); // a quarter try the product for one day only
    return [user, { from, to: from + span, rate: pick([0.15, 0.35, 0.7]) }];
  }));
  for (let index = 0; index < days; index += 1) {
    const day = addDays(firstDay, index);
    for (const user of ids) {
      const { from, to, rate } = stretch.get(user) as { from: number; to: number; rate: number };
      if (index < from || index > to || random() >= rate) continue;
      const count = 1 + Math.floor(random() * 3);
      for (let n = 0; n < count; n += 1) {
        const event = pick(ACTIVITY);
        const feature = pick(FEATURES);
        record(event, user, day, pick(HOURS), Math.floor(random() * 60), event === 'feature_used' && feature !== undefined ? { feature } : {});
      }
    }
    if (index % 7 === 3) record('page_view', null, day, pick(HOURS), 5); // no user: never an active user (weekly, so user_id stays 99 % complete)
  }

  // Sign-up funnels: on its sign-up day a user starts; most complete, some out of order; some buy later.
  for (const user of ids) {
    if (random() < 0.25) continue;
    const day = addDays(firstDay, (stretch.get(user) as { from: number }).from); // they sign up when they arrive
    record('signup_started', user, day, 9, 10);
    const roll = random();
    if (roll < 0.15) {
      record('signup_completed', user, day, 2, 30); // before it started: not a step-2 conversion
    } else if (roll < 0.85) {
      record('signup_completed', user, day, 9, 40);
      const purchase = random();
      if (purchase < 0.4) record('first_purchase', user, day, 14, 0); // same day
      else if (purchase < 0.6) record('first_purchase', user, addDays(day, 3), 14, 0); // within 7 days
      else if (purchase < 0.75) record('first_purchase', user, addDays(day, 9), 14, 0); // after the window
      if (random() < 0.15) record('signup_completed', user, addDays(day, 2), 21, 0); // completes again later
    }
  }
  const lastDay = addDays(firstDay, days - 1);
  // Scripted cases every metric window is sure to contain, whatever the seed: a user active every day,
  // a purchase after the funnel's 7-day window, one within it on a later day, an out-of-order sign-up, and a
  // user whose traits change between two sign-ups.
  traitsOf.set('user-power', { plan: 'team', source: 'ads' });
  for (let index = 0; index < days; index += 1) record('page_view', 'user-power', addDays(firstDay, index), pick(HOURS), 1 + Math.floor(random() * 58));
  for (const [user, start, outcome] of [['user-late-buyer', -20, 9], ['user-buyer', -15, 3], ['user-out-of-order', -12, -1]] as const) {
    traitsOf.set(user, { plan: 'free', source: 'referral' });
    const day = addDays(lastDay, start);
    record('signup_started', user, day, 9, 10);
    record('signup_completed', user, day, outcome < 0 ? 2 : 9, 40);
    if (outcome > 0) record('first_purchase', user, addDays(day, outcome), 14, 0);
  }
  // Sign-up twice, through another channel the second time: the acquisition source is the first one's.
  traitsOf.set('user-switcher', { plan: 'free', source: 'ads' });
  record('signup_completed', 'user-switcher', addDays(lastDay, -20), 10, 0);
  traitsOf.set('user-switcher', { plan: 'pro', source: 'email' });
  record('signup_completed', 'user-switcher', addDays(lastDay, -18), 10, 0);
  // Late purchases and scripted cases of a short fixture may fall outside its days: keep the lake within them.
  const kept = events.filter((event) => event.event_time.slice(0, 10) >= firstDay && event.event_time.slice(0, 10) <= lastDay);
  kept.sort((a, b) => (a.event_time < b.event_time ? -1 : a.event_time > b.event_time ? 1 : 0));
  // Ids last, so that they draw nothing the records above depend on.
  const identified = kept.map((event) => ({ ...event, event_id: seededUuid(random) }));
  return { events: identified, firstDay, lastDay, today: addDays(lastDay, 1) };
}

/** A version-4-shaped UUID from the seeded generator (lowercase, as the producer's randomUUID). */
export function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8) as number).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
