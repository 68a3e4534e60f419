/** scripts/lint-cfn.ts: the cfn-lint gate, run on small templates with the repository's own settings (real cfn-lint). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTemplates } from '../../scripts/lint-cfn';

function template(resources: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lint-cfn-')), 'test.template.json');
  writeFileSync(file, JSON.stringify({ Resources: resources }));
  return file;
}

const retainedTable = (policies: Record<string, string>) => ({
  Type: 'AWS::DynamoDB::Table',
  ...policies,
  Properties: {
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  },
});

describe('lint:cfn gate', () => {
  it('fails on an informational finding alone (I3011: a stateful resource without deletion policies)', () => {
    const result = lintTemplates([template({ Table: retainedTable({}) })]);
    expect(result.found).toEqual(['informational']);
    expect(result.output).toMatch(/I3011/);
  });

  it('passes the same resource once its deletion and replacement policies are explicit', () => {
    const result = lintTemplates([template({ Table: retainedTable({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }) })]);
    expect(result).toMatchObject({ status: 0, found: [] });
  });
});
