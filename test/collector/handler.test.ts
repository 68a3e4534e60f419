/**
 * The Lambda entry point: settings from the file named by COLLECTOR_SETTINGS_FILE, SDK clients from the
 * standard environment (AWS_ENDPOINT_URL pointing at moto), and answers without stack traces when the
 * settings are bad or something unexpected fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectorFromEnvironment, collectorHandler, handler } from '../../constructs/collector/handler';
import type { Collector } from '../../constructs/collector/runtime/collector';
import { renderCollectorSettings, SETTINGS_FILE_ENV } from '../../constructs/collector/settings';
import { CREDENTIALS, REGION } from '../producer/moto-kinesis';
import { EVENTS_STREAM, parseAnswer, proxyEvent, startMotoCollector, testSettings, trackCall, type MotoCollector } from './moto-collector';

let moto: MotoCollector;
let directory: string;
beforeAll(async () => {
  moto = await startMotoCollector();
  directory = mkdtempSync(join(tmpdir(), 'collector-handler-'));
});
afterAll(async () => {
  await moto?.stop();
});

function awsEnvironment(settingsFile: string): Record<string, string> {
  return {
    [SETTINGS_FILE_ENV]: settingsFile,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('collector handler', () => {
  it('answers 503 without a stack while the settings file is unusable, logs the report once, and recovers once it is fixed', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const file = join(directory, 'bad-settings.json');
    writeFileSync(file, JSON.stringify({ ...testSettings(), keyCacheSeconds: -1 }));
    for (const [name, value] of Object.entries(awsEnvironment(file))) vi.stubEnv(name, value);
    const first = parseAnswer(await handler(proxyEvent('track', trackCall())));
    const second = parseAnswer(await handler(proxyEvent('track', trackCall())));
    expect(first).toMatchObject({ status: 503, body: { success: false, message: 'the collector is misconfigured and accepts nothing until it is fixed; retry later' } });
    expect(second.status).toBe(503);
    const reports = written.filter((line) => line.includes('collector settings unusable'));
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]).report).toMatch(/keyCacheSeconds: got -1; must be at least 0/);
    expect(reports[0]).not.toMatch(/\n\s+at /);

    writeFileSync(file, renderCollectorSettings(testSettings()));
    const call = trackCall();
    expect(parseAnswer(await handler(proxyEvent('track', call)))).toMatchObject({ status: 200, body: { success: true, accepted: 1 } });
    vi.mocked(process.stdout.write).mockRestore();
    const records = await moto.kinesis.readAll(EVENTS_STREAM);
    expect(records.filter((record) => (record.data as { event_id: string }).event_id === call.messageId)).toHaveLength(1);
  });

  it('builds its clients from the standard AWS environment (here: moto)', async () => {
    const file = join(directory, 'settings.json');
    writeFileSync(file, renderCollectorSettings(testSettings()));
    const collector = collectorFromEnvironment(awsEnvironment(file));
    for (const [name, value] of Object.entries(awsEnvironment(file))) vi.stubEnv(name, value);
    const batch = [trackCall(), trackCall()];
    const answer = parseAnswer(await collector.handle(proxyEvent('batch', { batch })));
    expect(answer.body).toEqual({ success: true, accepted: 2, rejected: [] });
  });

  it('answers 500 with a plain message, never a stack, when handling throws unexpectedly', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const broken = { handle: async () => Promise.reject(new TypeError('boom')) } as unknown as Collector;
    const result = await collectorHandler(broken)(proxyEvent('track', trackCall()));
    vi.mocked(process.stdout.write).mockRestore();
    expect(result.statusCode).toBe(500);
    expect(result.body).toBe('{"success":false,"accepted":0,"rejected":[],"message":"internal error; the request was not processed, retry it"}');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', message: 'unexpected error', error: expect.stringContaining('TypeError: boom') });
  });
});
