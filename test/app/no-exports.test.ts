/**
 * First-deploy pin: cross-stack references stay weak. An `Export` and its
 * `Fn::ImportValue` lock the producing stack ("deadly embrace") as soon as a consumer is removed or a
 * value changes; `Fn::GetStackOutput` does not.
 */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { synthCached } from '../support/synth';

describe.each(ENVIRONMENT_NAMES)('%s', (environment) => {
  const { templates } = synthCached(environment);

  it('no template exports an output or imports a value; cross-stack references are Fn::GetStackOutput', () => {
    const exported = Object.entries(templates).flatMap(([stack, template]) =>
      Object.entries((template.Outputs ?? {}) as Record<string, { Export?: unknown }>)
        .filter(([, output]) => output.Export !== undefined)
        .map(([name]) => `${stack}: Outputs.${name}`),
    );
    const imported = Object.keys(templates).filter((stack) => JSON.stringify(templates[stack]).includes('"Fn::ImportValue"'));
    expect(exported).toEqual([]);
    expect(imported).toEqual([]);
    // The stacks do refer to each other, so the check above is not vacuous.
    expect(Object.values(templates).some((template) => JSON.stringify(template).includes('"Fn::GetStackOutput"'))).toBe(true);
  });
});
