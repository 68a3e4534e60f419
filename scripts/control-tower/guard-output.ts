/**
 * Reads cfn-guard 3's `validate --output-format json --structured` output. We parse it ourselves instead of
 * through @cdklabs/cdk-validator-cfnguard's parser, which crashes ("Cannot read properties of undefined
 * (reading 'to')") on a clause that fails on a variable rather than on a template value: CT.KMS.PR.3's
 * `%key_present not empty` reports `{ "UnResolvedContext": " %key_present not EMPTY  " }`, with no path.
 */

/** One rule that fails at one resource of one template (or at the template, when guard names no value). */
export interface RuleFailure {
  /** The data file as guard names it (an absolute path). */
  readonly templateName: string;
  readonly rule: string;
  /** The control's ID from the rule's message, e.g. `CT.KMS.PR.3`; the rule's name when the message has none. */
  readonly control: string;
  /** The `[CT...]: ...` line of the rule's message. */
  readonly description: string;
  /** Undefined when no clause of the failing rule points into `/Resources`: the failure is the template's. */
  readonly logicalId: string | undefined;
  /** JSON pointers of the values the rule rejected, in guard's order, without duplicates. */
  readonly locations: string[];
}

interface FileResult {
  name?: unknown;
  status?: unknown;
  not_compliant?: unknown;
}

const CONTROL = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/;

/** Every failure in guard's output; throws when the output is not what cfn-guard 3 writes. */
export function parseGuardOutput(output: unknown): RuleFailure[] {
  if (!Array.isArray(output)) throw new Error(`cfn-guard output is not a list of file results: ${JSON.stringify(output).slice(0, 200)}`);
  return (output as FileResult[]).flatMap((file) => {
    if (typeof file?.name !== 'string') throw new Error(`cfn-guard file result without a name: ${JSON.stringify(file).slice(0, 200)}`);
    const templateName = file.name;
    // not_compliant is a list, or an empty object when nothing failed.
    const rules = Object.values((file.not_compliant ?? {}) as Record<string, unknown>).map((entry) => ruleOf(entry, templateName));
    if (file.status === 'FAIL' && rules.length === 0) {
      throw new Error(`cfn-guard reports ${templateName} as FAIL but names no failing rule`);
    }
    return rules.flatMap((rule) => failuresOfRule(rule, templateName));
  });
}

interface RuleNode {
  name: string;
  checks?: unknown;
}

function ruleOf(entry: unknown, templateName: string): RuleNode {
  const rule = (entry as { Rule?: RuleNode } | null)?.Rule;
  if (!rule || typeof rule.name !== 'string') throw new Error(`cfn-guard reports a failure in ${templateName} that is not a rule: ${JSON.stringify(entry).slice(0, 200)}`);
  return rule;
}

function failuresOfRule(rule: RuleNode, templateName: string): RuleFailure[] {
  const message = customMessages(rule).find((text) => CONTROL.test(text)) ?? '';
  const control = CONTROL.exec(message)?.[1] ?? rule.name;
  const description = message.split('\n').map((line) => line.trim()).find((line) => CONTROL.test(line)) ?? rule.name;
  const locations = [...new Set(rejectedPaths(rule))];
  const byResource = new Map<string, string[]>();
  for (const location of locations) {
    const logicalId = /^\/Resources\/([^/]+)/.exec(location)?.[1];
    if (!logicalId) continue;
    byResource.set(logicalId, [...(byResource.get(logicalId) ?? []), location]);
  }
  // A clause that fails on a variable (UnResolvedContext) names no value. Its resource is among those the rule's
  // other clauses name; when they name none, the failure is reported at the template, never dropped.
  if (byResource.size === 0) return [{ templateName, rule: rule.name, control, description, logicalId: undefined, locations: [] }];
  return [...byResource].map(([logicalId, paths]) => ({ templateName, rule: rule.name, control, description, logicalId, locations: paths }));
}

/** Every `custom_message` in the rule's tree, outermost first. */
function customMessages(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  const own = (node as { messages?: { custom_message?: unknown } }).messages?.custom_message;
  const nested = Object.entries(node as Record<string, unknown>)
    .filter(([key]) => key !== 'messages' && key !== 'value')
    .flatMap(([, child]) => customMessages(child));
  return typeof own === 'string' && own.trim() !== '' ? [own, ...nested] : nested;
}

/**
 * The template paths of the values the failing clauses looked at: `traversed_to` (a missing property, under
 * the value where the query stopped), `from` of a comparison (`Resolved`, `InResolved`, ...), or a lone
 * `{ path, value }`. Below a node with a path lies template content, which is not searched: a property
 * named `path` is not a location.
 */
function rejectedPaths(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap(rejectedPaths);
  const record = node as Record<string, unknown>;
  if ('traversed_to' in record) return templatePath((record.traversed_to as { path?: unknown } | null)?.path);
  if ('from' in record && 'to' in record) {
    const from = templatePath((record.from as { path?: unknown } | null)?.path);
    if (from.length > 0) return from;
    const to = Array.isArray(record.to) ? record.to : [record.to];
    return to.flatMap((side) => templatePath((side as { path?: unknown } | null)?.path));
  }
  if (typeof record.path === 'string') return templatePath(record.path);
  return Object.entries(record)
    .filter(([key]) => key !== 'messages')
    .flatMap(([, child]) => rejectedPaths(child));
}

function templatePath(path: unknown): string[] {
  return typeof path === 'string' && path.startsWith('/') ? [path] : [];
}
