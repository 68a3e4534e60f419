/**
 * The parts of API Gateway's REST proxy integration event (payload format 1.0) and result the collector
 * uses. API Gateway hands a binary body (a gzip body, when the API lists it among its binary media
 * types) to the function as base64 with `isBase64Encoded: true`; header names keep the client's case.
 */

export interface APIGatewayProxyEvent {
  readonly httpMethod: string;
  /** The resource path as received, for example `/v1/track` (a stage prefix is not part of it). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly requestId?: string;
    /** Epoch milliseconds at which API Gateway received the request. */
    readonly requestTimeEpoch?: number;
    readonly identity?: { readonly sourceIp?: string | null };
  };
}

export interface APIGatewayProxyResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A header's value, whatever case the client wrote its name in; the first value when repeated. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values !== undefined && values.length > 0) return values[0];
  }
  return undefined;
}
