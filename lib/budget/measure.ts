import { MANAGED_POLICY_LIMIT, LIMITS, type Measure } from './limits';

/** A synthesized template, as far as budgets read it. */
export interface BudgetTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly [section: string]: unknown;
}

/** One stack's use of every measure; `largest…` name the resource that set the policy and rule measures. */
export interface StackUsage {
  readonly values: Readonly<Record<Measure, number>>;
  /** Logical ID of the role or managed policy with the largest policy size. */
  readonly largestPolicy?: string;
  /** Logical ID of the composite alarm with the longest rule. */
  readonly longestAlarmRule?: string;
  /** Logical ID of the bucket with the most lifecycle rules. */
  readonly mostLifecycleRules?: string;
  /** Logical ID of the function with the largest environment. */
  readonly largestEnvironment?: string;
}

/**
 * Lengths CloudFormation will substitute for intrinsics, at worst: policies and rules are checked after
 * resolution, so a reference counts as the value it becomes (an alarm ARN with a generated name is about
 * 200 characters; pseudo parameters are short).
 */
const PSEUDO_LENGTH: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 16, 'AWS::StackName': 128 };
/** Resource ARNs in policies (buckets, keys, streams: under 100 characters). */
export const POLICY_REFERENCE_LENGTH = 100;
/** Any other reference in a composite rule (an alarm of another stack): as long as an alarm ARN gets. */
export const ALARM_REFERENCE_LENGTH = 200;

/** The resolved length of one intrinsic (`{ Ref }`, `{ Fn::GetAtt }`, …), or a fixed length for all. */
export type ReferenceLength = number | ((intrinsic: Record<string, unknown>) => number);

/** The length a value will have once CloudFormation resolves it, as compact JSON when it is not a string. */
export function resolvedLength(value: unknown, referenceLength: ReferenceLength): number {
  return render(value, referenceLength).length;
}

function render(value: unknown, referenceLength: ReferenceLength): string {
  const reference = (intrinsic: Record<string, unknown>) => 'x'.repeat(typeof referenceLength === 'number' ? referenceLength : referenceLength(intrinsic));
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      if (key === 'Ref' && String(argument) in PSEUDO_LENGTH) return 'x'.repeat(PSEUDO_LENGTH[String(argument)]);
      if (key === 'Ref') return reference(value as Record<string, unknown>);
      if (key === 'Fn::Join' && Array.isArray(argument)) {
        const [separator, parts] = argument as [string, unknown[]];
        return Array.isArray(parts) ? parts.map((part) => render(part, referenceLength)).join(separator) : reference(value as Record<string, unknown>);
      }
      if (key === 'Fn::Sub') {
        const template = Array.isArray(argument) ? String(argument[0]) : String(argument);
        return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name in PSEUDO_LENGTH ? 'x'.repeat(PSEUDO_LENGTH[name]) : reference({ Ref: name })));
      }
      if (key.startsWith('Fn::')) return reference(value as Record<string, unknown>);
    }
  }
  return JSON.stringify(renderValue(value, referenceLength)) ?? '';
}

/** A value with every intrinsic replaced by a string of its resolved length, so JSON lengths are honest. */
function renderValue(value: unknown, referenceLength: ReferenceLength): unknown {
  if (Array.isArray(value)) return value.map((item) => renderValue(item, referenceLength));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) return render(value, referenceLength);
    return Object.fromEntries(entries.map(([key, item]) => [key, renderValue(item, referenceLength)]));
  }
  return value;
}

/**
 * Measures one template (as aws-cdk-lib writes it: JSON indented by one space). `stackName` sharpens the
 * composite rule estimate: CloudFormation names an unnamed alarm `<stack>-<logical ID>-<13 characters>`.
 */
export function measureTemplate(template: BudgetTemplate, stackName = 'x'.repeat(128)): StackUsage {
  const resources = template.Resources ?? {};
  const policy = largestPolicy(resources);
  const rule = longestAlarmRule(resources, stackName);
  const lifecycle = mostLifecycleRules(resources);
  const environment = largestEnvironment(resources);
  return {
    values: {
      resources: Object.keys(resources).length,
      templateBytes: Buffer.byteLength(JSON.stringify(template, undefined, 1), 'utf8'),
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
      policySize: policy.size,
      alarmRuleLength: rule.length,
      lifecycleRules: lifecycle.count,
      lambdaEnvironment: environment.bytes,
    },
    largestPolicy: policy.logicalId,
    longestAlarmRule: rule.logicalId,
    mostLifecycleRules: lifecycle.logicalId,
    largestEnvironment: environment.logicalId,
  };
}

/**
 * The largest policy, as a share of its own limit expressed against the role limit: a role's inline
 * policies (its `Policies` and every AWS::IAM::Policy attached to it) count together against 10,240
 * characters; a managed policy alone against 6,144, so it is scaled to the same budget.
 */
function largestPolicy(resources: NonNullable<BudgetTemplate['Resources']>): { size: number; logicalId?: string } {
  const inline = new Map<string, number>();
  const size = (document: unknown) => resolvedLength(document, POLICY_REFERENCE_LENGTH);
  const add = (role: string, document: unknown) => inline.set(role, (inline.get(role) ?? 0) + size(document));
  let largest: { size: number; logicalId?: string } = { size: 0 };
  for (const [logicalId, resource] of Object.entries(resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      inline.set(logicalId, inline.get(logicalId) ?? 0);
      for (const policy of (properties.Policies ?? []) as Array<{ PolicyDocument?: unknown }>) add(logicalId, policy.PolicyDocument);
    } else if (resource.Type === 'AWS::IAM::Policy') {
      for (const role of (properties.Roles ?? []) as unknown[]) {
        const name = role && typeof role === 'object' && 'Ref' in role ? String((role as { Ref: unknown }).Ref) : `${logicalId} (imported role)`;
        add(name, properties.PolicyDocument);
      }
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      const scaled = Math.ceil((size(properties.PolicyDocument) * LIMITS.policySize.hard) / MANAGED_POLICY_LIMIT);
      if (scaled > largest.size) largest = { size: scaled, logicalId };
    }
  }
  for (const [logicalId, size] of inline) if (size > largest.size) largest = { size, logicalId };
  return largest;
}

function longestAlarmRule(resources: NonNullable<BudgetTemplate['Resources']>, stackName: string): { length: number; logicalId?: string } {
  // arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>
  const arnPrefix = 'arn:'.length + PSEUDO_LENGTH['AWS::Partition'] + ':cloudwatch:'.length + PSEUDO_LENGTH['AWS::Region'] + 1 + PSEUDO_LENGTH['AWS::AccountId'] + ':alarm:'.length;
  // A rule names alarms by ARN (`Fn::GetAtt … Arn`) or by name (`Ref`).
  const alarmArnLength = (intrinsic: Record<string, unknown>): number => {
    const getAtt = intrinsic['Fn::GetAtt'];
    const byName = typeof intrinsic.Ref === 'string';
    const logicalId = byName ? String(intrinsic.Ref) : Array.isArray(getAtt) ? String(getAtt[0]) : '';
    const target = resources[logicalId];
    if (!target || !/^AWS::CloudWatch::(Composite)?Alarm$/.test(target.Type)) return ALARM_REFERENCE_LENGTH;
    const name = target.Properties?.AlarmName;
    const nameLength = typeof name === 'string' ? name.length : Math.min(255, stackName.length + 1 + logicalId.length + 1 + 13);
    return (byName ? 0 : arnPrefix) + nameLength;
  };
  let longest: { length: number; logicalId?: string } = { length: 0 };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
    const length = resolvedLength(resource.Properties?.AlarmRule, alarmArnLength);
    if (length > longest.length) longest = { length, logicalId };
  }
  return longest;
}

function mostLifecycleRules(resources: NonNullable<BudgetTemplate['Resources']>): { count: number; logicalId?: string } {
  let most: { count: number; logicalId?: string } = { count: 0 };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const rules = (resource.Properties?.LifecycleConfiguration as { Rules?: unknown[] } | undefined)?.Rules ?? [];
    if (rules.length > most.count) most = { count: rules.length, logicalId };
  }
  return most;
}

function largestEnvironment(resources: NonNullable<BudgetTemplate['Resources']>): { bytes: number; logicalId?: string } {
  let largest: { bytes: number; logicalId?: string } = { bytes: 0 };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const bytes = Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + resolvedLength(value, POLICY_REFERENCE_LENGTH), 0);
    if (bytes > largest.bytes) largest = { bytes, logicalId };
  }
  return largest;
}
