import { describe, expect, it } from 'vitest';
import { handler } from '../../constructs/collector/handler';

// Until the collector runtime replaces constructs/collector/handler.ts, a deployed collector must refuse
// everything visibly rather than accept events it cannot validate.
describe('collector placeholder handler', () => {
  it('answers 503 with a JSON body saying the runtime is not deployed', async () => {
    const result = await handler({ httpMethod: 'POST', path: '/v1/track', body: '{}' });
    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(result.body)).toEqual({ success: false, message: 'the collector runtime is not deployed yet' });
  });
});
