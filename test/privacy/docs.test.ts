/**
 * The rendered examples in docs/privacy.md are what the plan renders today: each block marked
 * `<!-- erasure-example: <dataset> <statement> [partitions…] -->` is compared with the statement.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { erasurePlan } from '../../constructs/privacy/plan';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'privacy.md'), 'utf8');
const BATCH = '2026-12-04-0300';
const plan = erasurePlan(DATASETS, {
  databases: { raw: 'lakehouse_dev_raw', curated: 'lakehouse_dev_curated', analytics: 'lakehouse_dev_analytics' },
  buckets: { raw: 'raw', curated: 'curated', analytics: 'analytics' },
  privacyDatabase: 'lakehouse_dev_privacy',
});
const examples = [...DOC.matchAll(/<!-- erasure-example: ([a-z_]+) ([a-z]+)((?: [0-9-]+)*) -->\n```sql\n([\s\S]*?)\n```/g)];

describe('docs/privacy.md', () => {
  it('has the four statements of events and events_curated shown', () => {
    expect(examples.map((match) => `${match[1]} ${match[2]}`)).toEqual(['events find', 'events verify', 'events_curated find', 'events_curated delete', 'events_curated optimize']);
  });

  it.each(examples.map((match) => [`${match[1]} ${match[2]}`, match] as const))('shows %s as the plan renders it', (_, match) => {
    const [, dataset, statement, partitions, shown] = match;
    const target = plan.find((candidate) => candidate.dataset === dataset);
    if (!target) throw new Error(`${dataset} is not in the plan`);
    const rendered =
      statement === 'find'
        ? target.findSql(BATCH)
        : statement === 'verify'
          ? target.verifySql(BATCH)
          : target.kind !== 'iceberg'
            ? undefined
            : statement === 'delete'
              ? target.deleteSql(BATCH)
              : target.optimizeSql(partitions.trim().split(' ').map((day) => ({ event_date_day: day })));
    expect(shown).toBe(rendered);
  });
});
