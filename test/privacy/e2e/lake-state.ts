/**
 * What the end-to-end test compares before and after an erasure, read from the engines themselves:
 * each raw object's versions and rows (the bytes read back by DuckDB), events_curated, the vector
 * tables, and every stored byte (all versions of every object, every DynamoDB item) for leak checks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Row } from '../../../lib/local-lake/engine';
import type { ErasureHarness } from './harness';
import { DATABASES } from './harness';
import { NAMES } from './services';

export interface ObjectVersions {
  readonly versions: readonly string[];
  readonly deleteMarkers: readonly string[];
}

export async function objectVersions(s3: S3Client, bucket: string, key: string): Promise<ObjectVersions> {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const mine = <T extends { Key?: string; VersionId?: string }>(items: T[] | undefined) => (items ?? []).filter((item) => item.Key === key).map((item) => item.VersionId as string);
  return { versions: mine(page.Versions), deleteMarkers: mine(page.DeleteMarkers) };
}

export async function objectBytes(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** The rows of a Parquet object as DuckDB reads them, in file order. */
export async function parquetRows(h: ErasureHarness, bytes: Buffer): Promise<Row[]> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'privacy-e2e-read-'));
  try {
    const file = path.join(folder, 'object.parquet');
    fs.writeFileSync(file, bytes);
    return await h.lake.native(`SELECT * FROM read_parquet('${file}')`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The current raw object's rows. */
export async function currentRows(h: ErasureHarness, key: string): Promise<Row[]> {
  return parquetRows(h, await objectBytes(h.services.s3, NAMES.rawBucket, key));
}

export async function curatedRows(h: ErasureHarness): Promise<Row[]> {
  return h.lake.native(`SELECT * FROM "${DATABASES.curated}"."events_curated" ORDER BY event_id`);
}

export async function vectorRows(h: ErasureHarness): Promise<{ chunks: unknown[]; documents: unknown[] }> {
  const chunks = await h.sql.query(
    `SELECT collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding::text AS embedding, metadata, dataset, classification, data_subject_id FROM embedding_chunks ORDER BY source_key, ordinal`,
  );
  const documents = await h.sql.query(
    `SELECT collection, generation, source_key, sequencer, status, dataset, classification, data_subject_id, chunk_count FROM embedding_documents ORDER BY source_key`,
  );
  return { chunks: chunks.rows, documents: documents.rows };
}

/** Every version of every object in a bucket (delete markers have no body), as text, keyed by key@version. */
export async function everyObjectText(s3: S3Client, bucket: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const version of page.Versions ?? []) {
      texts.set(`${version.Key}@${version.VersionId}`, `${version.Key}\n${(await objectBytes(s3, bucket, version.Key as string, version.VersionId)).toString('latin1')}`);
    }
    for (const marker of page.DeleteMarkers ?? []) texts.set(`${marker.Key}@${marker.VersionId}`, String(marker.Key));
    if (!page.IsTruncated) return texts;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

/** Every item of the request table, as JSON text. */
export async function everyRequestItem(h: ErasureHarness): Promise<string[]> {
  const page = await h.services.dynamodb.send(new ScanCommand({ TableName: NAMES.requestTable, ConsistentRead: true }));
  return (page.Items ?? []).map((item) => JSON.stringify(item));
}
