import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { loadEnvironmentConfig } from '../../config/load';
import { ValidationReport } from '../../constructs/common/validation-report';
import { embeddingsOutputNames } from '../../lib/stacks/embeddings-stack';
import { REPO_ROOT } from '../support/app-context';
import { synthWithDatasets } from '../support/scale';
import { buildFromConfig, resourcesOfType, synthCached } from '../support/synth';

const EMBEDDINGS_ALARMS = ['EmbeddingsQueueAge', 'EmbeddingsDeadLetters', 'EmbeddingsFailures', 'EmbeddingsThrottled'];

describe.each(ENVIRONMENT_NAMES)('%s embeddings stack', (environment) => {
  const { templates, assembly } = synthCached(environment);
  const name = `lakehouse-${environment}-embeddings`;
  const template = templates[name];

  it('deploys after storage, network and vector, and only operations reads it back', () => {
    const dependencies = assembly.getStackByName(name).dependencies.map((dependency) => dependency.id);
    for (const layer of ['storage', 'network', 'vector']) expect(dependencies).toContain(`lakehouse-${environment}-${layer}`);
    const readers = assembly.stacks.filter((stack) => stack.dependencies.some((dependency) => dependency.id === name)).map((stack) => stack.stackName);
    expect(readers).toEqual([`lakehouse-${environment}-operations`]);
  });

  it("watches the documents dataset's prefix of the curated bucket, which sends its object events to EventBridge (no custom resource)", () => {
    const [rule] = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rule.Properties!.EventPattern.detail.object.key).toEqual([{ prefix: 'documents/' }]);
    const bucketOutput = rule.Properties!.EventPattern.detail.bucket.name[0]['Fn::GetStackOutput'];
    expect(bucketOutput.StackName).toBe(`lakehouse-${environment}-storage`);
    expect(bucketOutput.OutputName).toMatch(/CuratedZoneBucket/);
    const storage = templates[`lakehouse-${environment}-storage`];
    const curated = resourcesOfType(storage, 'AWS::S3::Bucket').find((bucket) => /CuratedZoneBucket/.test(bucket.logicalId))!;
    expect(curated.Properties!.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(resourcesOfType(storage, 'Custom::S3BucketNotifications')).toEqual([]);
  });

  it('the shipped documents collection reads the Parquet rows of the documents contract', () => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function').find((resource) => resource.Properties!.Environment?.Variables?.EMBEDDINGS_SETTINGS)!;
    const settings = JSON.parse(fn.Properties!.Environment.Variables.EMBEDDINGS_SETTINGS);
    expect([settings.source, settings.rows]).toEqual([
      'rows',
      { dataset: 'documents', classification: 'confidential', idColumn: 'document_id', textColumn: 'content', orderColumn: 'updated_at', metadataColumn: 'metadata' },
    ]);
  });

  it("opens the database port to the consumer with a rule in this stack; the vector stack names nothing of it", () => {
    const [ingress] = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress.Properties!.GroupId['Fn::GetStackOutput'].StackName).toBe(`lakehouse-${environment}-vector`);
    expect(ingress.Properties!.FromPort).toBe(5433);
    expect(JSON.stringify(templates[`lakehouse-${environment}-vector`])).not.toContain(name);
  });

  it('outputs the queue URL, bucket and prefix the backfill command reads (no exports)', () => {
    const names = embeddingsOutputNames('documents');
    const outputs = template.Outputs as Record<string, { Value: unknown; Export?: unknown }>;
    expect(names).toEqual({ queueUrl: 'EmbeddingsQueueUrlDocuments', bucketName: 'EmbeddingsBucketNameDocuments', prefix: 'EmbeddingsPrefixDocuments' });
    for (const output of Object.values(names)) expect(outputs[output], output).toBeDefined();
    expect(outputs[names.prefix].Value).toBe('documents/');
    expect(Object.values(outputs).every((output) => output.Export === undefined)).toBe(true);
  });

  it('has an Embed row on the operations dashboard with the queue, failure, chunk, cost and consumer graphs', () => {
    const [dashboard] = resourcesOfType(templates[`lakehouse-${environment}-operations`], 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    expect(body).toContain('## Embed');
    for (const title of ['documents: oldest queued event (s), dead letters', 'documents: records processed, failed (%)', 'documents: chunks embedded, reused; Bedrock throttles', 'documents: tokens, estimated cost (USD)', 'documents: consumer errors, throttles']) {
      expect(body).toContain(title);
    }
  });

  it('alarms on queue age, dead letters, failure rate and Bedrock throttling in operations, each linking its runbook entry', () => {
    const alarms = resourcesOfType(templates[`lakehouse-${environment}-operations`], 'AWS::CloudWatch::Alarm').filter((alarm) => /^MonitoringEmbeddings/.test(alarm.logicalId));
    expect(alarms.map((alarm) => alarm.logicalId.replace(/embeddingsdocuments.*$/i, '').replace(/^Monitoring/, '')).sort()).toEqual([...EMBEDDINGS_ALARMS].sort());
    for (const alarm of alarms) {
      const kind = EMBEDDINGS_ALARMS.find((candidate) => alarm.logicalId.startsWith(`Monitoring${candidate}`))!;
      expect(alarm.Properties!.AlarmDescription).toContain(`docs/runbooks/alarms.md#${kind.toLowerCase()}`);
      expect(alarm.Properties!.TreatMissingData).toBe('notBreaching');
    }
    const byKind = (kind: string) => alarms.find((alarm) => alarm.logicalId.startsWith(`Monitoring${kind}`))!.Properties!;
    expect(byKind('EmbeddingsQueueAge')).toMatchObject({ Threshold: 3600, EvaluationPeriods: 3, MetricName: 'ApproximateAgeOfOldestMessage', Statistic: 'Maximum' });
    expect(byKind('EmbeddingsDeadLetters')).toMatchObject({ Threshold: 0, EvaluationPeriods: 1, MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(byKind('EmbeddingsFailures')).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(byKind('EmbeddingsThrottled')).toMatchObject({ Threshold: 0, EvaluationPeriods: 3, MetricName: 'EmbeddingThrottles', Namespace: 'Lakehouse/Embeddings' });
  });

});

describe('embeddings templates', () => {
  it('pass cfn-lint with the repository rules in every environment', () => {
    // With the metadata `cdk synth` writes into the templates that `npm run lint:cfn` lints.
    const dir = mkdtempSync(join(tmpdir(), 'lakehouse-embeddings-'));
    try {
      const files = ENVIRONMENT_NAMES.map((environment) => {
        const name = `lakehouse-${environment}-embeddings`;
        const file = join(dir, `${name}.template.json`);
        writeFileSync(file, JSON.stringify(synthWithDatasets(environment, DATASETS, { cliMetadata: true }).templates[name]));
        return file;
      });
      const lint = spawnSync('cfn-lint', ['--config-file', join(REPO_ROOT, '.cfnlintrc.yaml'), '--', ...files], { encoding: 'utf8' });
      expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embeddings switched off or misdirected', () => {
  it('enabled: false builds no embeddings stack and no embeddings alarms', () => {
    const config = loadEnvironmentConfig('dev');
    const { stacks } = buildFromConfig({ ...config, embeddings: { ...config.embeddings, enabled: false } });
    expect(stacks.embeddings).toBeUndefined();
    expect(stacks.operations.monitoring.alarms.filter((alarm) => alarm.kind.startsWith('Embeddings'))).toEqual([]);
  });

  it('collections whose names differ only in underscores are refused (they would share construct and output IDs)', () => {
    const config = loadEnvironmentConfig('dev');
    const broken = { ...config, embeddings: { ...config.embeddings, collections: [{ collection: 'docs', dataset: 'documents' }, { collection: '_docs', dataset: 'documents' }] } };
    expect(() => buildFromConfig(broken)).toThrow(
      '- embeddings.collections[1].collection: got "_docs"; names the same stack outputs (Docs) as collections[0]; collection names must differ in more than underscores',
    );
  });

  it('a collection reading an undeclared dataset is refused before any stack exists, naming the field', () => {
    const config = loadEnvironmentConfig('dev');
    const broken = { ...config, embeddings: { ...config.embeddings, collections: [{ collection: 'docs', dataset: 'manuals' }] } };
    let error: unknown;
    try {
      buildFromConfig(broken);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationReport);
    expect((error as Error).message).toContain(
      `- embeddings.collections[0].dataset: got "manuals"; must be a declared dataset (its prefix in its zone bucket holds the documents): ${DATASETS.map((dataset) => dataset.name).join(', ')}`,
    );
  });
});
