import { join, dirname } from 'node:path';
import type { GuardFailure, Template } from './run-guard';

/** A Control Tower control that the app fails on purpose, at the resources named, and why. */
export interface GuardDecision {
  /** The control's ID, e.g. `CT.S3.PR.9`. */
  readonly control: string;
  /** Generic construct paths (`<env>-storage/DataLake/RawZoneBucket`); `*` matches within one path segment. */
  readonly resources: readonly string[];
  /** Environments the failure is accepted in; default: every environment. */
  readonly environments?: readonly string[];
  /**
   * The rule only accepts a literal value or a reference inside the same template; this value is a weak
   * cross-stack reference (`Fn::GetStackOutput`) by design (docs/architecture.md: every key lives in the storage
   * stack, the subnets in the network stack). When set, every rejected value must be such a reference
   * to a resource of this type in the producing stack, or the failure counts as undocumented.
   */
  readonly crossStackReferenceTo?: string;
  readonly reason: string;
}

export interface Judgement {
  readonly documented: GuardFailure[];
  /** Failures no decision covers, or whose decision's claim (cross-stack reference) does not hold. */
  readonly undocumented: Array<{ failure: GuardFailure; why: string }>;
  /** Decision resources that match no failure: the decision is stale and should go. */
  readonly stale: Array<{ decision: GuardDecision; resource: string }>;
}

/** Matches guard failures against the decisions file. */
export function judge(failures: readonly GuardFailure[], decisions: readonly GuardDecision[], readTemplate: (path: string) => Template): Judgement {
  const used = new Set<string>();
  const documented: GuardFailure[] = [];
  const undocumented: Judgement['undocumented'] = [];
  for (const failure of failures) {
    const matches = decisions.flatMap((decision) =>
      decision.control === failure.control && (!decision.environments || decision.environments.includes(failure.environment))
        ? decision.resources.filter((pattern) => patternMatches(pattern, failure.resource)).map((pattern) => ({ decision, pattern }))
        : [],
    );
    if (matches.length === 0) {
      undocumented.push({ failure, why: 'no decision names this control at this resource in this environment' });
      continue;
    }
    const { decision, pattern } = matches[0]!;
    used.add(`${decisions.indexOf(decision)}\u0000${pattern}`);
    const broken = decision.crossStackReferenceTo ? brokenReferenceClaim(failure, decision.crossStackReferenceTo, readTemplate) : undefined;
    if (broken) undocumented.push({ failure, why: broken });
    else documented.push(failure);
  }
  const stale = decisions.flatMap((decision, index) =>
    decision.resources.filter((resource) => !used.has(`${index}\u0000${resource}`)).map((resource) => ({ decision, resource })),
  );
  return { documented, undocumented, stale };
}

/** `*` matches any characters except `/`; everything else literally. */
export function patternMatches(pattern: string, resource: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^${source}$`).test(resource);
}

/** Why the failure is not the cross-stack reference its decision says it is (undefined when it is). */
function brokenReferenceClaim(failure: GuardFailure, expectedType: string, readTemplate: (path: string) => Template): string | undefined {
  if (failure.locations.length === 0) return 'the rule names no value, so the cross-stack reference cannot be checked';
  const template = readTemplate(failure.templatePath);
  for (const location of failure.locations) {
    const value = valueAt(template, location);
    const output = (value as { 'Fn::GetStackOutput'?: { StackName?: unknown; OutputName?: unknown } } | undefined)?.['Fn::GetStackOutput'];
    if (!output || typeof output.StackName !== 'string' || typeof output.OutputName !== 'string') {
      return `${location} is ${JSON.stringify(value)}, not a weak cross-stack reference (Fn::GetStackOutput)`;
    }
    const producer = readTemplate(join(dirname(failure.templatePath), `${output.StackName}.template.json`));
    const produced = producer.Outputs?.[output.OutputName]?.Value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = produced?.Ref ?? produced?.['Fn::GetAtt']?.[0];
    const type = logicalId ? producer.Resources?.[logicalId]?.Type : undefined;
    if (type !== expectedType) {
      return `${location} refers to ${output.StackName} output ${output.OutputName}, which is ${type ?? 'not a resource'}, not ${expectedType}`;
    }
  }
  return undefined;
}

/** The value at a JSON pointer (`/Resources/X/Properties/KmsKeyId`). */
function valueAt(document: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[token]), document);
}
