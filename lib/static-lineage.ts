/**
 * Static lineage of the platform's jobs, derived from the SQL each job runs (constructs/lineage,
 * `tablesTouched`), never written by hand: the metrics ELT (one job per target), the data-quality run
 * (its compiled queries and history insert) and the lineage recording itself. Feeds the data
 * dictionary's upstream/downstream lines and docs/lineage.md.
 */
import { checkWindow, compileQualityQuery, HISTORY_TABLE, historyInsert } from '../constructs/data-quality';
import type { DatasetDefinition } from '../constructs/datasets';
import { CURATED_TARGET, ELT_SOURCE, ELT_TARGETS, eltJobName, eltSteps, renderStatement } from '../constructs/elt';
import { jobTables, LINEAGE_TABLE, lineageInsert, runEvent, tablesTouched } from '../constructs/lineage';
import { LINEAGE_JOB_NAME } from '../constructs/data-quality/handler';

/** One job: the datasets (by name) it reads and writes. */
export interface JobLineage {
  readonly job: string;
  /** How it runs, for readers: "Step Functions (metrics ELT)", "Lambda (data quality)". */
  readonly runner: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /**
   * The table its runs record lineage events in (metadata about the run, not data derived from its
   * inputs: kept out of `writes` so upstream/downstream show how data flows). @default none
   */
  readonly records?: string;
}

/** Database names the SQL is rendered with: one per zone, so a qualified name maps back to its dataset. */
const zoneDatabase = (zone: string) => `zone_${zone}`;

/** Every job of an environment with these datasets, in a stable order. */
export function platformJobs(datasets: readonly DatasetDefinition[]): JobLineage[] {
  const byName = new Map(datasets.map((dataset) => [dataset.name, dataset]));
  const datasetOf = (qualified: string): string => {
    const [database, table] = qualified.split('.');
    const dataset = byName.get(table);
    if (!dataset || (database !== undefined && table !== undefined && zoneDatabase(dataset.zone) !== database)) throw new Error(`static lineage: ${qualified} is not a declared dataset`);
    return dataset.name;
  };
  const recorded = byName.has(LINEAGE_TABLE);
  const [recording] = recorded ? tablesTouched(lineageInsert(zoneDatabase(byName.get(LINEAGE_TABLE)!.zone), [sampleEvent()])).writes.map(datasetOf) : [];
  const records = recording ? { records: recording } : {};
  const jobs: JobLineage[] = [];

  const source = byName.get(ELT_SOURCE);
  const curated = byName.get(CURATED_TARGET);
  if (source && curated && ELT_TARGETS.every((target) => byName.has(target))) {
    for (const step of eltSteps()) {
      const options = {
        day: '2026-01-01',
        rawDatabase: zoneDatabase(source.zone),
        curatedDatabase: zoneDatabase(curated.zone),
        analyticsDatabase: zoneDatabase(byName.get(ELT_TARGETS[0])!.zone),
      };
      const touched = jobTables([...step.statements.map((statement) => renderStatement(statement, options))]);
      jobs.push({ job: eltJobName(step.target), runner: 'Step Functions (metrics ELT)', reads: touched.reads.map(datasetOf), writes: touched.writes.map(datasetOf), ...records });
    }
  }

  const history = byName.get(HISTORY_TABLE);
  // Every dataset but the history table is checked (lib/stacks/operations-quality.ts), Iceberg ones too.
  const checked = datasets.filter((dataset) => dataset.name !== HISTORY_TABLE);
  if (history && checked.length > 0) {
    const queries = checked.map((dataset) => compileQualityQuery(dataset, { database: zoneDatabase(dataset.zone), window: checkWindow(dataset, 0) }));
    const insert = historyInsert(zoneDatabase(history.zone), [{ runId: 'r', checkedAt: new Date(0), dataset: 'd', checkId: 'c', kind: 'row_count', value: 1, threshold: 1, passed: true, queryExecutionId: 'q' }]);
    const touched = jobTables([...queries, insert]);
    jobs.push({ job: LINEAGE_JOB_NAME, runner: 'Lambda (data quality)', reads: touched.reads.map(datasetOf), writes: touched.writes.map(datasetOf), ...records });
  }
  return jobs;
}

/** Upstream and downstream datasets of one dataset, with the jobs that connect them. */
export function neighbours(jobs: readonly JobLineage[], dataset: string): { upstream: Array<{ dataset: string; job: string }>; downstream: Array<{ dataset: string; job: string }> } {
  const upstream = jobs.filter((job) => job.writes.includes(dataset)).flatMap((job) => job.reads.map((read) => ({ dataset: read, job: job.job })));
  const downstream = jobs.filter((job) => job.reads.includes(dataset)).flatMap((job) => job.writes.filter((write) => write !== dataset).map((write) => ({ dataset: write, job: job.job })));
  return { upstream, downstream };
}

function sampleEvent() {
  return runEvent({ eventType: 'COMPLETE', eventTime: new Date(0), runId: 'r', job: { namespace: 'n', name: 'j' } });
}
