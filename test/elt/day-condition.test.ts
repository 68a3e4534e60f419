import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { DAY_IS_VALID } from '../../constructs/elt';

/**
 * The state machine's first state decides with JSONata whether the input day may be spliced into SQL.
 * Evaluated here with the JSONata engine itself (moto does not run state machines), with the input
 * bound as `$states.input` as Step Functions binds it.
 */
async function dayIsValid(input: unknown): Promise<unknown> {
  // Returned as is: a Choice condition that evaluates to anything but a boolean fails the execution
  // (States.QueryEvaluationError), so "refused" must be `false`, not undefined.
  return jsonata(DAY_IS_VALID).evaluate({}, { states: { input } });
}

describe('the ELT day condition', () => {
  it.each(['2026-11-22', '2024-02-29', '1999-01-01'])('accepts %s', async (day) => {
    expect(await dayIsValid({ day })).toBe(true);
  });

  it.each([
    ["2026-11-22' OR '1'='1", 'SQL after the date'],
    ['2026-11-2', 'a short day'],
    ['26-11-22', 'a short year'],
    ['2026/11/22', 'slashes'],
    [' 2026-11-22', 'leading space'],
    ['2026-11-22\n', 'trailing line break'],
    ['', 'empty'],
  ])('refuses %j (%s)', async (day) => {
    expect(await dayIsValid({ day })).toBe(false);
  });

  it.each([[{ day: 20261122 }], [{ day: ['2026-11-22'] }], [{ day: null }], [{}]])('refuses %j, which is not a string day', async (input) => {
    expect(await dayIsValid(input)).toBe(false);
  });
});
