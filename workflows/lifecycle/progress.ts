/**
 * Per-app progress of a lifecycle run, as plain data with its transitions: what the progress
 * query answers (waiting, pending, done, failed with the target's error and the next retry).
 */
import type { ErrorInfo } from '../../src/errors/index';
import type { PersonAppResult } from '../../src/lifecycle/contract';

export type AppStep = 'provision' | 'enable' | 'disable' | 'delete' | 'remove';

export interface AppProgress {
  appId: string;
  displayName: string;
  step: AppStep;
  state: 'waiting' | 'pending' | 'done' | 'failed' | 'cancelled';
  /** When the step is due (ISO), while waiting. */
  dueAt: string | null;
  /** Tries of the current step so far. */
  attempts: number;
  /** What the last try did (Create, Disable, ...) and how it ended. */
  action: string | null;
  status: PersonAppResult['status'] | null;
  reason: string | null;
  /** The target's error of the last failed try. */
  error: Pick<ErrorInfo, 'code' | 'message' | 'detail'> | null;
  nextRetryAt: string | null;
}

export function waiting(app: { appId: string; displayName: string }, step: AppStep, dueAt: number | null): AppProgress {
  return {
    appId: app.appId,
    displayName: app.displayName,
    step,
    state: 'waiting',
    dueAt: dueAt === null ? null : new Date(dueAt).toISOString(),
    attempts: 0,
    action: null,
    status: null,
    reason: null,
    error: null,
    nextRetryAt: null,
  };
}

/** The step starts over (a new step of the same app, e.g. delete after disable). */
export function startStep(progress: AppProgress, step: AppStep, dueAt: number | null): void {
  Object.assign(progress, waiting(progress, step, dueAt));
}

export function tried(progress: AppProgress, result: PersonAppResult, done: boolean, nextRetryAt: number | null): void {
  progress.attempts += 1;
  progress.action = result.action;
  progress.status = result.status;
  progress.reason = result.reason;
  progress.state = done ? 'done' : 'failed';
  progress.dueAt = null;
  progress.error =
    done || !result.error
      ? null
      : {
          code: result.error.code,
          message: result.error.message,
          ...(result.error.detail !== undefined && { detail: result.error.detail }),
        };
  progress.nextRetryAt = done || nextRetryAt === null ? null : new Date(nextRetryAt).toISOString();
}

/** A try that could not even run (the activity failed): its error stands in for a target's. */
export function failedToRun(appId: string, error: ErrorInfo): PersonAppResult {
  return { appId, status: 'Failure', action: null, targetId: null, reason: error.message, error };
}

/** Whether a result leaves the step done: success, a skip (nothing to do) or a warning. */
export function isDone(result: PersonAppResult): boolean {
  return result.status === 'Success' || result.status === 'Skipped' || result.status === 'Warning';
}
