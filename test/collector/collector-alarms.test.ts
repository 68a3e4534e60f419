import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { collectorQuarantine } from '../../config/datasets/collector-quarantine';
import { events } from '../../config/datasets/events';
import { EventCollector } from '../../constructs/collector';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { constructStack } from '../support/construct-stack';

function build() {
  const stack = constructStack({ account: '111111111111', region: 'eu-west-1' });
  const key = new kms.Key(stack, 'Key');
  const stream = (name: string) =>
    kinesis.Stream.fromStreamAttributes(stack, name, { streamArn: stack.formatArn({ service: 'kinesis', resource: 'stream', resourceName: name }), encryptionKey: key });
  const collector = new EventCollector(stack, 'Collector', {
    vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
    vpcSubnets: { subnetGroupName: 'isolated' },
    vpcCidr: '10.0.0.0/16',
    datasets: [{ definition: events, stream: stream('t-events') }],
    quarantine: { definition: collectorQuarantine, stream: stream('t-quarantine') },
    sources: ['web', 'ios'].map((name) => ({ name, writeKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, name, `keys/${name}`), datasets: ['events'] })),
    streamKey: key,
    logsKey: key,
    name: 't-collector',
  });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', { topicKey: key, dashboardName: 't' });
  monitoring.watchCollector(collector, { latencyP99Ms: 1500 });
  monitoring.finish();
  return { monitoring, template: Template.fromStack(stack) };
}

describe('watchCollector', () => {
  const { monitoring, template } = build();
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  const byKind = (kind: string) => alarms.filter((alarm) => String(alarm.Properties.AlarmDescription).includes(`alarms.md#${kind.toLowerCase()}`));

  it('raises 5XX, 4XX, p99 latency and one rejected-events alarm per source, each linked to its runbook entry', () => {
    expect(monitoring.alarms.map((a) => `${a.kind}:${a.subject}`)).toEqual([
      'CollectorServerErrors:collector',
      'CollectorClientErrors:collector',
      'CollectorLatency:collector',
      'CollectorRejectedEvents:collector source web',
      'CollectorRejectedEvents:collector source ios',
    ]);
    for (const kind of ['CollectorServerErrors', 'CollectorClientErrors', 'CollectorLatency']) expect(byKind(kind)).toHaveLength(1);
    expect(byKind('CollectorRejectedEvents')).toHaveLength(2);
  });

  it('judges rates, not counts: errors per request and rejected per event, over 3 periods of 5 minutes', () => {
    const [server] = byKind('CollectorServerErrors');
    const expression = server.Properties.Metrics.find((m: { Expression?: string }) => m.Expression).Expression;
    expect(expression).toBe('IF(requests > 0, 100 * serverErrors / requests, 0)');
    expect(server.Properties).toMatchObject({ Threshold: 1, EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    const [web] = byKind('CollectorRejectedEvents');
    const metrics = web.Properties.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat);
    expect(metrics.map((m: any) => [m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions])).toEqual([
      ['Lakehouse/Collector', 'AcceptedEvents', [{ Name: 'Source', Value: 'web' }]],
      ['Lakehouse/Collector', 'RejectedEvents', [{ Name: 'Source', Value: 'web' }]],
    ]);
  });

  it('uses the given latency threshold on the stage p99', () => {
    expect(byKind('CollectorLatency')[0].Properties).toMatchObject({ Threshold: 1500, ExtendedStatistic: 'p99', MetricName: 'Latency', Namespace: 'AWS/ApiGateway' });
  });

  it('notifies on ALARM and OK', () => {
    // 5XX, 4XX, latency, and rejected events per source: a loop over nothing would pass.
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
  });

  it('adds the collector widgets to the Ingest row of the dashboard', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const title of ['collector: requests, 4XX and 5XX (%)', 'collector: latency p99 (ms)', 'collector: accepted and rejected events per source', 'collector: Kinesis records throttled per written stream']) {
      expect(body).toContain(title);
    }
  });
});
