import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { ConfigValidationError } from '../../config/errors';
import { validateEnvironmentConfig } from '../../config/load';
import { dev } from '../../config/environments/dev';
import { prod } from '../../config/environments/prod';
import { collectorConfigProblems } from '../../lib/collector-validation';

const FILE = 'config/environments/prod.ts';

/** The shipped prod config; each case breaks one thing of its collector section in a copy. */
function prodCopy(): Record<string, any> {
  return structuredClone(prod) as Record<string, any>;
}

/** Schema problems (one line each) of a broken copy. */
function schemaLines(breakIt: (config: Record<string, any>) => void): string[] {
  const config = prodCopy();
  breakIt(config);
  try {
    validateEnvironmentConfig(config, FILE, 'prod');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
  throw new Error('the config was accepted');
}

/** Problems against the datasets (lib/collector-validation.ts) of a broken copy that passes the schema. */
function datasetLines(breakIt: (config: Record<string, any>) => void): string[] {
  const config = prodCopy();
  breakIt(config);
  return collectorConfigProblems(validateEnvironmentConfig(config, FILE, 'prod'), DATASETS).map((p) => `${p.source}: ${p.field}: got ${p.value}; ${p.allowed}`);
}

describe('collector config', () => {
  it('the shipped environments are valid and consistent with the datasets', () => {
    for (const [raw, file, name] of [[dev, 'config/environments/dev.ts', 'dev'], [prod, FILE, 'prod']] as const) {
      expect(collectorConfigProblems(validateEnvironmentConfig(raw, file, name), DATASETS)).toEqual([]);
    }
  });

  it('defaults to disabled with the Segment maxima, truncated IPs and no user agent', () => {
    const config = validateEnvironmentConfig({ ...structuredClone(prod), collector: undefined }, FILE, 'prod');
    expect(config.collector).toMatchObject({
      enabled: false,
      sources: [],
      allowedOrigins: [],
      limits: { maxEventBytes: 32768, maxBatchBytes: 512000, maxBatchEvents: 2500 },
      throttling: { rateLimit: 1000, burstLimit: 2000 },
      waf: { requestsPerIpPer5Minutes: 6000, managedCommonRules: true },
      privacy: { ip: 'truncate', keepUserAgent: false },
      keyCacheSeconds: 300,
      reservedConcurrency: 50,
    });
  });

  const schemaCases: Array<[string, (c: Record<string, any>) => void, string]> = [
    ['a duplicate source', (c) => c.collector.sources.push({ ...c.collector.sources[0] }), '- collector.sources[2].name: got "web"; duplicates collector.sources[0].name; source names must be unique'],
    ['an origin that is not https', (c) => (c.collector.allowedOrigins = ['http://app.example.com']), '- collector.allowedOrigins[0]: got "http://app.example.com"; must be an https:// origin'],
    ['an origin with a path', (c) => (c.collector.allowedOrigins = ['https://app.example.com/shop']), '- collector.allowedOrigins[0]: got "https://app.example.com/shop"; must be an origin only (scheme, host, optional port; no path, query or trailing slash): "https://app.example.com"'],
    ['an origin with a trailing slash', (c) => (c.collector.allowedOrigins = ['https://app.example.com/']), '- collector.allowedOrigins[0]: got "https://app.example.com/"; must be an origin only'],
    ['not an origin at all', (c) => (c.collector.allowedOrigins = ['app.example.com']), '- collector.allowedOrigins[0]: got "app.example.com"; must be an https:// origin'],
    ['an event limit over Segment\'s 32 KB', (c) => (c.collector.limits = { maxEventBytes: 65536 }), "- collector.limits.maxEventBytes: got 65536; must be at most 32768 (Segment's 32 KB per call)"],
    ['a batch limit over 500 KB', (c) => (c.collector.limits = { maxBatchBytes: 1_000_000 }), "- collector.limits.maxBatchBytes: got 1000000; must be at most 512000 (Segment's 500 KB per batch)"],
    ['2,501 events per batch', (c) => (c.collector.limits = { maxBatchEvents: 2501 }), '- collector.limits.maxBatchEvents: got 2501; must be at most 2500'],
    ['a batch limit below the event limit', (c) => (c.collector.limits = { maxEventBytes: 32768, maxBatchBytes: 1000 }), '- collector.limits.maxBatchBytes: got 1000; must be at least maxEventBytes (32768): a batch holds at least one event'],
    ['a rate over API Gateway\'s account quota', (c) => (c.collector.throttling = { rateLimit: 20000, burstLimit: 5000 }), '- collector.throttling.rateLimit: got 20000; must be at most 10000'],
    ['a burst too small for the rate', (c) => (c.collector.throttling = { rateLimit: 5000, burstLimit: 100 }), '- collector.throttling.burstLimit: got 100; must be at least a tenth of rateLimit (500)'],
    ['a WAF rate below 100', (c) => (c.collector.waf = { requestsPerIpPer5Minutes: 10 }), '- collector.waf.requestsPerIpPer5Minutes: got 10; must be at least 100'],
    ['a write key instead of a secret reference', (c) => (c.collector.sources[0].writeKeySecret = 'Qm9vdHN0cmFwS2V5VGhhdExvb2tzTGlrZUFXcml0ZUs'), '- collector.sources[0].writeKeySecret: got "Qm9vdHN0cmFwS2V5VGhhdExvb2tzTGlrZUFXcml0ZUs"; looks like a write key'],
    [
      'a partial secret ARN (it cannot be told from a complete one)',
      (c) => (c.collector.sources[0].writeKeySecret = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:lakehouse/web'),
      '- collector.sources[0].writeKeySecret: got "arn:aws:secretsmanager:eu-west-1:222222222222:secret:lakehouse/web"; must be a Secrets Manager secret name, or its complete ARN',
    ],
    ['a reserved concurrency Lambda would refuse', (c) => (c.collector.reservedConcurrency = 901), '- collector.reservedConcurrency: got 901; must be at most 900: Lambda keeps 100'],
    ['a secret reference with spaces', (c) => (c.collector.sources[0].writeKeySecret = 'my secret'), '- collector.sources[0].writeKeySecret: got "my secret"; must be a Secrets Manager secret name, or its complete ARN'],
    ['an enabled collector without sources', (c) => (c.collector.sources = []), '- collector.sources: got []; must list at least one source when the collector is enabled'],
    ['a source without datasets', (c) => (c.collector.sources[0].datasets = []), '- collector.sources[0].datasets: got []; must name at least one dataset the source may write'],
    ['an unknown privacy setting', (c) => (c.collector.privacy = { ip: 'hash' }), '- collector.privacy.ip: got "hash"; Invalid option: expected one of "truncate"|"drop"|"keep"'],
    ['a key cache over an hour', (c) => (c.collector.keyCacheSeconds = 7200), '- collector.keyCacheSeconds: got 7200; must be at most 3600: a revoked key must stop working within an hour'],
    ['a certificate that is not an ACM ARN', (c) => (c.collector.customDomain.certificateArn = 'arn:aws:iam::222222222222:server-certificate/x'), '- collector.customDomain.certificateArn: got "arn:aws:iam::222222222222:server-certificate/x"; must be an ACM certificate ARN'],
    ['a misspelt field', (c) => (c.collector.allowedOrigin = []), '- collector.allowedOrigin: got []; '],
  ];
  for (const [title, breakIt, line] of schemaCases) {
    it(`refuses ${title}`, () => {
      const lines = schemaLines(breakIt);
      expect(lines.some((l) => l.startsWith(line)), lines.join('\n')).toBe(true);
    });
  }

  const datasetCases: Array<[string, (c: Record<string, any>) => void, string]> = [
    ['an unknown dataset', (c) => (c.collector.sources[0].datasets = ['orders']), `${FILE}: collector.sources[0].datasets[0]: got "orders"; is not a declared dataset; the collector can write events, client_errors`],
    ['a dataset not ingested by stream', (c) => (c.collector.sources[0].datasets = ['documents']), `${FILE}: collector.sources[0].datasets[0]: got "documents"; is ingested by batch, not by stream: the collector writes to Kinesis streams (it can write events, client_errors)`],
    ['the quarantine as a source\'s dataset', (c) => (c.collector.sources[0].datasets = ['collector_quarantine']), `${FILE}: collector.sources[0].datasets[0]: got "collector_quarantine"; is where the collector puts refused events`],
    [
      'a secret in another region',
      (c) => (c.collector.sources[0].writeKeySecret = 'arn:aws:secretsmanager:us-east-1:222222222222:secret:web-AbCdEf'),
      `${FILE}: collector.sources[0].writeKeySecret: got "arn:aws:secretsmanager:us-east-1:222222222222:secret:web-AbCdEf"; must be a secret in this environment's account 222222222222 and region eu-west-1`,
    ],
    [
      'a custom-domain certificate in us-east-1 (edge-optimized APIs only)',
      (c) => (c.collector.customDomain.certificateArn = 'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000000'),
      `${FILE}: collector.customDomain.certificateArn: got "arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"; must be an ACM certificate in this environment's account 222222222222 and region eu-west-1`,
    ],
  ];
  for (const [title, breakIt, line] of datasetCases) {
    it(`refuses ${title}`, () => {
      const lines = datasetLines(breakIt);
      expect(lines.some((l) => l.startsWith(line)), lines.join('\n')).toBe(true);
    });
  }

  it('refuses an enabled collector when the quarantine dataset is not declared', () => {
    const config = validateEnvironmentConfig(prodCopy(), FILE, 'prod');
    const problems = collectorConfigProblems(config, DATASETS.filter((d) => d.name !== 'collector_quarantine'));
    expect(problems.map((p) => `${p.field}: ${p.allowed}`)).toEqual([
      'collector.enabled: needs the stream-ingested dataset "collector_quarantine" (config/datasets/collector-quarantine.ts), where refused events go; it is not declared',
    ]);
  });

  it('checks nothing about datasets while disabled', () => {
    const config = prodCopy();
    config.collector.enabled = false;
    config.collector.sources[0].datasets = ['orders'];
    expect(collectorConfigProblems(validateEnvironmentConfig(config, FILE, 'prod'), DATASETS)).toEqual([]);
  });
});
