/**
 * The last error of an app's job, as its status shows it: the error with the peer it came from,
 * the step (token, read source, write target, store), the cycle and when. Recorded when a
 * cycle's work fails (also while it is retried) and when an object fails because its peer is
 * away; a failure to record it never hides the error itself.
 */
import { ProvisioningError, toErrorInfo, type ErrorInfo } from '../errors/index';
import type { ErrorStep } from '../store/index';
import type { SyncEnv } from './env';

const STEPS: Record<NonNullable<ErrorInfo['peer']>, ErrorStep> = {
  'identity platform': 'token',
  source: 'read source',
  target: 'write target',
  store: 'store',
};

/** A database error: PostgreSQL's (and PGlite's) carry a five-character SQLSTATE and a severity. */
function isStoreError(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' || (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code));
}

/** Any error as ErrorInfo with its peer, a database error as the store's. */
export function errorWithPeer(error: unknown): ErrorInfo {
  const info = toErrorInfo(error);
  if (info.peer === undefined && !(error instanceof ProvisioningError) && isStoreError(error)) return { ...info, peer: 'store' };
  return info;
}

/** Whether an error says its peer could not be reached (as opposed to refusing the request). */
export function isPeerAway(info: ErrorInfo): boolean {
  return info.peer !== undefined && info.kind === 'transient' && (info.status === undefined || info.status >= 500);
}

export async function recordAppError(env: SyncEnv, appId: string, cycleId: string | null, info: ErrorInfo): Promise<void> {
  try {
    await env.store.appErrors.record(appId, { error: info, step: info.peer ? STEPS[info.peer] : 'unknown', cycleId, at: env.now() });
  } catch (error) {
    env.logger.warn({ appId, err: toErrorInfo(error) }, "recording the job's last error failed");
  }
}
