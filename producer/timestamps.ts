/**
 * Timestamps as the lake stores them: ISO-8601 UTC ending in `Z`, with whole seconds or exactly three
 * fractional digits (`yyyy-MM-ddTHH:mm:ss[.SSS]Z`). These are the forms the Firehose JSON deserializer is
 * configured for and that the contract's JQ query parses; anything else could land in the error prefix.
 */

/** The stored form of a timestamp: `2026-01-31T23:59:59Z` or `2026-01-31T23:59:59.123Z`. */
export const CANONICAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

/** What producers may send: a date, a time with optional seconds and fraction, and `Z` or an offset. */
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** The latest instant a four-digit year can express. */
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export type ParsedTimestamp = { readonly ok: true; readonly epochMs: number } | { readonly ok: false; readonly reason: string };

/** `Date.UTC` without its two-digit-year rule (it reads year 70 as 1970). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/** Checks calendar and clock ranges; returns a reason or undefined. */
function rangeProblem(year: number, month: number, day: number, hour: number, minute: number, second: number): string | undefined {
  if (month < 1 || month > 12) return `month ${month} is not 1-12`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} does not exist in ${year}-${String(month).padStart(2, '0')}`;
  if (hour > 23) return `hour ${hour} is not 0-23`;
  if (minute > 59) return `minute ${minute} is not 0-59`;
  if (second > 59) return `second ${second} is not 0-59`;
  return undefined;
}

/** Whether `text` is a valid calendar date `yyyy-mm-dd`. */
export function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match !== null && rangeProblem(Number(match[1]), Number(match[2]), Number(match[3]), 0, 0, 0) === undefined;
}

/**
 * Parses a stored timestamp (`CANONICAL_TIMESTAMP`), checking that the date and time exist.
 * Returns epoch milliseconds or a reason.
 */
export function parseCanonicalTimestamp(text: string): ParsedTimestamp {
  const match = CANONICAL_TIMESTAMP.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not an ISO-8601 UTC timestamp of the form yyyy-MM-ddTHH:mm:ss[.SSS]Z` };
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const problem = rangeProblem(year, month, day, hour, minute, second);
  if (problem) return { ok: false, reason: `"${text}": ${problem}` };
  return { ok: true, epochMs: utc(year, month, day, hour, minute, second, match[7] ? Number(match[7]) : 0) };
}

/**
 * Normalises what a producer sent to the stored form, always with milliseconds
 * (`2026-01-31T22:59:59.000Z`):
 * - an ISO-8601 string with `Z` or a UTC offset (`+02:00`, `+0200`), seconds and fraction optional
 *   (a fraction beyond milliseconds is truncated);
 * - a number of epoch milliseconds.
 * Refuses anything else (no offset, a date alone, epoch as a string, impossible dates) with a reason.
 */
export function normalizeTimestamp(value: unknown): ParsedTimestamp & { readonly iso?: string } {
  let epochMs: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: `${value} is not a finite number of epoch milliseconds` };
    epochMs = Math.trunc(value);
  } else if (typeof value === 'string') {
    const match = ISO_WITH_ZONE.exec(value.trim());
    if (!match) {
      const hint = /^\d+$/.test(value.trim())
        ? ' (epoch milliseconds must be sent as a number)'
        : /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$/.test(value.trim())
          ? ' (it has no UTC offset: add Z or +hh:mm)'
          : '';
      return { ok: false, reason: `"${value}" is not an ISO-8601 timestamp with a UTC offset${hint}` };
    }
    const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
    const second = match[6] === undefined ? 0 : Number(match[6]);
    const problem = rangeProblem(year, month, day, hour, minute, second);
    if (problem) return { ok: false, reason: `"${value}": ${problem}` };
    const millis = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0').slice(0, 3));
    let offsetMinutes = 0;
    if (match[9] !== undefined) {
      const offsetHours = Number(match[10]);
      const offsetMins = Number(match[11]);
      if (offsetHours > 23 || offsetMins > 59) return { ok: false, reason: `"${value}": offset ${match[9]}${match[10]}:${match[11]} is not valid` };
      offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
    }
    epochMs = utc(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  } else {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return { ok: false, reason: `expected an ISO-8601 string or epoch milliseconds, got ${kind}` };
  }
  if (epochMs < 0 || epochMs > MAX_EPOCH_MS) {
    return { ok: false, reason: `${JSON.stringify(value)} is outside the years 1970-9999` };
  }
  return { ok: true, epochMs, iso: new Date(epochMs).toISOString() };
}
