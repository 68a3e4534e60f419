/**
 * A loopback HTTP server speaking the two Athena operations find-results calls (GetQueryExecution,
 * GetQueryResults) in Athena's wire format (awsJson1_1: POST /, `X-Amz-Target: AmazonAthena.<op>`, errors
 * as `__type`), with results paged as Athena pages them: the first row of a SELECT's first page is the
 * header. moto's Athena never fails a query (it succeeds, or is CANCELLED when stopped) and ignores
 * MaxResults/NextToken, so neither a failed query nor pagination could be tested against it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeQuery {
  readonly state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RUNNING';
  readonly reason?: string;
  readonly errorType?: number;
  readonly columns: readonly string[];
  /** Data rows (no header); null is a SQL NULL (no VarCharValue). */
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
  /** Leave out the header row, as Athena does for statements that are not SELECTs. @default false */
  readonly noHeader?: boolean;
}

export interface AthenaServer {
  readonly endpoint: string;
  readonly requests: Array<{ operation: string; body: Record<string, unknown> }>;
  setQuery(id: string, query: FakeQuery): void;
  stop(): Promise<void>;
}

export async function startAthenaServer(): Promise<AthenaServer> {
  const queries = new Map<string, FakeQuery>();
  const requests: AthenaServer['requests'] = [];
  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    request.on('data', (chunk) => (raw += String(chunk)));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '');
      const body = (raw === '' ? {} : JSON.parse(raw)) as Record<string, unknown>;
      requests.push({ operation, body });
      const query = queries.get(String(body.QueryExecutionId));
      if (!query) return reply(response, 400, { __type: 'InvalidRequestException', Message: `QueryExecution ${String(body.QueryExecutionId)} was not found` });
      if (operation === 'GetQueryExecution') {
        return reply(response, 200, { QueryExecution: { QueryExecutionId: body.QueryExecutionId, Status: { State: query.state, StateChangeReason: query.reason, AthenaError: query.errorType === undefined ? undefined : { ErrorCategory: 2, ErrorType: query.errorType } } } });
      }
      if (operation === 'GetQueryResults') {
        if (query.state !== 'SUCCEEDED') return reply(response, 400, { __type: 'InvalidRequestException', Message: `Query has not yet finished. Current state: ${query.state}` });
        const all = [...(query.noHeader ? [] : [query.columns]), ...query.rows];
        const start = Number(body.NextToken ?? 0);
        const size = Number(body.MaxResults ?? 1000);
        const page = all.slice(start, start + size);
        return reply(response, 200, {
          ResultSet: {
            Rows: page.map((row) => ({ Data: row.map((value) => (value === null ? {} : { VarCharValue: value })) })),
            ResultSetMetadata: { ColumnInfo: query.columns.map((name) => ({ Name: name, Label: name, Type: name === '$rows' ? 'bigint' : 'varchar' })) },
          },
          NextToken: start + size < all.length ? String(start + size) : undefined,
        });
      }
      reply(response, 400, { __type: 'UnknownOperationException', Message: operation });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setQuery: (id, query) => queries.set(id, query),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
