/**
 * Failed authentication per client address: a fixed window of one minute, and past the limit
 * (20 failures by default) the address is refused until the window ends. Only failures count,
 * so a caller with a valid token is never slowed. Each API process counts its own.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

export interface FailureLimiterOptions {
  /** Failures an address may have per window (default 20). */
  limit?: number;
  /** The window (default one minute). */
  windowMs?: number;
  /** Addresses tracked at most; the oldest windows are forgotten first (default 10,000). */
  maxTracked?: number;
  now?: () => number;
}

export interface FailureLimiter {
  /** Seconds until the address may try again; undefined while it may. */
  retryAfter(address: string): number | undefined;
  /** Counts a failure of the address. */
  fail(address: string): void;
}

/**
 * A limiter of failed attempts per address.
 *
 * @example
 * const limiter = createFailureLimiter({ limit: 20 });
 * limiter.fail('203.0.113.7');
 * limiter.retryAfter('203.0.113.7'); // undefined until the 20th failure of the minute
 */
export function createFailureLimiter(options: FailureLimiterOptions = {}): FailureLimiter {
  const limit = options.limit ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; failures: number }>();

  const current = (address: string, at: number) => {
    const window = windows.get(address);
    return window && at - window.start < windowMs ? window : undefined;
  };

  function forgetOld(at: number) {
    for (const [address, window] of windows) if (at - window.start >= windowMs) windows.delete(address);
    // Still full: the windows that began first go (a Map iterates in insertion order).
    for (const address of windows.keys()) {
      if (windows.size < maxTracked) break;
      windows.delete(address);
    }
  }

  return {
    retryAfter(address) {
      const at = now();
      const window = current(address, at);
      if (!window || window.failures < limit) return undefined;
      return Math.max(1, Math.ceil((window.start + windowMs - at) / 1000));
    },
    fail(address) {
      const at = now();
      const window = current(address, at);
      if (window) {
        window.failures += 1;
        return;
      }
      windows.delete(address);
      if (windows.size >= maxTracked) forgetOld(at);
      windows.set(address, { start: at, failures: 1 });
    },
  };
}

/** The client's address as the connection gives it (a proxy in front counts as one client); `unknown` without one. */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
