/**
 * A loopback HTTP server speaking the three AWS Backup operations the recovery-evidence handlers call, in
 * Backup's wire format (restJson1: REST paths, JSON bodies, timestamps as epoch seconds, errors as a
 * status plus `x-amzn-ErrorType`), so the real `@aws-sdk/client-backup` is exercised end to end (signing,
 * serialisation, pagination, error parsing). moto 5.2.1 implements none of them (its Backup backend
 * covers plans, vaults and report plans only), hence this server.
 *
 * - GET  /backup-vaults/{vault}/recovery-points/?resourceArn=…&nextToken=…   ListRecoveryPointsByBackupVault
 * - GET  /restore-jobs/{id}                                                    DescribeRestoreJob
 * - PUT  /restore-jobs/{id}/validations                                        PutRestoreValidationResult
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recovery point as the test declares it (dates as Date; serialised as epoch seconds). */
export interface FakeRecoveryPoint {
  readonly RecoveryPointArn: string;
  readonly ResourceArn: string;
  readonly Status: string;
  readonly CreationDate: Date;
  readonly CompletionDate?: Date;
}

export interface FakeRestoreJob {
  readonly RestoreJobId: string;
  readonly Status: string;
  readonly StatusMessage?: string;
  readonly ResourceType: string;
  readonly CreatedResourceArn?: string;
  readonly CreationDate: Date;
  readonly CompletionDate?: Date;
  readonly CreatedBy?: { readonly RestoreTestingPlanArn: string };
}

export interface BackupServer {
  readonly endpoint: string;
  /** Every request: method, path (with query) and, for PUT, the parsed body. */
  readonly requests: Array<{ method: string; url: string; body?: unknown }>;
  setVault(name: string, points: readonly FakeRecoveryPoint[]): void;
  setRestoreJob(job: FakeRestoreJob): void;
  /** Listing this resource ARN answers 500 ServiceUnavailableException. */
  failListingOf(resourceArn: string | undefined): void;
  stop(): Promise<void>;
}

/** Recovery points per page, small so that tests exercise NextToken. */
const PAGE_SIZE = 2;

const epoch = (date: Date | undefined) => (date === undefined ? undefined : date.getTime() / 1000);

export async function startBackupServer(): Promise<BackupServer> {
  const vaults = new Map<string, FakeRecoveryPoint[]>();
  const jobs = new Map<string, FakeRestoreJob>();
  const requests: BackupServer['requests'] = [];
  let failing: string | undefined;

  const error = (response: ServerResponse, status: number, type: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    response.end(JSON.stringify({ message }));
  };
  const json = (response: ServerResponse, body: unknown) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    request.on('data', (chunk) => (raw += String(chunk)));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = raw === '' ? undefined : JSON.parse(raw);
      requests.push({ method: request.method ?? '', url: `${url.pathname}${url.search}`, body });
      const list = /^\/backup-vaults\/([^/]+)\/recovery-points\/?$/.exec(url.pathname);
      if (request.method === 'GET' && list) {
        const vault = vaults.get(decodeURIComponent(list[1]));
        if (!vault) return error(response, 404, 'ResourceNotFoundException', `vault ${list[1]} not found`);
        const resourceArn = url.searchParams.get('resourceArn') ?? undefined;
        if (resourceArn !== undefined && resourceArn === failing) return error(response, 500, 'ServiceUnavailableException', 'try again');
        const matching = vault.filter((point) => resourceArn === undefined || point.ResourceArn === resourceArn);
        const start = Number(url.searchParams.get('nextToken') ?? '0');
        const page = matching.slice(start, start + PAGE_SIZE);
        return json(response, {
          RecoveryPoints: page.map((point) => ({ ...point, CreationDate: epoch(point.CreationDate), CompletionDate: epoch(point.CompletionDate), BackupVaultName: list[1] })),
          NextToken: start + PAGE_SIZE < matching.length ? String(start + PAGE_SIZE) : undefined,
        });
      }
      const job = /^\/restore-jobs\/([^/]+)(\/validations)?$/.exec(url.pathname);
      if (job) {
        const found = jobs.get(decodeURIComponent(job[1]));
        if (!found) return error(response, 404, 'ResourceNotFoundException', `restore job ${job[1]} not found`);
        if (request.method === 'GET' && !job[2]) return json(response, { ...found, CreationDate: epoch(found.CreationDate), CompletionDate: epoch(found.CompletionDate) });
        if (request.method === 'PUT' && job[2]) {
          if (!['SUCCESSFUL', 'FAILED', 'TIMED_OUT', 'VALIDATING'].includes(body?.ValidationStatus)) {
            return error(response, 400, 'InvalidParameterValueException', 'ValidationStatus');
          }
          response.writeHead(204);
          return response.end();
        }
      }
      error(response, 404, 'UnknownOperationException', `${request.method} ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setVault: (name, points) => vaults.set(name, [...points]),
    setRestoreJob: (found) => jobs.set(found.RestoreJobId, found),
    failListingOf: (arn) => (failing = arn),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
