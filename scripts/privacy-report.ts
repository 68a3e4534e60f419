/**
 * Prints the erasure report of a month, computed from the ledger entries in the privacy stack's ledger
 * bucket (`ledger/<yyyy>/<mm>/`): requests closed, verification failures, deadlines missed, median and
 * maximum days to close, per regulation and per dataset. With `--write` it also stores it as
 * `reports/<yyyy>-<mm>.json` and `.md` (what the monthly schedule does on the 1st; Object Lock applies).
 *
 * Usage: npm run privacy:report -- --month YYYY-MM -c env=<name> [--json] [--write]
 *          [--bucket name] [--stack name] [--endpoint url]
 *
 * Needs AWS credentials and a region; exit codes: 0 printed, 1 nothing could be read.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { loadEnvironmentConfig } from '../config/load';
import { buildMonthlyReport } from '../constructs/privacy/handlers/monthly-report';
import { ledgerWriter } from '../constructs/privacy/ledger-store';
import { MONTH, reportKeys, reportMarkdown } from '../constructs/privacy/monthly-report';
import { awsRegionOrExplain } from './aws-prerequisites';
import { runCommand } from './command';
import { BUCKET, ENDPOINT, STACK, environmentFromContext, privacyCliSettings, stackOutputs } from './privacy-stack';
import { PRIVACY_OUTPUT_KEYS, privacyStackName } from '../constructs/privacy/stack-outputs';

export const COMMAND = 'privacy:report';

export interface PrivacyReportArgs {
  readonly env: string;
  readonly month: string;
  readonly json: boolean;
  readonly write: boolean;
  readonly bucket?: string;
  readonly stack?: string;
  readonly endpoint?: string;
}

export function parsePrivacyReportArgs(argv: readonly string[], today: Date = new Date()): PrivacyReportArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      context: { type: 'string', short: 'c', multiple: true },
      month: { type: 'string' },
      json: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      bucket: { type: 'string' },
      stack: { type: 'string' },
      endpoint: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const problems: string[] = [];
  const env = environmentFromContext(values.context, problems);
  const month = values.month;
  const thisMonth = `${today.getUTCFullYear()}-${String(today.getUTCMonth() + 1).padStart(2, '0')}`;
  if (month === undefined) problems.push('--month: required, YYYY-MM (for example 2026-11)');
  else if (!MONTH.test(month)) problems.push(`--month ${JSON.stringify(month.slice(0, 40))}: YYYY-MM with a month 01-12 (for example 2026-11)`);
  else if (month > thisMonth) problems.push(`--month ${month}: in the future (this month is ${thisMonth})`);
  if (values.bucket !== undefined && !BUCKET.test(values.bucket)) problems.push(`--bucket ${JSON.stringify(values.bucket.slice(0, 80))}: an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
  if (values.stack !== undefined && !STACK.test(values.stack)) problems.push(`--stack ${JSON.stringify(values.stack.slice(0, 200))}: a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)`);
  if (values.endpoint !== undefined && !ENDPOINT.test(values.endpoint)) problems.push(`--endpoint ${JSON.stringify(values.endpoint.slice(0, 200))}: http(s)://host[:port], for a local emulator`);
  if (problems.length > 0) throw new Error(`invalid arguments (nothing was read):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { env, month: month as string, json: values.json as boolean, write: values.write as boolean, bucket: values.bucket, stack: values.stack, endpoint: values.endpoint };
}

export async function main(argv: readonly string[]): Promise<number> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let args: PrivacyReportArgs;
  let config: ReturnType<typeof loadEnvironmentConfig>;
  let settings: ReturnType<typeof privacyCliSettings>;
  try {
    args = parsePrivacyReportArgs(argv);
    config = loadEnvironmentConfig(args.env);
    settings = privacyCliSettings(config);
  } catch (error) {
    console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const region = awsRegionOrExplain(COMMAND, 'nothing was read', config);
  if (region === undefined) return 1;
  const clientConfig = { region, ...(args.endpoint ? { endpoint: args.endpoint } : {}) };
  const cfn = new CloudFormationClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: args.endpoint !== undefined });
  try {
    let bucket: string;
    try {
      const stackName = args.stack ?? privacyStackName(config.project, config.name);
      bucket = args.bucket ?? String((await stackOutputs(() => cfn, stackName, [PRIVACY_OUTPUT_KEYS.ledgerBucket])).get(PRIVACY_OUTPUT_KEYS.ledgerBucket));
    } catch (error) {
      console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}; nothing was read`);
      return 1;
    }
    const now = new Date();
    let report: Awaited<ReturnType<typeof buildMonthlyReport>>;
    try {
      report = await buildMonthlyReport(s3, bucket, args.month, now);
    } catch (error) {
      console.error(`${COMMAND}: could not read the ledger in s3://${bucket}/: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      return 1;
    }
    console.log(args.json ? JSON.stringify(report, null, 2) : reportMarkdown(report).trimEnd());
    if (args.write) {
      const keys = reportKeys(args.month);
      try {
        const write = await ledgerWriter(s3, bucket, { mode: settings.ledgerMode, retentionDays: settings.ledgerRetentionDays });
        await write(keys.json, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
        await write(keys.markdown, reportMarkdown(report), 'text/markdown; charset=utf-8');
      } catch (error) {
        console.error(`${COMMAND}: the report was printed but not stored: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        return 1;
      }
      console.error(`${COMMAND}: stored s3://${bucket}/${keys.json} and ${keys.markdown}`);
    }
    return 0;
  } finally {
    cfn.destroy();
    s3.destroy();
  }
}

if (require.main === module) void runCommand(COMMAND, main);
