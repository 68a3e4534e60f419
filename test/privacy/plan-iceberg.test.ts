/**
 * The erasure plan's statements for an Iceberg dataset (the shipped `events_curated` contract: day(event_date),
 * no retention), run on the local lake's stand-in table with known answers: find lists every partition
 * holding the batch's subjects, however old (an Iceberg table is searched whole); DELETE removes exactly
 * their rows; verify counts before and after; OPTIMIZE's WHERE selects exactly the partitions found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsCurated } from '../../config/datasets/events-curated';
import type { LocalLake } from '../../lib/local-lake/engine';
import { writeSubjects } from '../../lib/privacy-local/subjects';
import type { IcebergErasureTarget } from '../../constructs/privacy/plan';
import { closePlanLake, found, openPlanLake, remaining } from './plan-lake';

const ROWS: Array<[string, string | null, string]> = [
  ['c1', 'alice', '2026-02-01'],
  ['c2', 'alice', '2026-02-01'],
  ['c3', 'alice', '2026-02-02'],
  ['c4', 'alice', '2024-06-01'],
  ['c5', 'bob', '2026-02-03'],
  ['c6', 'carol', '2026-02-01'],
  ['c7', null, '2026-02-01'],
  ['c8', 'dave', '2026-02-05'],
];
const file = (day: string) => `s3://curated/events_curated/data/event_date_day=${day}/00000-local.parquet`;

let lake: LocalLake;
let target: IcebergErasureTarget;

beforeAll(async () => {
  const opened = await openPlanLake([eventsCurated]);
  lake = opened.lake;
  target = opened.targets.get('events_curated') as IcebergErasureTarget;
  await lake.createTable(eventsCurated);
  const values = ROWS.map(([id, user, day]) => `('${id}', ${user === null ? 'NULL' : `'${user}'`}, DATE '${day}', TIMESTAMP '${day} 12:00:00')`).join(', ');
  await lake.native(`INSERT INTO lake_curated.events_curated (event_id, user_id, event_date, event_time) VALUES ${values}`);
  writeSubjects(lake, 'b-1', ['alice', 'bob']);
});
afterAll(() => closePlanLake(lake));

describe('erasure of an Iceberg dataset (events_curated) on the local lake', () => {
  it('is planned as an Iceberg target searched whole, partitioned by day(event_date)', () => {
    expect(target.kind).toBe('iceberg');
    expect(target.retentionDays).toBeUndefined();
    expect(target.partitioning).toEqual({ kind: 'iceberg', field: 'event_date_day', column: 'event_date', columnType: 'date', transform: 'day' });
  });

  it("find lists every data file and partition holding the batch's subjects, however old", async () => {
    expect(found(await lake.query(target.findSql('b-1')))).toEqual([
      { path: file('2024-06-01'), rows: 1, partition: { event_date_day: '2024-06-01' } },
      { path: file('2026-02-01'), rows: 2, partition: { event_date_day: '2026-02-01' } },
      { path: file('2026-02-02'), rows: 1, partition: { event_date_day: '2026-02-02' } },
      { path: file('2026-02-03'), rows: 1, partition: { event_date_day: '2026-02-03' } },
    ]);
  });

  it("OPTIMIZE's WHERE selects exactly the rows of the partitions found", async () => {
    const partitions = found(await lake.query(target.findSql('b-1'))).map((row) => row.partition as Record<string, string>);
    const sql = target.optimizeSql(partitions) as string;
    expect(sql).toMatch(/^OPTIMIZE "lake_curated"\."events_curated" REWRITE DATA USING BIN_PACK\nWHERE /);
    const predicate = sql.split('\nWHERE ')[1];
    const selected = await lake.query(`SELECT event_id FROM "lake_curated"."events_curated" WHERE ${predicate} ORDER BY event_id`);
    // Every row of those days (the subjects' and everyone else's: OPTIMIZE rewrites whole files), not dave's 5 February.
    expect(selected.map((row) => row.event_id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    // Contiguous days are one range.
    expect(predicate.match(/ OR /g)).toHaveLength(1);
  });

  it("DELETE removes exactly the batch's rows; verify counts them before and none after", async () => {
    expect(await remaining(lake, target.verifySql('b-1'))).toBe(5);
    await lake.query(target.deleteSql('b-1'));
    expect(await remaining(lake, target.verifySql('b-1'))).toBe(0);
    const left = await lake.query(`SELECT event_id FROM "lake_curated"."events_curated" ORDER BY event_id`);
    expect(left.map((row) => row.event_id)).toEqual(['c6', 'c7', 'c8']);
    expect(await lake.query(target.findSql('b-1'))).toEqual([]);
  });

  it('VACUUM names the table', () => {
    expect(target.vacuumSql).toBe('VACUUM "lake_curated"."events_curated"');
  });
});
