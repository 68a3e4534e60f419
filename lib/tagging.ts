import { type App, AspectPriority, Aspects, CfnResource, type IAspect, TagManager, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema';

/** The tags every taggable resource of an environment carries. */
export function environmentTags(config: EnvironmentConfig): Record<string, string> {
  return {
    ...config.tags,
    project: config.project,
    environment: config.name,
    owner: config.owner,
    'cost-center': config.costCenter,
  };
}

/**
 * Tags every taggable resource. `Tags.of()` reaches every L1 with a tag manager; aws-cdk-lib's own
 * custom-resource providers (the S3 auto-delete and default-security-group handlers) are plain
 * `CfnResource`s that it skips, although their types support tags, so an aspect tags those too.
 */
export function applyEnvironmentTags(app: App, config: EnvironmentConfig): void {
  const tags = environmentTags(config);
  // CloudFormation's AWS::CloudWatch::Dashboard takes no Tags (its registry schema, which cfn-lint checks,
  // has none), although aws-cdk-lib's L1 offers them.
  for (const [key, value] of Object.entries(tags)) Tags.of(app).add(key, value, { excludeResourceTypes: UNTAGGABLE_IN_CLOUDFORMATION });
  Aspects.of(app).add(new TagPlainProviderResources(tags), { priority: AspectPriority.MUTATING });
}

const UNTAGGABLE_IN_CLOUDFORMATION = ['AWS::CloudWatch::Dashboard'];

/** Types that aws-cdk-lib's custom-resource providers create as plain `CfnResource`s. */
const PROVIDER_TYPES = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function']);

class TagPlainProviderResources implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || TagManager.isTaggable(node)) return;
    if (!PROVIDER_TYPES.has(node.cfnResourceType)) return;
    node.addPropertyOverride(
      'Tags',
      Object.entries(this.tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([Key, Value]) => ({ Key, Value })),
    );
  }
}
