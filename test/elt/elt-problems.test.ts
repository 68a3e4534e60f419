/**
 * lib/input-validation.ts, eltProblems: the dataset list is refused before any stack exists when the ELT
 * could not run as declared: part of its tables missing, a lateness window longer than the curated step
 * re-reads every run, or an events column missing from events_curated (named with the file and field,
 * not thrown at synth).
 */
import { describe, expect, it } from 'vitest';
import { DATASET_SOURCES, DATASETS } from '../../config/datasets';
import type { DatasetDefinition } from '../../constructs/datasets';
import { MAX_LATENESS_DAYS } from '../../constructs/elt';
import { eltProblems } from '../../lib/input-validation';

/** The shipped datasets with events' lateness window replaced (the copy keeps events' source file). */
function withLateness(days: number | undefined): { datasets: DatasetDefinition[]; sources: Map<unknown, string> } {
  const sources = new Map(DATASET_SOURCES);
  const datasets = DATASETS.map((dataset) => {
    if (dataset.name !== 'events') return dataset;
    const copy = { ...dataset, partitioning: { ...dataset.partitioning, time: { ...dataset.partitioning.time, maxLatenessDays: days } } };
    sources.set(copy, DATASET_SOURCES.get(dataset) as string);
    return copy;
  });
  return { datasets, sources };
}

describe('eltProblems', () => {
  it('accepts the shipped datasets, and a window of up to 31 days (or the default)', () => {
    expect(eltProblems(DATASETS, DATASET_SOURCES)).toEqual([]);
    for (const days of [0, MAX_LATENESS_DAYS, undefined]) {
      const { datasets, sources } = withLateness(days);
      expect(eltProblems(datasets, sources), String(days)).toEqual([]);
    }
  });

  it('refuses a longer lateness window on events, naming the file, the field and the limit', () => {
    const { datasets, sources } = withLateness(45);
    expect(eltProblems(datasets, sources)).toEqual([
      {
        source: 'config/datasets/events.ts, dataset "events"',
        field: 'partitioning.time.maxLatenessDays',
        value: '45',
        allowed: expect.stringMatching(/^at most 31: each daily ELT run re-curates that many days of events_curated from raw/),
      },
    ]);
  });

  it('refuses an events column that events_curated lacks or types differently, naming both', () => {
    const sources = new Map(DATASET_SOURCES);
    const datasets = DATASETS.map((dataset) => {
      if (dataset.name !== 'events') return dataset;
      const copy = { ...dataset, columns: [...dataset.columns, { name: 'session_id', type: 'string', description: 'Session', classification: 'internal' as const }] };
      sources.set(copy, DATASET_SOURCES.get(dataset) as string);
      return copy;
    });
    expect(eltProblems(datasets, sources)).toEqual([
      {
        source: 'config/datasets/events-curated.ts, dataset "events_curated"',
        field: 'columns',
        value: 'no column session_id',
        allowed: expect.stringMatching(/^every column of events with the same type \(events\.columns\[7\] is session_id string\): add it at the end of events_curated's columns/),
      },
    ]);
    const retyped = DATASETS.map((dataset) => (dataset.name === 'events_curated' ? { ...dataset, columns: dataset.columns.map((column) => (column.name === 'event_time' ? { ...column, type: 'string' } : column)) } : dataset));
    expect(eltProblems(retyped, DATASET_SOURCES).map((problem) => problem.value)).toEqual(['event_time string']);
  });

  it('refuses a list with events and the metrics but no events_curated', () => {
    const problems = eltProblems(DATASETS.filter((dataset) => dataset.name !== 'events_curated'), DATASET_SOURCES);
    expect(problems).toHaveLength(1);
    expect(problems[0].allowed).toMatch(/declare the missing dataset\(s\) events_curated, or none of them$/);
  });
});
