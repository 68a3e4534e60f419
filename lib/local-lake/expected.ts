/**
 * The known answers of the fixture, computed in plain TypeScript from the records, independently of the
 * SQL under test: each function restates one query's definition (its header comment) as loops over
 * events. Tests compare the engine's rows with these; a changed query then fails unless its meaning
 * stayed the same.
 */
import { addDays, dayRange, daysBetween, monthStart } from './days';
import type { EventRecord } from './fixture';

export type ExpectedRow = Record<string, string | number | null>;

const FEATURE_EVENTS = ['feature_used', 'report_exported', 'dashboard_shared', 'invite_sent'];
const DAY_MS = 86_400_000;
const dayOf = (event: EventRecord) => event.event_time.slice(0, 10);
const time = (event: EventRecord) => Date.parse(event.event_time);
const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Distinct users with an event, per day (events without a user do not count). */
function usersByDay(events: readonly EventRecord[], first: string, last: string): Map<string, Set<string>> {
  const byDay = new Map<string, Set<string>>();
  for (const event of events) {
    const day = dayOf(event);
    if (event.user_id === null || day < first || day > last) continue;
    byDay.set(day, (byDay.get(day) ?? new Set()).add(event.user_id));
  }
  return byDay;
}

const sorted = <T extends ExpectedRow>(rows: T[], ...keys: string[]): T[] =>
  rows.sort((a, b) => {
    for (const key of keys) {
      const [x, y] = [a[key] ?? '', b[key] ?? ''];
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });

// ---------------------------------------------------------------------------------------------------
// Named queries (relative to today)
// ---------------------------------------------------------------------------------------------------

export function dailyActiveUsers(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const byDay = usersByDay(events, addDays(today, -30), addDays(today, -1));
  return sorted([...byDay].map(([day, users]) => ({ activity_date: day, active_users: users.size })), 'activity_date');
}

export function monthlyActiveUsers(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const byDay = usersByDay(events, monthStart(today, -3), today);
  const months = new Map<string, { users: Set<string>; days: number }>();
  for (const [day, users] of byDay) {
    const month = months.get(monthStart(day)) ?? { users: new Set<string>(), days: 0 };
    users.forEach((user) => month.users.add(user));
    month.days += 1;
    months.set(monthStart(day), month);
  }
  return sorted([...months].map(([month, { users, days }]) => ({ activity_month: month, active_users: users.size, days_covered: days })), 'activity_month');
}

export function dauMauStickiness(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const byDay = usersByDay(events, addDays(today, -59), addDays(today, -1));
  const rows: ExpectedRow[] = [];
  for (const day of dayRange(addDays(today, -30), addDays(today, -1))) {
    const daily = byDay.get(day);
    if (!daily) continue;
    const month = new Set<string>();
    for (const window of dayRange(addDays(day, -29), day)) byDay.get(window)?.forEach((user) => month.add(user));
    rows.push({ activity_date: day, daily_active_users: daily.size, monthly_active_users: month.size, stickiness: daily.size / month.size });
  }
  return rows;
}

export function retention7Day(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const signups = new Map<string, { cohort: string; first: EventRecord }>();
  for (const event of events) {
    const day = dayOf(event);
    if (event.event !== 'signup_completed' || event.user_id === null || day < addDays(today, -37) || day > addDays(today, -8)) continue;
    const known = signups.get(event.user_id);
    signups.set(event.user_id, {
      cohort: known && known.cohort < day ? known.cohort : day,
      first: known && time(known.first) <= time(event) ? known.first : event,
    });
  }
  const active = usersByDay(events, addDays(today, -36), addDays(today, -1));
  const groups = new Map<string, ExpectedRow & { cohort_size: number; day_7_retained_users: number; week_1_retained_users: number }>();
  for (const [user, { cohort, first }] of signups) {
    const source = first.traits.source ?? 'unknown';
    const key = `${cohort}|${source}`;
    const group = groups.get(key) ?? { cohort_date: cohort, acquisition_source: source, cohort_size: 0, day_7_retained_users: 0, week_1_retained_users: 0 };
    group.cohort_size += 1;
    if (active.get(addDays(cohort, 7))?.has(user)) group.day_7_retained_users += 1;
    if (dayRange(addDays(cohort, 1), addDays(cohort, 7)).some((day) => active.get(day)?.has(user))) group.week_1_retained_users += 1;
    groups.set(key, group);
  }
  return sorted(
    [...groups.values()].map((group) => ({
      cohort_date: group.cohort_date,
      acquisition_source: group.acquisition_source,
      cohort_size: group.cohort_size,
      day_7_retained_users: group.day_7_retained_users,
      day_7_retention_rate: group.day_7_retained_users / group.cohort_size,
      week_1_retained_users: group.week_1_retained_users,
      week_1_retention_rate: group.week_1_retained_users / group.cohort_size,
    })),
    'cohort_date',
    'acquisition_source',
  );
}

/** Users reaching each ordered step; `window` bounds every later step to step 1's time + window. */
function funnelCounts(stepEvents: readonly EventRecord[], entrants: readonly EventRecord[], windowMs: number): [number, number, number] {
  const first = new Map<string, number>();
  for (const event of entrants) first.set(event.user_id as string, Math.min(first.get(event.user_id as string) ?? Infinity, time(event)));
  let [second, third] = [0, 0];
  for (const [user, start] of first) {
    const mine = stepEvents.filter((event) => event.user_id === user);
    const completed = mine.filter((event) => event.event === 'signup_completed' && time(event) >= start && time(event) <= start + windowMs).map(time);
    if (completed.length === 0) continue;
    second += 1;
    const step2 = Math.min(...completed);
    if (mine.some((event) => event.event === 'first_purchase' && time(event) >= step2 && time(event) <= start + windowMs)) third += 1;
  }
  return [first.size, second, third];
}

export function funnelConversion(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const stepEvents = events.filter(
    (event) => event.user_id !== null && ['signup_started', 'signup_completed', 'first_purchase'].includes(event.event) && dayOf(event) >= addDays(today, -37) && dayOf(event) <= addDays(today, -1),
  );
  const entrants = stepEvents.filter((event) => event.event === 'signup_started' && dayOf(event) <= addDays(today, -8));
  const [s1, s2, s3] = funnelCounts(stepEvents, entrants, 7 * DAY_MS);
  return [
    { step_number: 1, step_name: 'signup_started', users: s1, conversion_from_first_step: 1, conversion_from_previous_step: 1 },
    { step_number: 2, step_name: 'signup_completed', users: s2, conversion_from_first_step: rate(s2, s1), conversion_from_previous_step: rate(s2, s1) },
    { step_number: 3, step_name: 'first_purchase', users: s3, conversion_from_first_step: rate(s3, s1), conversion_from_previous_step: rate(s3, s2) },
  ];
}

/** The feature an event signals: properties.feature of feature_used (null when absent), else the event name. */
const featureOf = (event: EventRecord): string | null => (event.event === 'feature_used' ? (event.properties.feature ?? null) : event.event);

function featureUsers(events: readonly EventRecord[], first: string, last: string): Map<string, Map<string, Set<string>>> {
  const byDay = new Map<string, Map<string, Set<string>>>();
  for (const event of events) {
    const day = dayOf(event);
    const feature = featureOf(event);
    if (event.user_id === null || day < first || day > last || !FEATURE_EVENTS.includes(event.event) || feature === null) continue;
    const features = byDay.get(day) ?? new Map<string, Set<string>>();
    features.set(feature, (features.get(feature) ?? new Set()).add(event.user_id));
    byDay.set(day, features);
  }
  return byDay;
}

export function featureAdoption(events: readonly EventRecord[], today: string): ExpectedRow[] {
  const [first, last] = [addDays(today, -30), addDays(today, -1)];
  const active = usersByDay(events, first, last);
  const rows: ExpectedRow[] = [];
  for (const [day, features] of featureUsers(events, first, last)) {
    for (const [feature, users] of features) {
      // An empty feature name is no feature: the ELT drops it too, so the query and the table agree.
      if (feature !== '') rows.push({ activity_date: day, feature, users: users.size, adoption_rate: users.size / (active.get(day) as Set<string>).size });
    }
  }
  return sorted(rows, 'activity_date', 'feature');
}

// ---------------------------------------------------------------------------------------------------
// ELT targets after running the given days
// ---------------------------------------------------------------------------------------------------

export function eltDailyActiveUsers(events: readonly EventRecord[], days: readonly string[]): ExpectedRow[] {
  const rows = days.flatMap((day) => {
    const users = usersByDay(events, day, day).get(day);
    return users ? [{ activity_date: day, active_users: users.size }] : [];
  });
  return sorted(rows, 'activity_date');
}

export function eltMonthlyActiveUsers(events: readonly EventRecord[], days: readonly string[]): ExpectedRow[] {
  const months = [...new Set(days.map((day) => monthStart(day)))];
  const rows = months.flatMap((month) => {
    const users = new Set<string>();
    usersByDay(events, month, addDays(monthStart(month, 1), -1)).forEach((set) => set.forEach((user) => users.add(user)));
    return users.size > 0 ? [{ activity_month: month, active_users: users.size }] : [];
  });
  return sorted(rows, 'activity_month');
}

export function eltRetentionCohorts(events: readonly EventRecord[], days: readonly string[]): ExpectedRow[] {
  const cohorts = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.event !== 'signup_completed' || event.user_id === null) continue;
    cohorts.set(dayOf(event), (cohorts.get(dayOf(event)) ?? new Set()).add(event.user_id));
  }
  const rows: ExpectedRow[] = [];
  for (const day of days) {
    const active = usersByDay(events, day, day).get(day) ?? new Set<string>();
    for (const [cohort, users] of cohorts) {
      const dayNumber = daysBetween(cohort, day);
      if (dayNumber < 0 || dayNumber > 30) continue;
      const retained = [...users].filter((user) => active.has(user)).length;
      rows.push({ cohort_date: cohort, day_number: dayNumber, cohort_size: users.size, retained_users: retained, retention_rate: retained / users.size });
    }
  }
  return sorted(rows, 'cohort_date', 'day_number');
}

export function eltFeatureAdoption(events: readonly EventRecord[], days: readonly string[]): ExpectedRow[] {
  const rows: ExpectedRow[] = [];
  for (const day of days) {
    const active = usersByDay(events, day, day).get(day)?.size ?? 0;
    for (const [feature, users] of featureUsers(events, day, day).get(day) ?? []) {
      if (feature !== '') rows.push({ activity_date: day, feature, users: users.size, adoption_rate: users.size / active });
    }
  }
  return sorted(rows, 'activity_date', 'feature');
}

export function eltFunnelConversion(events: readonly EventRecord[], days: readonly string[]): ExpectedRow[] {
  const rows: ExpectedRow[] = [];
  for (const day of days) {
    const ofDay = events.filter((event) => dayOf(event) === day);
    if (ofDay.length === 0) continue;
    const stepEvents = ofDay.filter((event) => event.user_id !== null && ['signup_started', 'signup_completed', 'first_purchase'].includes(event.event));
    const counts = funnelCounts(stepEvents, stepEvents.filter((event) => event.event === 'signup_started'), Infinity);
    ['signup_started', 'signup_completed', 'first_purchase'].forEach((step, index) => {
      rows.push({ activity_date: day, funnel: 'signup_to_first_purchase', step_number: index + 1, step_name: step, users: counts[index], conversion_rate: rate(counts[index], counts[0]) });
    });
  }
  return sorted(rows, 'activity_date', 'step_number');
}
