import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { COMPOSITE_RULE_LIMITS, measureAlarmRule, rollUpAlarms } from '../../constructs/monitoring';
import { cliContext } from '../support/app-context';
import { constructStack, templateOf } from '../support/construct-stack';

/** A stack that may pass 500 resources: 5,000 alarms in one stack only exist here, to load the roll-up. */
function unlimitedStack(): Stack {
  return new Stack(new App({ context: { ...cliContext(), '@aws-cdk/core:stackResourceLimit': 0 }, builtinCloudFormationValidation: false }), 'ConstructUnderTest');
}

const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' });

/** `n` metric alarms; `named` gives each a literal name (known length), otherwise CloudFormation names them. */
function alarms(stack: Stack, n: number, named = true): cloudwatch.Alarm[] {
  return Array.from({ length: n }, (_, index) =>
    metric.createAlarm(stack, `Alarm${index}`, { alarmName: named ? `lakehouse-prod-operations-2-alarm-${String(index).padStart(5, '0')}` : undefined, threshold: 1, evaluationPeriods: 1 }),
  );
}

/** The synthesized composites: name, rule as measured, and the names each rule holds. */
function composites(stack: Stack) {
  return Object.entries(templateOf(stack).findResources('AWS::CloudWatch::CompositeAlarm')).map(([logicalId, resource]) => {
    const rule = resource.Properties.AlarmRule;
    const text = typeof rule === 'string' ? rule : JSON.stringify(rule);
    return { logicalId, name: resource.Properties.AlarmName as string, dependsOn: (resource.DependsOn ?? []) as string[], ...measureAlarmRule(rule), text, actions: resource.Properties.AlarmActions };
  });
}

/** Every original alarm is reached from the top through exactly one chain, and every rule is within the limits. */
function expectCovered(stack: Stack, names: readonly string[], topName: string): number {
  const all = composites(stack);
  for (const composite of all) {
    expect(composite.alarms, composite.logicalId).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.alarms);
    expect(composite.worstCaseLength, composite.logicalId).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
  }
  const byName = new Map(all.map((composite) => [composite.name, composite]));
  const reached: string[] = [];
  const walk = (name: string) => {
    const composite = byName.get(name);
    if (!composite) return void reached.push(name);
    for (const [, child] of composite.text.matchAll(/ALARM\(\\?"([^"\\]+)\\?"\)/g)) walk(child);
  };
  walk(topName);
  expect(reached.sort()).toEqual([...names].sort());
  return all.length;
}

describe('rollUpAlarms', () => {
  it.each([
    [1, 1],
    [100, 1],
    [101, 3],
    [5_000, 51],
  ])('covers %i alarms with deterministic names in %i composite(s), each within 100 alarms and 10,240 characters', (n, expected) => {
    const stack = unlimitedStack();
    const children = alarms(stack, n);
    rollUpAlarms(stack, 'Degraded', { alarms: children, alarmName: 'lakehouse-prod-operations-2-degraded', alarmDescription: 'test' });
    const names = children.map((_, index) => `lakehouse-prod-operations-2-alarm-${String(index).padStart(5, '0')}`);
    const count = expectCovered(stack, names, 'lakehouse-prod-operations-2-degraded');
    expect(count).toBe(expected);
  }, 60_000);

  it('names the parts <name>-part-<level>-<index>, the same on every synth', () => {
    const names = () => {
      const stack = constructStack();
      rollUpAlarms(stack, 'Degraded', { alarms: alarms(stack, 250), alarmName: 'env-degraded', alarmDescription: 'test' });
      return composites(stack).map((composite) => composite.name).sort();
    };
    expect(names()).toEqual(['env-degraded', 'env-degraded-part-1-1', 'env-degraded-part-1-2', 'env-degraded-part-1-3']);
    expect(names()).toEqual(names());
  });

  it('budgets a name CloudFormation generates at 255 characters, so such rules hold fewer alarms', () => {
    const stack = constructStack();
    const children = alarms(stack, 100, false);
    const rollup = rollUpAlarms(stack, 'Degraded', { alarms: children, alarmDescription: 'test' });
    const perRule = Math.floor((COMPOSITE_RULE_LIMITS.characters + 4) / (COMPOSITE_RULE_LIMITS.alarmNameCharacters + 'ALARM("") OR '.length));
    const parts = rollup.composites.filter((composite) => composite.level === 1);
    expect(parts.map((part) => part.children)).toEqual([perRule, perRule, 100 - 2 * perRule]);
    for (const composite of composites(stack)) expect(composite.worstCaseLength, composite.logicalId).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
  });

  it('adds levels while a level has more composites than one rule holds (5,000 alarms with generated names: 3 levels)', () => {
    const stack = unlimitedStack();
    const rollup = rollUpAlarms(stack, 'Degraded', { alarms: alarms(stack, 5_000, false), alarmDescription: 'test' });
    const perLevel = [0, 1, 2].map((level) => rollup.composites.filter((composite) => composite.level === level).length);
    expect(perLevel).toEqual([1, Math.ceil(5_000 / 38), 2]);
    const childrenAt = (level: number) => rollup.composites.filter((composite) => composite.level === level).reduce((sum, composite) => sum + composite.children, 0);
    expect([childrenAt(1), childrenAt(2), childrenAt(0)]).toEqual([5_000, Math.ceil(5_000 / 38), 2]);
  }, 60_000);

  it('makes each composite depend on its children: CloudWatch refuses a rule naming an alarm that does not exist yet', () => {
    const stack = constructStack();
    const children = alarms(stack, 3);
    rollUpAlarms(stack, 'Degraded', { alarms: children, alarmName: 'env-degraded', alarmDescription: 'test' });
    const [top] = composites(stack);
    expect(top.dependsOn.sort()).toEqual(children.map((alarm) => stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm)).sort());
  });

  it('gives the top composite the actions and no intermediate composite any', () => {
    const stack = constructStack();
    const action = { bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111111111111:alarms' }) };
    rollUpAlarms(stack, 'Degraded', { alarms: alarms(stack, 150), alarmName: 'env-degraded', alarmDescription: 'test', actions: [action] });
    for (const composite of composites(stack)) {
      expect(composite.actions, composite.name).toEqual(composite.name === 'env-degraded' ? ['arn:aws:sns:eu-west-1:111111111111:alarms'] : undefined);
    }
  });

  it('refuses an empty roll-up (an empty rule fails only at deploy)', () => {
    const stack = constructStack();
    expect(() => rollUpAlarms(stack, 'Degraded', { alarms: [], alarmDescription: 'test' })).toThrow('a roll-up needs at least one alarm');
  });

  it('refuses a name a rule cannot quote or a part suffix would push past 255 characters', () => {
    const stack = constructStack();
    const children = alarms(stack, 1);
    expect(() => rollUpAlarms(stack, 'Quoted', { alarms: children, alarmName: 'bad"name', alarmDescription: 'test' })).toThrow(/alarm name "bad"name" must be/);
    expect(() => rollUpAlarms(stack, 'Long', { alarms: children, alarmName: 'x'.repeat(240), alarmDescription: 'test' })).toThrow(/must be 1-235 letters/);
  });
});

describe('measureAlarmRule', () => {
  it('counts alarms and characters of a literal rule, and 255 characters per reference in a joined one', () => {
    expect(measureAlarmRule('ALARM("a") OR ALARM("bc")')).toEqual({ alarms: 2, worstCaseLength: 25 });
    expect(measureAlarmRule({ 'Fn::Join': ['', ['ALARM("', { Ref: 'X' }, '")']] })).toEqual({ alarms: 1, worstCaseLength: 9 + 255 });
  });
});
