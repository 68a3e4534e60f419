/**
 * Real HTTP clients against the collector behind the loopback API Gateway harness (local-server.ts),
 * delivering to moto: Segment's own Node SDK (@segment/analytics-node, unmodified), curl with a gzip body
 * as the README shows it, and fetch the way the browser snippet posts (text/plain, key in the body).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorHandler } from '../../constructs/collector/handler';
import { startLocalServer, type LocalServer } from '../../constructs/collector/local-server';
import { REPO_ROOT } from '../support/app-context';
import { buildCollector, EVENTS_STREAM, QUARANTINE_STREAM, startMotoCollector, trackCall, WEB_KEY, type MotoCollector } from './moto-collector';

let moto: MotoCollector;
let server: LocalServer;
beforeAll(async () => {
  moto = await startMotoCollector();
  server = await startLocalServer(collectorHandler(buildCollector(moto).collector));
});
afterAll(async () => {
  await server?.close();
  await moto?.stop();
});

const streamEvents = async (stream: string) => (await moto.kinesis.readAll(stream)).map((record) => record.data as Record<string, any>);

describe('collector over HTTP', () => {
  it("accepts every call type from Segment's Node SDK, unmodified, pointed at the harness", async () => {
    const analytics = new Analytics({ writeKey: WEB_KEY, host: server.url, flushAt: 20, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.track({ userId: 'sdk-user', event: 'sdk_track', properties: { count: 2 } });
    analytics.identify({ userId: 'sdk-user', traits: { plan: 'pro' } });
    analytics.page({ anonymousId: 'sdk-anon', name: 'Docs', properties: { url: 'https://shop.example.com/docs' } });
    analytics.screen({ userId: 'sdk-user', name: 'Home' });
    analytics.group({ userId: 'sdk-user', groupId: 'g-9' });
    analytics.alias({ userId: 'sdk-user', previousId: 'sdk-anon' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);
    const sdk = (await streamEvents(EVENTS_STREAM)).filter((record) => record.user_id === 'sdk-user' || record.properties['segment.anonymousId'] === 'sdk-anon');
    expect(sdk.map((record) => record.event).sort()).toEqual(['alias', 'group', 'identify', 'page_view', 'screen_view', 'sdk_track']);
    const track = sdk.find((record) => record.event === 'sdk_track');
    expect(track?.properties).toMatchObject({ count: '2', 'segment.ip': '127.0.0.0', 'context.library': expect.stringContaining('analytics-node') });
    expect(track?.event_id).toMatch(/.+/);
  });

  it("the SDK reports a refused batch (400) as an error, and the call is in quarantine", async () => {
    const analytics = new Analytics({ writeKey: WEB_KEY, host: server.url, flushAt: 1, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.track({ userId: 'sdk-late', event: 'too_old', timestamp: new Date(Date.now() - 30 * 86_400_000) });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toHaveLength(1);
    const quarantined = (await streamEvents(QUARANTINE_STREAM)).filter((record) => record.payload.includes('sdk-late'));
    expect(quarantined).toMatchObject([{ stage: 'contract', source: 'web', reasons: [expect.stringMatching(/too late: older than 7 days/)] }]);
  });

  it('accepts a gzip batch from curl, as the README shows it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'collector-curl-'));
    const call = trackCall({ userId: 'curl-user' });
    writeFileSync(join(directory, 'batch.json.gz'), gzipSync(JSON.stringify({ batch: [call] })));
    const { stdout } = await promisify(execFile)('curl', [
      '-sS', '-w', '\\n%{http_code}', '-u', `${WEB_KEY}:`,
      '-H', 'Content-Type: application/json', '-H', 'Content-Encoding: gzip',
      '--data-binary', `@${join(directory, 'batch.json.gz')}`, `${server.url}/v1/batch`,
    ]);
    const [body, status] = stdout.split('\n');
    expect(status).toBe('200');
    expect(JSON.parse(body)).toEqual({ success: true, accepted: 1, rejected: [] });
    expect((await streamEvents(EVENTS_STREAM)).filter((record) => record.event_id === call.messageId)).toHaveLength(1);
  });

  it("answers a browser's text/plain post with the key in the body, and CORS headers for an allowed origin", async () => {
    const call = trackCall({ userId: 'browser-user' });
    const response = await fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.example.com' },
      body: JSON.stringify({ ...call, writeKey: WEB_KEY }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(await response.json()).toEqual({ success: true, accepted: 1, rejected: [] });
  });

  it("the README's browser snippet delivers, through sendBeacon and through its fetch fallback", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'constructs/collector/README.md'), 'utf8');
    const snippet = /```html\n<script>\n([\s\S]*?)<\/script>\n```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const code = (snippet as string).replace("'https://collector.example.com'", JSON.stringify(server.url)).replace("'YOUR_WRITE_KEY'", JSON.stringify(WEB_KEY));
    for (const beaconQueued of [true, false]) {
      const requests: Array<Promise<Response>> = [];
      const browser = {
        // A browser's sendBeacon posts the Blob with its type as Content-Type; false when it cannot queue it.
        navigator: { sendBeacon: (url: string, blob: Blob) => beaconQueued && requests.push(fetch(url, { method: 'POST', body: blob, headers: { 'content-type': blob.type } })) > 0 },
        fetch: (url: string, init: RequestInit) => requests.push(fetch(url, init)),
        localStorage: {} as Record<string, string>,
        location: { href: `https://shop.example.com/docs?beacon=${beaconQueued}` },
        document: { referrer: 'https://search.example/' },
        crypto: globalThis.crypto,
        Blob,
      };
      runInNewContext(code, browser);
      const [response] = await Promise.all(requests);
      expect(await response.json()).toEqual({ success: true, accepted: 1, rejected: [] });
      const anonymousId = browser.localStorage.anonymousId;
      const [record] = (await streamEvents(EVENTS_STREAM)).filter((r) => r.properties['segment.anonymousId'] === anonymousId);
      expect(record).toMatchObject({ event: 'page_opened', user_id: null, context: { page_url: `https://shop.example.com/docs?beacon=${beaconQueued}` }, properties: { section: 'docs' } });
    }
  });

  it('refuses a body over API Gateway\'s 10 MB before the function runs', async () => {
    const response = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });
});
