/**
 * Static lineage equals what the SQL actually touches on a real engine. Every statement the platform's
 * jobs run (each ELT statement, the data-quality query, the history and lineage inserts) is executed on
 * the local lake's DuckDB:
 * - a table is *touched* when hiding it (renamed inside a rolled-back transaction) makes the statement fail;
 * - a table is *written* when its rows differ after the statement ran.
 * The parser (`tablesTouched`) must name exactly the touched tables, and exactly the written ones as writes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { events } from '../../config/datasets/events';
import { lineage } from '../../config/datasets/lineage';
import { checkWindow, compileQualityQuery, historyInsert } from '../../constructs/data-quality/sql';
import { CURATED_TARGET, eltSteps, renderStatement } from '../../constructs/elt/steps';
import { lineageInsert, runEvent, tablesTouched } from '../../constructs/lineage';
import { LineageError } from '../../constructs/lineage/events';
import { LOCAL_DATABASES, buildPlayground, runEltDay, type Playground } from '../../lib/local-lake/playground';
import { platformJobs } from '../../lib/static-lineage';

let playground: Playground;
/** The fixture's first day (the statements are listed before the lake exists). */
const day = '2026-01-24';

beforeAll(async () => {
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-')), { firstDay: day, days: 3 });
  await playground.lake.createTable(lineage);
  // Every target holds the day's rows, so each DELETE has something to remove.
  await runEltDay(playground.lake, day);
}, 60_000);
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

async function allTables(): Promise<string[]> {
  const schemas = Object.values(LOCAL_DATABASES).map((schema) => `'${schema}'`).join(', ');
  const rows = await playground.lake.native(`SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN (${schemas}) ORDER BY 1, 2`);
  return rows.map((row) => `${row.table_schema}.${row.table_name}`);
}

async function fingerprint(table: string): Promise<string> {
  const [schema, name] = table.split('.');
  return JSON.stringify(await playground.lake.native(`SELECT * FROM "${schema}"."${name}" ORDER BY ALL`));
}

/** What the engine says the statement touches and writes. */
async function observed(sql: string): Promise<{ touched: string[]; written: string[] }> {
  const lake = playground.lake;
  const tables = await allTables();
  const touched: string[] = [];
  for (const table of tables) {
    const [schema, name] = table.split('.');
    const kind = (await lake.native(`SELECT table_type FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${name}'`))[0].table_type;
    await lake.native('BEGIN TRANSACTION');
    try {
      await lake.native(`ALTER ${kind === 'VIEW' ? 'VIEW' : 'TABLE'} "${schema}"."${name}" RENAME TO "${name}__hidden"`);
      await lake.query(sql);
    } catch (error) {
      if (!/does not exist/.test((error as Error).message)) throw error;
      touched.push(table);
    } finally {
      await lake.native('ROLLBACK');
    }
  }
  const before = await Promise.all(tables.map(fingerprint));
  await lake.query(sql);
  const after = await Promise.all(tables.map(fingerprint));
  return { touched, written: tables.filter((_, index) => before[index] !== after[index]) };
}

function statements(): Array<[string, string]> {
  const options = { day, rawDatabase: LOCAL_DATABASES.raw, curatedDatabase: LOCAL_DATABASES.curated, analyticsDatabase: LOCAL_DATABASES.analytics };
  const elt = eltSteps().flatMap((step) => step.statements.map((statement, index): [string, string] => [`${step.target} statement ${index + 1}`, renderStatement(statement, options)]));
  const now = new Date(`${day}T12:00:00Z`);
  return [
    ...elt,
    ['data-quality query of events', compileQualityQuery(events, { database: LOCAL_DATABASES.raw, window: checkWindow(events, now) })],
    [
      'data-quality history insert',
      historyInsert(LOCAL_DATABASES.analytics, [{ runId: 'r', checkedAt: now, dataset: 'events', checkId: 'row_count.min', kind: 'row_count', value: 1, threshold: 1, passed: true, queryExecutionId: 'q' }]),
    ],
    ['lineage insert', lineageInsert(LOCAL_DATABASES.analytics, [runEvent({ eventType: 'COMPLETE', eventTime: now, runId: 'r', job: { namespace: 'n', name: 'j' } })])],
  ];
}

describe('static lineage equals the tables DuckDB touches', () => {
  it.each(statements())('%s', async (_name, sql) => {
    const parsed = tablesTouched(sql);
    const engine = await observed(sql);
    expect([...new Set([...parsed.reads, ...parsed.writes])].sort()).toEqual(engine.touched);
    expect(parsed.writes).toEqual(engine.written);
  });
});

describe('tablesTouched on SQL shapes the jobs do not use yet', () => {
  it.each([
    ['comma joins and aliases', 'SELECT * FROM a.x AS p, a.y q WHERE p.k = q.k', ['a.x', 'a.y'], []],
    ['a CTE is not a table', 'WITH s AS (SELECT * FROM a.x) SELECT * FROM s JOIN a.y ON true', ['a.x', 'a.y'], []],
    ['a subquery in FROM', 'SELECT * FROM (SELECT * FROM a.x) t LEFT JOIN "A"."Y" u USING (k)', ['a.x', 'a.y'], []],
    ['EXTRACT(… FROM …) is not a table', 'SELECT extract(day FROM t) FROM a.x', ['a.x'], []],
    ['MERGE INTO … USING', 'MERGE INTO a.t USING a.s ON t.k = s.k WHEN MATCHED THEN DELETE', ['a.s'], ['a.t']],
    ['CREATE TABLE AS', 'CREATE TABLE IF NOT EXISTS a.t AS SELECT * FROM a.s', ['a.s'], ['a.t']],
    ['UPDATE', "UPDATE a.t SET x = 1 WHERE k IN (SELECT k FROM a.s)", ['a.s'], ['a.t']],
    ['comments and strings naming tables', "SELECT 'FROM a.fake' FROM a.x -- JOIN a.other\n/* FROM a.more */", ['a.x'], []],
  ])('%s', (_name, sql, reads, writes) => {
    expect(tablesTouched(sql)).toEqual({ reads, writes });
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => tablesTouched('SELECT * FROM')).toThrow(LineageError);
    expect(() => tablesTouched("SELECT 'open")).toThrow(/unterminated/);
  });
});

describe('the platform jobs', () => {
  it('the curated step reads events, every metric reads events_curated, and data quality reads every dataset but its history', () => {
    const jobs = platformJobs(DATASETS);
    for (const step of eltSteps()) {
      const reads = step.target === CURATED_TARGET ? ['events'] : [CURATED_TARGET];
      expect(jobs.filter((job) => job.writes.includes(step.target))).toEqual([expect.objectContaining({ job: `metrics_elt.${step.target}`, reads, records: 'lineage' })]);
    }
    const quality = jobs.find((job) => job.job === 'data_quality')!;
    expect([...quality.reads].sort()).toEqual(DATASETS.filter((dataset) => dataset.name !== 'data_quality_results').map((dataset) => dataset.name).sort());
    expect(quality.writes).toEqual(['data_quality_results']);
  });
});
