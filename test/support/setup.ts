// Construct tests build constructs without going through lib/, so register the source bundler here too.
import '../../lib/handler-bundling';
import { afterAll, vi } from 'vitest';
import { forgetSynthesized } from './synth';

// Test files share worker processes (vitest.config.mts: isolate false), and this file runs again before
// each of them. Whatever a file changed in the process is undone when it ends, so the next file in the
// worker starts as it would in a fresh process: environment variables (stubbed or assigned), spies,
// fake timers, stubbed globals, and the templates it was handed (a fresh copy per file). Anything else a
// file patches that outlives it (a client class mocked with aws-sdk-client-mock, a module's singleton)
// it restores itself, in afterEach/afterAll, as elt-backfill.test.ts does.
const environment = { ...process.env };

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  forgetSynthesized();
});
