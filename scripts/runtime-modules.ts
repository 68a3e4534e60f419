/**
 * The platform's runtime code: what runs in AWS (Lambda handlers and the SQL they send) or on an
 * operator's machine against AWS (producer, vector client, ELT backfill). Each file keeps at least
 * RUNTIME_LINE_COVERAGE % line coverage (`npm run coverage:check`, a CI gate); construct code is
 * proven by synthesis, cdk-nag and cfn-lint tests instead. Paths are relative to the repository root.
 */
export const RUNTIME_MODULES: readonly string[] = [
  'constructs/data-quality/handler.ts',
  'constructs/data-quality/rules.ts',
  'constructs/data-quality/sql.ts',
  'constructs/elt/steps.ts',
  'constructs/catalog/iceberg/handler.ts',
  'constructs/catalog/iceberg/ddl.ts',
  'constructs/vector-store/handler.ts',
  'constructs/vector-store/migrator.ts',
  'constructs/vector-store/migrations.ts',
  'constructs/vector-store/sql.ts',
  'producer/canonical-event.ts',
  'producer/producer.ts',
  'producer/sample-events.ts',
  'producer/stream-name.ts',
  'producer/timestamps.ts',
  'producer/validate.ts',
  'vector-client/client.ts',
  'vector-client/environment.ts',
  'scripts/elt-backfill.ts',
];

export const RUNTIME_LINE_COVERAGE = 90;

/** Where `vitest run --coverage` writes coverage-summary.json. */
export const COVERAGE_DIRECTORY = 'test-results/coverage';
