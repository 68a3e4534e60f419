#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigValidationError } from '../config/errors';
import { DEFAULT_ENVIRONMENT, loadEnvironmentConfig, UnknownEnvironmentError } from '../config/load';
import { DatasetValidationError } from '../constructs/datasets';
import { buildLakehouse } from '../lib/lakehouse-app';

// `-c env=<name>` picks the environment; without it, dev. The config is validated before any stack
// exists, so an invalid file synthesizes nothing.
const app = new App();
const requested = String(app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT);
try {
  buildLakehouse(app, loadEnvironmentConfig(requested));
} catch (error) {
  if (error instanceof ConfigValidationError || error instanceof UnknownEnvironmentError || error instanceof DatasetValidationError) {
    // The message already names the file, field, value and what is allowed; a stack trace adds nothing.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
