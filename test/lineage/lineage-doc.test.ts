import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { platformJobs } from '../../lib/static-lineage';
import { renderLineageDoc } from '../../scripts/lineage-doc';
import { REPO_ROOT } from '../support/app-context';

const rendered = renderLineageDoc(DATASETS);

describe('docs/lineage.md', () => {
  it('is the rendering of the declarations and the jobs (run npm run docs:lineage after changing either)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'lineage.md'), 'utf8')).toBe(rendered);
  });

  it('draws each analytics table with an edge from every table its writing job reads', () => {
    const jobs = platformJobs(DATASETS);
    for (const dataset of DATASETS.filter((d) => d.zone === 'analytics' && d.name !== 'lineage')) {
      const start = rendered.indexOf(`### \`${dataset.name}\``);
      expect(start, dataset.name).toBeGreaterThan(0);
      const graph = /```mermaid\n([\s\S]*?)```/.exec(rendered.slice(start))![1];
      const edges = graph.split('\n').filter((line) => line.includes('-->'));
      const writers = jobs.filter((job) => job.writes.includes(dataset.name));
      expect(edges.length, dataset.name).toBe(writers.flatMap((job) => job.reads).length + jobs.filter((job) => job.reads.includes(dataset.name)).flatMap((job) => job.writes).length);
      for (const job of writers) for (const read of job.reads) expect(graph).toContain(`table_${read} --> job_${job.job.replace(/\./g, '_')} --> table_${dataset.name}`);
    }
  });
});
