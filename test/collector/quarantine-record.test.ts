import { describe, expect, it } from 'vitest';
import { collectorQuarantineDataset } from '../../constructs/collector/quarantine-record';
import { datasetProblems } from '../../constructs/datasets/validation';
import { checkRecord } from '../../producer/validate';

describe('quarantine record contract', () => {
  it('is a valid dataset contract, partitioned by arrival time (a refused call\'s own time may be the problem)', () => {
    expect(datasetProblems(collectorQuarantineDataset)).toEqual([]);
    expect(collectorQuarantineDataset.partitioning.time.source).toEqual({ kind: 'ingestion-time' });
  });

  it('refuses a record that does not follow it, as the writer relies on', () => {
    const record = { received_at: '2026-12-04T12:00:00.000Z', source: 'web', dataset: null, event_id: null, stage: 'request', reasons: ['x'], payload: '{}', request_id: null };
    expect(checkRecord(record, collectorQuarantineDataset, Date.now()).reasons).toEqual([]);
    expect(checkRecord({ ...record, reasons: 'x' }, collectorQuarantineDataset, Date.now()).reasons).toEqual(['reasons: expected array, got string "x"']);
  });
});
