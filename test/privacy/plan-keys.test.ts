/**
 * Subject keys beyond one string column, on the local lake: an integer key compared as text (exactly, not
 * as a prefix) and two key columns, either of which makes a row the subject's (a row matching both counts
 * once, a row whose other key is null still matches).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDefinition } from '../../constructs/datasets';
import type { ErasureTarget } from '../../constructs/privacy/plan';
import type { LocalLake } from '../../lib/local-lake/engine';
import { writeParquetRecords } from '../../lib/local-lake/writer';
import { findLocally, forgetLocally } from '../../lib/privacy-local/forget';
import { writeSubjects } from '../../lib/privacy-local/subjects';
import { closePlanLake, found, openPlanLake, remaining } from './plan-lake';

const transfers: DatasetDefinition = {
  name: 'transfers',
  zone: 'raw',
  owner: 'payments',
  domain: 'payments',
  description: 'Money transfers between a payer account and a payee e-mail address.',
  columns: [
    { name: 'transfer_id', type: 'string', description: 'Id of the transfer', classification: 'internal' },
    { name: 'payer_id', type: 'bigint', description: 'Account number of the payer', classification: 'pii' },
    { name: 'payee_email', type: 'string', description: 'E-mail address of the payee', classification: 'pii' },
    { name: 'paid_at', type: 'timestamp', description: 'When the transfer was made, UTC', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'paid_at' } } },
  retentionDays: { raw: 30 },
  freshnessSloMinutes: 60,
  ingestion: 'batch',
  dataSubject: { keys: ['payer_id', 'payee_email'] },
};
const transfer = (id: string, payer: number | null, payee: string | null) => ({ transfer_id: id, payer_id: payer, payee_email: payee, paid_at: '2026-02-20T10:00:00.000Z' });

let lake: LocalLake;
let target: ErasureTarget;

beforeAll(async () => {
  const opened = await openPlanLake([transfers]);
  lake = opened.lake;
  target = opened.targets.get('transfers') as ErasureTarget;
  await writeParquetRecords(lake, transfers, [
    transfer('t1', 1001, 'x@example.com'),
    transfer('t2', 2002, 'eve@example.com'),
    transfer('t3', 1001, 'eve@example.com'),
    transfer('t4', 10010, 'y@example.com'),
    transfer('t5', 2002, 'z@example.com'),
    transfer('t6', null, 'eve@example.com'),
  ]);
  await lake.attachParquet(transfers);
  writeSubjects(lake, 'b-9', ['1001', 'eve@example.com']);
});
afterAll(() => closePlanLake(lake));

describe('subject keys', () => {
  it('compares an integer key as varchar and ORs the key columns', () => {
    expect(target.keyColumns).toEqual(['payer_id', 'payee_email']);
    expect(target.integerKeyColumns).toEqual(['payer_id']);
    expect(target.findSql('b-9')).toContain('CAST("payer_id" AS varchar) IN (');
  });

  it('finds a row when either key holds an id of the batch, each row once', async () => {
    const [object] = found(await lake.query(target.findSql('b-9')));
    expect(object.rows).toBe(4);
    expect(object.partition).toEqual({ dt: '2026-02-20' });
    expect(await remaining(lake, target.verifySql('b-9'))).toBe(4);
  });

  it('forgets t1, t2, t3 and t6 and nothing else (10010 is not 1001)', async () => {
    const result = await findLocally(lake, target, 'b-9');
    expect(await forgetLocally(lake, target, 'b-9', result)).toBe(4);
    expect(await remaining(lake, target.verifySql('b-9'))).toBe(0);
    const left = await lake.query('SELECT transfer_id FROM "lake_raw"."transfers" ORDER BY 1');
    expect(left.map((row) => row.transfer_id)).toEqual(['t4', 't5']);
  });
});
