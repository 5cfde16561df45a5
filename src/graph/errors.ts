/**
 * Graph failures as ProvisioningErrors: the HTTP status decides the kind, Graph's own
 * `error.code` and `error.message` go into the detail. Nothing from request headers is used,
 * and the client secret is scrubbed from any text the peer echoed back.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { parseRetryAfter, ProvisioningError, type ErrorCode, type ErrorKind } from '../errors/index';

/** Graph error codes that mean "this delta token is no longer usable: start an initial round". */
const EXPIRED_DELTA_CODES = new Set([
  'syncstatenotfound',
  'resyncrequired',
  'syncstateinvalid',
  'resyncapplydifferences',
  'resyncuploaddifferences',
]);

/** Whether a Graph answer says the delta token expired (410 Gone, or one of the resync codes). */
export function isDeltaTokenExpired(status: number | undefined, code: string | null | undefined): boolean {
  return status === 410 || (code !== null && code !== undefined && EXPIRED_DELTA_CODES.has(code.toLowerCase()));
}

/** Replaces every occurrence of `secret` (also URL-encoded) in `text`. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let result = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('[redacted]');
  return result;
}

/**
 * Wraps a ProvisioningError so that it passes through the Graph client unchanged: the client
 * rethrows GraphClientErrors as they are, anything else an auth provider throws is rewrapped
 * and loses its kind.
 */
export function carry(error: ProvisioningError): GraphClientError {
  const carrier = new GraphClientError(error.message);
  carrier.customError = error;
  return carrier;
}

function classify(status: number): { kind: ErrorKind; code: ErrorCode } {
  if (status === 400) return { kind: 'permanent', code: 'BadRequest' };
  if (status === 401) return { kind: 'configuration', code: 'Unauthorized' };
  if (status === 403) return { kind: 'configuration', code: 'NotPermitted' };
  if (status === 404) return { kind: 'permanent', code: 'NotFound' };
  if (status === 429) return { kind: 'transient', code: 'TooManyRequests' };
  if (status === 503) return { kind: 'transient', code: 'ServiceUnavailable' };
  if (status === 504) return { kind: 'transient', code: 'Timeout' };
  if (status >= 500) return { kind: 'transient', code: 'InternalServerError' };
  return { kind: 'permanent', code: 'Unknown' };
}

/**
 * Any error from a Graph call as a ProvisioningError.
 *
 * @param delta the call read a delta link: expired-token answers become `DeltaTokenExpired`.
 */
export function toGraphError(error: unknown, options: { secret?: string; delta?: boolean } = {}): ProvisioningError {
  if (error instanceof ProvisioningError) return error;
  if (error instanceof GraphClientError && error.customError instanceof ProvisioningError) return error.customError;
  if (!(error instanceof GraphError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new ProvisioningError({
      peer: 'source',
      kind: 'transient',
      code: 'Unknown',
      message: `Microsoft Graph call failed: ${redact(message, options.secret)}`,
    });
  }
  const status = error.statusCode;
  const peerText = redact([error.code, error.message].filter(Boolean).join(': '), options.secret);
  if (status === undefined || status < 0) {
    return new ProvisioningError({
      peer: 'source',
      kind: 'transient',
      code: 'NetworkError',
      message: `Microsoft Graph is unreachable: ${peerText || 'no response'}`,
      detail: peerText,
    });
  }
  if (options.delta && isDeltaTokenExpired(status, error.code)) {
    return new ProvisioningError({
      peer: 'source',
      kind: 'permanent',
      code: 'DeltaTokenExpired',
      status,
      message: `Microsoft Graph no longer accepts the delta token (${status}): an initial round is needed`,
      detail: peerText,
    });
  }
  const { kind, code } = classify(status);
  const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'));
  return new ProvisioningError({
    peer: 'source',
    kind,
    code,
    status,
    message: `Microsoft Graph answered ${status}${peerText ? `: ${peerText}` : ''}`,
    ...(peerText && { detail: peerText }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}
