/**
 * What `privacy:erase` and `privacy:report` share: reading the privacy stack's outputs (flags win over
 * outputs), the environment's privacy settings read from its config (defaults where the config has no
 * privacy section), and the common flags. The stack's name and output keys are not here: both CLIs take
 * them from constructs/privacy/stack-outputs.ts, the module the stack emits its outputs with.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { EnvironmentConfig } from '../config/schema';
import { DEFAULT_DEADLINE_DAYS, validateDeadlineDays, type DeadlineDays } from '../constructs/privacy/request';
import { PRIVACY_DEFAULTS, type LedgerMode } from '../constructs/privacy/handler-environment';

export const STACK = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const ENDPOINT = /^https?:\/\/[^\s/]+\/?$/;
export const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
export const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

export interface PrivacyCliSettings {
  readonly enabled: boolean;
  readonly deadlines: DeadlineDays;
  readonly ledgerMode: LedgerMode;
  readonly ledgerRetentionDays: number;
}

/**
 * The environment's privacy settings. The config's `privacy` section (when the schema has one) wins;
 * without it, the defaults the handlers use.
 */
export function privacyCliSettings(config: EnvironmentConfig): PrivacyCliSettings {
  const privacy = (config as unknown as { privacy?: { enabled?: boolean; deadlines?: unknown; ledger?: { mode?: LedgerMode; retentionDays?: number } } }).privacy;
  return {
    enabled: privacy?.enabled ?? true,
    deadlines: privacy?.deadlines === undefined ? DEFAULT_DEADLINE_DAYS : validateDeadlineDays(privacy.deadlines, `config/environments/${config.name}.ts privacy.deadlines`),
    ledgerMode: privacy?.ledger?.mode ?? PRIVACY_DEFAULTS.ledgerMode,
    ledgerRetentionDays: privacy?.ledger?.retentionDays ?? PRIVACY_DEFAULTS.ledgerRetentionDays,
  };
}

/** `-c env=<name>` pairs: the environment, or problems for any other context. */
export function environmentFromContext(pairs: readonly string[] | undefined, problems: string[]): string {
  let env = 'dev';
  for (const pair of pairs ?? []) {
    const match = /^env=(.+)$/.exec(pair);
    if (match) env = match[1];
    else problems.push(`-c ${JSON.stringify(pair)}: the only context this command takes is env=<name>`);
  }
  return env;
}

/** Reads the stack's outputs; `needed` lists the keys whose flag was not given. */
export async function stackOutputs(cfn: () => CloudFormationClient, stackName: string, needed: readonly string[]): Promise<Map<string, string>> {
  if (needed.length === 0) return new Map();
  let outputs: Map<string, string>;
  try {
    const { Stacks } = await cfn().send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [String(o.OutputKey), String(o.OutputValue)]));
  } catch (error) {
    throw new Error(`could not read the outputs of stack ${stackName} (${error instanceof Error ? error.message : String(error)}); pass the names as flags, or --stack`);
  }
  const missing = needed.filter((key) => !outputs.has(key));
  if (missing.length > 0) throw new Error(`stack ${stackName} has no output ${missing.join(', ')} (pass the value as a flag)`);
  return outputs;
}
