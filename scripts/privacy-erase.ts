/**
 * Queues an erasure request (GDPR Art. 17 / CCPA deletion) for one or more data subjects: validates it,
 * writes it to the privacy stack's request table with its deadline (idempotent: the same subjects and
 * regulation again are the same request, reported as a duplicate), and with `--now` starts the erasure
 * workflow at once (input `{}`: it processes what is queued) instead of waiting for the daily schedule.
 *
 * Usage: npm run privacy:erase -- --subject <id> [--subject <id> ...] [--subjects-file ids.txt]
 *          [--regulation gdpr|ccpa] [--reference TICKET-1] [--now] -c env=<name>
 *          [--table name] [--salt-secret-arn arn] [--state-machine-arn arn] [--stack name] [--endpoint url]
 *
 * - `--subjects-file` reads one id per line (blank lines ignored), so ids stay out of shell history.
 * - Subject ids are never printed, not even in error messages: "subject #3" names the third.
 * - Names come from the privacy stack's outputs (`<project>-<env>-privacy`), a flag wins over an output.
 *
 * Needs AWS credentials and a region (config region, else AWS_REGION / AWS_DEFAULT_REGION); without them
 * it exits 1 before building any client. Exit codes: 0 queued (or a duplicate), 1 nothing was queued,
 * 2 queued but the workflow could not be started with --now (the schedule will process it).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { loadEnvironmentConfig } from '../config/load';
import { REGULATIONS, validateErasureRequest, type ErasureRequest } from '../constructs/privacy/request';
import { RequestStore } from '../constructs/privacy/request-store';
import { loadSalt } from '../constructs/privacy/salt';
import { awsRegionOrExplain, operatorClients } from './aws-prerequisites';
import { runCommand } from './command';
import { ENDPOINT, SECRET_ARN, STACK, STATE_MACHINE_ARN, TABLE, environmentFromContext, privacyCliSettings, stackOutputs } from './privacy-stack';
import { PRIVACY_OUTPUT_KEYS, privacyStackName } from '../constructs/privacy/stack-outputs';

export const COMMAND = 'privacy:erase';

export interface PrivacyEraseArgs {
  readonly env: string;
  readonly request: ErasureRequest;
  readonly now: boolean;
  readonly table?: string;
  readonly saltSecretArn?: string;
  readonly stateMachineArn?: string;
  readonly stack?: string;
  readonly endpoint?: string;
}

/** Parses and checks the arguments; every problem in one message (nothing is queued). */
export function parsePrivacyEraseArgs(argv: readonly string[], readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): PrivacyEraseArgs {
  // Positionals are accepted by the parser and refused below by their position only: the parser's own
  // message would quote the value, and a stray word here is usually a second subject id (`--subject a b`).
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      context: { type: 'string', short: 'c', multiple: true },
      subject: { type: 'string', multiple: true },
      'subjects-file': { type: 'string' },
      regulation: { type: 'string' },
      reference: { type: 'string' },
      now: { type: 'boolean', default: false },
      table: { type: 'string' },
      'salt-secret-arn': { type: 'string' },
      'state-machine-arn': { type: 'string' },
      stack: { type: 'string' },
      endpoint: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const problems: string[] = [];
  if (positionals.length > 0) {
    problems.push(`${positionals.length} argument(s) without an option (values not shown: they may be subject ids): give each id with its own --subject, or use --subjects-file`);
  }
  const env = environmentFromContext(values.context, problems);
  const subjects: string[] = [...(values.subject ?? [])];
  const file = values['subjects-file'];
  if (file !== undefined) {
    try {
      subjects.push(...readFile(file).split(/\r?\n/).filter((line) => line.trim() !== ''));
    } catch (error) {
      problems.push(`--subjects-file ${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (subjects.length === 0 && file === undefined) problems.push('--subject: at least one data-subject id (repeat --subject, or --subjects-file with one id per line)');
  let request: ErasureRequest | undefined;
  if (subjects.length > 0 || file !== undefined) {
    try {
      request = validateErasureRequest({ subjects, ...(values.regulation !== undefined ? { regulation: values.regulation } : {}), ...(values.reference !== undefined ? { reference: values.reference } : {}) });
    } catch (error) {
      for (const p of (error as { problems?: Array<{ field: string; value: string; allowed: string }> }).problems ?? []) {
        const flag = p.field.startsWith('subjects') ? '--subject' : `--${p.field}`;
        problems.push(`${flag}: got ${p.value}; ${p.allowed}`);
      }
    }
  }
  if (values.regulation !== undefined && !(REGULATIONS as readonly string[]).includes(values.regulation) && request === undefined && subjects.length === 0) {
    problems.push(`--regulation ${JSON.stringify(values.regulation)}: one of ${REGULATIONS.join(', ')}`);
  }
  const check = (flag: string, value: string | undefined, pattern: RegExp, what: string) => {
    if (value !== undefined && !pattern.test(value)) problems.push(`--${flag} ${JSON.stringify(value.slice(0, 200))}: ${what}`);
  };
  check('table', values.table, TABLE, 'a DynamoDB table name (3-255 letters, digits, _ . -)');
  check('salt-secret-arn', values['salt-secret-arn'], SECRET_ARN, 'a Secrets Manager secret ARN');
  check('state-machine-arn', values['state-machine-arn'], STATE_MACHINE_ARN, 'a Step Functions state machine ARN');
  check('stack', values.stack, STACK, 'a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)');
  check('endpoint', values.endpoint, ENDPOINT, 'http(s)://host[:port], for a local emulator');
  if (problems.length > 0 || !request) throw new Error(`invalid arguments (nothing was queued):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    env,
    request,
    now: values.now as boolean,
    table: values.table,
    saltSecretArn: values['salt-secret-arn'],
    stateMachineArn: values['state-machine-arn'],
    stack: values.stack,
    endpoint: values.endpoint,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let args: PrivacyEraseArgs;
  let config: ReturnType<typeof loadEnvironmentConfig>;
  let settings: ReturnType<typeof privacyCliSettings>;
  try {
    args = parsePrivacyEraseArgs(argv);
    config = loadEnvironmentConfig(args.env);
    settings = privacyCliSettings(config);
  } catch (error) {
    console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (!settings.enabled) {
    console.error(`${COMMAND}: privacy is disabled in config/environments/${config.name}.ts (privacy.enabled: false): there is no request table to queue into; nothing was queued`);
    return 1;
  }
  const region = awsRegionOrExplain(COMMAND, 'nothing was queued', config);
  if (region === undefined) return 1;
  const clients = operatorClients(region, args.endpoint);
  const clientConfig = clients.config;
  const client = clients.track;
  try {
    const stackName = args.stack ?? privacyStackName(config.project, config.name);
    let table: string;
    let saltArn: string;
    let stateMachineArn: string | undefined;
    try {
      const needed = [
        ...(args.table ? [] : [PRIVACY_OUTPUT_KEYS.requestTable]),
        ...(args.saltSecretArn ? [] : [PRIVACY_OUTPUT_KEYS.saltSecret]),
        ...(args.now && !args.stateMachineArn ? [PRIVACY_OUTPUT_KEYS.stateMachine] : []),
      ];
      const outputs = await stackOutputs(() => client(new CloudFormationClient(clientConfig)), stackName, needed);
      table = args.table ?? String(outputs.get(PRIVACY_OUTPUT_KEYS.requestTable));
      saltArn = args.saltSecretArn ?? String(outputs.get(PRIVACY_OUTPUT_KEYS.saltSecret));
      stateMachineArn = args.now ? (args.stateMachineArn ?? outputs.get(PRIVACY_OUTPUT_KEYS.stateMachine)) : undefined;
    } catch (error) {
      console.error(`${COMMAND}: ${error instanceof Error ? error.message : String(error)}; nothing was queued`);
      return 1;
    }
    const store = new RequestStore(client(new DynamoDBClient(clientConfig)), table);
    let result: Awaited<ReturnType<RequestStore['enqueue']>>;
    try {
      const salt = await loadSalt(client(new SecretsManagerClient(clientConfig)), saltArn);
      result = await store.enqueue(args.request, { salt, receivedAt: new Date(), deadlines: settings.deadlines });
    } catch (error) {
      console.error(`${COMMAND}: could not queue the request: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; nothing was queued`);
      return 1;
    }
    const what = `${args.request.subjects.length} subject(s), ${args.request.regulation}${args.request.reference ? `, reference ${args.request.reference}` : ''}`;
    console.log(
      result.duplicate
        ? `${COMMAND}: request ${result.requestId} (${what}) is already open; deadline ${result.deadline} (nothing changed)`
        : `${COMMAND}: request ${result.requestId} (${what}) queued; deadline ${result.deadline}`,
    );
    if (!args.now) {
      console.log(`${COMMAND}: it is processed by the next scheduled run of the erasure workflow (or run again with --now)`);
      return 0;
    }
    try {
      const started = await client(new SFNClient(clientConfig)).send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
      console.log(`${COMMAND}: erasure workflow started: ${started.executionArn}`);
    } catch (error) {
      console.error(`${COMMAND}: the request is queued, but the workflow could not be started (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); the next scheduled run processes it`);
      return 2;
    }
    return 0;
  } finally {
    clients.destroyAll();
  }
}

if (require.main === module) void runCommand(COMMAND, main);
