import { describe, expect, it } from 'vitest';
import {
  CONTRACT_PARAMETER,
  tableContract,
  classificationSummary,
  columnClassifications,
  columnsVisibleWithout,
  firehoseBuffering,
  firehoseDataPrefix,
  firehoseErrorPrefix,
  gluePartitionKeys,
  jqExtractionQuery,
  locationTemplate,
  parquetTableParameters,
  validateDatasets,
} from '../../constructs/datasets';
import { DATASETS } from '../../config/datasets';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';

describe('shipped datasets', () => {
  it('are valid against the environment zones and domains', () => {
    expect(() => validateDatasets(DATASETS, { zones: ['raw', 'curated', 'analytics'] })).not.toThrow();
    expect(DATASETS.map((dataset) => dataset.name)).toEqual([
      'events', 'client_errors', 'documents',
      'daily_active_users', 'monthly_active_users', 'retention_cohorts', 'feature_adoption', 'funnel_conversion', 'data_quality_results',
      'collector_quarantine',
    ]);
  });

  it('events is the canonical flat record, partitioned by event-time date and hour, stream-ingested', () => {
    expect(events.columns.map((column) => column.name)).toEqual(['event', 'user_id', 'event_time', 'context', 'traits', 'properties']);
    expect(gluePartitionKeys(events).map((key) => `${key.name}:${key.type}`)).toEqual(['dt:string', 'hour:int']);
    expect(events.ingestion).toBe('stream');
  });

  it('documents carries what the embeddings pipeline needs', () => {
    expect(documents.columns.map((column) => column.name)).toEqual(['document_id', 'content', 'metadata', 'updated_at']);
  });

  it('the analytics tables are Iceberg, batch-loaded, without user identifiers', () => {
    for (const dataset of analyticsDatasets) {
      expect(dataset.format).toBe('iceberg');
      expect(dataset.zone).toBe('analytics');
      expect(dataset.columns.some((column) => column.classification === 'pii')).toBe(false);
    }
  });
});

describe('derived from events (golden values)', () => {
  it('Firehose data and error prefixes', () => {
    expect(firehoseDataPrefix(events)).toBe('events/dt=!{partitionKeyFromQuery:dt}/hour=!{partitionKeyFromQuery:hour}/');
    expect(firehoseErrorPrefix(events)).toBe('errors/events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
  });

  it('the JQ query bounds event time to 7 days late and 1 hour ahead', () => {
    const query = jqExtractionQuery(events)!;
    expect(query).toContain('(now - 604800)');
    expect(query).toContain('(now + 3600)');
    expect(query).toContain('{dt: ($t | strftime("%Y-%m-%d")), hour: ($t | strftime("%H"))}');
  });

  it('table parameters: projection reaching back over the 400-day retention, location template, contract', () => {
    expect(parquetTableParameters(events, 'bucket')).toEqual({
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      'parquet.compression': 'SNAPPY',
      owner: 'product-analytics',
      domain: 'product_analytics',
      freshness_slo_minutes: '5',
      ingestion: 'stream',
      column_classifications: 'confidential:2,internal:3,pii:1',
      'lakehouse.contract': JSON.stringify(tableContract(events)),
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': 'NOW-400DAYS,NOW+1DAYS',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.interval': '1',
      'projection.hour.digits': '2',
      'storage.location.template': 's3://bucket/events/dt=${dt}/hour=${hour}/',
    });
  });

  it('the table carries the whole contract but its shard, so checks read their rules from the catalog and a move never updates it', () => {
    const carried = JSON.parse(parquetTableParameters(events, 'bucket')[CONTRACT_PARAMETER]);
    const { shard, ...contract } = events;
    expect(shard).toBe('base');
    expect(carried).toEqual(JSON.parse(JSON.stringify(contract)));
    expect(carried).not.toHaveProperty('shard');
  });

  it('buffering: a 5-minute SLO gives a 200 s interval (1.5× latency fits) and the largest buffer', () => {
    expect(firehoseBuffering(events)).toEqual({ intervalSeconds: 200, sizeMiB: 128 });
  });

  it('Lake Formation tags by column, and what a principal without pii may read', () => {
    expect(Object.fromEntries(columnClassifications(events))).toEqual({
      internal: ['event', 'event_time', 'traits'],
      pii: ['user_id'],
      confidential: ['context', 'properties'],
    });
    expect(columnsVisibleWithout(events, ['pii'])).not.toContain('user_id');
    expect(classificationSummary(events)).toBe('confidential:2,internal:3,pii:1');
  });
});

describe('derived from client_errors (enum key, arrival time)', () => {
  it('prefix and template list platform before the day', () => {
    expect(firehoseDataPrefix(clientErrors)).toBe('client_errors/platform=!{partitionKeyFromQuery:platform}/dt=!{timestamp:yyyy-MM-dd}/');
    expect(locationTemplate(clientErrors, 'b')).toBe('s3://b/client_errors/platform=${platform}/dt=${dt}/');
  });

  it('the JQ query only extracts the enum, with its catch-all', () => {
    expect(jqExtractionQuery(clientErrors)).toBe(
      '{platform: (.platform as $v | if ($v | type) == "string" and ($v | IN("web","ios","android")) then $v else "unknown" end)}',
    );
  });

  it('buffering caps at 900 s for loose SLOs and refuses impossible ones', () => {
    expect(firehoseBuffering({ ...clientErrors, freshnessSloMinutes: 60 })).toEqual({ intervalSeconds: 900, sizeMiB: 128 });
    expect(firehoseBuffering({ ...clientErrors, freshnessSloMinutes: 1.5 })).toEqual({ intervalSeconds: 60, sizeMiB: 128 });
    expect(() => firehoseBuffering({ ...clientErrors, freshnessSloMinutes: 1 })).toThrow('tighter than Firehose can deliver');
  });
});
