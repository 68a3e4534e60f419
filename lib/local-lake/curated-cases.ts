/**
 * Raw records that the curated job must clean away, and the curated table's known answer computed in
 * TypeScript from the raw records (restating events_curated.sql's header: cleaning, then one row per
 * day and id, the most complete copy, then the earliest), never by the SQL under test.
 *
 * The noise is built from existing events: exact retries (same record, same event_id), dirty copies (the
 * same event_id padded and uppercased, the event name padded and uppercased, user_id padded), and less
 * complete copies (user and traits missing). Cleaned and deduplicated, they are the original events
 * again, so every metric's known answer over the clean events still holds: the ELT tests' regression proof.
 */
import type { EventRecord } from './fixture';

/** Every fifth event retried, every fifth dirty, every fifth less complete (offsets 0, 1, 2). */
export function noisyCopies(events: readonly EventRecord[]): EventRecord[] {
  return events.flatMap((event, index): EventRecord[] => {
    if (event.event_id === undefined || event.event_id === null) return [];
    switch (index % 5) {
      case 0:
        return [{ ...event }];
      case 1:
        return [{ ...event, event: ` ${event.event.toUpperCase()}\t`, user_id: event.user_id === null ? null : `  ${event.user_id} `, event_id: ` ${event.event_id.toUpperCase()} ` }];
      case 2:
        return [{ ...event, user_id: null, traits: { plan: null, source: null } }];
      default:
        return [];
    }
  });
}

/** A curated row as the local lake returns it (maps as key/value entries, times ISO-8601 with Z). */
export type CuratedRow = {
  event: string | null;
  user_id: string | null;
  event_time: string;
  context: EventRecord['context'];
  traits: EventRecord['traits'];
  properties: Array<{ key: string; value: string }>;
  /** The sent id, cleaned; GENERATED_ID for a surrogate (its value is the engine's md5, checked apart). */
  event_id: string;
  event_date: string;
  event_id_generated: boolean;
};

/** Stands for a surrogate id in expected rows: its value depends on the engine's text of the record. */
export const GENERATED_ID = '<generated>';

const ASCII_WHITESPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const clean = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  const trimmed = value.replace(ASCII_WHITESPACE, '');
  return trimmed === '' ? null : trimmed;
};

function filled(row: CuratedRow): number {
  return [row.user_id, row.context.page_url, row.context.referrer, row.traits.plan, row.traits.source].filter((value) => value !== null).length + row.properties.length;
}

/**
 * The curated rows of the days `from` to `to` (inclusive, yyyy-mm-dd) from these raw records. Copies
 * that tie on completeness and time must be identical after cleaning (the SQL then breaks the tie by
 * the record's hash, which this does not restate): a differing tie throws, so a fixture cannot rely on it.
 */
export function expectedCurated(records: readonly EventRecord[], from: string, to: string): CuratedRow[] {
  const groups = new Map<string, CuratedRow[]>();
  for (const record of records) {
    const day = record.event_time.slice(0, 10);
    if (day < from || day > to) continue;
    const sent = clean(record.event_id)?.toLowerCase() ?? null;
    const row: CuratedRow = {
      event: clean(record.event)?.toLowerCase() ?? null,
      user_id: clean(record.user_id),
      event_time: record.event_time,
      context: record.context,
      traits: record.traits,
      properties: Object.entries(record.properties).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })),
      event_id: sent ?? GENERATED_ID,
      event_date: day,
      event_id_generated: sent === null,
    };
    const identity = sent ?? JSON.stringify({ ...row, event_id: undefined });
    const key = `${day}|${identity}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const kept = [...groups.values()].map((copies) => {
    const best = [...copies].sort((a, b) => filled(b) - filled(a) || (a.event_time < b.event_time ? -1 : a.event_time > b.event_time ? 1 : 0));
    const tied = best.filter((row) => filled(row) === filled(best[0]) && row.event_time === best[0].event_time);
    if (tied.some((row) => JSON.stringify(row) !== JSON.stringify(best[0]))) throw new Error(`curated fixture: copies of ${best[0].event_id} tie but differ`);
    return best[0];
  });
  return sortCurated(kept);
}

/** Rows in a canonical order with surrogate ids replaced by GENERATED_ID and properties sorted by key. */
export function comparableCurated(rows: ReadonlyArray<Record<string, unknown>>): CuratedRow[] {
  return sortCurated(
    rows.map((row) => {
      const properties = [...(row.properties as Array<{ key: string; value: string }>)].sort((a, b) => (a.key < b.key ? -1 : 1));
      return { ...(row as CuratedRow), properties, event_id: row.event_id_generated === true ? GENERATED_ID : (row.event_id as string) };
    }),
  );
}

function sortCurated(rows: CuratedRow[]): CuratedRow[] {
  const key = (row: CuratedRow) => JSON.stringify([row.event_date, row.event_time, row.event_id, row]);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
