import { describe, expect, it } from 'vitest';
import { COLLECTOR_ENDPOINTS } from '../../constructs/collector/collector';
import { ROUTED_PATHS } from '../../constructs/collector/runtime/collector';

describe('the API and the handler serve the same paths', () => {
  it('every /v1 resource API Gateway creates is a path the handler routes, and the other way round', () => {
    // A path only the handler knows would be refused by API Gateway (403) before reaching it; a path only
    // the API knows would reach the handler and be answered 404.
    expect([...COLLECTOR_ENDPOINTS].sort()).toEqual([...ROUTED_PATHS].sort());
    expect(ROUTED_PATHS).toEqual(expect.arrayContaining(['track', 'batch', 'import', 't', 'b']));
  });
});
