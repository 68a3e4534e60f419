import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALARM_KINDS, COMPOSITE_RULE_LIMITS, DASHBOARD_LIMITS, measureAlarmRule } from '../../constructs/monitoring';
import { shardedApp, streamedDataset } from './fixtures';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

describe('DatasetMonitoring in a shard stack', () => {
  const datasets = Array.from({ length: 3 }, (_, index) => streamedDataset(index));
  const sharded = shardedApp(datasets);
  const rollup = sharded.monitoring.finish();
  const template = Template.fromStack(sharded.shard);
  const alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;

  it('raises four alarms per streamed, checked dataset: delivery, stream lag, throttling and quality', () => {
    const kinds = sharded.monitoring.alarms.map((entry) => `${entry.kind} ${entry.subject}`);
    expect(kinds.sort()).toEqual(datasets.flatMap((dataset) => ['Delivery', 'IteratorAge', 'WriteThrottling', 'DatasetQuality'].map((kind) => `${kind} ${dataset.name}`)).sort());
    expect(Object.keys(alarms)).toHaveLength(4 * datasets.length);
  });

  it("every alarm notifies the base stack's topic on ALARM and on OK", () => {
    const topicOutput = { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Base', OutputName: expect.stringContaining('MonitoringAlarmTopic') }) };
    for (const [id, alarm] of Object.entries(alarms)) {
      expect(alarm.Properties.AlarmActions, id).toEqual([topicOutput]);
      expect(alarm.Properties.OKActions, id).toEqual([topicOutput]);
    }
  });

  it('links every alarm to its runbook entry', () => {
    for (const [id, alarm] of Object.entries(alarms)) expect(alarm.Properties.AlarmDescription, id).toMatch(new RegExp(`Runbook: docs/runbooks/alarms\\.md#(${Object.keys(ALARM_KINDS).join('|').toLowerCase()})$`));
  });

  it('rolls every alarm up into one composite with the given name and no actions (each alarm notifies, the environment roll-up pages)', () => {
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm') as Resources;
    expect(Object.values(composites).map((composite) => composite.Properties.AlarmName)).toEqual(['test-operations-2-degraded']);
    const [composite] = Object.values(composites);
    expect(composite.Properties.AlarmActions).toBeUndefined();
    expect(measureAlarmRule(composite.Properties.AlarmRule).alarms).toBe(Object.keys(alarms).length);
    expect(composite.DependsOn!.sort()).toEqual(Object.keys(alarms).sort());
    expect(sharded.monitoring.rollupAlarm).toBe(rollup);
  });

  it('draws one dashboard page with the status of every alarm and a section per dataset', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
    expect(dashboards.map((dashboard) => dashboard.Properties.DashboardName)).toEqual(['test-operations-2']);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const dataset of datasets) expect(body).toContain(`## ${dataset.name}`);
    expect(body).toContain('Alarm status');
  });
});

describe('DatasetMonitoring at scale', () => {
  it('splits the dashboard into pages within the widget and byte budget, the first keeping the name', () => {
    const datasets = Array.from({ length: 40 }, (_, index) => streamedDataset(index));
    const sharded = shardedApp(datasets);
    sharded.monitoring.finish();
    const dashboards = Object.values(Template.fromStack(sharded.shard).findResources('AWS::CloudWatch::Dashboard') as Resources);
    // 40 sections of 6 widgets and 2 status widgets do not fit one page of 100.
    expect(dashboards.map((dashboard) => dashboard.Properties.DashboardName)).toEqual(['test-operations-2', 'test-operations-2-2', 'test-operations-2-3']);
    const sections = new Set<string>();
    for (const dashboard of dashboards) {
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      const widgets = (body.match(/\\"type\\":/g) ?? []).length;
      expect(widgets).toBeLessThanOrEqual(DASHBOARD_LIMITS.defaultWidgetsPerPage);
      expect(body.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.defaultBodyBytesPerPage);
      for (const [, name] of body.matchAll(/## (dataset_\d+)/g)) sections.add(name);
    }
    expect(sections.size).toBe(40);
  }, 60_000);

  it('gives a dataset with more than nine checks a second quality alarm over the rest (metric math reads at most 10 metrics)', () => {
    // 12 completeness columns + row count + freshness = 14 checks, + QueryFailed = 15 inputs.
    const sharded = shardedApp([streamedDataset(0, 12)]);
    sharded.monitoring.finish();
    const quality = Object.entries(Template.fromStack(sharded.shard).findResources('AWS::CloudWatch::Alarm') as Resources).filter(([id]) => id.includes('DatasetQuality'));
    expect(quality.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['MonitoringDatasetQualitydataset000', 'MonitoringDatasetQualitydataset000Part2']);
    const inputs = quality.map(([, alarm]) => (alarm.Properties.Metrics as { MetricStat?: object }[]).filter((metric) => metric.MetricStat).length);
    expect(inputs).toEqual([10, 5]);
  });

  it('refuses a roll-up name a composite rule cannot quote, when it is given', () => {
    expect(() => shardedApp([], { rollupAlarmName: 'shard 2 "degraded"' })).toThrow('Shard2/Monitoring: alarm name "shard 2 "degraded"" must be 1-235 letters, digits');
  });

  it('refuses an iterator-age threshold that is not above 0', () => {
    expect(() => shardedApp([], { iteratorAgeMinutes: 0 })).toThrow('Shard2/Monitoring: iteratorAgeMinutes 0 must be above 0');
  });

  it('refuses to watch a dataset its DataQuality does not check', () => {
    const sharded = shardedApp([streamedDataset(0)]);
    expect(() => sharded.monitoring.watchQuality(sharded.quality, { datasets: ['dataset_000', 'orders'] })).toThrow(/orders not checked by Shard2\/DataQuality/);
  });

  it('refuses to finish with nothing watched, and to hand out the roll-up before finish()', () => {
    const sharded = shardedApp([]);
    expect(() => sharded.monitoring.rollupAlarm).toThrow('call finish() before reading rollupAlarm');
    expect(() => sharded.monitoring.finish()).toThrow('nothing is watched');
  });

  it('keeps a shard roll-up over many alarms within the rule limits', () => {
    const sharded = shardedApp(Array.from({ length: 30 }, (_, index) => streamedDataset(index)));
    sharded.monitoring.finish();
    expect(sharded.monitoring.alarms).toHaveLength(120);
    for (const composite of sharded.monitoring.rollupComposites) {
      expect(composite.children).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.alarms);
      expect(composite.worstCaseRuleLength).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
    }
    expect(sharded.monitoring.rollupComposites.length).toBeGreaterThan(1);
  }, 60_000);
});
