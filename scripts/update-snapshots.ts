/**
 * Rewrites test/snapshots from the current code, after the replacement guard has checked every
 * environment: a change that would replace or remove a stateful resource is refused unless it has an
 * entry in test/snapshots/allowed-replacements.ts. Usage: npm run snapshots:update
 */
import { ENVIRONMENT_NAMES } from '../config/limits';
import { ALLOWED_REPLACEMENTS } from '../test/snapshots/allowed-replacements';
import { normalizeTemplate } from '../test/support/normalize';
import { describeHazard, findStatefulHazards, unallowedHazards, type StatefulHazard } from '../test/support/replacement-guard';
import { readSnapshot, writeSnapshot } from '../test/support/snapshots';
import { synthEnvironment, type Template } from '../test/support/synth';

const pending: Array<{ environment: string; stack: string; template: Template }> = [];
const hazards: StatefulHazard[] = [];

for (const environment of ENVIRONMENT_NAMES) {
  const { templates } = synthEnvironment(environment);
  for (const [stack, template] of Object.entries(templates)) {
    const current = normalizeTemplate(template);
    const committed = readSnapshot(environment, stack);
    if (committed) hazards.push(...findStatefulHazards(environment, stack, committed, current));
    pending.push({ environment, stack, template: current });
  }
}

const refused = unallowedHazards(hazards, ALLOWED_REPLACEMENTS);
if (refused.length > 0) {
  console.error('Refusing to update snapshots: these changes would replace or remove stateful resources.');
  for (const hazard of refused) console.error(`  - ${describeHazard(hazard)}`);
  console.error('If a change is deliberate, add a reviewed entry to test/snapshots/allowed-replacements.ts.');
  process.exit(1);
}
for (const { environment, stack, template } of pending) writeSnapshot(environment, stack, template);
console.log(`Wrote ${pending.length} snapshots (${hazards.length} allowed stateful change(s)).`);
