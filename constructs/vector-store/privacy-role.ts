/**
 * Migration `0005_privacy_role`: the role the erasure workflow's `forget-vectors` function signs in as,
 * `<db>_privacy` (LOGIN without a password, member of `rds_iam`: IAM authentication only).
 *
 * It may do exactly what forgetting a data subject needs on the embeddings ledger tables:
 * - DELETE on `embedding_chunks` and `embedding_documents`, with SELECT on only the columns its WHERE
 *   clauses read (the subject column, the chunk metadata and the keys that join a chunk to its document);
 *   it cannot read chunk text or vectors;
 * - MAINTAIN (PostgreSQL 17+), so that its VACUUM after the delete actually runs: without it VACUUM does
 *   not fail, it prints a warning and skips the table, leaving the deleted rows in the table's pages
 *   until autovacuum gets there. PostgreSQL 16 has no MAINTAIN privilege (only the table's owner may
 *   VACUUM it there): on 16 the grant is skipped and `forget-vectors` reports `vacuumed: false` with
 *   the reason, leaving dead rows to autovacuum; the ledger records it.
 */
import type { RoleNames } from './migrations';
import { quoteIdent } from './sql';
import { EMBEDDING_TABLES } from './embeddings-ledger-schema';

/** The first PostgreSQL version with the MAINTAIN privilege (server_version_num). */
export const MAINTAIN_SINCE_VERSION_NUM = 170_000;

export function privacyRoleStatements(roles: RoleNames): string[] {
  const role = quoteIdent(roles.privacy);
  const name = roles.privacy;
  const { documents, chunks } = EMBEDDING_TABLES;
  return [
    `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}') THEN
    BEGIN
      CREATE ROLE ${role} LOGIN;
    EXCEPTION WHEN duplicate_object THEN
      NULL; -- created concurrently (another database's bootstrap on the same instance)
    END;
  END IF;
END
$$`,
    `GRANT rds_iam TO ${role}`,
    `DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '${name}');
END
$$`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT (collection, generation, source_key, data_subject_id, metadata), DELETE ON ${chunks} TO ${role}`,
    `GRANT SELECT (collection, generation, source_key, data_subject_id), DELETE ON ${documents} TO ${role}`,
    `DO $$
BEGIN
  IF current_setting('server_version_num')::int >= ${MAINTAIN_SINCE_VERSION_NUM} THEN
    EXECUTE 'GRANT MAINTAIN ON ${chunks}, ${documents} TO ${role.replace(/'/g, "''")}';
  ELSE
    RAISE NOTICE 'PostgreSQL before 17 has no MAINTAIN privilege: ${name} cannot VACUUM; deleted rows are reclaimed by autovacuum';
  END IF;
END
$$`,
  ];
}
