import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEnvironmentConfig } from '../../config/load';
import { REPO_ROOT } from '../support/app-context';

/** Rows of README.md's configuration reference whose default is a single literal in backticks. */
function documentedDefaults(): Array<{ field: string; value: string }> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration reference'), readme.indexOf('## Using the construct library'));
  return [...section.matchAll(/^\| `([\w.[\]]+)` \| `([^`]+)` \|/gm)].map((match) => ({ field: match[1], value: match[2] }));
}

function valueAt(object: unknown, field: string): unknown {
  return field
    .replace(/\[\]/g, '.0')
    .split('.')
    .reduce<unknown>((current, part) => (current as Record<string, unknown> | undefined)?.[part], object);
}

describe("README's configuration reference", () => {
  const minimal = validateEnvironmentConfig({ name: 'dev', owner: 'o', costCenter: 'c' }, 'config/environments/dev.ts');
  const rows = documentedDefaults();

  it('documents the defaults of at least the scalar fields', () => {
    expect(rows.length).toBeGreaterThanOrEqual(12);
  });

  it.each(rows)('$field defaults to $value, as the schema does', ({ field, value }) => {
    // Numbers, booleans, [] and {} are documented as JSON; everything else is a bare string.
    const documented: unknown = /^(\d+|\[\]|\{\}|true|false)$/.test(value) ? JSON.parse(value) : value;
    expect(valueAt(minimal, field)).toEqual(documented);
  });
});
