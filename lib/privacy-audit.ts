import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { PrivacyAccessTrailConfig, PrivacyDiscoveryConfig } from '../config/privacy-audit-schema';
import type { EnvironmentConfig } from '../config/schema';
import { LakeAccessTrail, PiiDiscovery, PiiFindingsRoute } from '../constructs/privacy';
import { statefulRemoval } from './removal';
import type { NetworkStack } from './stacks/network-stack';
import type { StorageStack } from './stacks/storage-stack';

/** The `privacy.discovery` and `privacy.accessTrail` sections of an environment, resolved. */
export interface PrivacyAuditSettings {
  readonly discovery: PrivacyDiscoveryConfig;
  readonly accessTrail: PrivacyAccessTrailConfig;
}

/** What addPrivacyAudit created; each part is absent when its section is disabled. */
export interface PrivacyAudit {
  readonly discovery?: PiiDiscovery;
  readonly trail?: LakeAccessTrail;
}

/**
 * PII discovery and the lake access trail in the privacy stack (`scope`), over the storage stack's zone
 * buckets, with the platform's network, logs key and log retention. Construct IDs `PiiDiscovery` and
 * `LakeAccessTrail` are what docs/decisions.md scopes its rows to.
 */
export function addPrivacyAudit(
  scope: Construct,
  props: { readonly config: EnvironmentConfig; readonly settings: PrivacyAuditSettings; readonly storage: StorageStack; readonly network: NetworkStack },
): PrivacyAudit {
  const { config, settings, storage, network } = props;
  const zoneBuckets = [...storage.storage.zoneBuckets.values()];
  const logRetention = config.logRetentionDays as logs.RetentionDays;
  const { discovery, accessTrail } = settings;
  return {
    discovery: discovery.enabled
      ? new PiiDiscovery(scope, 'PiiDiscovery', {
          buckets: zoneBuckets,
          vpc: network.network.vpc,
          vpcSubnets: network.network.workloadSubnets,
          logsKey: storage.logsKey,
          logRetention,
          removalPolicy: statefulRemoval(config).removalPolicy,
          manageMacieSession: discovery.manageMacieSession,
          // The administrator who enabled Macie sets the frequency; the construct refuses it without a session.
          findingPublishingFrequency: discovery.manageMacieSession ? discovery.findingPublishingFrequency : undefined,
          schedule: discovery.schedule,
          samplingPercentage: discovery.samplingPercentage,
          minimumSeverity: discovery.minimumSeverity,
        })
      : undefined,
    trail: accessTrail.enabled
      ? new LakeAccessTrail(scope, 'LakeAccessTrail', {
          buckets: zoneBuckets,
          accessLogsBucket: storage.storage.accessLogsBucket,
          logsKey: storage.logsKey,
          logRetention,
          retentionDays: accessTrail.retentionDays,
          includeReads: accessTrail.includeReads,
        })
      : undefined,
  };
}

/**
 * The route of Macie findings to the alarm topic, in the operations stack (which holds the topic and is
 * deployed after the privacy stack). It names the zone buckets, not the job: operations gains no
 * reference to the privacy stack.
 */
export function routePiiFindings(scope: Construct, audit: PrivacyAudit, topic: sns.ITopic): PiiFindingsRoute | undefined {
  return audit.discovery ? new PiiFindingsRoute(scope, 'PiiFindings', { pattern: audit.discovery.findingPattern, topic }) : undefined;
}
