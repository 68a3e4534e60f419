import { describe, expect, it } from 'vitest';
import {
  DATASET_DEFAULTS,
  enumOtherValue,
  firehoseDataPrefix,
  jqExtractionQuery,
  maxFutureSkewHours,
  maxLatenessDays,
  partitionKeys,
  projectionParameters,
  valueKeys,
  type DatasetDefinition,
} from '../../constructs/datasets';
import { clientErrors } from '../../config/datasets/client-errors';
import { events } from '../../config/datasets/events';
import { projectedTable } from '../support/athena-projection';
import { renderFirehosePrefix, runJq, type Extraction } from '../support/firehose-model';
import { tenantUsage } from './fixtures';

/**
 * For random records, the object key Firehose would write (partition values extracted by the real
 * jq 1.6) and the location Athena computes from the Glue table's projection parameters are the same,
 * and every object ingestion writes is one Athena can address; records it cannot address go to the
 * error prefix instead. The seed is printed so that a failure can be replayed (PROPERTY_SEED=...).
 */
const SEED = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
const RECORDS_PER_DATASET = 400;
const BUCKET = 'lake-bucket';
const MINUTE = 60_000;
const DAY = 86_400_000;

function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

type Rng = ReturnType<typeof random>;

/** Event times: mostly inside the accepted window, some too late, too early or malformed; never within 10 min of a bound. */
function eventTime(rng: Rng, now: number, dataset: DatasetDefinition): { value: unknown; acceptable: boolean } {
  const late = maxLatenessDays(dataset) * DAY;
  const ahead = maxFutureSkewHours(dataset) * 3_600_000;
  const iso = (ms: number, fraction: boolean) => {
    const text = new Date(ms).toISOString();
    return fraction ? text : `${text.slice(0, 19)}Z`;
  };
  switch (rng.int(0, 9)) {
    case 0:
      return { value: iso(now - late - rng.int(10, 60 * 24 * 400) * MINUTE, rng.next() < 0.5), acceptable: false };
    case 1:
      return { value: iso(now + ahead + rng.int(10, 60 * 24 * 30) * MINUTE, rng.next() < 0.5), acceptable: false };
    case 2:
      return { value: rng.pick([null, 1735689600, 'yesterday', '2026-11-23 10:00:00', '2026-11-23T10:00:00+01:00', '2026-13-40T99:00:00Z']), acceptable: false };
    default:
      return { value: iso(now - late + 10 * MINUTE + rng.next() * (late + ahead - 20 * MINUTE), rng.next() < 0.5), acceptable: true };
  }
}

function enumValue(rng: Rng, values: readonly string[]): unknown {
  return rng.next() < 0.6 ? rng.pick(values) : rng.pick([undefined, null, 42, '', 'EU', 'mars', `${rng.pick(values)}x`, ['eu']]);
}

function record(rng: Rng, dataset: DatasetDefinition, now: number) {
  const fields: Record<string, unknown> = {};
  let acceptable = true;
  const time = dataset.partitioning.time;
  if (time.source.kind === 'event-time') {
    const generated = eventTime(rng, now, dataset);
    fields[time.source.column] = generated.value;
    acceptable = generated.acceptable;
  }
  for (const key of valueKeys(dataset)) {
    if (key.kind === 'enum') {
      const value = enumValue(rng, key.values);
      if (value !== undefined) fields[key.sourceField] = value;
    } else if (rng.next() < 0.9) {
      fields[key.sourceField] = `tenant-${rng.int(1, 5000)}`;
    } else {
      acceptable = false; // an injected key without a value cannot be addressed; it must be rejected
    }
  }
  return { fields, acceptable };
}

describe.each([events, clientErrors, tenantUsage])(`partitions of $name agree between Firehose and Athena (seed ${SEED})`, (dataset) => {
  const rng = random(SEED ^ dataset.name.length);
  const now = Date.now();
  const parameters = projectionParameters(dataset, BUCKET);
  const athena = projectedTable(parameters, partitionKeys(dataset).map((key) => key.name), new Date(now));
  const generated = Array.from({ length: RECORDS_PER_DATASET }, () => record(rng, dataset, now));
  const query = jqExtractionQuery(dataset);
  const extractions: Extraction[] = query ? runJq(query, generated.map((g) => g.fields)) : generated.map(() => ({ keys: {} }));

  it('every record that can be partitioned lands in a partition the projection lists, at the location Athena computes', () => {
    let delivered = 0;
    extractions.forEach((extraction, index) => {
      if ('error' in extraction) return;
      delivered += 1;
      const arrival = new Date(now + rng.int(0, 5) * 1000);
      const objectPrefix = `s3://${BUCKET}/${renderFirehosePrefix(firehoseDataPrefix(dataset), extraction.keys, arrival)}`;
      // The values Athena sees are the path segments Firehose wrote.
      const values = Object.fromEntries(
        partitionKeys(dataset).map((key) => [key.name, new RegExp(`/${key.name}=([^/]*)/`).exec(objectPrefix)?.[1] ?? '']),
      );
      const context = `record ${JSON.stringify(generated[index].fields)} -> ${objectPrefix}`;
      expect(athena.reject(values), context).toBeUndefined();
      expect(athena.location(values), context).toBe(objectPrefix);
    });
    expect(delivered).toBeGreaterThan(RECORDS_PER_DATASET / 3);
  });

  it('records Athena could not address go to the error prefix, and only those', () => {
    extractions.forEach((extraction, index) => {
      const context = JSON.stringify(generated[index].fields);
      expect('error' in extraction, context).toBe(!generated[index].acceptable);
    });
    if (dataset.partitioning.time.source.kind === 'event-time') {
      expect(extractions.some((extraction) => 'error' in extraction)).toBe(true);
    }
  });

  it('enum values outside the list map to the catch-all, which the projection lists', () => {
    for (const key of valueKeys(dataset)) {
      if (key.kind !== 'enum') continue;
      const other = enumOtherValue(key);
      expect(parameters[`projection.${key.name}.values`].split(',')).toContain(other);
      const seen = new Set(extractions.flatMap((extraction) => ('keys' in extraction ? [extraction.keys[key.name]] : [])));
      expect(seen.has(other), `no record mapped to ${other}`).toBe(true);
      expect([...seen].every((value) => key.values.includes(value) || value === other)).toBe(true);
    }
    expect(DATASET_DEFAULTS.enumOtherValue).toBe('unknown');
  });
});
