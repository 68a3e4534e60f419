import * as rds from 'aws-cdk-lib/aws-rds';

/**
 * RDS for PostgreSQL minor versions this construct accepts, and the pgvector version each ships.
 *
 * Source: Amazon RDS for PostgreSQL release notes, "Amazon RDS for PostgreSQL updates"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html), whose
 * per-version notes say "The pgvector extension was updated to …", and "Extension versions for Amazon RDS
 * for PostgreSQL" (…/PostgreSQLReleaseNotes/postgresql-extensions.html). `verified` rows quote a release
 * note; `inferred` rows carry the last stated version forward because that minor's notes state no change.
 * Checked 2026-11-23 against a stored copy of the release notes (up to 17.9). Versions aws-cdk-lib marks
 * as no longer supported by RDS (16.1, 16.2, 16.5, 16.7, 17.1, 17.3) are left out.
 *
 * Engine upgrades do not upgrade extensions: after one, run `ALTER EXTENSION vector UPDATE`.
 */
export const RDS_POSTGRES_VERSIONS = [
  { engine: '16.3', pgvector: '0.7.0', source: 'verified' },
  { engine: '16.4', pgvector: '0.7.3', source: 'verified' },
  { engine: '16.6', pgvector: '0.8.0', source: 'inferred' },
  { engine: '16.8', pgvector: '0.8.0', source: 'inferred' },
  { engine: '16.9', pgvector: '0.8.0', source: 'inferred' },
  { engine: '16.10', pgvector: '0.8.0', source: 'inferred' },
  { engine: '16.11', pgvector: '0.8.0', source: 'inferred' },
  { engine: '16.12', pgvector: '0.8.1', source: 'verified' },
  { engine: '16.13', pgvector: '0.8.1', source: 'inferred' },
  { engine: '17.2', pgvector: '0.8.0', source: 'inferred' },
  { engine: '17.4', pgvector: '0.8.0', source: 'inferred' },
  { engine: '17.5', pgvector: '0.8.0', source: 'inferred' },
  { engine: '17.6', pgvector: '0.8.0', source: 'inferred' },
  { engine: '17.7', pgvector: '0.8.0', source: 'inferred' },
  { engine: '17.8', pgvector: '0.8.1', source: 'verified' },
  { engine: '17.9', pgvector: '0.8.1', source: 'inferred' },
] as const;

export type RdsPostgresVersion = (typeof RDS_POSTGRES_VERSIONS)[number]['engine'];

/**
 * The oldest pgvector this construct's migrations rely on: 0.7.0 brought `halfvec` (indexes above
 * 2,000 dimensions) and 0.8.0 iterative index scans (filtered queries keep their recall).
 */
export const MIN_PGVECTOR = '0.8.0';

/** The CDK engine version for `engine`, refusing versions not in the table or below MIN_PGVECTOR. */
export function postgresEngineVersion(engine: string): rds.PostgresEngineVersion {
  const row = RDS_POSTGRES_VERSIONS.find((r) => r.engine === engine);
  if (!row) {
    throw new Error(
      `RDS for PostgreSQL ${engine} is not in the table of supported versions (postgres-versions.ts); use one of ` +
        RDS_POSTGRES_VERSIONS.map((r) => r.engine).join(', '),
    );
  }
  if (compareVersions(row.pgvector, MIN_PGVECTOR) < 0) {
    throw new Error(`RDS for PostgreSQL ${engine} ships pgvector ${row.pgvector}; the vector store needs ${MIN_PGVECTOR} or later`);
  }
  const [major] = engine.split('.');
  return rds.PostgresEngineVersion.of(engine, major);
}

export function pgvectorVersionOf(engine: RdsPostgresVersion): string {
  return RDS_POSTGRES_VERSIONS.find((r) => r.engine === engine)!.pgvector;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
