/** AWS quotas the collector's settings must fit in (checked at synth, in the config and in the construct). */

/**
 * API Gateway's default account-level throttle per region (requests per second, burst). A stage or
 * method limit above it never applies; raise the quota before configuring more.
 */
export const API_GATEWAY_ACCOUNT_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 } as const;

/**
 * Rate-based rule limits the collector accepts (requests per 5 minutes per IP): AWS WAF allows 10 to
 * 2,000,000,000; below 100 a single busy browser session, or a few users behind one NAT, is blocked.
 */
export const WAF_RATE_LIMIT_RANGE = { min: 100, max: 2_000_000_000 } as const;

/** API Gateway REST APIs accept request bodies up to 10 MB; bigger requests never reach the handler. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
