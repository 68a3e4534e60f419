/**
 * A whole batch on the local lake with the shipped contracts (raw `events` Parquet, `events_curated` on its
 * Iceberg-shaped table): one subject of three erased from both, the other two intact row for row, and a
 * second run of the same batch finding nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import type { ErasureTarget } from '../../constructs/privacy/plan';
import type { LocalLake } from '../../lib/local-lake/engine';
import { writeParquetRecords } from '../../lib/local-lake/writer';
import { eraseLocally } from '../../lib/privacy-local/erase';
import { closePlanLake, openPlanLake } from './plan-lake';

const USERS = ['ann', 'ben', 'cat'];
const DAYS = ['2026-02-10', '2026-02-11', '2026-02-12'];
let lake: LocalLake;
let plan: ErasureTarget[];

const rowsOf = async (table: string) =>
  lake.query(`SELECT user_id, event_id FROM ${table} ORDER BY event_id`).then((rows) => rows.map((row) => `${String(row.user_id)}:${String(row.event_id)}`));

beforeAll(async () => {
  const opened = await openPlanLake([events, eventsCurated]);
  lake = opened.lake;
  plan = [...opened.targets.values()];
  const records = DAYS.flatMap((day, d) =>
    USERS.map((user, u) => ({
      event: 'page_view',
      user_id: user,
      event_time: `${day}T0${u}:00:00.000Z`,
      context: { page_url: null, referrer: null },
      traits: { plan: null, source: null },
      properties: {},
      event_id: `e${d}${u}`,
    })),
  );
  await writeParquetRecords(lake, events, records);
  await lake.attachParquet(events);
  await lake.createTable(eventsCurated);
  await lake.native(`INSERT INTO lake_curated.events_curated (user_id, event_id, event_date) SELECT user_id, event_id, CAST(event_time AS DATE) FROM lake_raw.events`);
});
afterAll(() => closePlanLake(lake));

describe('eraseLocally', () => {
  it('erases one subject from every dataset of the plan and leaves the others row for row', async () => {
    const before = { raw: await rowsOf('"lake_raw"."events"'), curated: await rowsOf('"lake_curated"."events_curated"') };
    const results = await eraseLocally(lake, plan, 'b-ann', ['ann']);
    expect(results.map((result) => [result.dataset, result.kind, result.found.rows, result.found.objects.length, result.removed, result.remaining])).toEqual([
      ['events', 'parquet', 3, 3, 3, 0],
      ['events_curated', 'iceberg', 3, 3, 3, 0],
    ]);
    const others = (rows: string[]) => rows.filter((row) => !row.startsWith('ann:'));
    expect(await rowsOf('"lake_raw"."events"')).toEqual(others(before.raw));
    expect(await rowsOf('"lake_curated"."events_curated"')).toEqual(others(before.curated));
    expect(others(before.raw)).toHaveLength(6);
  });

  it('finds nothing when the same batch runs again', async () => {
    const results = await eraseLocally(lake, plan, 'b-ann', ['ann']);
    expect(results.map((result) => [result.found.rows, result.removed])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
