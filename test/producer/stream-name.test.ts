/**
 * The producer names a dataset's stream by itself (it ships without the CDK app), so its name must be
 * the one the ingestion stack gives the stream: checked against lib/naming and the committed templates.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { streamName } from '../../lib/naming';
import { datasetStreamName } from '../../producer';
import { readSnapshot } from '../support/snapshots';

const streamed = DATASETS.filter((dataset) => dataset.ingestion === 'stream');

describe('datasetStreamName (producer)', () => {
  it.each(ENVIRONMENT_NAMES)('names every stream the %s ingestion stack creates, as lib/naming does', (environment) => {
    const config = loadEnvironmentConfig(environment);
    const template = readSnapshot(environment, `${config.project}-${environment}-ingestion`);
    expect(template, 'committed ingestion snapshot').toBeDefined();
    const synthesized = Object.values(template!.Resources)
      .filter((resource) => resource.Type === 'AWS::Kinesis::Stream')
      .map((resource) => (resource.Properties as { Name: string }).Name)
      .sort();
    const names = streamed.map((dataset) => datasetStreamName(config.project, environment, dataset.name));
    expect(streamed.length).toBeGreaterThan(0);
    expect(names.sort()).toEqual(synthesized);
    for (const dataset of streamed) expect(datasetStreamName(config.project, environment, dataset.name)).toBe(streamName(config.project, environment, dataset.name));
  });

  it('accepts the longest name Firehose allows (64) and refuses one character more', () => {
    const dataset = 'd'.repeat(64 - 'lakehouse-prod-'.length);
    expect(datasetStreamName('lakehouse', 'prod', dataset)).toHaveLength(64);
    expect(() => datasetStreamName('lakehouse', 'prod', `${dataset}x`)).toThrow(
      `stream name "lakehouse-prod-${dataset}x" is not valid: 1-64 letters, digits, "_", "." or "-" (Kinesis and Firehose)`,
    );
  });

  it.each([['with space'], ['slash/name'], ['ümlaut']])('refuses characters Kinesis does not allow: %s', (dataset) => {
    expect(() => datasetStreamName('lakehouse', 'dev', dataset)).toThrow(/is not valid: 1-64 letters, digits/);
  });
});
