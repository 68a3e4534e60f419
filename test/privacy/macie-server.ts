import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A loopback server speaking the part of Amazon Macie's REST-JSON API that classification jobs use
 * (CreateClassificationJob POST /jobs, DescribeClassificationJob GET /jobs/{id}, UpdateClassificationJob
 * PATCH /jobs/{id}), so the handler runs with the real AWS SDK client end to end: request signing,
 * serialisation, error parsing. moto has no classification jobs (its macie2 covers sessions and members).
 *
 * It enforces what Macie documents for these calls: required fields, the job types and schedules, the
 * sampling range, idempotency by client token, and that a cancelled job cannot change status again.
 */
export interface StoredJob {
  readonly jobId: string;
  readonly jobArn: string;
  readonly clientToken: string;
  readonly request: Record<string, unknown>;
  jobStatus: 'RUNNING' | 'PAUSED' | 'USER_PAUSED' | 'IDLE' | 'CANCELLED' | 'COMPLETE';
}

export interface MacieServer {
  readonly endpoint: string;
  readonly jobs: Map<string, StoredJob>;
  /** Every request as method and path, in order. */
  readonly calls: string[];
  /** Services named in the SigV4 credential scope of the requests. */
  readonly signedFor: Set<string>;
  /** Answer the next request with this error instead (then behave normally again). */
  refuseNext?: { status: number; type: string; message: string };
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function createProblems(body: Record<string, unknown>): string | undefined {
  if (typeof body.name !== 'string' || body.name.length === 0) return 'name is required';
  if (body.jobType !== 'ONE_TIME' && body.jobType !== 'SCHEDULED') return 'jobType must be ONE_TIME or SCHEDULED';
  const definition = body.s3JobDefinition as { bucketDefinitions?: Array<{ accountId?: string; buckets?: string[] }> } | undefined;
  if (!definition?.bucketDefinitions?.length) return 's3JobDefinition.bucketDefinitions is required';
  for (const bucketDefinition of definition.bucketDefinitions) {
    if (!/^\d{12}$/.test(bucketDefinition.accountId ?? '') || !bucketDefinition.buckets?.length) return 'each bucket definition needs accountId and buckets';
  }
  const frequency = body.scheduleFrequency as Record<string, Record<string, unknown>> | undefined;
  if (body.jobType === 'SCHEDULED') {
    const kinds = Object.keys(frequency ?? {});
    if (kinds.length !== 1) return 'a SCHEDULED job needs exactly one of dailySchedule, weeklySchedule, monthlySchedule';
    if (frequency?.weeklySchedule && !['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].includes(String(frequency.weeklySchedule.dayOfWeek))) {
      return 'weeklySchedule.dayOfWeek must name a day';
    }
    const day = frequency?.monthlySchedule?.dayOfMonth;
    if (frequency?.monthlySchedule && !(Number.isInteger(day) && (day as number) >= 1 && (day as number) <= 31)) return 'monthlySchedule.dayOfMonth must be 1-31';
  } else if (frequency) {
    return 'scheduleFrequency is only valid for SCHEDULED jobs';
  }
  const sampling = body.samplingPercentage;
  if (sampling !== undefined && !(Number.isInteger(sampling) && (sampling as number) >= 1 && (sampling as number) <= 100)) return 'samplingPercentage must be 1-100';
  const selector = body.managedDataIdentifierSelector;
  if (selector !== undefined && !['ALL', 'EXCLUDE', 'INCLUDE', 'NONE', 'RECOMMENDED'].includes(String(selector))) return 'invalid managedDataIdentifierSelector';
  return undefined;
}

export async function startMacieServer(): Promise<MacieServer> {
  const jobs = new Map<string, StoredJob>();
  const calls: string[] = [];
  const signedFor = new Set<string>();

  const api: { -readonly [K in keyof MacieServer]: MacieServer[K] } = {
    endpoint: '',
    jobs,
    calls,
    signedFor,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0];
      calls.push(`${method} ${path}`);
      const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization ?? ''));
      if (!scope) return send(response, 403, { message: 'missing SigV4 signature' }, 'AccessDeniedException');
      signedFor.add(scope[1]);
      const body = await readBody(request);
      const refusal = api.refuseNext;
      if (refusal) {
        api.refuseNext = undefined;
        return send(response, refusal.status, { message: refusal.message }, refusal.type);
      }

      if (method === 'POST' && path === '/jobs') {
        const problem = createProblems(body);
        if (problem) return send(response, 400, { message: problem }, 'ValidationException');
        const clientToken = String(body.clientToken ?? '');
        const existing = [...jobs.values()].find((job) => job.clientToken === clientToken);
        if (existing) return send(response, 200, { jobId: existing.jobId, jobArn: existing.jobArn });
        const jobId = randomBytes(16).toString('hex');
        const job: StoredJob = { jobId, jobArn: `arn:aws:macie2:${REGION}:${ACCOUNT}:classification-job/${jobId}`, clientToken, request: body, jobStatus: 'RUNNING' };
        jobs.set(jobId, job);
        return send(response, 200, { jobId, jobArn: job.jobArn });
      }
      const match = /^\/jobs\/([^/]+)$/.exec(path);
      const job = match ? jobs.get(decodeURIComponent(match[1])) : undefined;
      if (match && !job) return send(response, 404, { message: `job ${match[1]} not found` }, 'ResourceNotFoundException');
      if (job && method === 'GET') {
        return send(response, 200, { ...job.request, jobId: job.jobId, jobArn: job.jobArn, jobStatus: job.jobStatus, createdAt: new Date().toISOString() });
      }
      if (job && method === 'PATCH') {
        const status = String(body.jobStatus ?? '');
        if (!['RUNNING', 'USER_PAUSED', 'CANCELLED'].includes(status)) return send(response, 400, { message: 'jobStatus must be RUNNING, USER_PAUSED or CANCELLED' }, 'ValidationException');
        if (job.jobStatus === 'CANCELLED' || job.jobStatus === 'COMPLETE') {
          return send(response, 400, { message: `the job is ${job.jobStatus} and its status cannot change` }, 'ValidationException');
        }
        job.jobStatus = status as StoredJob['jobStatus'];
        return send(response, 200, {});
      }
      return send(response, 404, { message: `no route for ${method} ${path}` }, 'ResourceNotFoundException');
    })().catch((error: unknown) => send(response, 500, { message: String(error) }, 'InternalServerException'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api.endpoint = `http://127.0.0.1:${port}`;
  return api;
}
