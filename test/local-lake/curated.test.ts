/**
 * The curated job (constructs/elt/sql/events_curated.sql) executed on DuckDB over raw Parquet laid out as
 * Firehose writes it: exact curated rows against answers computed in TypeScript (curated-cases.ts) from
 * raw records with retries, dirty values and less complete copies; idempotency and order independence
 * executed; late data within and outside the lateness window; raw files written before event_id existed;
 * a column added to the curated contract; and mutations of the dedupe that these tests catch.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events as eventsDataset } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { addColumnsDdl, icebergTableSpec, planSchemaChange, schemaChangeStatements } from '../../constructs/catalog/iceberg/ddl';
import type { DatasetDefinition } from '../../constructs/datasets';
import { CURATED_TARGET, eltSteps, renderStatement } from '../../constructs/elt/steps';
import { seededRandom } from '../../producer/sample-events';
import { comparableCurated, expectedCurated, noisyCopies } from '../../lib/local-lake/curated-cases';
import { addDays, dayRange } from '../../lib/local-lake/days';
import { LocalLake } from '../../lib/local-lake/engine';
import { generateFixture, type EventRecord } from '../../lib/local-lake/fixture';
import { LOCAL_DATABASES, LOCAL_ELT_SETTINGS, curatedTable, runQualityChecks } from '../../lib/local-lake/playground';
import { writeParquetRecords } from '../../lib/local-lake/writer';

const fixture = generateFixture({ firstDay: '2026-03-01', days: 12, users: 8, seed: 21 });
const days = dayRange(fixture.firstDay, fixture.lastDay);
const LATENESS = LOCAL_ELT_SETTINGS.latenessDays;
const CURATED_SQL = eltSteps().find((step) => step.target === CURATED_TARGET)!.statements;
/** The events contract as it was before event_id: what a raw file from then holds. */
const legacyEvents: DatasetDefinition = { ...eventsDataset, columns: eventsDataset.columns.filter((column) => column.name !== 'event_id') };
const roots: string[] = [];

async function openLake(): Promise<LocalLake> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'curated-'));
  roots.push(root);
  const lake = await LocalLake.open({ root, today: fixture.today, databases: LOCAL_DATABASES });
  await lake.createTable(eventsCurated);
  return lake;
}

/** A lake whose raw zone holds `batches`, each written as its own Parquet objects, in the order given. */
async function lakeWith(batches: ReadonlyArray<readonly EventRecord[]>, legacy: readonly EventRecord[] = []): Promise<LocalLake> {
  const lake = await openLake();
  for (const batch of batches) await writeParquetRecords(lake, eventsDataset, batch);
  if (legacy.length > 0) await writeParquetRecords(lake, legacyEvents, legacy);
  await lake.attachParquet(eventsDataset, { unionByName: legacy.length > 0 });
  return lake;
}

async function curate(lake: LocalLake, order: readonly string[], statements: readonly string[] = CURATED_SQL): Promise<Array<Record<string, unknown>>> {
  for (const day of order) {
    for (const statement of statements) await lake.query(renderStatement(statement, { day, ...LOCAL_ELT_SETTINGS }));
  }
  return curatedTable(lake);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

const noise = noisyCopies(fixture.events);
let lake: LocalLake;
let curated: Array<Record<string, unknown>>;

beforeAll(async () => {
  lake = await lakeWith([fixture.events, noise]);
  curated = await curate(lake, days);
});
afterAll(() => {
  lake.close();
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

describe('events_curated on a real engine', () => {
  it('holds one cleaned row per event: retries, dirty copies and less complete copies are gone', () => {
    expect(noise.length).toBeGreaterThan(fixture.events.length / 2);
    const answer = expectedCurated([...fixture.events, ...noise], fixture.firstDay, fixture.lastDay);
    expect(comparableCurated(curated)).toEqual(answer);
    // Cleaned and deduplicated, the noise is the original events again.
    expect(answer).toEqual(expectedCurated(fixture.events, fixture.firstDay, fixture.lastDay));
    expect(curated).toHaveLength(fixture.events.length);
  });

  it('keeps the complete copy, with the cleaned name, user and id, of an event that arrived dirty and incomplete', () => {
    const event = fixture.events.find((candidate, index) => index % 5 === 1 && candidate.user_id !== null)!;
    const row = curated.find((candidate) => candidate.event_id === event.event_id);
    expect(row).toMatchObject({ event: event.event, user_id: event.user_id, traits: event.traits, event_id_generated: false });
    expect(noise.some((copy) => copy.event_id === ` ${event.event_id!.toUpperCase()} `)).toBe(true);
  });

  it('running every day a second time gives the same table (idempotent)', async () => {
    expect(await curate(lake, days)).toEqual(curated);
  });

  it('raw rows shuffled into other files, written in another order, and days run shuffled give the same table', async () => {
    const rows = shuffled([...fixture.events, ...noise], 3);
    const third = Math.ceil(rows.length / 3);
    const other = await lakeWith([rows.slice(2 * third), rows.slice(third, 2 * third), rows.slice(0, third)]);
    try {
      const order = shuffled(days, 5);
      expect(order).not.toEqual(days);
      expect(await curate(other, order)).toEqual(curated);
    } finally {
      other.close();
    }
  });

  it('copies that tie on completeness and time but differ keep the same one whichever file comes first (the record hash decides)', async () => {
    const base = fixture.events.find((event) => event.user_id !== null)!;
    const [a, b] = ['https://a.example.com/', 'https://b.example.com/'].map((referrer) => ({ ...base, context: { ...base.context, referrer } }));
    const kept: Array<Record<string, unknown> | undefined> = [];
    for (const order of [[a, b], [b, a]]) {
      const tied = await lakeWith(order.map((record) => [record]));
      try {
        const rows = await curate(tied, [base.event_time.slice(0, 10)]);
        expect(rows.filter((row) => row.event_id === base.event_id)).toHaveLength(1);
        kept.push(rows.find((row) => row.event_id === base.event_id));
      } finally {
        tied.close();
      }
    }
    expect(kept[0]).toEqual(kept[1]);
  });

  it("passes the contract's quality checks: event_id unique, complete, event names well formed", async () => {
    const run = await runQualityChecks(lake, eventsCurated, new Date(`${fixture.today}T01:00:00Z`));
    expect(run.results.map((result) => [result.id, result.status])).toEqual(
      expect.arrayContaining([['uniqueness.event_id', 'passed'], ['completeness.event_id', 'passed'], ['format.event', 'passed']]),
    );
    expect(run.results.every((result) => result.status === 'passed')).toBe(true);
    // The same checks over raw-like data fail: noise on a curated table built without the dedupe.
    const undeduped = await lakeWith([fixture.events, noise]);
    try {
      await curate(undeduped, days, CURATED_SQL.map((statement) => statement.replace('WHERE copy_number = 1', '')));
      const failing = await runQualityChecks(undeduped, eventsCurated, new Date(`${fixture.today}T01:00:00Z`));
      expect(failing.results.find((result) => result.id === 'uniqueness.event_id')).toMatchObject({ status: 'failed' });
    } finally {
      undeduped.close();
    }
  });

  it(`each run replaces its day and the ${LATENESS} days before it, and only those`, async () => {
    const single = await lakeWith([fixture.events]);
    try {
      const rows = await curate(single, [fixture.lastDay]);
      const covered = new Set(rows.map((row) => row.event_date));
      expect([...covered].sort()).toEqual(dayRange(addDays(fixture.lastDay, -LATENESS), fixture.lastDay).filter((day) => fixture.events.some((event) => event.event_time.startsWith(day))));
    } finally {
      single.close();
    }
  });
});

describe('late data', () => {
  const late = (day: string, id: string): EventRecord => ({
    event: 'page_view',
    user_id: `late-${id}`,
    event_time: `${day}T23:59:00.000Z`,
    context: { page_url: null, referrer: null },
    traits: { plan: null, source: null },
    properties: {},
    event_id: `00000000-0000-4000-8000-00000000000${id}`,
  });

  it('an event arriving within the window lands in its own day at the next run; one older than the window does not', async () => {
    const live = await lakeWith([fixture.events]);
    try {
      const today = fixture.lastDay;
      await curate(live, days);
      // Raw is partitioned by event time: late events go into their own day's dt partition.
      const inside = late(addDays(today, -(LATENESS - 1)), '1');
      const outside = late(addDays(today, -(LATENESS + 1)), '2');
      await writeParquetRecords(live, eventsDataset, [inside, outside]);
      const nextRun = addDays(today, 1);
      const rows = await curate(live, [nextRun]);
      expect(rows.find((row) => row.event_id === inside.event_id)).toMatchObject({ event_date: inside.event_time.slice(0, 10), user_id: 'late-1' });
      expect(rows.some((row) => row.event_id === outside.event_id)).toBe(false);
      // Everything else is unchanged.
      expect(comparableCurated(rows.filter((row) => row.event_id !== inside.event_id))).toEqual(expectedCurated(fixture.events, fixture.firstDay, fixture.lastDay));
    } finally {
      live.close();
    }
  });
});

/** A row without the column the schema-evolution test adds. */
function withoutSession(row: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...row };
  delete copy.session_id;
  return copy;
}

describe('schema evolution', () => {
  const legacyRecord = (minute: number, event = 'page_view'): EventRecord => {
    const record: Record<string, unknown> = { ...fixture.events[0], event, event_time: `${fixture.firstDay}T05:${String(minute).padStart(2, '0')}:00.000Z` };
    delete record.event_id;
    return record as EventRecord;
  };

  it('raw files written before event_id existed still curate: identical records collapse under one surrogate id', async () => {
    const legacy = [legacyRecord(1), legacyRecord(1), { ...legacyRecord(1), event: ' PAGE_VIEW ' }, legacyRecord(2)];
    const mixed = await lakeWith([fixture.events], legacy);
    try {
      const rows = await curate(mixed, days);
      const generated = rows.filter((row) => row.event_id_generated === true);
      expect(generated).toHaveLength(2);
      for (const row of generated) expect(row.event_id).toMatch(/^[0-9a-f]{32}$/);
      expect(new Set(generated.map((row) => row.event_id)).size).toBe(2);
      expect(comparableCurated(rows)).toEqual(expectedCurated([...fixture.events, ...legacy], fixture.firstDay, fixture.lastDay));
      // The surrogate is a function of the record, not of the run.
      expect((await curate(mixed, [fixture.firstDay])).filter((row) => row.event_id_generated === true)).toEqual(generated);
    } finally {
      mixed.close();
    }
  });

  it('a column added to the contract is an ADD COLUMNS at the end; older rows read it as null and the job still runs', async () => {
    const location = 's3://lake-curated/events_curated/';
    const before = icebergTableSpec(eventsCurated, { database: LOCAL_DATABASES.curated, location });
    const added: DatasetDefinition = {
      ...eventsCurated,
      columns: [...eventsCurated.columns, { name: 'session_id', type: 'string', description: 'Session of the event', classification: 'internal' }],
    };
    const after = icebergTableSpec(added, { database: LOCAL_DATABASES.curated, location });
    const plan = planSchemaChange(before, after);
    expect(plan.addColumns.map((column) => column.name)).toEqual(['session_id']);
    const statements = schemaChangeStatements(after, plan);
    expect(statements[0]).toBe(addColumnsDdl(after, plan.addColumns));
    expect(statements[0]).toBe(`ALTER TABLE \`${LOCAL_DATABASES.curated}\`.\`events_curated\` ADD COLUMNS (\`session_id\` string)`);
    expect(statements.join('\n')).not.toMatch(/CREATE|DROP|REPLACE|INSERT|DELETE/i);

    const evolving = await lakeWith([fixture.events]);
    try {
      const history = await curate(evolving, days);
      // DuckDB's form of the same additive change (Iceberg adds a column to the schema; data files are not rewritten).
      await evolving.native(`ALTER TABLE "${LOCAL_DATABASES.curated}"."events_curated" ADD COLUMN session_id VARCHAR`);
      const evolved = await curatedTable(evolving);
      expect(evolved.every((row) => row.session_id === null)).toBe(true);
      expect(evolved.map(withoutSession)).toEqual(history);
      const rerun = await curate(evolving, [fixture.lastDay]);
      expect(rerun.map(withoutSession)).toEqual(history);
    } finally {
      evolving.close();
    }
  });
});

/** [what the mutation breaks, text to replace, replacement]. */
const MUTATIONS: Array<[string, string, string]> = [
  ['keeps every copy (no ROW_NUMBER filter)', 'WHERE copy_number = 1', ''],
  ['keeps the least complete copy', 'ORDER BY filled DESC', 'ORDER BY filled ASC'],
  ['dedupes by id across days', 'PARTITION BY event_date, id', 'PARTITION BY id'],
  ['does not trim', 'nullif(trim(user_id), \'\')', 'user_id'],
  ['does not lowercase event ids', 'nullif(lower(trim(event_id)), \'\')', 'nullif(trim(event_id), \'\')'],
];

describe('a mutated curated statement gives a different table (the tests above would fail)', () => {
  // The same event_id on the next day too (a sender reusing ids): kept on both days, deduplicated within each.
  const reused: EventRecord = { ...fixture.events[3], event_time: `${addDays(fixture.events[3].event_time.slice(0, 10), 1)}T00:30:00.000Z` };

  it.each(MUTATIONS)('%s', async (_what, from, to) => {
    expect(CURATED_SQL.some((statement) => statement.includes(from))).toBe(true);
    const mutated = await lakeWith([fixture.events, noise, [reused]]);
    try {
      // One run, whose window holds the first days: a later run's window would re-insert a day alone.
      const run = addDays(fixture.firstDay, LATENESS);
      const answer = expectedCurated([...fixture.events, ...noise, reused], fixture.firstDay, run);
      // The shipped statements give the answer on this lake, so only the mutation makes the difference.
      expect(comparableCurated(await curate(mutated, [run]))).toEqual(answer);
      await mutated.createTable(eventsCurated);
      const rows = await curate(mutated, [run], CURATED_SQL.map((statement) => statement.replace(from, to)));
      expect(comparableCurated(rows)).not.toEqual(answer);
    } finally {
      mutated.close();
    }
  });
});
