/**
 * The HTTP collector's function: API Gateway REST API, Lambda proxy integration (payload format 1.0).
 * Bundled with esbuild for Lambda, so it imports no CDK code.
 *
 * At cold start it reads the settings file named by `COLLECTOR_SETTINGS_FILE` (settings.ts) and builds
 * the Kinesis and Secrets Manager clients (region and credentials from the Lambda environment; the
 * standard `AWS_ENDPOINT_URL` points them elsewhere, as the tests do). An invalid settings file does not
 * crash every request with a stack trace: it is logged once as the validation report, and every request
 * is answered 503 (so Segment SDKs keep their events and retry) until the function is fixed.
 * The request handling itself is runtime/collector.ts.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ValidationReport } from '../common/validation-report';
import { refusal } from './runtime/answer';
import { Collector } from './runtime/collector';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from './runtime/proxy-event';
import { WriteKeyStore, type SecretReader } from './runtime/write-keys';
import { loadCollectorSettings, type CollectorSettings } from './settings';

export type { APIGatewayProxyEvent, APIGatewayProxyResult } from './runtime/proxy-event';

const log = (line: Record<string, unknown>) => void process.stdout.write(`${JSON.stringify(line)}\n`);

/** A handler serving `collector`, answering 500 (never a stack trace) if it throws. */
export function collectorHandler(collector: Collector | (() => Collector)): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    try {
      return await (typeof collector === 'function' ? collector() : collector).handle(event);
    } catch (error) {
      if (error instanceof ValidationReport) {
        return refusal(503, 'the collector is misconfigured and accepts nothing until it is fixed; retry later');
      }
      log({ level: 'error', message: 'unexpected error', error: error instanceof Error ? error.stack : String(error), requestId: event.requestContext?.requestId });
      return refusal(500, 'internal error; the request was not processed, retry it');
    }
  };
}

/** The Collector of this process, built from the environment; a bad settings file is thrown as its report. */
export function collectorFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Collector {
  const settings: CollectorSettings = loadCollectorSettings(env);
  // HTTP/1.1: one connection pool per warm function is plenty, and it works with every endpoint.
  const kinesis = new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }) });
  const secrets = new SecretsManagerClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }) });
  const readSecret: SecretReader = async (secretId) => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
    return SecretString;
  };
  return new Collector({ settings, kinesis, keys: new WriteKeyStore(settings.sources, readSecret, settings.keyCacheSeconds, log), log });
}

let instance: Collector | undefined;
let loggedProblem = false;

function current(): Collector {
  if (instance !== undefined) return instance;
  try {
    instance = collectorFromEnvironment();
    return instance;
  } catch (error) {
    if (!loggedProblem) {
      loggedProblem = true;
      log({ level: 'error', message: 'collector settings unusable', report: error instanceof Error ? error.message : String(error) });
    }
    throw error instanceof ValidationReport ? error : new ValidationReport([{ source: 'collector', field: '(root)', value: String(error), allowed: 'a loadable collector' }]);
  }
}

export const handler = collectorHandler(current);
