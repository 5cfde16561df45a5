/**
 * Errors are values with a kind, a provisioning error code and the target's own message.
 * They never carry a secret: messages are built from status codes and response bodies only,
 * never from request headers.
 */

/** How the caller should react: retry soon, give up on this object, match-and-link, or fix config. */
export type ErrorKind = 'transient' | 'permanent' | 'conflict' | 'configuration';

/** Provisioning-log error codes (Entra's names where Entra has one). */
export type ErrorCode =
  | 'Conflict'
  | 'TooManyRequests'
  | 'InternalServerError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'NetworkError'
  | 'Unauthorized'
  | 'NotPermitted'
  | 'NotFound'
  | 'BadRequest'
  | 'UnprocessableEntity'
  | 'PreconditionFailed'
  | 'NotImplemented'
  | 'InvalidResponse'
  | 'DuplicateTargetEntries'
  | 'DuplicateSourceEntries'
  | 'MandatoryFieldsMissing'
  | 'SchemaAttributeNotFound'
  | 'InvalidConfiguration'
  | 'SourceUnavailable'
  | 'DeltaTokenExpired'
  | 'TooManyDeletes'
  | 'Stopped'
  | 'Unknown';

/** Which peer an error came from: the directory (Graph), the identity platform that issues its tokens, the app's SCIM target, or scimflow's own database. */
export type Peer = 'source' | 'identity platform' | 'target' | 'store';

export interface ProvisioningErrorInit {
  kind: ErrorKind;
  /** The peer whose answer (or silence) this is; absent for scimflow's own errors. */
  peer?: Peer;
  code: ErrorCode;
  message: string;
  /** HTTP status of the peer's answer, when there was one. */
  status?: number;
  /** SCIM `scimType` of the target's error body (RFC 7644 §3.12). */
  scimType?: string;
  /** SCIM `detail` (or the peer's own error text). */
  detail?: string;
  /** How long the peer asked us to wait before retrying (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ProvisioningError extends Error {
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  readonly peer?: Peer;
  readonly status?: number;
  readonly scimType?: string;
  readonly detail?: string;
  readonly retryAfterMs?: number;

  constructor(init: ProvisioningErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProvisioningError';
    this.kind = init.kind;
    this.code = init.code;
    if (init.peer !== undefined) this.peer = init.peer;
    if (init.status !== undefined) this.status = init.status;
    if (init.scimType !== undefined) this.scimType = init.scimType;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** A plain JSON form for provisioning logs and activity results. */
  toJSON(): ErrorInfo {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      ...(this.peer !== undefined && { peer: this.peer }),
      ...(this.status !== undefined && { status: this.status }),
      ...(this.scimType !== undefined && { scimType: this.scimType }),
      ...(this.detail !== undefined && { detail: this.detail }),
    };
  }
}

/** The serialisable shape of an error, as stored in the provisioning log and escrow. */
export interface ErrorInfo {
  kind: ErrorKind;
  code: ErrorCode;
  message: string;
  peer?: Peer;
  status?: number;
  scimType?: string;
  detail?: string;
}

/** Any thrown value as an ErrorInfo; unknown errors count as transient so nothing is dropped. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof ProvisioningError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'transient', code: 'Unknown', message };
}

/**
 * Parses an HTTP `Retry-After` header (delta seconds, possibly fractional, or an HTTP date)
 * into milliseconds; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
