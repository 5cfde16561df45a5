/**
 * Turns a SCIM target's answers (and the lack of one) into ProvisioningError values. Messages
 * name the method, the path without its query and the status; `detail` carries the target's own
 * words. Nothing here sees request headers, so no credential can reach an error.
 */
import { ProvisioningError, parseRetryAfter, type ErrorCode, type ErrorKind } from '../errors/index';

/** The request an error is about: the method and the path below the base URL, without a query. */
export interface RequestLine {
  method: string;
  path: string;
  /**
   * Blanks secrets out of text the peer sent before any of it goes into an error. It runs on
   * the whole text, before excerpting, so that no cut or reflowed part of a secret survives.
   */
  redact?: (text: string) => string;
}

function peerText(request: RequestLine, text: string): string {
  return request.redact ? request.redact(text) : text;
}

/** The longest excerpt of a peer's body kept in `detail`. */
export const MAX_DETAIL_LENGTH = 500;

const STATUS_CLASSES: Record<number, { kind: ErrorKind; code: ErrorCode }> = {
  400: { kind: 'permanent', code: 'BadRequest' },
  401: { kind: 'configuration', code: 'Unauthorized' },
  403: { kind: 'configuration', code: 'NotPermitted' },
  404: { kind: 'permanent', code: 'NotFound' },
  405: { kind: 'configuration', code: 'NotImplemented' },
  408: { kind: 'transient', code: 'Timeout' },
  409: { kind: 'conflict', code: 'Conflict' },
  412: { kind: 'transient', code: 'PreconditionFailed' },
  413: { kind: 'permanent', code: 'BadRequest' },
  422: { kind: 'permanent', code: 'UnprocessableEntity' },
  429: { kind: 'transient', code: 'TooManyRequests' },
  501: { kind: 'configuration', code: 'NotImplemented' },
  503: { kind: 'transient', code: 'ServiceUnavailable' },
};

/** The kind and code of an unsuccessful HTTP status. */
export function classifyStatus(status: number): { kind: ErrorKind; code: ErrorCode } {
  const known = STATUS_CLASSES[status];
  if (known) return known;
  if (status >= 500 && status <= 599) return { kind: 'transient', code: 'InternalServerError' };
  if (status >= 400 && status <= 499) return { kind: 'permanent', code: 'BadRequest' };
  // A redirect is not followed (it could carry the credential elsewhere): the base URL is wrong.
  if (status >= 300 && status <= 399) return { kind: 'configuration', code: 'InvalidConfiguration' };
  return { kind: 'permanent', code: 'InvalidResponse' };
}

/** A peer's text trimmed, with runs of whitespace collapsed, cut to `max` characters; undefined when empty. */
export function excerpt(text: string, max: number = MAX_DETAIL_LENGTH): string | undefined {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return undefined;
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Replaces each secret in `text` by `[redacted]`. A target may echo request headers in an error
 * page; this keeps such an echo out of the error. Secrets shorter than 8 characters are ignored
 * so that trivial strings are not blanked out.
 */
export function redact(text: string, secrets: readonly string[]): string {
  // Also the forms a peer may reflow a secret into (whitespace collapsed, as `excerpt` does).
  const forms = secrets.flatMap((secret) => [secret, secret.trim(), secret.replace(/\s+/g, ' ').trim()]);
  let out = text;
  for (const secret of [...new Set(forms)].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** `scimType` and `detail` of a SCIM error body, or an excerpt of any other body. */
export function readErrorBody(text: string): { scimType?: string; detail?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const { detail, scimType } = parsed as { detail?: unknown; scimType?: unknown };
    if (typeof detail === 'string' || typeof scimType === 'string') {
      const out: { scimType?: string; detail?: string } = {};
      if (typeof scimType === 'string' && scimType !== '') out.scimType = scimType;
      const detailText = typeof detail === 'string' ? excerpt(detail) : undefined;
      if (detailText !== undefined) out.detail = detailText;
      return out;
    }
  }
  const detail = excerpt(text);
  return detail === undefined ? {} : { detail };
}

function requestError(request: RequestLine, what: string, detail: string | undefined): string {
  return `${request.method} ${request.path} ${what}${detail === undefined ? '' : `: ${detail}`}`;
}

/**
 * The error for an unsuccessful HTTP answer.
 *
 * @param retryAfter the raw `Retry-After` header, kept as `retryAfterMs` when readable
 */
export function errorFromResponse(
  request: RequestLine,
  status: number,
  bodyText: string,
  retryAfter?: string | null,
  now: number = Date.now(),
): ProvisioningError {
  const { kind, code } = classifyStatus(status);
  const { scimType, detail } = readErrorBody(peerText(request, bodyText));
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  const what =
    status >= 300 && status <= 399 ? `was redirected (HTTP ${status}); use the final URL as the base URL` : `failed with HTTP ${status}`;
  return new ProvisioningError({
    peer: 'target',
    kind,
    code,
    message: requestError(request, what, detail),
    status,
    ...(scimType !== undefined && { scimType }),
    ...(detail !== undefined && { detail }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

/** The error for a request that got no complete answer within `timeoutMs`. */
export function timeoutError(request: RequestLine, timeoutMs: number): ProvisioningError {
  return new ProvisioningError({
    peer: 'target',
    kind: 'transient',
    code: 'Timeout',
    message: requestError(request, `got no answer within ${timeoutMs} ms`, undefined),
  });
}

/**
 * The error for a request that failed below HTTP (refused connection, DNS, TLS, reset). The
 * detail is the cause's code and message (undici puts the socket error in `cause`).
 */
export function networkError(request: RequestLine, failure: unknown): ProvisioningError {
  const parts: string[] = [];
  for (let e: unknown = failure, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  const detail = excerpt(peerText(request, parts.join(': ') || String(failure)));
  return new ProvisioningError({
    peer: 'target',
    kind: 'transient',
    code: 'NetworkError',
    message: requestError(request, 'failed on the network', detail),
    ...(detail !== undefined && { detail }),
  });
}

/** The error for a successful status whose body is not what SCIM promises. */
export function invalidResponse(request: RequestLine, status: number, reason: string, bodyText = ''): ProvisioningError {
  const detail = excerpt(peerText(request, bodyText));
  return new ProvisioningError({
    peer: 'target',
    kind: 'permanent',
    code: 'InvalidResponse',
    message: peerText(request, `${request.method} ${request.path} answered HTTP ${status} with ${reason}`),
    status,
    ...(detail !== undefined && { detail }),
  });
}
