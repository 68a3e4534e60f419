/** The OpenLineage run-event builder: spec field names, facets for row counts, and refusals. */
import { describe, expect, it } from 'vitest';
import { athenaDatasetName, athenaNamespace, DEFAULT_PRODUCER, LineageError, OPENLINEAGE_SCHEMA_URL, runEvent, type RunEventInput } from '../../constructs/lineage/events';

const base: RunEventInput = {
  eventType: 'COMPLETE',
  eventTime: new Date(Date.UTC(2026, 2, 2, 1, 31)),
  runId: '3b452093-782c-4ef2-9c0c-aafe2aa6f34d',
  job: { namespace: 'lakehouse-prod', name: 'data_quality' },
  inputs: [{ namespace: athenaNamespace('eu-west-1'), name: athenaDatasetName('lakehouse_prod_raw', 'events'), rowCount: 12 }],
  outputs: [{ namespace: athenaNamespace('eu-west-1'), name: athenaDatasetName('lakehouse_prod_analytics', 'data_quality_results'), rowCount: 3 }],
  facts: { day: '2026-03-01' },
};

describe('runEvent', () => {
  it('builds an OpenLineage RunEvent with the spec field names', () => {
    const event = runEvent(base);
    expect(event).toEqual({
      eventType: 'COMPLETE',
      eventTime: '2026-03-02T01:31:00.000Z',
      run: {
        runId: '3b452093-782c-4ef2-9c0c-aafe2aa6f34d',
        facets: { lakehouse_run: { _producer: DEFAULT_PRODUCER, _schemaURL: `${DEFAULT_PRODUCER}#/$defs/LakehouseRunFacet`, day: '2026-03-01' } },
      },
      job: { namespace: 'lakehouse-prod', name: 'data_quality' },
      inputs: [
        {
          namespace: 'awsathena://athena.eu-west-1.amazonaws.com',
          name: 'awsdatacatalog.lakehouse_prod_raw.events',
          inputFacets: { inputStatistics: { _producer: DEFAULT_PRODUCER, _schemaURL: expect.stringContaining('InputStatisticsInputDatasetFacet'), rowCount: 12 } },
        },
      ],
      outputs: [
        {
          namespace: 'awsathena://athena.eu-west-1.amazonaws.com',
          name: 'awsdatacatalog.lakehouse_prod_analytics.data_quality_results',
          outputFacets: { outputStatistics: { _producer: DEFAULT_PRODUCER, _schemaURL: expect.stringContaining('OutputStatisticsOutputDatasetFacet'), rowCount: 3 } },
        },
      ],
      producer: DEFAULT_PRODUCER,
      schemaURL: OPENLINEAGE_SCHEMA_URL,
    });
    expect(OPENLINEAGE_SCHEMA_URL).toBe('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
  });

  it('datasets without a row count carry no statistics facet, and no facts means no run facet', () => {
    const event = runEvent({ ...base, inputs: [{ namespace: 'n', name: 'a' }], outputs: [{ namespace: 'n', name: 'b', rowCount: null }], facts: {} });
    expect(event.inputs).toEqual([{ namespace: 'n', name: 'a' }]);
    expect(event.outputs).toEqual([{ namespace: 'n', name: 'b' }]);
    expect(event.run).toEqual({ runId: base.runId });
  });

  it('accepts an ISO-8601 string time and normalises it to UTC', () => {
    expect(runEvent({ ...base, eventTime: '2026-03-02T03:31:00+02:00' }).eventTime).toBe('2026-03-02T01:31:00.000Z');
  });

  it.each([
    ['an eventType outside the spec', { eventType: 'DONE' }, /eventType "DONE" is not one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER/],
    ['a time that is not a time', { eventTime: 'yesterday' }, /eventTime "yesterday"/],
    ['an empty time', { eventTime: '' }, /eventTime ""/],
    ['an empty run id', { runId: '' }, /run\.runId must be a non-empty string/],
    ['a run id that is not a string', { runId: 42 }, /run\.runId must be a non-empty string, got 42/],
    ['an over-long run id', { runId: 'r'.repeat(257) }, /at most 256/],
    ['a job without a name', { job: { namespace: 'n' } }, /job\.name/],
    ['a dataset without a namespace', { inputs: [{ name: 'x' }] }, /inputs\[0\]\.namespace/],
    ['a negative row count', { outputs: [{ namespace: 'n', name: 'x', rowCount: -1 }] }, /outputs\[0\]\.rowCount -1/],
    ['a fractional row count', { outputs: [{ namespace: 'n', name: 'x', rowCount: 1.5 }] }, /whole number/],
    ['too many datasets', { inputs: Array.from({ length: 201 }, (_, i) => ({ namespace: 'n', name: `t${i}` })) }, /at most 200/],
    ['a producer that is not a URI', { producer: 'my job' }, /producer "my job" must be a URI/],
    ['a fact key reserved by OpenLineage', { facts: { _producer: 'x' } }, /reserved by OpenLineage/],
    ['a fact value that is not a string', { facts: { day: 1 } }, /facts\.day must be a non-empty string/],
    ['a control character in a job name', { job: { namespace: 'n', name: 'a\nb' } }, /control character/],
  ])('refuses %s', (_name, override, message) => {
    const input = { ...base, ...override } as unknown as RunEventInput;
    expect(() => runEvent(input)).toThrow(LineageError);
    expect(() => runEvent(input)).toThrow(message);
  });
});
