/**
 * Lineage rows and INSERT statements executed on the local lake's DuckDB (the Athena dialect mapping in
 * lib/local-lake): events go in, the "which job wrote table X, from what, when" query returns the known
 * answer, and hostile strings come back byte for byte.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lineage } from '../../config/datasets/lineage';
import { athenaDatasetName, athenaNamespace, LineageError, runEvent, type RunEventInput } from '../../constructs/lineage/events';
import { LINEAGE_COLUMNS, lineageInsert, lineageRow, writersQuery } from '../../constructs/lineage/sql';
import { glueColumns } from '../../constructs/datasets';
import { LocalLake } from '../../lib/local-lake/engine';

const DATABASE = 'lakehouse_dev_analytics';
const NS = athenaNamespace('eu-west-1');
const table = (database: string, name: string) => ({ namespace: NS, name: athenaDatasetName(database, name) });
const EVENTS = table('lakehouse_dev_raw', 'events');
const DAU = table(DATABASE, 'daily_active_users');
const MAU = table(DATABASE, 'monthly_active_users');

let lake: LocalLake;
beforeAll(async () => {
  lake = await LocalLake.open({ root: '/nonexistent', databases: { analytics: DATABASE }, today: '2026-03-04' });
});
afterAll(() => lake.close());
beforeEach(async () => {
  await lake.createTable(lineage);
});

const event = (overrides: Partial<RunEventInput> = {}) =>
  runEvent({
    eventType: 'COMPLETE',
    eventTime: '2026-03-02T01:31:00.000Z',
    runId: '6f1c1d5e-0000-4000-8000-000000000001',
    job: { namespace: 'lakehouse-dev', name: 'metrics_elt.daily_active_users' },
    inputs: [EVENTS],
    outputs: [{ ...DAU, rowCount: 1 }],
    facts: { day: '2026-03-01' },
    ...overrides,
  });

describe('the lineage table', () => {
  it('the INSERT names the contract columns in the contract order', () => {
    expect(LINEAGE_COLUMNS).toEqual(glueColumns(lineage).map((column) => column.name));
  });

  it('answers which job wrote a table, from what, and when', async () => {
    await lake.query(
      lineageInsert(DATABASE, [
        event(),
        event({ runId: 'run-2', eventTime: '2026-03-03T01:31:00.000Z', facts: { day: '2026-03-02' } }),
        event({ runId: 'run-2', eventType: 'START', eventTime: '2026-03-03T01:30:00.000Z', outputs: [DAU] }),
        event({ runId: 'run-3', job: { namespace: 'lakehouse-dev', name: 'metrics_elt.monthly_active_users' }, outputs: [{ ...MAU, rowCount: 1 }] }),
        event({ runId: 'run-4', eventType: 'FAIL', eventTime: '2026-03-04T01:31:00.000Z', outputs: [DAU] }),
      ]),
    );
    const rows = await lake.query(writersQuery(DATABASE, DAU, '2026-03-01'));
    expect(rows).toEqual([
      { job_namespace: 'lakehouse-dev', job_name: 'metrics_elt.daily_active_users', run_id: 'run-2', event_time: '2026-03-03T01:31:00.000Z', inputs: [EVENTS], output_row_count: 1 },
      {
        job_namespace: 'lakehouse-dev',
        job_name: 'metrics_elt.daily_active_users',
        run_id: '6f1c1d5e-0000-4000-8000-000000000001',
        event_time: '2026-03-02T01:31:00.000Z',
        inputs: [EVENTS],
        output_row_count: 1,
      },
    ]);
    // The partition bound prunes: nothing before the day asked for.
    expect(await lake.query(writersQuery(DATABASE, DAU, '2026-03-03'))).toHaveLength(1);
  });

  it('stores every column of an event as the row says', async () => {
    const built = event({ inputs: [{ ...EVENTS, rowCount: 40 }, { ...MAU, rowCount: 2 }], outputs: [DAU, { ...MAU, rowCount: 3 }], facts: { day: '2026-03-01', query_execution_id: 'q-1' } });
    await lake.query(lineageInsert(DATABASE, [built]));
    const [stored] = await lake.query(`SELECT * FROM "${DATABASE}"."lineage"`);
    const expected = lineageRow(built);
    expect(expected.input_row_count).toBe(42);
    expect(expected.output_row_count).toBe(3);
    expect({ ...stored, facets: toRecord(stored.facets) }).toEqual(expected);
  });

  it('an event without datasets, counts or facts stores empty lists, NULL counts and an empty map', async () => {
    await lake.query(lineageInsert(DATABASE, [event({ inputs: [], outputs: [], facts: {} })]));
    const [stored] = await lake.query(`SELECT inputs, outputs, input_row_count, output_row_count, facets FROM "${DATABASE}"."lineage"`);
    expect(stored).toEqual({ inputs: [], outputs: [], input_row_count: null, output_row_count: null, facets: [] });
  });
});

/** Strings that end literals, comment out the rest, close statements or confuse escapes. */
const HOSTILE = [
  "'",
  "''",
  "'); DROP TABLE lineage; --",
  "\\'",
  '\\',
  '"',
  '""x""',
  '{}',
  // (lowercase `{{name}}` anywhere is refused by the local lake's unrendered-placeholder guard, not by Athena)
  '{{DAY}}',
  '$.day',
  '-- comment',
  '/* open',
  '*/',
  ';',
  'ROW(1, 2)',
  "x' || 'y",
  'ünïcødé ✓ 🚀',
  "U&'\\0041'",
  ' leading and trailing ',
  'a'.repeat(256),
];

/** A small seeded generator (mulberry32), so a failure names a reproducible string. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = [..."abcXYZ019 '\"\\{}[]()$;,.-/*%_|&?!`~^#@=+<>é✓🚀"];
function hostileStrings(count: number, seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 24) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''));
}

describe('quoting', () => {
  it.each([...HOSTILE, ...hostileStrings(40, 20261204)])('%j comes back unchanged from every string column', async (value) => {
    const built = event({
      runId: value,
      job: { namespace: value, name: value },
      inputs: [{ namespace: value, name: value }],
      outputs: [{ namespace: NS, name: value }],
      facts: { [value]: value, day: '2026-03-01' },
    });
    await lake.query(lineageInsert(DATABASE, [built]));
    const [stored] = await lake.query(`SELECT run_id, job_namespace, job_name, inputs, outputs, facets FROM "${DATABASE}"."lineage"`);
    expect(stored.run_id).toBe(value);
    expect(stored.job_namespace).toBe(value);
    expect(stored.job_name).toBe(value);
    expect(stored.inputs).toEqual([{ namespace: value, name: value }]);
    expect(stored.outputs).toEqual([{ namespace: NS, name: value }]);
    expect(toRecord(stored.facets)).toEqual({ [value]: value, day: '2026-03-01' });
    // The writers query quotes the table name the same way.
    expect(await lake.query(writersQuery(DATABASE, { namespace: NS, name: value }, '2026-03-01'))).toHaveLength(1);
  });

  it.each(['line\nbreak', 'tab\there', 'nul\u0000', 'del\u007f'])('a control character (%j) is refused, not written', (value) => {
    expect(() => event({ runId: value })).toThrow(LineageError);
    expect(() => event({ facts: { day: value } })).toThrow(/control character/);
  });

  it('database names are identifiers, never quoted text', () => {
    expect(() => lineageInsert('db"; DROP', [event()])).toThrow(/identifier/);
    expect(() => writersQuery('db', DAU, "2026-01-01' OR '1'='1")).toThrow(/yyyy-mm-dd/);
  });
});

function toRecord(map: unknown): Record<string, string> {
  return Object.fromEntries((map as Array<{ key: string; value: string }>).map(({ key, value }) => [key, value]));
}
