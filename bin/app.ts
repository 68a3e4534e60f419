#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { failureMessage } from '../lib/entry-point';

// `-c env=<name>` picks the environment; without it, dev. Every input is validated before any stack
// exists, so an invalid one synthesizes nothing and is reported without a stack trace.
const app = new App();
try {
  // Loaded here rather than imported above, so that an environment or dataset file that does not
  // compile, or throws while it loads, is reported like any other bad input.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DEFAULT_ENVIRONMENT, loadEnvironmentConfig } = require('../config/load') as typeof import('../config/load');
  const { buildLakehouse } = require('../lib/lakehouse-app') as typeof import('../lib/lakehouse-app');
  const { assertWithinBudgets } = require('../lib/budget') as typeof import('../lib/budget');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const requested = String(app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT);
  const stacks = buildLakehouse(app, loadEnvironmentConfig(requested));
  // Budgets past the resource count need the rendered templates: checked on what was just synthesized.
  assertWithinBudgets(app.synth(), stacks.contents);
} catch (error) {
  console.error(failureMessage(error));
  process.exit(1);
}
