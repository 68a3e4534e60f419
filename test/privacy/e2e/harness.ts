/**
 * Everything the end-to-end erasure test runs against, started once per test file:
 * moto (S3, DynamoDB, Secrets Manager: services.ts), the raw events of three subjects uploaded as
 * DuckDB-written Parquet, the local Athena (DuckDB over the mirrored buckets) behind a loopback Athena
 * endpoint, events_curated as an Iceberg-shaped DuckDB table, and PGlite with pgvector holding the
 * subjects' chunks (vector-store migrations applied as the bootstrap applies them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { AthenaClient } from '@aws-sdk/client-athena';
import { events as eventsDataset } from '../../../config/datasets/events';
import { eventsCurated } from '../../../config/datasets/events-curated';
import { dataPrefix } from '../../../constructs/datasets';
import { vectorStoreMigrations } from '../../../constructs/vector-store/migrations';
import { applyMigrations, type SqlClient } from '../../../constructs/vector-store/migrator';
import { LocalLake } from '../../../lib/local-lake/engine';
import { LOCAL_DATABASES } from '../../../lib/local-lake/playground';
import { privacyDatabaseName } from '../../../constructs/privacy/names';
import { erasurePlan, type ErasureTarget } from '../../../constructs/privacy/plan';
import { newDatabase, pgliteClient } from '../../vector-store/pglite';
import { startAthenaServer, type AthenaServer } from './athena-server';
import { LakeMirror } from './lake-mirror';
import { LocalAthena } from './local-athena';
import { CREDENTIALS, NAMES, REGION, startPrivacyServices, type PrivacyServices } from './services';
import { fillCurated, fillVectors, uploadRawEvents, type RawObjects } from './subjects-fixture';

/** `current_date` of every statement: a week after the fixture's events, well inside raw retention. */
export const TODAY = '2026-03-10';
export const PRIVACY_DATABASE = privacyDatabaseName('lakehouse', 'local');
/** The vector store's database name (its privacy role is `<name>_privacy`). */
export const VECTOR_DATABASE = 'vectors';
export const DATABASES = { ...LOCAL_DATABASES, privacy: PRIVACY_DATABASE } as const;
/** Mirror folders (the local lake reads `<root>/<zone>/…`). */
const RAW_FOLDER = eventsDataset.zone;
const WORK_FOLDER = 'work';

/** The real erasure plan of events (Parquet) and events_curated (Iceberg), named as in this local environment. */
export function localPlan(): ErasureTarget[] {
  return erasurePlan([eventsDataset, eventsCurated], {
    databases: LOCAL_DATABASES,
    buckets: { raw: NAMES.rawBucket, curated: NAMES.curatedBucket },
    privacyDatabase: PRIVACY_DATABASE,
  });
}

export interface ErasureHarness {
  readonly services: PrivacyServices;
  readonly lake: LocalLake;
  readonly localAthena: LocalAthena;
  /** The local copy of the buckets the lake reads (refreshed before every local Athena statement). */
  readonly mirror: LakeMirror;
  readonly athenaServer: AthenaServer;
  /** An SDK client on the local Athena endpoint. */
  readonly athena: AthenaClient;
  readonly db: PGlite;
  readonly sql: SqlClient;
  readonly raw: RawObjects;
  stop(): Promise<void>;
}

export async function startErasureHarness(): Promise<ErasureHarness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'privacy-e2e-'));
  // moto is a separate process: it starts while PGlite (most of the start-up) initialises here.
  const [servicesStarted, dbStarted] = await Promise.allSettled([startPrivacyServices(), newDatabase()]);
  if (servicesStarted.status === 'rejected' || dbStarted.status === 'rejected') {
    if (servicesStarted.status === 'fulfilled') await servicesStarted.value.stop();
    if (dbStarted.status === 'fulfilled') await dbStarted.value.close();
    throw servicesStarted.status === 'rejected' ? servicesStarted.reason : (dbStarted as PromiseRejectedResult).reason;
  }
  const [services, db] = [servicesStarted.value, dbStarted.value];
  const stops: Array<() => Promise<void> | void> = [() => services.stop(), () => fs.rmSync(root, { recursive: true, force: true }), () => db.close()];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const raw = await uploadRawEvents(services.s3, NAMES.rawBucket, path.join(root, 'staging'), DATABASES, TODAY);
    const mirror = new LakeMirror(services.s3, path.join(root, 'lake'), [
      { folder: RAW_FOLDER, bucket: NAMES.rawBucket, prefix: dataPrefix(eventsDataset) },
      { folder: WORK_FOLDER, bucket: NAMES.workBucket, prefix: 'subjects/' },
      // Not mirrored (the Iceberg stand-in is a DuckDB table): only its "$path" names this bucket.
      { folder: eventsCurated.zone, bucket: NAMES.curatedBucket, prefix: undefined },
    ]);
    await mirror.refresh();
    const lake = await LocalLake.open({ root: mirror.root, databases: DATABASES, today: TODAY });
    stops.push(() => lake.close());
    await lake.attachParquet(eventsDataset);
    await fillCurated(lake);
    const pathTables = new Set([`${lake.database(eventsDataset)}.${eventsDataset.name}`, `${lake.database(eventsCurated)}.${eventsCurated.name}`]);
    const localAthena = new LocalAthena({ lake, mirror, privacyDatabase: PRIVACY_DATABASE, workFolder: WORK_FOLDER, pathTables });
    const athenaServer = await startAthenaServer((sql) => localAthena.run(sql));
    stops.push(() => athenaServer.stop());
    const athena = new AthenaClient({ region: REGION, endpoint: athenaServer.endpoint, credentials: CREDENTIALS });
    stops.push(() => athena.destroy());
    const sql = pgliteClient(db);
    await applyMigrations(sql, vectorStoreMigrations([], { databaseName: VECTOR_DATABASE }), { log: () => undefined });
    await fillVectors(sql);
    return { services, lake, localAthena, mirror, athenaServer, athena, db, sql, raw, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
