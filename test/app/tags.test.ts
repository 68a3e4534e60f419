import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { environmentTags } from '../../lib/tagging';
import { synthCached } from '../support/synth';
import { taggableTypes } from '../support/taggable';

describe.each(ENVIRONMENT_NAMES)('%s tags', (environment) => {
  const { templates, config } = synthCached(environment);
  const resources = Object.values(templates).flatMap((template) =>
    Object.entries(template.Resources).map(([logicalId, resource]) => ({ logicalId, ...resource })),
  );
  const taggable = taggableTypes([...new Set(resources.map((resource) => resource.Type))]);

  it('include project, environment, owner, cost-center and the environment extras', () => {
    expect(environmentTags(config)).toEqual({
      ...config.tags,
      project: 'lakehouse',
      environment,
      owner: config.owner,
      'cost-center': config.costCenter,
    });
  });

  it('are on every resource whose CloudFormation type supports tags', () => {
    const expected = Object.entries(environmentTags(config)).map(([Key, Value]) => ({ Key, Value }));
    const checked = resources.filter((resource) => taggable.has(resource.Type) && resource.Type !== 'AWS::CDK::Metadata');
    expect(checked.length).toBeGreaterThan(20);
    for (const resource of checked) {
      const tags = resource.Properties?.Tags as Array<{ Key: string; Value: string }> | undefined;
      expect(tags, `${resource.logicalId} (${resource.Type}) has no tags`).toBeDefined();
      expect(tags, `${resource.logicalId} (${resource.Type})`).toEqual(expect.arrayContaining(expected));
    }
  });
});
