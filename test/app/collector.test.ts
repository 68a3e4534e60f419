import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import { parseCollectorSettings, SETTINGS_FILE_NAME } from '../../constructs/collector/settings';
import { COLLECTOR_ENDPOINTS } from '../../constructs/collector/collector';
import { generateDatasets } from '../support/generated-datasets';
import { buildFromConfig, resourcesOfType, synthCached } from '../support/synth';

describe('prod collector stack', () => {
  const { templates, assembly } = synthCached('prod');
  const template = templates['lakehouse-prod-collector'];

  it('deploys after the ingestion stack whose streams it writes, and before operations, which alarms on it', () => {
    const dependencies = (name: string) => assembly.getStackByName(name).dependencies.map((dependency) => dependency.id);
    expect(dependencies('lakehouse-prod-collector')).toEqual(expect.arrayContaining(['lakehouse-prod-ingestion', 'lakehouse-prod-storage', 'lakehouse-prod-network']));
    expect(dependencies('lakehouse-prod-operations')).toContain('lakehouse-prod-collector');
  });

  it('may put records only on the streams its sources write and the quarantine stream, named by the naming rules', () => {
    const statements = resourcesOfType(template, 'AWS::IAM::Policy').flatMap((policy) => policy.Properties!.PolicyDocument.Statement);
    const put = statements.find((statement: any) => [statement.Action].flat().includes('kinesis:PutRecords'));
    expect([...put.Resource].sort()).toEqual(
      ['client_errors', 'collector_quarantine', 'events'].map((dataset) => `arn:aws:kinesis:eu-west-1:222222222222:stream/lakehouse-prod-${dataset}`),
    );
  });

  it('ships the settings the handler validates, with the contracts of the written datasets', () => {
    const [fn] = resourcesOfType(template, 'AWS::Lambda::Function').filter((f) => f.Properties!.Environment?.Variables?.COLLECTOR_SETTINGS_FILE);
    const asset = join(assembly.directory, `asset.${String(fn.Properties!.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(existsSync(join(asset, 'index.js'))).toBe(true);
    const settings = parseCollectorSettings(JSON.parse(readFileSync(join(asset, SETTINGS_FILE_NAME), 'utf8')));
    expect(settings.sources.map((s) => [s.name, s.datasets])).toEqual([
      ['web', ['events']],
      ['mobile', ['events', 'client_errors']],
    ]);
    expect(settings.datasets.map((d) => d.streamName)).toEqual(['lakehouse-prod-events', 'lakehouse-prod-client_errors']);
    expect(settings.datasets[0].definition).toEqual(JSON.parse(JSON.stringify(DATASETS.find((d) => d.name === 'events'))));
    expect(settings.allowedOrigins).toEqual(['https://app.example.com']);
  });

  it('serves its custom domain with TLS 1.2 only, with the execute-api endpoint off', () => {
    expect(resourcesOfType(template, 'AWS::ApiGateway::DomainName')[0].Properties).toMatchObject({ DomainName: 'collect.example.com', SecurityPolicy: 'TLS_1_2' });
    expect(resourcesOfType(template, 'AWS::ApiGateway::RestApi')[0].Properties).toMatchObject({ Name: 'lakehouse-prod-collector', DisableExecuteApiEndpoint: true });
  });

  it('lets only this account\'s API invoke the function (SourceAccount and SourceArn on every permission)', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(COLLECTOR_ENDPOINTS.length);
    for (const permission of permissions) expect(permission.Properties).toMatchObject({ Principal: 'apigateway.amazonaws.com', SourceAccount: '222222222222', SourceArn: expect.anything() });
  });

  it('has its alarms in the operations stack', () => {
    const descriptions = resourcesOfType(templates['lakehouse-prod-operations'], 'AWS::CloudWatch::Alarm').map((alarm) => String(alarm.Properties!.AlarmDescription));
    for (const anchor of ['collectorservererrors', 'collectorclienterrors', 'collectorlatency', 'collectorrejectedevents']) {
      expect(descriptions.some((description) => description.includes(`#${anchor}`)), anchor).toBe(true);
    }
  });
});

describe('collector placement', () => {
  it('depends on the ingestion shard that holds a dataset a source writes, and on no other shard', () => {
    const config = loadEnvironmentConfig('dev');
    const [written, other] = generateDatasets(8)
      .filter((dataset) => dataset.ingestion === 'stream')
      .slice(0, 2)
      .map((dataset, i) => ({ ...dataset, shard: i === 0 ? 'collected' : 'elsewhere' }));
    const variant = { ...config, collector: { ...config.collector, sources: [...config.collector.sources, { name: 'partner', writeKeySecret: 'collector/partner', datasets: [written.name] }] } };
    const { stacks } = buildFromConfig(variant, { compliance: false, datasets: [...DATASETS, written, other] });
    const dependencies = stacks.collector!.dependencies.map((stack) => stack.stackName);
    expect(dependencies).toContain('lakehouse-dev-ingestion-collected');
    expect(dependencies).not.toContain('lakehouse-dev-ingestion-elsewhere');
    expect(stacks.collector!.collector.settings.datasets.map((d) => d.streamName)).toContain(`lakehouse-dev-${written.name}`);
  });
});
