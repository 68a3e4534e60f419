import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app-context';
import { COVERED_ACTIONS_PREFIX } from '../../constructs/compliance';
import { acknowledgementRows, renderComplianceDoc } from '../support/compliance-doc';
import { idMatches, nagDecisionRows, scopeMatches, type NagDecisionRow } from '../support/decisions-doc';

// Synthesizing the three environments takes a while: once per file.
let cachedAcks: ReturnType<typeof acknowledgementRows> | undefined;
const acks = () => (cachedAcks ??= acknowledgementRows());

describe('docs/compliance.md', () => {
  it('lists exactly the acknowledgements the synthesized app records (run npm run docs:compliance to refresh)', () => {
    const committed = readFileSync(join(REPO_ROOT, 'docs', 'compliance.md'), 'utf8');
    expect(committed).toBe(renderComplianceDoc());
  });

  it('every cdk-nag acknowledgement carries a reason that names its decision, not a placeholder', () => {
    for (const row of acks().nag) {
      expect(row.reason.length, `${row.rule} at ${row.scope}`).toBeGreaterThan(60);
    }
  });

  // docs/decisions.md's compliance table is the source: a row per decision, with the IDs, scope, environments
  // and (for Resource::*) the exact actions it allows.
  const rows = nagDecisionRows();

  it('acknowledges only findings that docs/decisions.md decides, at the scope and in the environments it names', () => {
    const undecided = acknowledgementRows()
      .nag.filter((ack) => !rows.some((row) => decides(row, ack)))
      .map((ack) => `${ack.rule} at ${ack.scope} (${ack.environments.join(', ')})`);
    expect(undecided, 'acknowledgements with no row in docs/decisions.md, or broader than their row').toEqual([]);
  });

  it('no acknowledgement is app-wide, and none is a bare IAM4/IAM5 ID that would cover every granular finding', () => {
    const broad = acks().nag.filter((ack) => ack.scope === '(app)' || /^AwsSolutions-IAM[45]$/.test(ack.rule));
    expect(broad.map((ack) => `${ack.rule} at ${ack.scope}`)).toEqual([]);
  });

  it('every Resource::* acknowledgement names the actions it covers, and only actions its row allows', () => {
    const wildcards = acks().nag.filter((ack) => ack.rule === 'AwsSolutions-IAM5[Resource::*]');
    expect(wildcards.length).toBeGreaterThan(0);
    for (const ack of wildcards) {
      const covered = coveredActions(ack.reason);
      expect(covered, `${ack.scope}: reason does not say which actions it covers`).not.toEqual([]);
      const row = rows.find((candidate) => decides(candidate, ack));
      expect(row, `${ack.scope}: no row allows exactly ${covered.join(', ')}`).toBeDefined();
    }
  });
});

describe('docs/decisions.md compliance table (the checker itself)', () => {
  const rows = nagDecisionRows();
  const getDataAccess = rows.find((row) => row.actions.join() === 'lakeformation:GetDataAccess')!;

  it('rejects a Resource::* acknowledgement that covers one action more than its row', () => {
    const ack = { rule: 'AwsSolutions-IAM5[Resource::*]', scope: '<env>-catalog/AnalystRole', environments: ['dev'], reason: 'x. Covers only: lakeformation:GetDataAccess.' };
    expect(decides(getDataAccess, ack)).toBe(true);
    expect(decides(getDataAccess, { ...ack, reason: 'x. Covers only: lakeformation:GetDataAccess, s3:ListAllMyBuckets.' })).toBe(false);
  });

  it('rejects an acknowledgement outside its row\'s scope or environments', () => {
    const rds = rows.find((row) => row.ids.includes('AwsSolutions-RDS3'))!;
    const ack = { rule: 'AwsSolutions-RDS3', scope: '<env>-vector/VectorStore/Instance', environments: ['dev'], reason: 'dev only' };
    expect(decides(rds, ack)).toBe(true);
    expect(decides(rds, { ...ack, environments: ['dev', 'prod'] })).toBe(false);
    expect(decides(rds, { ...ack, scope: '<env>-vector/OtherInstance' })).toBe(false);
  });

  it('matches <pack> to the three packs only, and * within one path segment', () => {
    const replication = rows.find((row) => row.finding.startsWith('S3BucketReplicationEnabled'))!;
    const ack = { rule: 'PCI.DSS.321-S3BucketReplicationEnabled', scope: '<env>-storage/DataLake/RawZoneBucket', environments: ['prod'], reason: 'r' };
    expect(decides(replication, ack)).toBe(true);
    expect(decides(replication, { ...ack, rule: 'AwsSolutions-S3BucketReplicationEnabled' })).toBe(false);
    expect(decides(replication, { ...ack, scope: '<env>-storage/DataLake/Nested/RawZoneBucket' })).toBe(false);
  });
});

interface Ack {
  readonly rule: string;
  readonly scope: string;
  readonly environments: string[];
  readonly reason: string;
}

/** The actions a Resource::* acknowledgement's reason says it covers ("… Covers only: a, b."). */
function coveredActions(reason: string): string[] {
  const listed = reason.split(COVERED_ACTIONS_PREFIX)[1];
  return listed ? listed.replace(/\.\s*$/, '').split(',').map((action) => action.trim()) : [];
}

/** True when `row` covers `ack`: an ID, a scope, every environment, and for Resource::* every covered action. */
function decides(row: NagDecisionRow, ack: Ack): boolean {
  if (!row.ids.some((id) => idMatches(id, ack.rule))) return false;
  if (!row.scopes.some((scope) => scopeMatches(scope, ack.scope))) return false;
  if (row.environments && !ack.environments.every((name) => row.environments!.includes(name))) return false;
  if (ack.rule === 'AwsSolutions-IAM5[Resource::*]') {
    const covered = coveredActions(ack.reason);
    return covered.length > 0 && row.actions.length > 0 && covered.every((action) => row.actions.includes(action));
  }
  return true;
}
