import { describe, expect, it } from 'vitest';
import { collectorQuarantine } from '../../config/datasets/collector-quarantine';
import { QUARANTINE_KINDS, QUARANTINE_RECORD_FIELDS } from '../../constructs/collector/quarantine-record';
import type { EnumPartitionKey } from '../../constructs/datasets';

describe('the quarantine record the handler writes', () => {
  const key = collectorQuarantine.partitioning.keys![0] as EnumPartitionKey;

  it('has exactly the contract\'s columns, in order, plus the field its partition key reads', () => {
    expect(QUARANTINE_RECORD_FIELDS).toEqual([...collectorQuarantine.columns.map((column) => column.name), key.sourceField]);
  });

  it('uses the partition key\'s values as its kinds', () => {
    expect(key.kind).toBe('enum');
    expect([...QUARANTINE_KINDS]).toEqual(key.values);
  });

  it('stores the payload as personal data', () => {
    expect(collectorQuarantine.columns.find((column) => column.name === 'payload')!.classification).toBe('pii');
  });
});
