import { Token } from 'aws-cdk-lib';
import { renderValue, type ValidationProblem } from '../common/validation-report';
import type { EventCollectorProps } from './collector';
import { API_GATEWAY_ACCOUNT_THROTTLE, WAF_RATE_LIMIT_RANGE } from './limits';
import { collectorSettingsProblems, DEFAULT_COLLECTOR_LIMITS, DEFAULT_KEY_CACHE_SECONDS } from './settings';

/**
 * Every problem of an EventCollector's props, for library users (the app checks its config first, with
 * its own file names): what the settings document would refuse at the function's start, plus what only
 * the construct knows (ingestion modes, names unknown at synth, API Gateway and WAF quotas).
 */
export function collectorProblems(props: EventCollectorProps, path: string): ValidationProblem[] {
  const source = `EventCollector ${path}`;
  const problems: ValidationProblem[] = [];
  const add = (field: string, value: unknown, allowed: string) => problems.push({ source, field, value: renderValue(value), allowed });

  const targets = [...props.datasets.map((target, index) => ({ target, field: `datasets[${index}]` })), { target: props.quarantine, field: 'quarantine' }];
  for (const { target, field } of targets) {
    if (target.definition.ingestion !== 'stream') add(`${field}.definition.ingestion`, target.definition.ingestion, `must be "stream": the collector writes to the dataset's Kinesis stream (dataset "${target.definition.name}")`);
    if (Token.isUnresolved(target.stream.streamName)) {
      add(`${field}.stream`, '(a token)', 'must have a name known at synth (the settings file names it): import it with Stream.fromStreamAttributes and a formatted ARN, or create it with a streamName');
    }
  }
  if (props.datasets.some((target) => target.definition.name === props.quarantine.definition.name)) {
    add('quarantine', props.quarantine.definition.name, 'must not also be a dataset senders write: refused events would be mixed with accepted ones');
  }
  props.sources.forEach((s, index) => {
    if (Token.isUnresolved(s.writeKeySecret.secretArn) && Token.isUnresolved(s.writeKeySecret.secretName)) {
      add(`sources[${index}].writeKeySecret`, '(a token)', 'must be a secret whose ARN or name is known at synth (Secret.fromSecretNameV2 or fromSecretCompleteArn)');
    }
  });
  const rate = props.throttling?.rateLimit ?? 1000;
  const burst = props.throttling?.burstLimit ?? 2000;
  if (!(rate > 0 && rate <= API_GATEWAY_ACCOUNT_THROTTLE.rateLimit)) add('throttling.rateLimit', rate, `must be above 0 and at most ${API_GATEWAY_ACCOUNT_THROTTLE.rateLimit} (API Gateway's default account quota)`);
  if (!(Number.isInteger(burst) && burst > 0 && burst <= API_GATEWAY_ACCOUNT_THROTTLE.burstLimit)) add('throttling.burstLimit', burst, `must be a whole number from 1 to ${API_GATEWAY_ACCOUNT_THROTTLE.burstLimit} (API Gateway's account burst quota)`);
  // Part of the WAF log group's name (`aws-waf-logs-<name>`), its metric names and the API's name.
  if (props.name !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(props.name)) add('name', props.name, 'must be 1-100 letters, digits, "_", "." or "-" (it names the API, the WAF metrics and the WAF log group)');
  const perIp = props.waf?.requestsPerIpPer5Minutes ?? 6000;
  if (!(Number.isInteger(perIp) && perIp >= WAF_RATE_LIMIT_RANGE.min && perIp <= WAF_RATE_LIMIT_RANGE.max)) add('waf.requestsPerIpPer5Minutes', perIp, `must be a whole number from ${WAF_RATE_LIMIT_RANGE.min} to ${WAF_RATE_LIMIT_RANGE.max}`);
  const concurrency = props.reservedConcurrency ?? 50;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000)) add('reservedConcurrency', concurrency, 'must be a whole number from 1 to 1000 (the default regional concurrency quota)');
  if (problems.length > 0) return problems;

  // The rest is what the function would refuse at start: check the document it will run on.
  const document = {
    version: 1,
    sources: props.sources.map((s) => ({ name: s.name, writeKeySecretArn: Token.isUnresolved(s.writeKeySecret.secretArn) ? s.writeKeySecret.secretName : s.writeKeySecret.secretArn, datasets: s.datasets })),
    datasets: props.datasets.map((target) => ({ name: target.definition.name, streamName: target.stream.streamName, definition: target.definition })),
    quarantine: { streamName: props.quarantine.stream.streamName },
    limits: { ...DEFAULT_COLLECTOR_LIMITS, ...props.limits },
    privacy: { ip: props.privacy?.ip ?? 'truncate', keepUserAgent: props.privacy?.keepUserAgent ?? false },
    keyCacheSeconds: props.keyCacheSeconds ?? DEFAULT_KEY_CACHE_SECONDS,
    allowedOrigins: props.allowedOrigins ?? [],
  };
  problems.push(...collectorSettingsProblems(document, source));
  if (props.sources.length === 0) add('sources', [], 'must list at least one source: without one every request is refused');
  return problems;
}
