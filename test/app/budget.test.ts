import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { budgetProblems, measureTemplate, type BudgetTemplate, type StackContents } from '../../lib/budget';
import { budgetReport, formatBudgetReport, parseBudgetArgs } from '../../scripts/budget';
import { generateDatasets } from '../support/generated-datasets';
import { synthWithDatasets } from '../support/scale';

/** `count` trivial resources. */
const resources = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`Handle${index}`, { Type: 'AWS::CloudFormation::WaitConditionHandle' }]));
const shard = (layer: StackContents['layer'], count: number): StackContents => ({
  layer,
  shard: 'product-analytics-03',
  datasets: Array.from({ length: count }, (_, index) => `gen_${String(index).padStart(4, '0')}`),
});
const problemsOf = (template: BudgetTemplate, contents: StackContents, stack = 'lakehouse-prod-operations-product-analytics-03') =>
  budgetProblems(stack, measureTemplate(template, stack), contents).map((problem) => problem.message);

describe('budgets at synth (each measure refused with what to do)', () => {
  it('resources: the datasets to move, the last declared named', () => {
    expect(problemsOf({ Resources: resources(415) }, shard('operations', 50))).toEqual([
      'Stack lakehouse-prod-operations-product-analytics-03 is over its budget of resources: 415 of 400 (CloudFormation\'s limit: 500). ' +
        'Move 3 of its 50 datasets to another shard: pin datasets that are not deployed yet with `shard: \'<name>\'` in their contracts ' +
        '(the last declared here: gen_0047, gen_0048, gen_0049), or move deployed ones with a stack refactoring (README, "Moving a dataset to another shard").',
    ]);
  });

  it('template bytes', () => {
    const template = { Resources: { Big: { Type: 'AWS::CloudFormation::WaitConditionHandle', Metadata: 'x'.repeat(830_000) } } } as BudgetTemplate;
    const bytes = Buffer.byteLength(JSON.stringify(template, undefined, 1));
    expect(problemsOf(template, shard('catalog', 40))).toEqual([
      `Stack lakehouse-prod-operations-product-analytics-03 is over its budget of template bytes: ${bytes.toLocaleString('en-US')} of 800,000 (CloudFormation's limit: 1,000,000). ` +
        "Move 5 of its 40 datasets to another shard: pin datasets that are not deployed yet with `shard: '<name>'` in their contracts " +
        '(the last declared here: gen_0035, gen_0036, gen_0037, gen_0038, gen_0039), or move deployed ones with a stack refactoring (README, "Moving a dataset to another shard").',
    ]);
  });

  it('outputs', () => {
    const outputs = Object.fromEntries(Array.from({ length: 163 }, (_, index) => [`Output${index}`, { Value: 'x' }]));
    expect(problemsOf({ Resources: resources(1), Outputs: outputs }, shard('ingestion', 60), 'lakehouse-prod-ingestion-x')).toEqual([
      "Stack lakehouse-prod-ingestion-x is over its budget of outputs: 163 of 160 (CloudFormation's limit: 200). " +
        "Move 2 of its 60 datasets to another shard: pin datasets that are not deployed yet with `shard: '<name>'` in their contracts " +
        '(the last declared here: gen_0058, gen_0059), or move deployed ones with a stack refactoring (README, "Moving a dataset to another shard").',
    ]);
  });

  it('parameters (a measure datasets do not grow: the setting to change)', () => {
    const parameters = Object.fromEntries(Array.from({ length: 161 }, (_, index) => [`Parameter${index}`, { Type: 'String' }]));
    expect(problemsOf({ Resources: resources(1), Parameters: parameters }, { datasets: [] }, 'lakehouse-prod-network')).toEqual([
      "Stack lakehouse-prod-network is over its budget of parameters: 161 of 160 (CloudFormation's limit: 200). It does not grow with datasets: reduce what the environment configures for it.",
    ]);
  });

  it('IAM policy size: a role\'s inline policies together, references counted at their resolved length', () => {
    const statement = (index: number) => ({ Effect: 'Allow', Action: 'glue:GetTable', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:glue:eu-west-1:111111111111:table/lakehouse_prod_raw/table_${index}`]] } });
    const template: BudgetTemplate = {
      Resources: {
        PersonaRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'a', PolicyDocument: { Version: '2012-10-17', Statement: [0, 1].map(statement) } }] } },
        PersonaPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: { Roles: [{ Ref: 'PersonaRole' }], PolicyDocument: { Version: '2012-10-17', Statement: Array.from({ length: 90 }, (_, index) => statement(index + 2)) } },
        },
      },
    };
    const [problem] = problemsOf(template, { datasets: [] }, 'lakehouse-prod-catalog');
    const size = measureTemplate(template).values.policySize;
    expect(size).toBeGreaterThan(8_192);
    expect(problem).toBe(
      `Stack lakehouse-prod-catalog is over its budget of IAM policy characters (largest role or policy) (PersonaRole): ${size.toLocaleString('en-US')} of 8,192 (IAM's limit: 10,240). ` +
        'It does not grow with datasets here: reduce what that resource covers (fewer personas, zones or alarms in one rule).',
    );
  });

  it('composite alarm rule length, alarm ARNs counted as CloudFormation will name the alarms', () => {
    const alarms = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`MonitoringFreshnessDataset${index}Alarm0123ABCD`, { Type: 'AWS::CloudWatch::Alarm', Properties: {} }]));
    const rule = { 'Fn::Join': ['', Object.keys(alarms).flatMap((id, index) => [index === 0 ? '(ALARM("' : ' OR ALARM("', { 'Fn::GetAtt': [id, 'Arn'] }, '")']).concat([')'])] };
    const template: BudgetTemplate = { Resources: { ...alarms, PlatformDegraded: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: rule } } } };
    const [problem] = problemsOf(template, shard('operations', 10));
    const length = measureTemplate(template, 'lakehouse-prod-operations-product-analytics-03').values.alarmRuleLength;
    // 50 ARNs of about 165 characters each: over 8,192, under a naive 200-per-ARN guess of 10,000.
    expect(length).toBeGreaterThan(8_192);
    expect(length).toBeLessThan(10_240);
    expect(problem).toBe(
      `Stack lakehouse-prod-operations-product-analytics-03 is over its budget of composite alarm rule characters (longest) (PlatformDegraded): ${length.toLocaleString('en-US')} of 8,192 (CloudWatch's limit: 10,240). ` +
        'It does not grow with datasets here: reduce what that resource covers (fewer personas, zones or alarms in one rule).',
    );
  });

  it('lifecycle rules of one bucket', () => {
    const rules = Array.from({ length: 803 }, (_, index) => ({ Id: `rule-${index}`, Status: 'Enabled', Prefix: `p${index}/`, ExpirationInDays: 30 }));
    const template: BudgetTemplate = { Resources: { RawBucket: { Type: 'AWS::S3::Bucket', Properties: { LifecycleConfiguration: { Rules: rules } } } } };
    expect(problemsOf(template, { datasets: [] }, 'lakehouse-prod-storage')).toEqual([
      "Stack lakehouse-prod-storage is over its budget of lifecycle rules of one bucket (most) (RawBucket): 803 of 800 (S3's limit: 1,000). " +
        'Each dataset with a retention in a zone adds two rules to its bucket (its prefix and its error prefix): declare some datasets in another zone, or leave their retention unset.',
    ]);
  });

  it('Lambda environment bytes (the data-quality function lists its tables)', () => {
    const tables = JSON.stringify(Array.from({ length: 70 }, (_, index) => ({ database: 'lakehouse_prod_raw', table: `gen_${String(index).padStart(4, '0')}` })));
    const template: BudgetTemplate = { Resources: { DataQualityFunction: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { TABLES: tables } } } } } };
    const bytes = 'TABLES'.length + tables.length;
    expect(problemsOf(template, shard('operations', 70))).toEqual([
      `Stack lakehouse-prod-operations-product-analytics-03 is over its budget of Lambda environment bytes (largest function) (DataQualityFunction): ${bytes.toLocaleString('en-US')} of 3,276 (Lambda's limit: 4,096). ` +
        `Move ${Math.ceil((bytes - 3_276) / 55)} of its 70 datasets to another shard: pin datasets that are not deployed yet with \`shard: '<name>'\` in their contracts ` +
        '(the last declared here: gen_0065, gen_0066, gen_0067, gen_0068, gen_0069), or move deployed ones with a stack refactoring (README, "Moving a dataset to another shard").',
    ]);
  });

  it('a synth with too many datasets pinned to one shard fails before aws-cdk-lib\'s 500-resource error, naming the stack and datasets', () => {
    const crowded = generateDatasets(90).filter((dataset) => dataset.ingestion === 'stream').map((dataset) => ({ ...dataset, shard: 'crowded' }));
    const synth = () => synthWithDatasets('dev', [...DATASETS, ...crowded]);
    expect(synth).toThrow(
      "[lakehouse-dev-ingestion-crowded] Stack lakehouse-dev-ingestion-crowded is over its budget of resources: 476 of 400 (CloudFormation's limit: 500). Move 11 of its 68 datasets to another shard: " +
        "pin datasets that are not deployed yet with `shard: '<name>'` in their contracts (the last declared here: gen_0084, gen_0085, gen_0086, gen_0088, gen_0089), or move deployed ones " +
        'with a stack refactoring (README, "Moving a dataset to another shard").',
    );
  });
});

describe('persona policies do not grow with datasets', () => {
  /** Each persona role's inline policy (its DefaultPolicy) in the base catalog stack, as JSON, by role. */
  const personaPolicies = (count: number) => {
    const { templates } = synthWithDatasets('prod', [...DATASETS, ...generateDatasets(count)]);
    const resources = templates['lakehouse-prod-catalog']!.Resources;
    const documents: Record<string, string> = {};
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = (resource.Properties!.Roles as Array<{ Ref: string }>).map((role) => role.Ref);
      const persona = roles.find((role) => /^(Analyst|DataEngineer|MlEngineer|Steward)[A-Za-z]*Role[0-9A-F]{8}$/.test(role));
      if (persona) documents[persona] = JSON.stringify(resource.Properties!.PolicyDocument);
    }
    return documents;
  };

  it('every persona role\'s policy is the same size with 10 and 300 generated datasets, and names each zone\'s tables once', () => {
    const few = personaPolicies(10);
    const many = personaPolicies(300);
    // prod's three personas (config/environments/prod.ts), each with its policy.
    expect(Object.keys(few)).toHaveLength(3);
    const sizes = (documents: Record<string, string>) => Object.fromEntries(Object.entries(documents).map(([role, json]) => [role, json.length]));
    expect(sizes(many)).toEqual(sizes(few));
    for (const json of Object.values(many)) {
      const tableArns = json.match(/:table\/[a-z0-9_]+\/[^"]*/g) ?? [];
      expect(tableArns.length).toBeGreaterThan(0);
      expect(tableArns.every((arn) => arn.endsWith('/*')), tableArns.join(', ')).toBe(true);
    }
  });
});

describe('npm run budget', () => {
  it('reports every stack of an environment, each within its budgets with the shipped datasets', () => {
    const { rows, problems } = budgetReport('prod');
    expect(rows.map((row) => row.stack)).toEqual(
      ['dr', 'storage', 'network', 'catalog', 'vector', 'embeddings', 'ingestion', 'privacy', 'collector', 'operations'].map((layer) => `lakehouse-prod-${layer}`),
    );
    expect(problems).toEqual([]);
    const operations = rows.find((row) => row.stack === 'lakehouse-prod-operations')!;
    expect(operations.values.resources).toBeGreaterThan(50);
    expect(operations.canTake).toBeGreaterThan(0);
    expect(rows.find((row) => row.stack === 'lakehouse-prod-storage')!.canTake).toBeUndefined();
    const table = formatBudgetReport('prod', rows);
    // Datasets with resources there: every one but the history table has quality checks.
    expect(table).toContain(`| lakehouse-prod-operations | ${DATASETS.length - 1} | `);
    expect(table).toContain('| lakehouse-prod-storage | 0 | ');
    expect(table).toContain('does not grow with datasets |');
  });

  it('reports an over-budget stack instead of stopping at it', () => {
    const crowded = generateDatasets(90).filter((dataset) => dataset.ingestion === 'stream').map((dataset) => ({ ...dataset, shard: 'crowded' }));
    const { rows, problems } = budgetReport('dev', [...DATASETS, ...crowded]);
    expect(rows.find((row) => row.stack === 'lakehouse-dev-ingestion-crowded')!.values.resources).toBe(476);
    expect(problems.map((problem) => `${problem.stack} ${problem.measure}`)).toEqual([
      'lakehouse-dev-ingestion-crowded resources',
      'lakehouse-dev-ingestion-crowded templateBytes',
      // The erasure rewrite role names each Parquet dataset's prefix (least privilege): 90 more subject datasets pass IAM's size.
      'lakehouse-dev-privacy policySize',
      'lakehouse-dev-operations-crowded templateBytes',
      // The quality function and its role name each of the 68 tables it checks.
      'lakehouse-dev-operations-crowded policySize',
      'lakehouse-dev-operations-crowded lambdaEnvironment',
    ]);
  });

  it.each([
    [['-c', 'env=prod'], 'prod'],
    [['--env', 'staging'], 'staging'],
    [[], 'dev'],
  ])('reads %j as %s', (argv, environment) => {
    expect(parseBudgetArgs(argv)).toBe(environment);
  });

  it.each([
    [['-c', 'env=qa'], 'unknown environment "qa"; use one of dev, staging, prod'],
    [['--verbose'], 'unknown argument "--verbose"; usage: npm run budget -- -c env=<dev|staging|prod>'],
    [['-c', 'region=x'], 'unknown context "region=x"; usage: npm run budget -- -c env=<dev|staging|prod>'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBudgetArgs(argv)).toThrow(message);
  });
});
