#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigValidationError } from '../config/errors';
import { DEFAULT_ENVIRONMENT, loadEnvironmentConfig, UnknownEnvironmentError } from '../config/load';
import { DatasetValidationError } from '../constructs/datasets';
import { assertWithinBudgets, BudgetExceededError, isResourceBudgetFailure } from '../lib/budget';
import { buildLakehouse } from '../lib/lakehouse-app';

// `-c env=<name>` picks the environment; without it, dev. The config is validated before any stack
// exists, so an invalid file synthesizes nothing.
const app = new App();
const requested = String(app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT);
try {
  const stacks = buildLakehouse(app, loadEnvironmentConfig(requested));
  // Budgets past the resource count need the rendered templates: checked on what was just synthesized.
  assertWithinBudgets(app.synth(), stacks.contents);
} catch (error) {
  if (
    error instanceof ConfigValidationError ||
    error instanceof UnknownEnvironmentError ||
    error instanceof DatasetValidationError ||
    error instanceof BudgetExceededError ||
    isResourceBudgetFailure(error)
  ) {
    // The message already names the file, field, value and what is allowed (or the stack, the measure
    // and the datasets to move); a stack trace adds nothing.
    console.error((error as Error).message);
    process.exit(1);
  }
  throw error;
}
