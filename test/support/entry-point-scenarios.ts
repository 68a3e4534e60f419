/**
 * Runs the real entry point (bin/app.ts) after breaking one input, the way a user would break it by
 * editing a file: the scenario named in LAKEHOUSE_SCENARIO mutates the loaded module objects first.
 * Used by test/app/entry-point.test.ts as a child process; never imported by the app.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { Node } from 'constructs';
import { DATASETS } from '../../config/datasets';
import { events } from '../../config/datasets/events';
import { dev } from '../../config/environments/dev';
import { staging } from '../../config/environments/staging';
import type { DatasetDefinition } from '../../constructs/datasets';

type Writable<T> = { -readonly [K in keyof T]: T[K] };
const mutable = (value: unknown) => value as Record<string, any>;

const SCENARIOS: Record<string, () => void> = {
  // config: a CIDR with host bits, which EC2 would silently mask to another network.
  'config-cidr-host-bits': () => {
    mutable(dev.network).cidr = '10.10.0.1/16';
  },
  // datasets: a misspelt optional field, which would otherwise keep data forever.
  'dataset-misspelt-retention': () => {
    const dataset = mutable(events);
    dataset.retentionDay = dataset.retentionDays;
    delete dataset.retentionDays;
  },
  // datasets: a missing nested object, which used to crash the validator itself.
  'dataset-missing-time': () => {
    delete mutable(events.partitioning).time;
  },
  // collections: two collections with one name.
  'collections-duplicate': () => {
    const collection = { name: 'docs', dimensions: 8, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
    mutable(dev.vectorStore).collections = [collection, collection];
  },
  // quality rules: a numeric range on a string column.
  'quality-range-on-string': () => {
    mutable(events).quality = { ...events.quality, ranges: { event: { min: 0 } } };
  },
  // ELT: half of the datasets the metrics ELT reads and writes.
  'elt-half-declared': () => {
    const list = DATASETS as DatasetDefinition[];
    list.splice(
      list.findIndex((dataset) => dataset.name === 'retention_cohorts'),
      1,
    );
  },
  // ELT: a column added to raw events but not to events_curated would never be curated.
  'curated-lacks-raw-column': () => {
    mutable(events).columns = [...events.columns, { name: 'session_id', type: 'string', description: 'Session', classification: 'internal' }];
  },
  // monitoring: the same e-mail twice would subscribe it twice.
  'monitoring-duplicate-email': () => {
    mutable(dev).operations = { alarmEmails: ['oncall@example.com', 'OnCall@example.com'] };
  },
  // endpoints: an explicit list that leaves out what the deployed functions call.
  'endpoints-missing': () => {
    mutable(dev.network).interfaceEndpoints = ['kms', 'sts', 'secretsmanager', 'logs', 'lambda'];
  },
  // context: a region whose availability zones cdk.context.json does not have.
  'context-new-region': () => {
    (staging as Writable<typeof staging>).region = 'eu-north-1';
  },
  // a user's file that does not load (a syntax error, or code that throws): the test writes the broken
  // copy of config/environments/dev.ts outside the repository and names it in LAKEHOUSE_BROKEN_FILE.
  'config-file-broken': () => {
    const real = join(__dirname, '..', '..', 'config', 'environments', 'dev.ts');
    const broken = process.env.LAKEHOUSE_BROKEN_FILE ?? '';
    const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const resolve = loader._resolveFilename;
    loader._resolveFilename = (request, ...rest) => {
      const resolved = resolve(request, ...rest);
      return resolved === real ? broken : resolved;
    };
  },
  // a bug: anything that is not a validation error.
  // Thrown where bin/app.ts first reads the context, so that the case costs no synthesis.
  'unexpected-error': () => {
    const tryGetContext = Node.prototype.tryGetContext;
    Node.prototype.tryGetContext = function (key: string) {
      if (key === 'env') throw new TypeError('simulated failure inside the app');
      return tryGetContext.call(this, key);
    };
  },
};

const scenario = process.env.LAKEHOUSE_SCENARIO ?? '';
const breakIt = SCENARIOS[scenario];
if (!breakIt) throw new Error(`unknown scenario "${scenario}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
breakIt();
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../bin/app');
