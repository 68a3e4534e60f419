/**
 * Seed-shaped sample events for demos and benchmarks: varied event names, users, pages and traits,
 * timestamps spread over the last hour in the forms producers send (ISO with `Z`, ISO with an offset,
 * epoch milliseconds).
 */
import type { SeedEvent } from './canonical-event';

const EVENTS = ['page_view', 'button_clicked', 'signup_started', 'signup_completed', 'checkout_started', 'purchase_completed', 'search_performed'];
const PAGES = ['/', '/pricing', '/docs/getting-started', '/blog/lakehouse', '/signup', '/checkout', '/account'];
const REFERRERS = ['https://www.google.com/', 'https://news.ycombinator.com/', 'https://example.org/newsletter', ''];
const PLANS = ['free', 'pro', 'team', 'enterprise'];
const SOURCES = ['organic', 'ads', 'referral', 'email'];

export interface SampleOptions {
  /** @default Date.now() */
  readonly now?: number;
  /** How far back timestamps reach, in milliseconds. @default one hour */
  readonly spreadMs?: number;
  /** Distinct users. @default 50 */
  readonly users?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** A small deterministic generator (mulberry32), for reproducible samples. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` seed-shaped events with times in the last `spreadMs` before `now`. */
export function sampleSeedEvents(count: number, options: SampleOptions = {}): SeedEvent[] {
  const now = options.now ?? Date.now();
  const spread = options.spreadMs ?? 3_600_000;
  const users = options.users ?? 50;
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const events: SeedEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = now - Math.floor(random() * spread);
    const form = i % 3;
    // ISO with Z, ISO with a +02:00 offset, or epoch milliseconds.
    const timestamp =
      form === 0 ? new Date(time).toISOString() : form === 1 ? new Date(time + 7_200_000).toISOString().replace('Z', '+02:00') : time;
    const event = pick(EVENTS);
    const extra: Record<string, unknown> =
      event === 'purchase_completed'
        ? { order_id: `o-${100_000 + i}`, revenue: Math.round(random() * 50_000) / 100, items: [{ sku: `sku-${Math.floor(random() * 20)}`, qty: 1 }] }
        : event === 'button_clicked'
          ? { button_id: pick(['cta-hero', 'cta-footer', 'nav-signup']), experiment: { id: 'exp-12', variant: pick(['a', 'b']) } }
          : event === 'search_performed'
            ? { query: pick(['parquet', 'iceberg', 'partition projection']), results: Math.floor(random() * 40) }
            : {};
    events.push({
      event,
      properties: {
        user_id: `user-${String(Math.floor(random() * users) + 1).padStart(4, '0')}`,
        timestamp,
        context: { page_url: `https://shop.example.com${pick(PAGES)}`, referrer: pick(REFERRERS) },
        traits: { plan: pick(PLANS), source: pick(SOURCES) },
        session_id: `s-${Math.floor(random() * 1e9).toString(36)}`,
        ...extra,
      },
    });
  }
  return events;
}
