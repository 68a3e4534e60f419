/**
 * PLACEHOLDER until the collector runtime lands: answers every request with 503, so that a deployed stack
 * never accepts events it cannot validate. The runtime replaces this file (same export and signature).
 */

/** The parts of API Gateway's REST proxy event (v1) this placeholder reads: none. */
export type APIGatewayProxyEvent = Readonly<Record<string, unknown>>;

export interface APIGatewayProxyResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  void event;
  return {
    statusCode: 503,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ success: false, message: 'the collector runtime is not deployed yet' }),
  };
}
