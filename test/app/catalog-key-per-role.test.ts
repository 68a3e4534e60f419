/**
 * First-deploy pin: with Glue Data Catalog encryption on, every role that reads the
 * catalog needs the catalog key, or its first call fails. Checked per role, in that role's own policies:
 * "the key appears somewhere in the template" would pass with one role missing it.
 */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { synthCached, type Template } from '../support/synth';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * True when `value` names the catalog key: the key's ARN as its own stack renders it (a literal when the
 * environment uses another environment's key), directly or through a cross-stack output of that stack.
 */
function isCatalogKey(value: unknown, keyArn: unknown, keyStack: Template): boolean {
  const output = (value as { 'Fn::GetStackOutput'?: { OutputName: string } } | undefined)?.['Fn::GetStackOutput'];
  const resolved = output ? (keyStack.Outputs?.[output.OutputName] as { Value?: unknown } | undefined)?.Value : value;
  return JSON.stringify(resolved) === JSON.stringify(keyArn);
}

describe.each(ENVIRONMENT_NAMES)('%s', (environment) => {
  const { templates, stacks } = synthCached(environment);
  const keyArn = stacks.storage.resolve(stacks.storage.keys.catalogKey.keyArn);
  const keyStack = templates[stacks.storage.stackName]!;

  // Every role with a policy, and the statements of all policies attached to it in its stack.
  const roles = Object.entries(templates).flatMap(([stack, template]) => {
    const byRole = new Map<string, Statement[]>();
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
      for (const role of list<unknown>(resource.Properties?.Roles)) {
        const key = `${stack}/${JSON.stringify(role)}`;
        byRole.set(key, [...(byRole.get(key) ?? []), ...list<Statement>(resource.Properties?.PolicyDocument?.Statement)]);
      }
    }
    return [...byRole].map(([role, statements]) => ({ role, statements }));
  });
  const readsCatalog = roles.filter(({ statements }) =>
    statements.some((statement) => statement.Effect === 'Allow' && list(statement.Action).some((action) => /^glue:Get/.test(action))),
  );

  it('each role that reads the Glue catalog holds kms:Decrypt on the catalog key in its own policies', () => {
    // Athena personas (3), the Iceberg DDL function, Firehose conversion (2 streamed datasets), data quality, the ELT.
    expect(readsCatalog.length).toBeGreaterThanOrEqual(8);
    const missing = readsCatalog
      .filter(
        ({ statements }) =>
          !statements.some(
            (statement) =>
              statement.Effect === 'Allow' &&
              list(statement.Action).includes('kms:Decrypt') &&
              list(statement.Resource).some((resource) => isCatalogKey(resource, keyArn, keyStack)),
          ),
      )
      .map(({ role }) => role);
    expect(missing).toEqual([]);
  });
});
