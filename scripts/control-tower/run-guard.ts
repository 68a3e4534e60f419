import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

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

/**
 * Runs cfn-guard 3 (the static binary @cdklabs/cdk-validator-cfnguard ships) with every bundled AWS
 * Control Tower proactive-control rule over `templatePaths`, and returns one failure per rule and resource.
 */
export function runControlTowerRules(templatePaths: readonly string[]): GuardFailure[] {
  // The plugin only reads templatePaths from the validation context.
  const report = new CfnGuardValidator().validate({ templatePaths: [...templatePaths] } as unknown as IPolicyValidationContextBeta1);
  const templates = new Map<string, Template>();
  const failures: GuardFailure[] = [];
  for (const violation of report.violations) {
    const control = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
    const named = new Set(violation.violatingResources.filter((found) => found.resourceLogicalId).map((found) => found.templatePath));
    for (const found of violation.violatingResources) {
      // The plugin's parser of guard's output sometimes adds an entry without a resource (locations "")
      // next to the resources of the same rule and template: a residue of `some Statement[*]` checks.
      // It is dropped only when that rule named resources in that template; otherwise it stays, as the
      // template, and needs a decision like any other failure.
      if (!found.resourceLogicalId && named.has(found.templatePath)) continue;
      const template = templates.get(found.templatePath) ?? readTemplate(found.templatePath);
      templates.set(found.templatePath, template);
      const environment = basename(dirname(found.templatePath));
      const stackName = basename(found.templatePath, '.template.json');
      failures.push({
        control,
        rule: violation.ruleName,
        templatePath: found.templatePath,
        environment,
        stackName,
        logicalId: found.resourceLogicalId ?? '(template)',
        resource: found.resourceLogicalId ? genericResourcePath(template, found.resourceLogicalId, environment) : `(template ${stackName})`,
        locations: [...new Set(found.locations)].filter(Boolean),
        description: violation.description,
      });
    }
  }
  return failures;
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
