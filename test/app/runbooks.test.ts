import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALARM_KINDS } from '../../constructs/monitoring';
import { renderAlarmRunbook } from '../../scripts/runbooks';
import { REPO_ROOT } from '../support/app-context';
import { resourcesOfType, synthCached } from '../support/synth';

describe('runbooks', () => {
  it('docs/runbooks/alarms.md is current (npm run docs:runbooks)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'runbooks', 'alarms.md'), 'utf8')).toBe(renderAlarmRunbook());
  });

  it('every alarm links to an entry that exists in the runbook', () => {
    const runbook = readFileSync(join(REPO_ROOT, 'docs', 'runbooks', 'alarms.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => m[1].toLowerCase()));
    const alarms = resourcesOfType(synthCached('prod').templates['lakehouse-prod-operations'], 'AWS::CloudWatch::Alarm');
    const linked = new Set<string>();
    for (const alarm of alarms) {
      const anchor = /docs\/runbooks\/alarms\.md#(\w+)/.exec(String(alarm.Properties!.AlarmDescription))?.[1];
      expect(anchor, alarm.logicalId).toBeDefined();
      expect(anchors.has(anchor!), `${alarm.logicalId} links to #${anchor}`).toBe(true);
      linked.add(anchor!);
    }
    // No entry describes an alarm that does not exist.
    expect([...linked].sort()).toEqual(Object.keys(ALARM_KINDS).map((kind) => kind.toLowerCase()).sort());
  });

  it('the restore runbook covers the database and a bucket prefix, who may restore, and how long it takes', () => {
    const path = join(REPO_ROOT, 'docs', 'runbooks', 'restore.md');
    expect(existsSync(path)).toBe(true);
    const text = readFileSync(path, 'utf8');
    for (const heading of ['## Restore the database to a point in time', '## Restore a bucket prefix', '## Who may do it', '## How long it takes']) {
      expect(text).toContain(heading);
    }
  });
});
