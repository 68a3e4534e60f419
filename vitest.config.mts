import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Speed (issue 16: the whole suite under 90 s on two cores). What costs CPU here is per-file set-up, not
// the assertions, so the suite shares it:
// - workers are reused across test files (isolate: false): aws-cdk-lib, the constructs and the AWS SDK
//   are imported once per worker, not once per file; test/support/setup.ts undoes what each file
//   changed in the process (environment, spies, timers) so that files stay independent;
// - one worker per core (vitest's default leaves one core idle, i.e. runs serially on two cores): the
//   tests spend much of their time waiting on moto, PGlite and child processes;
// - each environment is synthesized once per run and each PGlite database starts from one initialised
//   cluster (test/support/run-cache.ts, synth.ts, test/vector-store/pglite.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'constructs/**/*.test.ts'],
    // A first in-process synth of an environment takes several seconds; never time-sensitive.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    isolate: false,
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
