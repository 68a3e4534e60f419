import { defineConfig } from 'vitest/config';
import { COVERAGE_DIRECTORY, RUNTIME_MODULES } from './scripts/runtime-modules';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'constructs/**/*.test.ts'],
    // A first in-process synth of an environment takes several seconds; never time-sensitive.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Off unless asked for (`--coverage`): .ci/run asks, then `npm run coverage:check` gates the runtime modules.
    coverage: {
      provider: 'v8',
      include: [...RUNTIME_MODULES],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: COVERAGE_DIRECTORY,
    },
  },
});
