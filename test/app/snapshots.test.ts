import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { normalizeTemplate } from '../support/normalize';
import { readSnapshot, SNAPSHOT_DIR } from '../support/snapshots';
import { synthCached } from '../support/synth';

// A change detector, not a proof: the fine-grained tests assert the properties that matter. On a
// deliberate change, review the diff and run `npm run snapshots:update` (which runs the replacement
// guard before writing).
describe.each(ENVIRONMENT_NAMES)('%s templates match the committed snapshots', (environment) => {
  const { templates } = synthCached(environment);

  it('has a snapshot for every stack and no snapshot for a stack that is gone', () => {
    const dir = join(SNAPSHOT_DIR, environment);
    const committed = existsSync(dir) ? readdirSync(dir).map((file) => file.replace(/\.template\.json$/, '')) : [];
    expect(committed.sort(), 'run npm run snapshots:update (and delete snapshots of removed stacks)').toEqual(
      Object.keys(templates).sort(),
    );
  });

  it.each(Object.keys(templates))('%s', (stack) => {
    const committed = readSnapshot(environment, stack);
    expect(normalizeTemplate(templates[stack]), 'template changed; review, then npm run snapshots:update').toEqual(committed);
  });
});
