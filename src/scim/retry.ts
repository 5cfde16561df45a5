/**
 * When the SCIM client tries a request again, and after how long. Pure: the caller passes the
 * attempt number and a random source.
 */
import type { ProvisioningError } from '../errors/index';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The longest `Retry-After` the client waits for itself; a longer one is left to the orchestrator. */
  maxRetryAfterMs: number;
  /** The first backoff; it doubles with each attempt. */
  baseDelayMs: number;
  /** The backoff never grows beyond this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  maxRetryAfterMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

/** Exponential backoff with jitter: between half and all of `base * 2^(attempt-1)`, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long to wait before trying again after `error` on attempt `attempt` (1-based), or
 * undefined to give up and throw it.
 *
 * Only transient errors are retried, and 412 never (the caller must read the resource again).
 * A request that is not idempotent (a POST that creates) is retried only when the target
 * refused it outright (429, or 503 with Retry-After): after a timeout, a network error or
 * a 5xx it may have been processed, and a second POST could create a second account.
 */
export function retryDelayMs(
  error: ProvisioningError,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (error.kind !== 'transient' || error.code === 'PreconditionFailed') return undefined;
  const refused = error.code === 'TooManyRequests' || (error.code === 'ServiceUnavailable' && error.retryAfterMs !== undefined);
  if (!idempotent && !refused) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs > policy.maxRetryAfterMs ? undefined : error.retryAfterMs;
  return backoffMs(attempt, policy, random);
}
