#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DEFAULT_ENVIRONMENT, loadEnvironmentConfig } from '../config/load';
import { buildLakehouse } from '../lib/lakehouse-app';
import { failureMessage } from '../lib/entry-point';

// `-c env=<name>` picks the environment; without it, dev. Every input is validated before any stack
// exists, so an invalid one synthesizes nothing and is reported without a stack trace.
const app = new App();
try {
  const requested = String(app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT);
  buildLakehouse(app, loadEnvironmentConfig(requested));
  app.synth();
} catch (error) {
  console.error(failureMessage(error));
  process.exit(1);
}
