import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'constructs/**/*.test.ts'],
    // A first in-process synth of an environment takes several seconds; never time-sensitive.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Off unless asked for (`--coverage`, as .ci/run does). Every source file is measured, tested or not;
    // scripts/check-coverage.ts then gates the runtime code (what the Lambda handlers, the producer, the
    // vector client and the operator scripts bundle) at 90 % of lines.
    coverage: {
      provider: 'v8',
      include: ['bin/**/*.ts', 'lib/**/*.ts', 'config/**/*.ts', 'constructs/**/*.ts', 'producer/**/*.ts', 'vector-client/**/*.ts', 'scripts/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-results/coverage',
      // A failed test must not also lose the report: the coverage gate then judges what did run.
      reportOnFailure: true,
    },
  },
});
