import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** How a service spells its names. */
export interface NameRules {
  /** The service's longest name. */
  readonly maxLength: number;
  /** Replaces every character the service does not allow (and joins the parts). */
  readonly separator: '-' | '_';
  /** Lowercase only (Glue, RDS). @default false */
  readonly lowercase?: boolean;
}

/**
 * A deterministic name for a resource that AWS requires a fixed name for, when the user gives none:
 * `<stack name><sep><construct id>`, e.g. `AnalyticsStack-Backup`. The same construct in the same stack
 * always gets the same name (a changed name would replace the resource); names longer than the service
 * allows are cut and end in a hash of the construct path, so two long names stay distinct. Only letters,
 * digits and the separator are used, and the name starts with a letter, which every service here accepts.
 */
export function defaultName(scope: Construct, rules: NameRules): string {
  const stackName = Stack.of(scope).stackName;
  if (Token.isUnresolved(stackName)) {
    throw new Error(`${scope.node.path}: the stack name is not known at synthesis time; give the construct an explicit name`);
  }
  const clean = (text: string) => {
    const cased = rules.lowercase ? text.toLowerCase() : text;
    const allowed = rules.lowercase ? /[^a-z0-9]+/g : /[^A-Za-z0-9]+/g;
    return cased.replace(allowed, rules.separator);
  };
  const trim = (text: string) => text.split(rules.separator).filter((part) => part !== '').join(rules.separator);
  let name = trim(`${clean(stackName)}${rules.separator}${clean(scope.node.id)}`);
  if (!/^[A-Za-z]/.test(name)) name = `${rules.lowercase ? 'r' : 'R'}${rules.separator}${name}`;
  if (name.length <= rules.maxLength) return name;
  const hash = createHash('sha256').update(scope.node.path).digest('hex').slice(0, 8);
  return `${trim(name.slice(0, rules.maxLength - hash.length - 1))}${rules.separator}${hash}`;
}
