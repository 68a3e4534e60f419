/**
 * The Lambda entry points (`handler` of each privacy handler) as Lambda runs them: configured only by
 * environment variables (the ones the privacy construct sets, with AWS_ENDPOINT_URL pointing the SDK at
 * moto), building their clients on first use. A missing variable fails the invocation with one message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { privacyHandlerEnvironment } from '../../constructs/privacy/handler-environment';
import { captureConsole, onlyAwsVariables } from '../support/operator-scripts';
import { REGION, createLedgerBucket, createRequestTable, createSalt, createWorkBucket, readText, startPrivacyMoto, versionsUnder, type PrivacyMoto } from './harness';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-privacy-entry-'));
let env: PrivacyMoto;
let variables: Record<string, string>;
let work: string;
let ledger: string;

beforeAll(async () => {
  env = await startPrivacyMoto();
  work = await createWorkBucket(env.s3);
  ledger = await createLedgerBucket(env.s3);
  variables = {
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: env.moto.endpoint,
    ...privacyHandlerEnvironment({
      requestsTable: await createRequestTable(env.dynamo),
      workBucket: work,
      ledgerBucket: ledger,
      saltSecretArn: await createSalt(env.secrets),
      deadlines: { gdprDays: 10, ccpaDays: 20 },
      alarmDaysBeforeDeadline: 15,
    }),
  };
});
afterAll(async () => {
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('privacy Lambda entry points', () => {
  it('a handler without its variables fails with the names of the missing ones', async () => {
    onlyAwsVariables(home, { AWS_REGION: REGION });
    vi.stubEnv('REQUESTS_TABLE', '');
    vi.resetModules();
    const { handler } = await import('../../constructs/privacy/handlers/release');
    await expect(handler({})).rejects.toThrow(/REQUESTS_TABLE is not set\n {2}- WORK_BUCKET is not set/);
  });

  it('intake → claim → release → deadline-monitor → monthly-report from the environment alone', async () => {
    onlyAwsVariables(home, variables);
    for (const [name, value] of Object.entries(variables)) if (!name.startsWith('AWS_')) vi.stubEnv(name, value);
    vi.resetModules();
    const intake = await import('../../constructs/privacy/handlers/intake');
    const claim = await import('../../constructs/privacy/handlers/claim');
    const release = await import('../../constructs/privacy/handlers/release');
    const monitor = await import('../../constructs/privacy/handlers/deadline-monitor');
    const report = await import('../../constructs/privacy/handlers/monthly-report');
    const { result, stdout } = await captureConsole(async () => {
      const accepted = await intake.handler({ requests: [{ subjects: ['entry-subject-1'] }] });
      const claimed = await claim.handler({ batchId: 'entry-1', maxRequests: 5 });
      const versions = (await versionsUnder(env.s3, work, 'subjects/')).length;
      const released = await release.handler({ batchId: 'entry-1', requestIds: claimed.requestIds, error: 'test' });
      const counts = await monitor.handler();
      const written = await report.handler({ month: '2026-10' });
      return { accepted, claimed, versions, released, counts, written };
    });
    expect(result.accepted.accepted[0]).toMatchObject({ duplicate: false });
    // The configured deadline (10 days) was used.
    expect(Date.parse(result.accepted.accepted[0].deadline) - Date.now()).toBeGreaterThan(9 * 86_400_000);
    expect(Date.parse(result.accepted.accepted[0].deadline) - Date.now()).toBeLessThanOrEqual(10 * 86_400_000);
    expect(result.claimed).toMatchObject({ subjectCount: 1, empty: false });
    expect(result.versions).toBe(1);
    expect(result.released).toEqual({ released: 1, subjectVersionsDeleted: 1 });
    // 15-day window: the 10-day deadline is near.
    expect(result.counts).toEqual({ openRequests: 1, requestsNearDeadline: 1, overdueRequests: 0 });
    expect(result.written).toEqual({ reportKey: 'reports/2026-10.json', markdownKey: expect.stringMatching(/^reports\/2026-10\.md$/), entries: 0 });
    expect(JSON.parse(await readText(env.s3, ledger, 'reports/2026-10.json'))).toMatchObject({ month: '2026-10', entries: 0 });
    expect(stdout.join('\n')).not.toContain('entry-subject-1');
  });
});
