import { defineConfig } from 'vitest/config';

/**
 * The platform's runtime code: what runs in AWS (Lambda handlers and the SQL they send) or against AWS
 * from an operator's machine (producer, vector client, ELT backfill). With `--coverage` (.ci/run) each
 * file is measured, tested or not, and `npm run coverage:check` holds every one at >= 90 % of lines and
 * fails if a Lambda handler, producer or vector-client file is missing here. Construct code is proven by
 * synthesis, cdk-nag and cfn-lint tests instead.
 */
const RUNTIME_MODULES = [
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

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'constructs/**/*.test.ts'],
    // A first in-process synth of an environment takes several seconds; never time-sensitive.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Off unless asked for (`--coverage`); scripts/check-coverage.ts reads the summary from this directory.
    coverage: {
      provider: 'v8',
      include: RUNTIME_MODULES,
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-results/coverage',
    },
  },
});
