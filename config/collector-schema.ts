import { z } from 'zod';
import { COLLECTOR_LIMIT_MAXIMA, DEFAULT_KEY_CACHE_SECONDS, IP_POLICIES, MAX_KEY_CACHE_SECONDS } from '../constructs/collector/settings';
import { API_GATEWAY_ACCOUNT_THROTTLE, WAF_RATE_LIMIT_RANGE } from '../constructs/collector/limits';

/**
 * The `collector` section of an environment: the HTTP collector (Segment-compatible tracking API) and
 * who may send to it. Relations to the dataset contracts (a source's datasets exist and are streamed)
 * are checked in lib/input-validation.ts, which sees the datasets.
 */

const sourceSchema = z
  .object({
    /** Lowercase letters, digits and hyphens; the `Source` metric dimension and part of the secret's default name. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be 1-31 lowercase letters, digits or hyphens, starting with a letter'),
    /**
     * The Secrets Manager secret holding the source's hashed write keys: its ARN, or its name. Never the
     * key: `npm run collector:key -- --source <name>` makes a key and prints the hash entry to store.
     */
    writeKeySecret: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}|(?!arn:)[\w/+=.@-]{1,512})$/,
        'must be a Secrets Manager secret name, or its complete ARN as the console shows it (ending in -<6 characters>; a partial ARN cannot be told from a complete one), never the write key itself',
      )
      .refine((value) => !/^[A-Za-z0-9_-]{43}$/.test(value) || value.includes('/'), {
        message: 'looks like a write key (43 base64url characters): store the key\'s hash in a secret and name the secret here',
      }),
    /** Datasets the source may write (each stream-ingested). */
    datasets: z.array(z.string()).min(1, 'must name at least one dataset the source may write'),
  })
  .strict();

/** An origin as browsers send it: `https://host[:port]`, no path, no trailing slash. */
const origin = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must be an https:// origin such as https://www.example.com (browsers only send events from secure pages)' });
  } else if (url.origin !== value) {
    ctx.addIssue({ code: 'custom', message: `must be an origin only (scheme, host, optional port; no path, query or trailing slash): ${JSON.stringify(url.origin)}` });
  }
});

const limitsSchema = z
  .object({
    /** Largest event, bytes. Default and maximum 32768 (Segment's per-call limit). */
    maxEventBytes: z.number().int().min(1).max(COLLECTOR_LIMIT_MAXIMA.maxEventBytes, `must be at most ${COLLECTOR_LIMIT_MAXIMA.maxEventBytes} (Segment's 32 KB per call)`).default(COLLECTOR_LIMIT_MAXIMA.maxEventBytes),
    /** Largest request body (after gzip), bytes. Default and maximum 512000 (Segment's 500 KB per batch). */
    maxBatchBytes: z.number().int().min(1).max(COLLECTOR_LIMIT_MAXIMA.maxBatchBytes, `must be at most ${COLLECTOR_LIMIT_MAXIMA.maxBatchBytes} (Segment's 500 KB per batch)`).default(COLLECTOR_LIMIT_MAXIMA.maxBatchBytes),
    /** Most events per batch. Default and maximum 2500. */
    maxBatchEvents: z.number().int().min(1).max(COLLECTOR_LIMIT_MAXIMA.maxBatchEvents, `must be at most ${COLLECTOR_LIMIT_MAXIMA.maxBatchEvents}`).default(COLLECTOR_LIMIT_MAXIMA.maxBatchEvents),
  })
  .strict()
  .superRefine((limits, ctx) => {
    if (limits.maxBatchBytes < limits.maxEventBytes) {
      ctx.addIssue({ code: 'custom', path: ['maxBatchBytes'], message: `must be at least maxEventBytes (${limits.maxEventBytes}): a batch holds at least one event` });
    }
  });

const throttlingSchema = z
  .object({
    /** Steady requests per second for the stage (and each method). Default 1000. */
    rateLimit: z
      .number()
      .min(1)
      .max(API_GATEWAY_ACCOUNT_THROTTLE.rateLimit, `must be at most ${API_GATEWAY_ACCOUNT_THROTTLE.rateLimit} (API Gateway's default account quota per region; raise the quota first)`)
      .default(1000),
    /** Burst of requests above the rate. Default 2000. */
    burstLimit: z
      .number()
      .int()
      .min(1)
      .max(API_GATEWAY_ACCOUNT_THROTTLE.burstLimit, `must be at most ${API_GATEWAY_ACCOUNT_THROTTLE.burstLimit} (API Gateway's account burst quota per region)`)
      .default(2000),
  })
  .strict();

const wafSchema = z
  .object({
    /** Requests one IP address may send in 5 minutes before WAF blocks it. Default 6000 (20/s on average). */
    requestsPerIpPer5Minutes: z
      .number()
      .int()
      .min(WAF_RATE_LIMIT_RANGE.min, `must be at least ${WAF_RATE_LIMIT_RANGE.min}: below that one busy browser session (or a NAT of a few users) is blocked`)
      .max(WAF_RATE_LIMIT_RANGE.max, `must be at most ${WAF_RATE_LIMIT_RANGE.max} (AWS WAF's maximum)`)
      .default(6000),
    /** Add AWS's managed common rule set (body size rule counted only: batches exceed its 8 KB). Default true. */
    managedCommonRules: z.boolean().default(true),
  })
  .strict();

const customDomainSchema = z
  .object({
    /** The API's host name, for example collect.example.com. */
    domainName: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase DNS host name such as collect.example.com'),
    /** An ACM certificate in the environment's region covering domainName (regional endpoint). */
    certificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, 'must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>'),
  })
  .strict();

export const collectorSchema = z
  .object({
    /** Deploy the collector stack. Default false. */
    enabled: z.boolean().default(false),
    sources: z.array(sourceSchema).default([]),
    /** Browser origins allowed by CORS. Default none (server-side and mobile senders need no CORS). */
    allowedOrigins: z.array(origin).default([]),
    limits: limitsSchema.prefault({}),
    throttling: throttlingSchema.prefault({}),
    waf: wafSchema.prefault({}),
    privacy: z
      .object({
        /** Client IP: zero its last octet ("truncate"), leave it out ("drop") or keep it. Default "truncate". */
        ip: z.enum(IP_POLICIES as ['truncate', 'drop', 'keep']).default('truncate'),
        /** Store the User-Agent header. Default false. */
        keepUserAgent: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** How long a warm function trusts a source's key document (a revoked key works at most this long). Default 300. */
    keyCacheSeconds: z.number().int().min(0).max(MAX_KEY_CACHE_SECONDS, `must be at most ${MAX_KEY_CACHE_SECONDS}: a revoked key must stop working within an hour`).default(DEFAULT_KEY_CACHE_SECONDS),
    /** Concurrent executions reserved for (and capping) the handler. Default 50. */
    reservedConcurrency: z.number().int().min(1).max(900, 'must be at most 900: Lambda keeps 100 of the default regional quota of 1,000 unreserved').default(50),
    customDomain: customDomainSchema.optional(),
  })
  .strict()
  .superRefine((collector, ctx) => {
    if (collector.enabled && collector.sources.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'must list at least one source when the collector is enabled: without one every request is refused' });
    }
    collector.sources.forEach((source, index) => {
      const first = collector.sources.findIndex((other) => other.name === source.name);
      if (first !== index) ctx.addIssue({ code: 'custom', path: ['sources', index, 'name'], message: `duplicates collector.sources[${first}].name; source names must be unique` });
      source.datasets.forEach((dataset, j) => {
        if (source.datasets.indexOf(dataset) !== j) ctx.addIssue({ code: 'custom', path: ['sources', index, 'datasets', j], message: 'is listed twice' });
      });
    });
    collector.allowedOrigins.forEach((value, index) => {
      if (collector.allowedOrigins.indexOf(value) !== index) ctx.addIssue({ code: 'custom', path: ['allowedOrigins', index], message: 'is listed twice' });
    });
    if (collector.throttling.burstLimit < collector.throttling.rateLimit / 10) {
      ctx.addIssue({ code: 'custom', path: ['throttling', 'burstLimit'], message: `must be at least a tenth of rateLimit (${collector.throttling.rateLimit / 10}): a smaller bucket refuses steady traffic the rate allows` });
    }
  });

export type CollectorConfig = z.output<typeof collectorSchema>;
