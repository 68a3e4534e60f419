import { environmentFile } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { renderValue, type ValidationProblem } from '../constructs/common/validation-report';
import type { DatasetDefinition } from '../constructs/datasets';
import { QUARANTINE_DATASET } from './stacks/collector-stack';

/**
 * The collector section against what only the whole environment knows: the datasets a source writes are
 * declared and ingested by stream, the quarantine dataset exists, and secrets are in this environment's
 * account and region (the function reads them with its own region's client and its own account's role).
 */
export function collectorConfigProblems(config: EnvironmentConfig, datasets: readonly DatasetDefinition[]): ValidationProblem[] {
  const collector = config.collector;
  if (!collector.enabled) return [];
  const source = environmentFile(config.name);
  const problems: ValidationProblem[] = [];
  const byName = new Map(datasets.map((dataset) => [dataset.name, dataset]));
  const streamed = datasets.filter((dataset) => dataset.ingestion === 'stream' && dataset.name !== QUARANTINE_DATASET).map((dataset) => dataset.name);
  collector.sources.forEach((entry, i) => {
    entry.datasets.forEach((name, j) => {
      const field = `collector.sources[${i}].datasets[${j}]`;
      const dataset = byName.get(name);
      if (!dataset) {
        problems.push({ source, field, value: renderValue(name), allowed: `is not a declared dataset; the collector can write ${streamed.join(', ') || 'no dataset (none is stream-ingested)'}` });
      } else if (name === QUARANTINE_DATASET) {
        problems.push({ source, field, value: renderValue(name), allowed: 'is where the collector puts refused events; senders cannot write it' });
      } else if (dataset.ingestion !== 'stream') {
        problems.push({ source, field, value: renderValue(name), allowed: `is ingested by ${dataset.ingestion}, not by stream: the collector writes to Kinesis streams (it can write ${streamed.join(', ')})` });
      }
    });
    const arn = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:/.exec(entry.writeKeySecret);
    if (arn && config.region !== undefined && (arn[2] !== config.region || arn[3] !== config.account)) {
      problems.push({
        source,
        field: `collector.sources[${i}].writeKeySecret`,
        value: renderValue(entry.writeKeySecret),
        allowed: `must be a secret in this environment's account ${config.account} and region ${config.region}: the collector reads it with its own role and region`,
      });
    }
  });
  // A regional API's custom domain needs an ACM certificate in the API's own region (and account).
  const certificate = config.collector.customDomain?.certificateArn;
  const certificateAt = certificate === undefined ? null : /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):/.exec(certificate);
  if (certificateAt && config.region !== undefined && (certificateAt[1] !== config.region || certificateAt[2] !== config.account)) {
    problems.push({
      source,
      field: 'collector.customDomain.certificateArn',
      value: renderValue(certificate),
      allowed: `must be an ACM certificate in this environment's account ${config.account} and region ${config.region}: a regional API Gateway domain takes a certificate from its own region (us-east-1 is only for edge-optimized APIs)`,
    });
  }
  const quarantine = byName.get(QUARANTINE_DATASET);
  if (!quarantine || quarantine.ingestion !== 'stream') {
    problems.push({
      source,
      field: 'collector.enabled',
      value: 'true',
      allowed: `needs the stream-ingested dataset "${QUARANTINE_DATASET}" (config/datasets/collector-quarantine.ts), where refused events go; it is ${quarantine ? `ingested by ${quarantine.ingestion}` : 'not declared'}`,
    });
  }
  return problems;
}
