import type { EnvironmentConfig } from '../config/schema';
import { DEFAULT_INTERFACE_ENDPOINTS, type InterfaceEndpointName } from '../constructs/network/interface-endpoints';
import { PII_DISCOVERY_INTERFACE_ENDPOINTS } from '../constructs/privacy/pii-discovery';

/** Whether the environment deploys PII discovery's job function into its VPC (it lives in the privacy stack). */
export function deploysPiiDiscovery(config: EnvironmentConfig): boolean {
  return config.privacy.enabled && config.privacy.discovery.enabled;
}

/**
 * The interface endpoints the network stack creates: the environment's explicit list as written, or
 * else the default list plus what the optional features it turns on call and the default leaves out
 * (Macie for PII discovery: an endpoint bills per hour in every zone, so environments without discovery
 * do not pay for it). input-validation's endpoint check reads the same list.
 */
export function environmentInterfaceEndpoints(config: EnvironmentConfig): readonly InterfaceEndpointName[] {
  if (config.network.interfaceEndpoints !== undefined) return config.network.interfaceEndpoints;
  const extras = deploysPiiDiscovery(config) ? PII_DISCOVERY_INTERFACE_ENDPOINTS : [];
  return [...new Set([...DEFAULT_INTERFACE_ENDPOINTS, ...extras])];
}
