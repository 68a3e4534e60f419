/** docs/decisions.md lists exactly the Control Tower decisions that npm run lint:guard holds the templates to. */
import { describe, expect, it } from 'vitest';
import { CONTROL_TOWER_DECISIONS } from '../../scripts/control-tower/decisions';
import { backticked, decisionsTable } from '../support/decisions-doc';

describe('AWS Control Tower decisions', () => {
  const documented = decisionsTable('## AWS Control Tower controls failed on purpose').map(([control, resources, environments]) => ({
    control: control!,
    resources: backticked(resources!).sort(),
    environments: environments === 'all' ? 'all' : environments!,
  }));
  const decided = CONTROL_TOWER_DECISIONS.map((decision) => ({
    control: decision.control,
    resources: [...decision.resources].sort(),
    environments: decision.environments?.join(', ') ?? 'all',
  }));

  it('docs/decisions.md has one row per decision of scripts/control-tower/decisions.ts, with its resources and environments', () => {
    expect(documented).toEqual(decided);
  });

  it('every decision gives a reason a reviewer can check', () => {
    for (const decision of CONTROL_TOWER_DECISIONS) expect(decision.reason.length, decision.control).toBeGreaterThan(60);
  });
});
