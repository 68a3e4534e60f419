import { Macie2Client } from '@aws-sdk/client-macie2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameJob, type ClassificationJobSpec } from '../../constructs/privacy/discovery-job/spec';
import { clientToken, createHandler, jobName, type ClassificationJobEvent } from '../../constructs/privacy/discovery-job/handler';
import { startMacieServer, type MacieServer } from './macie-server';

// Offline SDK client: explicit endpoint and credentials, never the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const SPEC: ClassificationJobSpec = {
  name: 'lakehouse-dev-privacy-pii-discovery-0a1b2c3d',
  description: 'PII discovery over the lake zone buckets',
  accountId: '123456789012',
  buckets: ['lakehouse-raw-zone', 'lakehouse-curated-zone', 'lakehouse-analytics-zone'],
  schedule: 'weekly',
  samplingPercentage: 10,
};

let requests = 0;
function event(type: ClassificationJobEvent['RequestType'], spec: unknown, options: { physicalId?: string; old?: unknown } = {}): ClassificationJobEvent {
  requests += 1;
  return {
    RequestType: type,
    RequestId: `request-${requests}`,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/lakehouse-dev-privacy/1',
    LogicalResourceId: 'PiiDiscoveryJob',
    PhysicalResourceId: options.physicalId,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', Spec: typeof spec === 'string' ? spec : JSON.stringify(spec) },
    OldResourceProperties: options.old === undefined ? undefined : { Spec: JSON.stringify(options.old) },
  };
}

describe('classification job handler against a loopback Macie2 REST-JSON server (real SDK client)', () => {
  let server: MacieServer;
  let macie: Macie2Client;
  const lines: string[] = [];
  const onEvent = () => createHandler({ macie, log: (line) => lines.push(line) });

  beforeAll(async () => {
    server = await startMacieServer();
    macie = new Macie2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    macie?.destroy();
    await server?.stop();
  });

  it('Create makes one scheduled job with RECOMMENDED identifiers, sampling and the buckets, signed for macie2', async () => {
    const before = server.jobs.size;
    const result = await onEvent()(event('Create', SPEC));
    expect(server.jobs.size).toBe(before + 1);
    const job = server.jobs.get(result.PhysicalResourceId)!;
    expect(result.Data).toEqual({ JobId: job.jobId });
    expect(job.request).toMatchObject({
      name: jobName(SPEC),
      jobType: 'SCHEDULED',
      initialRun: true,
      managedDataIdentifierSelector: 'RECOMMENDED',
      samplingPercentage: 10,
      s3JobDefinition: { bucketDefinitions: [{ accountId: '123456789012', buckets: [...SPEC.buckets] }] },
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
    });
    expect(server.signedFor).toEqual(new Set(['macie2']));
  });

  it('a retried Create (same request) returns the same job instead of a second one', async () => {
    const create = event('Create', SPEC);
    const first = await onEvent()(create);
    const count = server.jobs.size;
    const second = await onEvent()(create);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(server.jobs.size).toBe(count);
    expect(clientToken(create)).toBe(server.jobs.get(first.PhysicalResourceId)!.clientToken);
  });

  it('daily and monthly schedules reach Macie as its schedule shapes', async () => {
    const daily = await onEvent()(event('Create', { ...SPEC, schedule: 'daily' }));
    const monthly = await onEvent()(event('Create', { ...SPEC, schedule: 'monthly' }));
    expect(server.jobs.get(daily.PhysicalResourceId)!.request.scheduleFrequency).toEqual({ dailySchedule: {} });
    expect(server.jobs.get(monthly.PhysicalResourceId)!.request.scheduleFrequency).toEqual({ monthlySchedule: { dayOfMonth: 1 } });
  });

  it('Update with the same spec (buckets reordered) keeps the job and calls nothing', async () => {
    const created = await onEvent()(event('Create', SPEC));
    const callsBefore = server.calls.length;
    const reordered = { ...SPEC, buckets: [...SPEC.buckets].reverse() };
    const result = await onEvent()(event('Update', reordered, { physicalId: created.PhysicalResourceId, old: SPEC }));
    expect(result).toEqual({ PhysicalResourceId: created.PhysicalResourceId, Data: { JobId: created.PhysicalResourceId } });
    expect(server.calls.slice(callsBefore)).toEqual([]);
  });

  it('Update with a changed spec creates a new job and leaves the old one running until CloudFormation deletes it', async () => {
    const created = await onEvent()(event('Create', SPEC));
    const changed = { ...SPEC, samplingPercentage: 50 };
    const result = await onEvent()(event('Update', changed, { physicalId: created.PhysicalResourceId, old: SPEC }));
    expect(result.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(server.jobs.get(result.PhysicalResourceId)!.request.samplingPercentage).toBe(50);
    // The replacement never carries the name of the job it replaces (which runs until cancelled).
    expect(server.jobs.get(result.PhysicalResourceId)!.request.name).not.toBe(server.jobs.get(created.PhysicalResourceId)!.request.name);
    expect(server.jobs.get(created.PhysicalResourceId)!.jobStatus).toBe('RUNNING');

    // CloudFormation's clean-up phase: Delete with the old physical ID cancels the old job only.
    await onEvent()(event('Delete', SPEC, { physicalId: created.PhysicalResourceId }));
    expect(server.jobs.get(created.PhysicalResourceId)!.jobStatus).toBe('CANCELLED');
    expect(server.jobs.get(result.PhysicalResourceId)!.jobStatus).toBe('RUNNING');
  });

  it('Update whose old spec is unreadable creates a new job rather than failing the stack', async () => {
    const created = await onEvent()(event('Create', SPEC));
    const result = await onEvent()(event('Update', SPEC, { physicalId: created.PhysicalResourceId, old: { name: 'older format' } }));
    expect(result.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
  });

  it('Delete cancels a running job; a second Delete finds it cancelled and calls no update', async () => {
    const created = await onEvent()(event('Create', SPEC));
    await onEvent()(event('Delete', SPEC, { physicalId: created.PhysicalResourceId }));
    expect(server.jobs.get(created.PhysicalResourceId)!.jobStatus).toBe('CANCELLED');
    const callsBefore = server.calls.length;
    await onEvent()(event('Delete', SPEC, { physicalId: created.PhysicalResourceId }));
    expect(server.calls.slice(callsBefore)).toEqual([`GET /jobs/${created.PhysicalResourceId}`]);
    expect(lines.at(-1)).toBe(`classification job ${created.PhysicalResourceId} is already CANCELLED`);
  });

  it('Delete of a job Macie no longer has succeeds', async () => {
    const missing = 'f'.repeat(32);
    await expect(onEvent()(event('Delete', SPEC, { physicalId: missing }))).resolves.toEqual({ PhysicalResourceId: missing });
    expect(lines.at(-1)).toBe(`classification job ${missing} no longer exists`);
  });

  it('Delete after a failed Create (physical ID is no job ID) calls Macie not at all', async () => {
    const callsBefore = server.calls.length;
    const physicalId = 'lakehouse-dev-privacy-PiiDiscoveryJob-request-uuid';
    await expect(onEvent()(event('Delete', SPEC, { physicalId }))).resolves.toEqual({ PhysicalResourceId: physicalId });
    expect(server.calls.slice(callsBefore)).toEqual([]);
  });

  it('Create with an invalid spec is refused before Macie is called, naming every bad field', async () => {
    const callsBefore = server.calls.length;
    const bad = { ...SPEC, accountId: '${Token[AWS.AccountId]}', buckets: ['Lake_Raw', 'lakehouse-raw-zone', 'lakehouse-raw-zone'], samplingPercentage: 0, schedule: 'hourly', extra: 1 };
    await expect(onEvent()(event('Create', bad))).rejects.toThrow(
      'Invalid Macie classification job: extra: unknown field; known fields are name, description, accountId, buckets, schedule, samplingPercentage; ' +
        'accountId: got "${Token[AWS.AccountId]}"; expected a 12-digit AWS account ID; buckets[0]: got "Lake_Raw"; expected an S3 bucket name; ' +
        'buckets[2]: got "lakehouse-raw-zone"; listed twice; schedule: got "hourly"; expected one of daily, weekly, monthly; ' +
        'samplingPercentage: got 0; expected a whole number from 1 to 100',
    );
    await expect(onEvent()(event('Create', 'not json'))).rejects.toThrow('Spec: got "not json"; expected the JSON of a job spec');
    expect(server.calls.slice(callsBefore)).toEqual([]);
  });

  it('an unknown request type fails without calling Macie', async () => {
    const callsBefore = server.calls.length;
    await expect(onEvent()({ ...event('Create', SPEC), RequestType: 'Replace' as never })).rejects.toThrow('unknown RequestType "Replace"');
    expect(server.calls.slice(callsBefore)).toEqual([]);
  });

  it('an error Macie answers fails the event with its message, and no job is recorded', async () => {
    const before = server.jobs.size;
    server.refuseNext = { status: 402, type: 'ServiceQuotaExceededException', message: 'the account has reached its quota of classification jobs' };
    await expect(onEvent()(event('Create', SPEC))).rejects.toThrow('the account has reached its quota of classification jobs');
    expect(server.jobs.size).toBe(before);
  });

  it('Delete fails (and CloudFormation reports it) when Macie refuses to cancel for another reason', async () => {
    const created = await onEvent()(event('Create', SPEC));
    server.refuseNext = { status: 403, type: 'AccessDeniedException', message: 'not authorized to perform macie2:DescribeClassificationJob' };
    await expect(onEvent()(event('Delete', SPEC, { physicalId: created.PhysicalResourceId }))).rejects.toThrow('not authorized');
    expect(server.jobs.get(created.PhysicalResourceId)!.jobStatus).toBe('RUNNING');
  });
});

describe('jobName', () => {
  it('is the spec name and 8 hex digits of the spec, the same whatever the bucket order', () => {
    expect(jobName(SPEC)).toMatch(new RegExp(`^${SPEC.name}-[0-9a-f]{8}$`));
    expect(jobName({ ...SPEC, buckets: [...SPEC.buckets].reverse() })).toBe(jobName(SPEC));
    expect(jobName({ ...SPEC, schedule: 'daily' })).not.toBe(jobName(SPEC));
  });
});

describe('sameJob', () => {
  it('ignores bucket order and nothing else', () => {
    expect(sameJob(SPEC, { ...SPEC, buckets: [...SPEC.buckets].reverse() })).toBe(true);
    expect(sameJob(SPEC, { ...SPEC, buckets: SPEC.buckets.slice(1) })).toBe(false);
    expect(sameJob(SPEC, { ...SPEC, schedule: 'daily' })).toBe(false);
    expect(sameJob(SPEC, { ...SPEC, name: `${SPEC.name}x` })).toBe(false);
    expect(sameJob(SPEC, { ...SPEC, samplingPercentage: 11 })).toBe(false);
  });
});
