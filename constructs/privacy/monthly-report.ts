/**
 * The monthly erasure report, computed from one month's ledger entries (pure; the handler and
 * `npm run privacy:report` read the entries and write `reports/<yyyy>-<mm>.json` and `.md`).
 *
 * Counts are per entry (a request's close, or a failed verification attempt); dataset and vector
 * figures are per batch (every entry of a batch carries the batch's figures), so they are summed once
 * per batch. Days to close: receipt to close of the entries that closed a request.
 */
import { LEDGER_SCHEMA, type LedgerEntry } from './ledger';
import { LEDGER_PREFIX } from './names';
import { REGULATIONS } from './request';

export const REPORT_SCHEMA = 'lakehouse.erasure-report/1';
export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface RegulationFigures {
  closed: number;
  verificationFailures: number;
  deadlinesMissed: number;
}

export interface DatasetFigures {
  rowsFound: number;
  rowsRemoved: number;
  objectsRewritten: number;
  objectsDeleted: number;
  batches: number;
}

export interface MonthlyReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly month: string;
  readonly generatedAt: string;
  readonly entries: number;
  readonly closed: number;
  readonly completed: number;
  readonly awaitingPhysicalRemoval: number;
  readonly verificationFailures: number;
  readonly deadlinesMissed: number;
  readonly daysToClose: { readonly median: number | null; readonly max: number | null };
  readonly byRegulation: Record<string, RegulationFigures>;
  readonly byDataset: Record<string, DatasetFigures>;
  readonly vectors: { readonly chunksDeleted: number; readonly documentsDeleted: number };
  readonly batches: number;
  /** Ledger objects under the month that are not entries of this format (listed by key, never read further). */
  readonly unreadable: readonly string[];
}

export function checkMonth(month: unknown): string {
  if (typeof month !== 'string' || !MONTH.test(month)) throw new TypeError(`month must be YYYY-MM (for example 2026-11); got ${typeof month === 'string' ? JSON.stringify(month.slice(0, 40)) : typeof month}`);
  return month;
}

/** The calendar month (UTC) before the one `now` is in. */
export function previousMonth(now: Date): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function monthPrefix(month: string): string {
  const [, year, mm] = MONTH.exec(checkMonth(month)) as RegExpExecArray;
  return `${LEDGER_PREFIX}${year}/${mm}/`;
}

export function reportKeys(month: string): { json: string; markdown: string } {
  checkMonth(month);
  return { json: `reports/${month}.json`, markdown: `reports/${month}.md` };
}

/** A parsed ledger object is an entry when it carries the schema and the fields the report reads. */
export function isLedgerEntry(value: unknown): value is LedgerEntry {
  const entry = value as Partial<LedgerEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    entry.schema === LEDGER_SCHEMA &&
    typeof entry.outcome === 'string' &&
    typeof entry.regulation === 'string' &&
    typeof entry.daysToClose === 'number' &&
    Array.isArray(entry.datasets) &&
    typeof entry.batch?.batchId === 'string'
  );
}

export function monthlyReport(month: string, entries: readonly LedgerEntry[], unreadable: readonly string[], generatedAt: Date): MonthlyReport {
  checkMonth(month);
  const byRegulation: Record<string, RegulationFigures> = Object.fromEntries(REGULATIONS.map((r) => [r, { closed: 0, verificationFailures: 0, deadlinesMissed: 0 }]));
  const byDataset: Record<string, DatasetFigures> = {};
  const days: number[] = [];
  const batches = new Set<string>();
  const vectors = { chunksDeleted: 0, documentsDeleted: 0 };
  let completed = 0;
  let awaiting = 0;
  let failures = 0;
  let missed = 0;
  for (const entry of entries) {
    const regulation = (byRegulation[entry.regulation] ??= { closed: 0, verificationFailures: 0, deadlinesMissed: 0 });
    if (entry.outcome === 'verification-failed') {
      failures += 1;
      regulation.verificationFailures += 1;
    } else {
      if (entry.outcome === 'completed') completed += 1;
      else awaiting += 1;
      regulation.closed += 1;
      days.push(entry.daysToClose);
      if (!entry.deadlineMet) {
        missed += 1;
        regulation.deadlinesMissed += 1;
      }
    }
    if (batches.has(entry.batch.batchId)) continue;
    batches.add(entry.batch.batchId);
    for (const dataset of entry.datasets) {
      const figures = (byDataset[dataset.dataset] ??= { rowsFound: 0, rowsRemoved: 0, objectsRewritten: 0, objectsDeleted: 0, batches: 0 });
      figures.rowsFound += dataset.rowsFound;
      figures.rowsRemoved += dataset.rowsRemoved ?? 0;
      figures.objectsRewritten += dataset.objectsRewritten ?? 0;
      figures.objectsDeleted += dataset.objectsDeleted ?? 0;
      figures.batches += 1;
    }
    vectors.chunksDeleted += entry.vectors?.chunksDeleted ?? 0;
    vectors.documentsDeleted += entry.vectors?.documentsDeleted ?? 0;
  }
  return {
    schema: REPORT_SCHEMA,
    month,
    generatedAt: generatedAt.toISOString(),
    entries: entries.length,
    closed: completed + awaiting,
    completed,
    awaitingPhysicalRemoval: awaiting,
    verificationFailures: failures,
    deadlinesMissed: missed,
    daysToClose: { median: median(days), max: days.length > 0 ? Math.max(...days) : null },
    byRegulation,
    byDataset: Object.fromEntries(Object.entries(byDataset).sort(([a], [b]) => a.localeCompare(b))),
    vectors,
    batches: batches.size,
    unreadable: [...unreadable],
  };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const days = (value: number | null) => (value === null ? '—' : value.toFixed(1));

export function reportMarkdown(report: MonthlyReport): string {
  const lines = [
    `# Erasure report ${report.month}`,
    '',
    `Generated ${report.generatedAt} from ${report.entries} ledger entr${report.entries === 1 ? 'y' : 'ies'} (${report.batches} batch${report.batches === 1 ? '' : 'es'}).`,
    '',
    '| measure | value |',
    '|---|---|',
    `| requests closed | ${report.closed} |`,
    `| completed | ${report.completed} |`,
    `| awaiting physical removal | ${report.awaitingPhysicalRemoval} |`,
    `| verification failures | ${report.verificationFailures} |`,
    `| deadlines missed | ${report.deadlinesMissed} |`,
    `| median days to close | ${days(report.daysToClose.median)} |`,
    `| max days to close | ${days(report.daysToClose.max)} |`,
    `| vector chunks deleted | ${report.vectors.chunksDeleted} |`,
    `| vector documents deleted | ${report.vectors.documentsDeleted} |`,
    '',
    '## Per regulation',
    '',
    '| regulation | closed | verification failures | deadlines missed |',
    '|---|---|---|---|',
    ...Object.entries(report.byRegulation).map(([name, f]) => `| ${name} | ${f.closed} | ${f.verificationFailures} | ${f.deadlinesMissed} |`),
    '',
    '## Per dataset',
    '',
  ];
  const datasets = Object.entries(report.byDataset);
  if (datasets.length === 0) lines.push('No dataset held a subject of this month\'s requests.');
  else {
    lines.push('| dataset | rows found | rows removed | objects rewritten | objects deleted | batches |', '|---|---|---|---|---|---|');
    for (const [name, f] of datasets) lines.push(`| ${name} | ${f.rowsFound} | ${f.rowsRemoved} | ${f.objectsRewritten} | ${f.objectsDeleted} | ${f.batches} |`);
  }
  if (report.unreadable.length > 0) lines.push('', `## Not read`, '', ...report.unreadable.map((key) => `- \`${key}\` is not a ledger entry of format ${LEDGER_SCHEMA}`));
  return `${lines.join('\n')}\n`;
}
