import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import type { DatasetDefinition } from '../../constructs/datasets';
import { MetricsElt, type MetricsEltProps } from '../../constructs/elt';
import { constructStack } from '../support/construct-stack';

function elt(source: DatasetDefinition, targets: readonly DatasetDefinition[], curated: DatasetDefinition | null = eventsCurated) {
  const stack = constructStack();
  const key = new kms.Key(stack, 'Key');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
  return new MetricsElt(stack, 'Elt', {
    workgroupName: 'lakehouse-test-engineering',
    resultsBucket: bucket,
    resultsKey: key,
    source: { databaseName: 'lakehouse_test_raw', dataset: source },
    curated: (curated ? { databaseName: 'lakehouse_test_curated', bucket, dataset: curated } : undefined) as MetricsEltProps['curated'],
    target: { databaseName: 'lakehouse_test_analytics', bucket, datasets: targets },
    logsKey: key,
  });
}

describe('MetricsElt refuses', () => {
  it('a source other than events, which its SQL reads by name', () => {
    expect(() => elt(clientErrors, analyticsDatasets)).toThrow('Elt: the ELT SQL reads the events table, not client_errors');
  });

  it('a curated table other than events_curated, which its SQL writes and the metrics read by name', () => {
    expect(() => elt(events, analyticsDatasets, clientErrors)).toThrow('Elt: the ELT SQL writes the curated table events_curated, not client_errors');
  });

  it('no curated table (a caller written before the curated step), with what to pass', () => {
    expect(() => elt(events, analyticsDatasets, null)).toThrow('Elt: curated is required: { databaseName, bucket, dataset } of the events_curated table');
  });

  it('a lateness window the curated step cannot re-read every run', () => {
    const late = { ...events, partitioning: { ...events.partitioning, time: { ...events.partitioning.time, maxLatenessDays: 32 } } };
    expect(() => elt(late, analyticsDatasets)).toThrow(/latenessDays must be a whole number of days from 0 to 31, got 32/);
  });

  it('targets that lack a table its SQL writes', () => {
    expect(() => elt(events, analyticsDatasets.filter((d) => d.name !== 'funnel_conversion'))).toThrow(/target\.datasets lacks funnel_conversion$/);
  });

  it('nothing when every target is there', () => {
    expect(elt(events, analyticsDatasets).stateMachine).toBeDefined();
  });
});
