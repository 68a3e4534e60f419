import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import { CDK_OWN_TAG_KEYS, TAGS_PER_RESOURCE_MAX } from '../../config/limits';
import { MAX_EXTRA_TAGS, RESERVED_TAG_KEYS } from '../../config/schema';
import { REPO_ROOT } from '../support/app-context';

/** Tag keys of a resource, whether its type takes a list of `{ Key, Value }` or a map. */
function tagKeys(properties: Record<string, unknown> | undefined): string[] {
  const tags = properties?.Tags;
  if (Array.isArray(tags)) return tags.map((tag: { Key: string }) => tag.Key);
  if (tags && typeof tags === 'object') return Object.keys(tags);
  return [];
}

describe('the extra-tag limit leaves room for every tag the app and CDK set themselves', () => {
  it.each(['dev', 'staging', 'prod'])('%s: no resource carries more own tags than the schema reserves', (name) => {
    const extra = Object.keys(loadEnvironmentConfig(name).tags);
    const dir = join(REPO_ROOT, 'test', 'snapshots', name);
    let most = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
      for (const resource of Object.values(template.Resources ?? {})) {
        const own = tagKeys(resource.Properties).filter((key) => !extra.includes(key) && !key.startsWith('aws:'));
        for (const key of own) expect([...RESERVED_TAG_KEYS, ...CDK_OWN_TAG_KEYS] as string[]).toContain(key);
        most = Math.max(most, own.length);
      }
    }
    expect(most).toBeGreaterThanOrEqual(RESERVED_TAG_KEYS.length);
    expect(most).toBeLessThanOrEqual(TAGS_PER_RESOURCE_MAX - MAX_EXTRA_TAGS);
  });
});
