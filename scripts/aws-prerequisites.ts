/**
 * What the operator scripts that call AWS (`elt:backfill`, `produce:sample`) check before building any
 * client: credentials the SDK can use without the instance metadata service, and a region. Failing fast
 * here is what keeps an offline run from probing the metadata address or hanging on a connection.
 */
import type { EnvironmentConfig } from '../config/schema';

/** Where the SDK's default chain can find credentials without the instance metadata service. */
export function credentialProblem(env: NodeJS.ProcessEnv): string | undefined {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  if (set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY')) return undefined;
  if (set('AWS_PROFILE') || set('AWS_WEB_IDENTITY_TOKEN_FILE')) return undefined;
  if (set('AWS_CONTAINER_CREDENTIALS_FULL_URI') || set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')) return undefined;
  const half = set('AWS_ACCESS_KEY_ID') ? ' (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not)' : set('AWS_SECRET_ACCESS_KEY') ? ' (AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not)' : '';
  return (
    `no AWS credentials in the environment${half}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), ` +
    'or AWS_PROFILE, or AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or AWS_CONTAINER_CREDENTIALS_FULL_URI / AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'
  );
}

/**
 * The region to use (the environment's config region, else AWS_REGION, else AWS_DEFAULT_REGION), or
 * undefined after printing, as `<command> needs AWS credentials and a region; <consequence>:`, every
 * thing that is missing.
 */
export function awsRegionOrExplain(command: string, consequence: string, config: EnvironmentConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const region = config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const problems = [
    credentialProblem(env),
    region ? undefined : `no region: config/environments/${config.name}.ts has none; set AWS_REGION or AWS_DEFAULT_REGION`,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length === 0) return region;
  console.error(`${command} needs AWS credentials and a region; ${consequence}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return undefined;
}

/**
 * SDK settings for an operator command (its region, and an endpoint override for tests against moto)
 * and a register of the clients it makes, so that every one is destroyed before the command returns:
 * an open keep-alive socket would hold the process up after its work is done.
 */
export function operatorClients(region: string, endpoint?: string) {
  const made: Array<{ destroy(): void }> = [];
  return {
    config: { region, ...(endpoint ? { endpoint } : {}) },
    /** Registers a client and hands it back: `clients.track(new S3Client(clients.config))`. */
    track<T extends { destroy(): void }>(client: T): T {
      made.push(client);
      return client;
    },
    destroyAll(): void {
      for (const client of made.splice(0)) client.destroy();
    },
  };
}
