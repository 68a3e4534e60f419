/**
 * Scheduled `monthly-report` (the 1st of each month): reads the month's ledger entries
 * (`ledger/<yyyy>/<mm>/`, default the previous UTC month) and writes `reports/<yyyy>-<mm>.json` and
 * `.md` to the ledger bucket (Object Lock applies to them too). Also what `npm run privacy:report` runs.
 *
 * Input `{ month? }` (`YYYY-MM`); output `{ reportKey, markdownKey, entries }`.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readPrivacyEnvironment, type PrivacySettings } from '../handler-environment';
import { ledgerWriter } from '../ledger-store';
import type { LedgerEntry } from '../ledger';
import { checkMonth, isLedgerEntry, monthPrefix, monthlyReport, previousMonth, reportKeys, reportMarkdown, type MonthlyReport } from '../monthly-report';
import { jsonLog, type Log } from '../runtime';
import type { S3Send } from '../work-files';

export interface MonthlyReportDependencies {
  readonly s3: S3Send;
  readonly settings: Pick<PrivacySettings, 'ledgerBucket' | 'ledgerMode' | 'ledgerRetentionDays'>;
  readonly now?: () => Date;
  readonly log?: Log;
}

export interface MonthlyReportOutput {
  readonly reportKey: string;
  readonly markdownKey: string;
  readonly entries: number;
}

/** Reads every ledger object of the month (JSON entries; anything else is listed as unreadable). */
export async function readMonth(s3: S3Send, bucket: string, month: string): Promise<{ entries: LedgerEntry[]; unreadable: string[] }> {
  const entries: LedgerEntry[] = [];
  const unreadable: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: monthPrefix(month), ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const key = String(object.Key);
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = String(await response.Body?.transformToString('utf-8'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (isLedgerEntry(parsed)) entries.push(parsed);
      else unreadable.push(key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { entries, unreadable };
}

/** Computes the month's report from the bucket (nothing written). */
export async function buildMonthlyReport(s3: S3Send, bucket: string, month: string, now: Date): Promise<MonthlyReport> {
  const { entries, unreadable } = await readMonth(s3, bucket, month);
  return monthlyReport(month, entries, unreadable, now);
}

export function createMonthlyReport(deps: MonthlyReportDependencies): (event: unknown) => Promise<MonthlyReportOutput> {
  const log = deps.log ?? jsonLog;
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    const requested = (event as { month?: unknown } | null)?.month;
    const month = requested === undefined ? previousMonth(now()) : checkMonth(requested);
    const { ledgerBucket, ledgerMode, ledgerRetentionDays } = deps.settings;
    const report = await buildMonthlyReport(deps.s3, ledgerBucket, month, now());
    const keys = reportKeys(month);
    const write = await ledgerWriter(deps.s3, ledgerBucket, { mode: ledgerMode, retentionDays: ledgerRetentionDays }, now);
    await write(keys.json, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
    await write(keys.markdown, reportMarkdown(report), 'text/markdown; charset=utf-8');
    log('monthly erasure report written', { month, entries: report.entries, closed: report.closed, verificationFailures: report.verificationFailures, deadlinesMissed: report.deadlinesMissed, reportKey: keys.json });
    return { reportKey: keys.json, markdownKey: keys.markdown, entries: report.entries };
  };
}

let cached: ((event: unknown) => Promise<MonthlyReportOutput>) | undefined;

export async function handler(event: unknown): Promise<MonthlyReportOutput> {
  cached ??= createMonthlyReport({ s3: new S3Client({}), settings: readPrivacyEnvironment(process.env, ['ledgerBucket']) });
  return cached(event);
}
