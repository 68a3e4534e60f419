import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseGuardOutput } from './guard-output';

/** One resource that fails one AWS Control Tower proactive control, as cfn-guard reports it. */
export interface GuardFailure {
  /** The control's ID, e.g. `CT.S3.PR.9` (from the rule's message). */
  readonly control: string;
  /** The guard rule's name, e.g. `s3_bucket_object_lock_enabled_check`. */
  readonly rule: string;
  readonly templatePath: string;
  /** The environment: the name of the folder the template was synthesized into (cdk.out/<env>). */
  readonly environment: string;
  readonly stackName: string;
  readonly logicalId: string;
  /**
   * The resource's construct path with `<project>-<env>-` written as `<env>-` and the trailing
   * `/Resource` dropped: `<env>-storage/DataLake/RawZoneBucket`. The logical ID when the resource has no path.
   */
  readonly resource: string;
  /** JSON pointers (`/Resources/<id>/Properties/...`) of the values the rule rejected. */
  readonly locations: string[];
  readonly description: string;
}

/** The cfn-guard binary and the Control Tower rules @cdklabs/cdk-validator-cfnguard ships. */
function guardPaths(): { binary: string; rules: string } {
  const root = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const platform = process.platform === 'linux' ? 'ubuntu' : process.platform === 'darwin' ? 'macos' : undefined;
  const architecture = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : undefined;
  if (!platform || !architecture) throw new Error(`cfn-guard is shipped for Linux and macOS on x64 and arm64, not ${process.platform} ${process.arch}`);
  return { binary: join(root, 'bin', platform, architecture, 'cfn-guard'), rules: join(root, 'rules', 'control-tower', 'cfn-guard') };
}

/**
 * Runs cfn-guard 3 (the static binary @cdklabs/cdk-validator-cfnguard ships) with every bundled AWS
 * Control Tower proactive-control rule over `templatePaths`, and returns one failure per rule and resource.
 * Guard's JSON is parsed here (guard-output.ts), not by the plugin, whose parser crashes on some rules.
 */
export function runControlTowerRules(templatePaths: readonly string[]): GuardFailure[] {
  const { binary, rules } = guardPaths();
  const args = ['validate', '--rules', rules, ...templatePaths.flatMap((path) => ['--data', path]), '--output-format', 'json', '--show-summary', 'none', '--structured'];
  const run = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (run.error) throw new Error(`cfn-guard could not run: ${run.error.message}`);
  // 0: every rule passes; 19: some rule fails. Anything else (5: a template or rule did not parse) is an error.
  if (run.status !== 0 && run.status !== 19) {
    throw new Error(`cfn-guard exited with ${run.status ?? run.signal}: ${run.stderr.trim() || run.stdout.slice(0, 500)}`);
  }
  const byName = new Map(templatePaths.map((path) => [resolve(path), path]));
  const output = JSON.parse(run.stdout) as unknown;
  const reported = new Set(Array.isArray(output) ? output.map((file: { name?: unknown }) => file?.name) : []);
  const missing = [...byName.keys()].filter((name) => !reported.has(name));
  if (missing.length > 0) throw new Error(`cfn-guard reported nothing for ${missing.join(', ')}`);
  const templates = new Map<string, Template>();
  return parseGuardOutput(output).map((found) => {
    const templatePath = byName.get(resolve(found.templateName));
    if (!templatePath) throw new Error(`cfn-guard reported ${found.templateName}, which it was not given`);
    const template = templates.get(templatePath) ?? readTemplate(templatePath);
    templates.set(templatePath, template);
    const environment = basename(dirname(templatePath));
    const stackName = basename(templatePath, '.template.json');
    return {
      control: found.control,
      rule: found.rule,
      templatePath,
      environment,
      stackName,
      logicalId: found.logicalId ?? '(template)',
      resource: found.logicalId ? genericResourcePath(template, found.logicalId, environment) : `(template ${stackName})`,
      locations: found.locations,
      description: found.description,
    };
  });
}

export type Template = { Resources?: Record<string, { Type: string; Metadata?: Record<string, unknown>; Properties?: unknown }>; Outputs?: Record<string, { Value: unknown }> };

export function readTemplate(path: string): Template {
  return JSON.parse(readFileSync(path, 'utf8')) as Template;
}

function genericResourcePath(template: Template, logicalId: string, environment: string): string {
  const path = template.Resources?.[logicalId]?.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return logicalId;
  const stackPrefix = new RegExp(`^[a-z0-9]+-${environment}-`);
  return path.replace(stackPrefix, '<env>-').replace(/\/Resource$/, '');
}
