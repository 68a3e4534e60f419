/** The lineage dataset is declared by contract like any other: catalogued, LF-tagged, Iceberg by day. */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import { buildLakehouse } from '../../lib/lakehouse-app';
import { cliContext } from '../support/app-context';
import { DATASETS } from '../../config/datasets';
import { lineage } from '../../config/datasets/lineage';
import { createTableDdl, icebergTableSpec } from '../../constructs/catalog/iceberg/ddl';
import { datasetProblems, glueColumns, parseGlueType } from '../../constructs/datasets';
import { EVENT_TYPES, LINEAGE_COLUMNS } from '../../constructs/lineage';
import { lineageProblems } from '../../lib/input-validation';

describe('the lineage contract', () => {
  it('is shipped, valid, Iceberg in the analytics zone, partitioned by the day of event_time', () => {
    expect(DATASETS).toContain(lineage);
    expect(datasetProblems(lineage)).toEqual([]);
    expect(lineage).toMatchObject({ format: 'iceberg', zone: 'analytics', partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'event_time' } } } });
    expect(lineageProblems(DATASETS, new Map())).toEqual([]);
  });

  it('declares the columns the INSERT writes, with Glue types for the dataset lists and the facet map', () => {
    expect(glueColumns(lineage).map((column) => column.name)).toEqual([...LINEAGE_COLUMNS]);
    const type = (name: string) => parseGlueType(glueColumns(lineage).find((column) => column.name === name)!.type);
    expect(type('inputs')).toEqual({ kind: 'array', element: { kind: 'struct', fields: [{ name: 'namespace', type: { kind: 'primitive', name: 'string' } }, { name: 'name', type: { kind: 'primitive', name: 'string' } }] } });
    expect(type('facets')).toEqual({ kind: 'map', key: { kind: 'primitive', name: 'string' }, value: { kind: 'primitive', name: 'string' } });
    expect(lineage.quality?.acceptedValues?.event_type).toEqual([...EVENT_TYPES]);
  });

  it('becomes Athena DDL partitioned by day(event_time)', () => {
    const ddl = createTableDdl(icebergTableSpec(lineage, { database: 'lakehouse_dev_analytics', location: 's3://bucket/lineage/' }));
    expect(ddl).toContain('PARTITIONED BY (day(`event_time`))');
    expect(ddl).toContain('`inputs` array<struct<namespace:string,name:string>>');
  });

  it('refuses a lineage dataset that is not Iceberg or not in the analytics zone, naming the file and field', () => {
    const sources = new Map([[lineage, 'config/datasets/lineage.ts']]);
    const moved = { ...lineage, zone: 'curated', format: 'parquet' as const };
    expect(lineageProblems([moved], new Map([[moved, 'config/datasets/lineage.ts']]))).toEqual([
      { source: 'config/datasets/lineage.ts, dataset "lineage"', field: 'format', value: '"parquet"', allowed: expect.stringContaining('must be "iceberg"') },
      { source: 'config/datasets/lineage.ts, dataset "lineage"', field: 'zone', value: '"curated"', allowed: expect.stringContaining('"analytics" zone') },
    ]);
    expect(lineageProblems([lineage], sources)).toEqual([]);
  });

  it('an app declaring a lineage table outside the analytics zone is refused before anything is built, without a stack trace', () => {
    const app = new App({ context: { ...cliContext(), env: 'dev' } });
    const datasets = DATASETS.map((dataset) => (dataset === lineage ? { ...lineage, zone: 'curated' } : dataset));
    expect(() => buildLakehouse(app, loadEnvironmentConfig('dev'), { compliance: false, datasets })).toThrow(
      '- zone: got "curated"; the lineage table must be in the "analytics" zone, where the metrics ELT (which records lineage) writes',
    );
    expect(app.node.children).toHaveLength(0);
  });
});
