/**
 * PII discovery and the lake access trail as the app wires them (one cached synth per environment): in the
 * privacy stack where `privacy.discovery` / `privacy.accessTrail` are on (staging, prod), nowhere in dev
 * (the shipped opt-out); Macie findings routed to the alarm topic in operations; the trail's bucket in the
 * backup plan; the Macie endpoint in the network.
 */
import { describe, expect, it } from 'vitest';
import { privacyStackName } from '../../constructs/privacy/stack-outputs';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

const AUDIT_TYPES = ['AWS::Macie::Session', 'Custom::MacieClassificationJob', 'AWS::CloudTrail::Trail'];

const typesOf = (template: Template) => Object.values(template.Resources).map((resource) => resource.Type);

describe.each(['staging', 'prod'] as const)('%s: discovery and the trail on (the schema defaults)', (environment) => {
  const { templates, stacks } = synthCached(environment);
  const privacy = templates[privacyStackName('lakehouse', environment)];
  const operations = templates[`lakehouse-${environment}-operations`];
  const network = templates[`lakehouse-${environment}-network`];

  it('the privacy stack holds the Macie session, the classification job and the trail', () => {
    for (const type of AUDIT_TYPES) expect(typesOf(privacy).filter((found) => found === type), type).toHaveLength(1);
    expect(stacks.privacy?.audit.discovery).toBeDefined();
    expect(stacks.privacy?.audit.trail).toBeDefined();
  });

  it('the trail bucket and its key are retained, and the bucket is in the backup plan', () => {
    const trailBucketId = stacks.privacy!.getLogicalId(stacks.privacy!.audit.trail!.bucket.node.defaultChild as never);
    expect(privacy.Resources[trailBucketId].DeletionPolicy).toBe('Retain');
    const selections = resourcesOfType(privacy, 'AWS::Backup::BackupSelection').map((selection) => JSON.stringify(selection.Properties!.BackupSelection.Resources));
    expect(selections.some((resources) => resources.includes(trailBucketId))).toBe(true);
  });

  it('operations routes Macie findings about the zone buckets to the alarm topic', () => {
    const rules = resourcesOfType(operations, 'AWS::Events::Rule').filter((rule) => JSON.stringify(rule.Properties!.EventPattern ?? {}).includes('aws.macie'));
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule.Properties!.EventPattern.detail.severity.description).toEqual(['Medium', 'High']);
    expect(rule.Properties!.EventPattern.detail.resourcesAffected.s3Bucket.name).toHaveLength(3);
    const topicId = stacks.operations.getLogicalId(stacks.operations.monitoring.topic.node.defaultChild as never);
    expect(rule.Properties!.Targets).toEqual([expect.objectContaining({ Arn: { Ref: topicId } })]);
  });

  it('the network has the Macie interface endpoint the job function calls', () => {
    const services = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').map((endpoint) => JSON.stringify(endpoint.Properties!.ServiceName));
    expect(services.filter((service) => service.includes('.macie2'))).toHaveLength(1);
  });
});

describe('dev: discovery and the trail off (config/environments/dev.ts)', () => {
  const { templates, stacks } = synthCached('dev');

  it('creates no Macie or CloudTrail resource, no findings rule and no Macie endpoint', () => {
    const everything = Object.values(templates).flatMap(typesOf);
    for (const type of AUDIT_TYPES) expect(everything).not.toContain(type);
    expect(stacks.privacy?.audit).toEqual({ discovery: undefined, trail: undefined });
    expect(JSON.stringify(templates['lakehouse-dev-operations'])).not.toContain('aws.macie');
    expect(JSON.stringify(templates['lakehouse-dev-network'])).not.toContain('.macie2');
  });
});
