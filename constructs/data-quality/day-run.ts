/**
 * Targeted runs of the data-quality function for one day, as a pipeline asks for them (the orchestration
 * construct invokes the function synchronously with one of these requests). Pure: no AWS SDK, no CDK.
 *
 * Two actions:
 * - `check`: the listed datasets' usual checks (rules.ts, sql.ts), over the partitions the day's data is
 *   in (`dayWindow`) instead of the scheduled window, evaluated as of the end of the day (or now, if earlier),
 *   so that a backfill of an old day judges freshness the way a run right after that day would.
 * - `readiness`: is the day's input complete enough to process? One small query per dataset reads the
 *   newest value of its freshness column over the day and the day after (`readinessQuery`); the day is
 *   ready when (`judgeReadiness`):
 *   1. the clock is past the end of the day plus the freshness SLO: the buffers that deliver the day's
 *      last records (Firehose flushes within the SLO) have had time to flush; and
 *   2. the newest record is no older than the end of the day minus the SLO: delivery has reached the end
 *      of the day (a record of the next day counts), so the day is not cut short by a stalled stream.
 *   Records that arrive later still (within the contract's `maxLatenessDays`) are not waited for: a re-run
 *   of the day (the backfill path) picks them up, and every ELT target replaces its day.
 *
 * Requests name datasets (the checked tables' names), never SQL or tables outside the function's list.
 */
import type { DatasetDefinition } from '../datasets/model';
import { QualityRuleError, qualityChecks, type FreshnessCheck } from './rules';
import { quoteIdentifier, timeFilter, type CheckWindow } from './sql';

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Dataset (table) names a request may name. */
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const MAX_DATASETS = 100;

export type DayRunAction = 'check' | 'readiness';
export const DAY_RUN_ACTIONS: readonly DayRunAction[] = ['check', 'readiness'];

/** A pipeline's request: `{ "action": "check", "day": "2026-11-22", "datasets": ["events"] }`. */
export interface DayRunRequest {
  readonly action: DayRunAction;
  /** The UTC day, yyyy-mm-dd. */
  readonly day: string;
  /** Names of checked tables, each among the function's `TABLES`. */
  readonly datasets: readonly string[];
}

/** A request the function refuses: the Step Functions error name, never retried. */
export class DayRunRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DayRunRequestError';
  }
}

/** True when the event asks for a targeted run (it has an `action`); scheduled events have none. */
export function isDayRunRequest(event: unknown): boolean {
  return event !== null && typeof event === 'object' && !Array.isArray(event) && 'action' in event;
}

/** Checks a targeted-run event; throws DayRunRequestError naming every problem. */
export function parseDayRunRequest(event: unknown): DayRunRequest {
  const problems: string[] = [];
  const { action, day, datasets } = (event ?? {}) as Record<string, unknown>;
  if (!DAY_RUN_ACTIONS.includes(action as DayRunAction)) problems.push(`action is ${JSON.stringify(action)}; allowed: ${DAY_RUN_ACTIONS.join(', ')}`);
  if (typeof day !== 'string' || !isCalendarDay(day)) problems.push(`day is ${JSON.stringify(day)}; allowed: a calendar date written yyyy-mm-dd`);
  if (!Array.isArray(datasets) || datasets.length === 0 || datasets.length > MAX_DATASETS) {
    problems.push(`datasets is ${JSON.stringify(datasets)}; allowed: 1 to ${MAX_DATASETS} dataset names`);
  } else {
    const bad = datasets.filter((name) => typeof name !== 'string' || !NAME.test(name));
    if (bad.length > 0) problems.push(`datasets has ${bad.map((name) => JSON.stringify(name)).join(', ')}; allowed: table names (letters, digits, "_", "-")`);
  }
  if (problems.length > 0) throw new DayRunRequestError(`Data-quality request refused: ${problems.join('; ')}`);
  return { action: action as DayRunAction, day: day as string, datasets: [...new Set(datasets as string[])] };
}

/** True for a real calendar date written yyyy-mm-dd. */
export function isCalendarDay(day: string): boolean {
  const match = DAY.exec(day);
  if (!match) return false;
  return new Date(Date.parse(`${day}T00:00:00Z`)).toISOString().slice(0, 10) === day;
}

/**
 * The partitions a day run reads: the day itself for day and hour granularity; for month granularity the
 * day's calendar month and the one before, because a day's ELT also writes rows dated up to 30 days back
 * (retention cohorts), which on the first days of a month sit in the previous month's partition.
 */
export function dayWindow(dataset: DatasetDefinition, day: string): CheckWindow {
  if (!isCalendarDay(day)) throw new QualityRuleError(`day "${day}" is not a calendar date written yyyy-mm-dd`);
  const granularity = dataset.partitioning.time.granularity;
  const start = Date.parse(`${day}T00:00:00Z`);
  if (granularity === 'month') {
    const date = new Date(start);
    const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
    const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    return { granularity, first: iso(first).slice(0, 7), last: day.slice(0, 7), start: iso(first), end: iso(next) };
  }
  return { granularity, first: day, last: day, start: iso(start), end: iso(start + DAY_MS) };
}

/** The instant a day run judges freshness at: the end of the day, or `now` when that is earlier. */
export function dayRunAsOf(day: string, now: number): Date {
  if (!isCalendarDay(day)) throw new QualityRuleError(`day "${day}" is not a calendar date written yyyy-mm-dd`);
  return new Date(Math.min(now, Date.parse(`${day}T00:00:00Z`) + DAY_MS));
}

/** The freshness check a readiness probe reads; datasets without one cannot gate a pipeline. */
export function readinessCheck(dataset: DatasetDefinition): FreshnessCheck {
  const check = qualityChecks(dataset).find((candidate): candidate is FreshnessCheck => candidate.kind === 'freshness');
  if (!check) {
    throw new QualityRuleError(`dataset "${dataset.name}" has no freshness column (quality.freshnessColumn or an event-time partition column), so its readiness cannot be judged`);
  }
  return check;
}

/** Column of the readiness query. */
export const READINESS_METRIC = 'newest_epoch_seconds';

/**
 * `SELECT <newest freshness value, epoch seconds> FROM <table> WHERE <day and the day after>`: one row;
 * NULL when nothing has arrived.
 */
export function readinessQuery(dataset: DatasetDefinition, options: { readonly database: string; readonly day: string; readonly table?: string }): string {
  const check = readinessCheck(dataset);
  const column = quoteIdentifier(check.column);
  const expression =
    check.columnType === 'timestamp'
      ? `to_unixtime(max(${column}))`
      : check.columnType === 'date'
        ? `to_unixtime(CAST(date_add('day', 1, max(${column})) AS timestamp))`
        : `to_unixtime(max(try(from_iso8601_timestamp(${column}))))`;
  const today = dayWindow(dataset, options.day);
  const after = dayWindow(dataset, iso(Date.parse(today.end)).slice(0, 10));
  const window: CheckWindow = { ...today, last: after.last, end: after.end };
  return [`SELECT ${expression} AS ${quoteIdentifier(READINESS_METRIC)}`, `FROM ${quoteIdentifier(options.database)}.${quoteIdentifier(options.table ?? dataset.name)}`, `WHERE ${timeFilter(dataset, window)}`].join('\n');
}

/** One dataset's readiness for a day. */
export interface Readiness {
  readonly dataset: string;
  readonly ready: boolean;
  /** Newest value of the freshness column (ISO-8601), or null when nothing has arrived. */
  readonly newest: string | null;
  /** The newest value must be at least this (end of the day minus the SLO). */
  readonly newestAtLeast: string;
  /** The clock must be at least this (end of the day plus the SLO). */
  readonly notBefore: string;
  /** Why it is not ready, when it is not. */
  readonly reason?: string;
}

/** Judges one dataset's readiness for `day` from the readiness query's value (see the file comment). */
export function judgeReadiness(dataset: DatasetDefinition, day: string, newestEpochSeconds: number | null, now: number): Readiness {
  if (!isCalendarDay(day)) throw new QualityRuleError(`day "${day}" is not a calendar date written yyyy-mm-dd`);
  readinessCheck(dataset);
  const sloMs = dataset.freshnessSloMinutes * 60_000;
  const dayEnd = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
  const notBefore = dayEnd + sloMs;
  const newestAtLeast = dayEnd - sloMs;
  const newestMs = newestEpochSeconds === null ? null : newestEpochSeconds * 1000;
  const base = { dataset: dataset.name, newest: newestMs === null ? null : iso(newestMs), newestAtLeast: iso(newestAtLeast), notBefore: iso(notBefore) };
  if (now < notBefore) return { ...base, ready: false, reason: `the day's last records may still be in delivery buffers until ${iso(notBefore)}` };
  if (newestMs === null) return { ...base, ready: false, reason: 'no records of the day (or the day after) have arrived' };
  if (newestMs < newestAtLeast) return { ...base, ready: false, reason: `the newest record (${iso(newestMs)}) is older than ${iso(newestAtLeast)}: delivery has not reached the end of the day` };
  return { ...base, ready: true };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
