/**
 * The erasure plan's statements for a Parquet dataset (the shipped `events` contract: hour partitions,
 * 400 days in raw), run on the local lake with known answers: find lists exactly the objects holding the
 * batch's subjects with their row counts, and none outside the retention window that the partition
 * projection lists; the batch id selects the batch; verify counts before and after the objects are
 * rewritten without the subjects, and nobody else's rows are touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import type { LocalLake } from '../../lib/local-lake/engine';
import { addDays } from '../../lib/local-lake/days';
import { writeParquetRecords } from '../../lib/local-lake/writer';
import { findLocally, forgetLocally, verifyLocally } from '../../lib/privacy-local/forget';
import { writeSubjects } from '../../lib/privacy-local/subjects';
import type { ErasureTarget } from '../../constructs/privacy/plan';
import { closePlanLake, found, openPlanLake, remaining, TODAY } from './plan-lake';

const event = (user: string | null, time: string, id: string) => ({
  event: 'page_view',
  user_id: user,
  event_time: time,
  context: { page_url: null, referrer: null },
  traits: { plan: null, source: null },
  properties: {},
  event_id: id,
});
/** A day the 400-day window no longer holds, and the first day it does. */
const OUTSIDE = addDays(TODAY, -401);
const FIRST_IN_WINDOW = addDays(TODAY, -400);

let lake: LocalLake;
let target: ErasureTarget;
let keys: string[];

beforeAll(async () => {
  const opened = await openPlanLake([events]);
  lake = opened.lake;
  target = opened.targets.get('events') as ErasureTarget;
  keys = await writeParquetRecords(lake, events, [
    event('alice', '2026-02-01T05:01:00.000Z', 'e1'),
    event('alice', '2026-02-01T05:02:00.000Z', 'e2'),
    event('bob', '2026-02-01T05:03:00.000Z', 'e3'),
    event('carol', '2026-02-01T05:04:00.000Z', 'e4'),
    event(null, '2026-02-01T05:05:00.000Z', 'e5'),
    event('alice', '2026-02-02T07:00:00.000Z', 'e6'),
    event('dave', '2026-02-02T07:30:00.000Z', 'e7'),
    event('bob', '2026-02-03T09:00:00.000Z', 'e8'),
    event('alice', `${OUTSIDE}T10:00:00.000Z`, 'e9'),
    event('bob', `${FIRST_IN_WINDOW}T00:00:00.000Z`, 'e10'),
  ]);
  await lake.attachParquet(events);
  writeSubjects(lake, 'b-1', ['alice', 'bob']);
  writeSubjects(lake, 'b-2', ['carol']);
});
afterAll(() => closePlanLake(lake));

const key = (dt: string, hour: string) => {
  const match = keys.find((candidate) => candidate.startsWith(`events/dt=${dt}/hour=${hour}/`));
  if (!match) throw new Error(`no object for ${dt} ${hour}`);
  return `s3://raw/${match}`;
};

describe('erasure of a Parquet dataset (events) on the local lake', () => {
  it('is planned as a Parquet target restricted to the 400-day window of raw', () => {
    expect(target.kind).toBe('parquet');
    expect(target.retentionDays).toBe(400);
    expect(target.prefix).toBe('events/');
  });

  it("find lists exactly the objects holding the batch's subjects, with their rows and partitions", async () => {
    const rows = found(await lake.query(target.findSql('b-1')));
    expect(rows).toEqual(
      [
        { path: key('2026-02-01', '05'), rows: 3, partition: { dt: '2026-02-01', hour: 5 } },
        { path: key('2026-02-02', '07'), rows: 1, partition: { dt: '2026-02-02', hour: 7 } },
        { path: key('2026-02-03', '09'), rows: 1, partition: { dt: '2026-02-03', hour: 9 } },
        { path: key(FIRST_IN_WINDOW, '00'), rows: 1, partition: { dt: FIRST_IN_WINDOW, hour: 0 } },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );
  });

  it('does not look at a partition the retention window (and so the projection) no longer holds', async () => {
    const all = await lake.query(`SELECT count(*) AS n FROM "lake_raw"."events" WHERE user_id = 'alice' AND dt = '${OUTSIDE}'`);
    expect(all[0].n).toBe(1);
    const paths = found(await lake.query(target.findSql('b-1'))).map((row) => row.path);
    expect(paths.some((p) => p.includes(`dt=${OUTSIDE}/`))).toBe(false);
  });

  it('reads only the subjects of the batch it is given', async () => {
    expect(found(await lake.query(target.findSql('b-2')))).toEqual([{ path: key('2026-02-01', '05'), rows: 1, partition: { dt: '2026-02-01', hour: 5 } }]);
    expect(await lake.query(target.findSql('no-such-batch'))).toEqual([]);
  });

  it("verify counts the batch's rows before the forget and none after; every other row stays", async () => {
    expect(await remaining(lake, target.verifySql('b-1'))).toBe(6);
    const others = `SELECT event_id FROM "lake_raw"."events" WHERE user_id IS NULL OR user_id NOT IN ('alice', 'bob') ORDER BY event_id`;
    const before = await lake.query(others);
    const result = await findLocally(lake, target, 'b-1');
    expect(await forgetLocally(lake, target, 'b-1', result)).toBe(6);
    expect(await verifyLocally(lake, target, 'b-1')).toBe(0);
    expect(await lake.query(others)).toEqual(before);
    expect(before.map((row) => row.event_id)).toEqual(['e4', 'e5', 'e7']);
    // Outside the window, Athena cannot see the row: it stays until the lifecycle rule expires the object.
    expect((await lake.query(`SELECT count(*) AS n FROM "lake_raw"."events" WHERE user_id = 'alice'`))[0].n).toBe(1);
    expect(await remaining(lake, target.verifySql('b-2'))).toBe(1);
  });
});
