/**
 * Three data subjects (A, B, C) spread over everything an erasure must reach, with a layout chosen so
 * each kind of object outcome happens exactly once or more:
 * - raw `events` Parquet, written by DuckDB through the local lake's Firehose-shaped writer (real
 *   partition layout `events/dt=…/hour=…/`, snappy) and uploaded to the versioned raw bucket:
 *   an object holding only A's rows (deleted), an object mixing A and B with an older version that also
 *   holds A (rewritten; both older versions removed), an object mixing C and A (rewritten), and objects
 *   without A, one in a partition that also holds A (never touched);
 * - `events_curated` (Iceberg-shaped: a DuckDB table);
 * - vector chunks of documents whose subject is A, B, C or nobody (PGlite, migrated vector store).
 * Rows also carry nulls, nested structs and maps so the "intact" comparisons are over full rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { events as eventsDataset } from '../../../config/datasets/events';
import { eventsCurated } from '../../../config/datasets/events-curated';
import { liveGenerations, swapDocument } from '../../../constructs/embeddings/ledger';
import type { SqlClient } from '../../../constructs/vector-store/migrator';
import type { EventRecord } from '../../../lib/local-lake/fixture';
import { LocalLake } from '../../../lib/local-lake/engine';
import { writeParquetRecords } from '../../../lib/local-lake/writer';

/** Ids distinctive enough that finding one anywhere as a substring means it leaked. */
export const SUBJECTS = { A: 'subject-alpha-6b1e0f93', B: 'subject-bravo-2c7d4a18', C: 'subject-charlie-9e35b6d0' } as const;

/** The raw objects, by role; keys relative to the raw bucket. */
export interface RawObjects {
  /** Only A's rows: must be deleted with every version. */
  readonly onlyA: string;
  /** A and B (and a row without a user), with an older version also holding A: rewritten. */
  readonly aAndB: string;
  /** C and A: rewritten. */
  readonly cAndA: string;
  /** No A, in the same partition as onlyA: never touched. */
  readonly onlyC: string;
  /** B and C, no A: never touched. */
  readonly bAndC: string;
}

let sequence = 0;
function event(user: string | null, time: string, name = 'page_view', properties: Record<string, string> = {}): EventRecord {
  sequence += 1;
  return {
    event: name,
    user_id: user,
    event_time: time,
    context: { page_url: `https://shop.example.com/p/${sequence}`, referrer: sequence % 2 === 0 ? null : 'https://search.example.com/' },
    traits: { plan: sequence % 3 === 0 ? null : 'pro', source: 'ads' },
    properties,
    event_id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
  };
}

const { A, B, C } = SUBJECTS;

export interface RawEventGroup {
  readonly role: keyof RawObjects;
  readonly records: EventRecord[];
  /** An earlier version of the same object. */
  readonly older?: EventRecord[];
}

let groups: readonly RawEventGroup[] | undefined;

/** Raw events per object, in write order (made once: the raw objects and events_curated share event ids). */
export function rawEventGroups(): readonly RawEventGroup[] {
  groups ??= [
    { role: 'onlyA', records: [event(A, '2026-03-01T09:05:00.000Z'), event(A, '2026-03-01T09:20:00.000Z', 'feature_used', { feature: 'export' }), event(A, '2026-03-01T09:41:00.000Z')] },
    { role: 'onlyC', records: [event(C, '2026-03-01T09:07:00.000Z', 'search_performed', { query: 'shoes' }), event(C, '2026-03-01T09:55:00.000Z')] },
    {
      role: 'aAndB',
      older: [event(A, '2026-03-01T14:01:00.000Z'), event(B, '2026-03-01T14:02:00.000Z')],
      records: [
        event(A, '2026-03-01T14:01:00.000Z'),
        event(B, '2026-03-01T14:02:00.000Z', 'button_clicked', { button: 'buy', colour: 'green' }),
        event(A, '2026-03-01T14:30:00.000Z', 'signup_completed'),
        event(null, '2026-03-01T14:31:00.000Z'),
        event(B, '2026-03-01T14:59:00.000Z'),
      ],
    },
    { role: 'bAndC', records: [event(B, '2026-03-02T02:10:00.000Z'), event(C, '2026-03-02T02:11:00.000Z', 'invite_sent', {}), event(B, '2026-03-02T02:12:00.000Z')] },
    { role: 'cAndA', records: [event(C, '2026-03-02T21:00:00.000Z'), event(A, '2026-03-02T21:15:00.000Z', 'report_exported'), event(C, '2026-03-02T21:30:00.000Z')] },
  ];
  return groups;
}

/**
 * Writes the raw groups with DuckDB (a staging local lake) and uploads each object to the raw bucket,
 * the older version first where there is one. Returns the keys by role.
 */
export async function uploadRawEvents(s3: S3Client, bucket: string, staging: string, databases: Readonly<Record<string, string>>, today: string): Promise<RawObjects> {
  const lake = await LocalLake.open({ root: staging, databases, today });
  const keys: Partial<Record<keyof RawObjects, string>> = {};
  try {
    for (const group of rawEventGroups()) {
      const versions = group.older === undefined ? [group.records] : [group.older, group.records];
      let key: string | undefined;
      for (const records of versions) {
        const [written] = await writeParquetRecords(lake, eventsDataset, records);
        const file = path.join(staging, eventsDataset.zone, written);
        // The same key for every version of the group (the writer numbers files per call: they stay on disk so numbers never repeat).
        key ??= written;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(file), ContentType: 'application/octet-stream' }));
      }
      keys[group.role] = key;
    }
  } finally {
    lake.close();
  }
  return keys as RawObjects;
}

/**
 * One events Parquet object as DuckDB writes it (the bytes a Firehose delivery or another writer would
 * put), for a concurrent writer's version. Staged under `staging` (a fresh folder per call).
 */
export async function eventsParquetBytes(staging: string, databases: Readonly<Record<string, string>>, today: string, records: readonly EventRecord[]): Promise<Buffer> {
  const lake = await LocalLake.open({ root: staging, databases, today });
  try {
    const [written] = await writeParquetRecords(lake, eventsDataset, records);
    return fs.readFileSync(path.join(staging, eventsDataset.zone, written));
  } finally {
    lake.close();
  }
}

/** A new event of a subject (fresh event id), for a concurrent writer's rows. */
export function lateEvent(user: string | null, time: string): EventRecord {
  return event(user, time, 'page_view', { late: 'true' });
}

/**
 * events_curated as the local lake's Iceberg stand-in (a DuckDB table; its `"$path"` names one data file
 * per day partition), filled with the curated form of every current raw row.
 */
export async function fillCurated(lake: LocalLake): Promise<void> {
  const dataset = eventsCurated;
  await lake.createTable(dataset);
  const table = `"${lake.database(dataset)}"."${dataset.name}"`;
  const rows = rawEventGroups().flatMap((group) => group.records);
  const literal = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);
  for (const row of rows) {
    const day = row.event_time.slice(0, 10);
    const properties = Object.entries(row.properties);
    const map = properties.length === 0 ? 'MAP {}::MAP(VARCHAR, VARCHAR)' : `MAP {${properties.map(([key, value]) => `${literal(key)}: ${literal(value)}`).join(', ')}}`;
    await lake.connection.run(
      `INSERT INTO ${table} VALUES (${literal(row.event)}, ${literal(row.user_id)}, TIMESTAMP '${row.event_time.replace('T', ' ').replace('Z', '')}', ` +
        `{'page_url': ${literal(row.context.page_url)}, 'referrer': ${literal(row.context.referrer)}}, {'plan': ${literal(row.traits.plan)}, 'source': ${literal(row.traits.source)}}, ` +
        `${map}, ${literal(row.event_id ?? null)}, DATE '${day}', false)`,
    );
  }
}

/** The vector documents: subject (or none) per source key. */
export const VECTOR_DOCUMENTS: ReadonlyArray<{ readonly sourceKey: string; readonly subject: string | null; readonly chunks: number }> = [
  { sourceKey: 's3://docs/tickets/a-1.md', subject: A, chunks: 3 },
  { sourceKey: 's3://docs/tickets/a-2.md', subject: A, chunks: 1 },
  { sourceKey: 's3://docs/tickets/b-1.md', subject: B, chunks: 2 },
  { sourceKey: 's3://docs/tickets/c-1.md', subject: C, chunks: 2 },
  { sourceKey: 's3://docs/handbook/returns.md', subject: null, chunks: 2 },
];

/** Indexes the vector documents into the active generation of collection `tickets`. */
export async function fillVectors(sql: SqlClient): Promise<void> {
  const [generation] = await liveGenerations(sql, { collection: 'tickets', model: 'amazon.titan-embed-text-v2:0', dimensions: 3, chunkerVersion: 'structure-v1:300:60' });
  for (const [index, document] of VECTOR_DOCUMENTS.entries()) {
    const chunks = Array.from({ length: document.chunks }, (_, ordinal) => ({
      ordinal,
      hash: `h-${index}-${ordinal}`,
      content: `ticket ${index} part ${ordinal}`,
      tokens: 4,
      embedding: `[${index / 10},${ordinal / 10},1]`,
      metadata: { part: ordinal },
    }));
    await swapDocument(sql, {
      generation,
      sourceKey: document.sourceKey,
      sequencer: String(index + 1),
      status: 'indexed',
      governance: document.subject === null ? { dataset: 'support_tickets', classification: 'internal' } : { dataset: 'support_tickets', classification: 'pii', dataSubjectId: document.subject },
      chunks,
    });
  }
}
