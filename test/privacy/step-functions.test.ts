/**
 * The plan's statements as Step Functions `States.Format` calls evaluate, with the documented intrinsic
 * grammar (test/elt/states-format.ts, written independently of the code under test), to exactly the
 * statements the plan renders for that batch id, on one line.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { ValidationReport } from '../../constructs/common/validation-report';
import { erasurePlan } from '../../constructs/privacy/plan';
import { erasureStatesFormat } from '../../constructs/privacy/step-functions';
import { evaluateStatesFormat } from '../elt/states-format';

const plan = erasurePlan(DATASETS, {
  databases: { raw: 'lake_raw', curated: 'lake_curated', analytics: 'lake_analytics' },
  buckets: { raw: 'raw', curated: 'curated', analytics: 'analytics' },
  privacyDatabase: 'lake_privacy',
});
const oneLine = (sql: string) => sql.replace(/\s*\n\s*/g, ' ');

describe('erasure statements for Step Functions', () => {
  it.each(plan.map((target) => [target.dataset, target] as const))('%s: each call evaluates to the statement for the batch', (_, target) => {
    const calls = erasureStatesFormat(target);
    const input = { batchId: '2026-12-04_run-7' };
    expect(evaluateStatesFormat(calls.find.expression, input)).toBe(oneLine(target.findSql(input.batchId)));
    expect(evaluateStatesFormat(calls.verify.expression, input)).toBe(oneLine(target.verifySql(input.batchId)));
    if (target.kind === 'iceberg') expect(evaluateStatesFormat(calls.delete?.expression as string, input)).toBe(oneLine(target.deleteSql(input.batchId)));
    else expect(calls.delete).toBeUndefined();
    // The date_format pattern's quotes and the batch literal's quotes are escaped, not dropped.
    expect(calls.find.format).toContain("\\'");
    expect(calls.find.args.length).toBeGreaterThan(0);
  });

  it('reads the batch id from the path given', () => {
    const calls = erasureStatesFormat(plan[0], '$$.Execution.Input.batchId');
    expect(evaluateStatesFormat(calls.verify.expression, {}, { Execution: { Input: { batchId: 'b-9' } } })).toBe(oneLine(plan[0].verifySql('b-9')));
  });

  it.each(['batchId', '$.batch id', "$.a')", ''])('refuses the path %j', (path) => {
    expect(() => erasureStatesFormat(plan[0], path)).toThrow(ValidationReport);
  });
});
