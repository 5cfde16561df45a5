/** Response shapes of Microsoft Graph and the Microsoft identity platform, as documented. */
import { randomUUID } from 'node:crypto';

export interface SandboxResponse {
  status: number;
  /** A JSON body. */
  body?: unknown;
  /** A plain-text body (e.g. `/users/$count`), sent instead of `body`. */
  text?: string;
  headers?: Record<string, string>;
}

/** Graph's error body: `{"error": {"code", "message", "innerError": {date, request-id, client-request-id}}}`. */
export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): SandboxResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': requestId },
      },
    },
  };
}

/** The identity platform's OAuth error body, e.g. `invalid_client` with an `AADSTS…` description. */
export function tokenError(status: number, error: string, aadsts: number, description: string): SandboxResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.(\d{3})Z$/, '.$1Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}
