/**
 * Where the engine meets Temporal: its errors become ApplicationFailures carrying the error's
 * kind, code and the peer's own message (configuration and permanent errors are not retried),
 * and its progress becomes the activity's heartbeat.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ProvisioningError, type ErrorInfo } from '../src/errors/index';
import { quarantineSettings } from '../src/quarantine/index';
import { errorWithPeer, recordAppError, Stopped, type Progress, type SyncEnv } from '../src/sync/index';

/** A ProvisioningError as a Temporal failure. */
export function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const info = errorWithPeer(error);
  const retryAfterMs = error instanceof ProvisioningError ? error.retryAfterMs : undefined;
  return ApplicationFailure.create({
    message: info.detail ? `${info.message}: ${info.detail}` : info.message,
    type: info.code,
    nonRetryable: info.kind === 'configuration' || info.kind === 'permanent',
    details: [info],
    ...(retryAfterMs !== undefined && { nextRetryDelay: retryAfterMs }),
  });
}

/** Runs an activity's work, its errors reported as Temporal failures. */
export async function failing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toFailure(error);
  }
}

/**
 * How often the latest progress is reported even when it did not change: a slow target does not
 * look like a dead worker, and a cancellation (the worker passes it on with the heartbeat's
 * answer, see src/temporal/worker.ts) reaches the activity within seconds.
 */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Runs long work with the activity's heartbeat as its progress: reported on every change and
 * every few seconds, so a killed worker is noticed within the heartbeat timeout and a retry
 * knows where the previous try got to.
 */
export async function withProgress<T>(work: (progress: Progress) => Promise<T>): Promise<T> {
  const activity = Context.current();
  let latest: object = (activity.info.heartbeatDetails as object | undefined) ?? {};
  const progress: Progress = {
    attempt: activity.info.attempt,
    resumed: { ...(latest as Progress['resumed']) },
    beat(detail) {
      latest = { ...latest, ...detail };
      activity.heartbeat(latest);
    },
    stopped: () => activity.cancellationSignal.aborted,
  };
  const timer = setInterval(() => activity.heartbeat(latest), HEARTBEAT_EVERY_MS);
  try {
    return await work(progress);
  } catch (error) {
    // Asked to stop (the cycle was cancelled): what was in flight is recorded, the rest waits for the next cycle.
    if (error instanceof Stopped || activity.cancellationSignal.aborted)
      throw new CancelledFailure(error instanceof Error ? error.message : 'cancelled');
    throw error;
  } finally {
    clearInterval(timer);
  }
}

/** How long an app's peers may stay away; the default when the store cannot tell either. */
async function unreachableMs(env: SyncEnv, appId: string): Promise<number> {
  try {
    const app = await env.store.apps.get(appId);
    return quarantineSettings(app ?? {}).unreachableMinutes * 60_000;
  } catch {
    return quarantineSettings({}).unreachableMinutes * 60_000;
  }
}

/** The failure of an attempt whose peer stayed away past the app's bound: not retried, the cycle ends and the job is quarantined. */
function awayTooLong(info: ErrorInfo, minutes: number): ApplicationFailure {
  const message = `${info.peer ?? 'a peer'} has been failing for more than ${minutes} minutes (quarantine.unreachableMinutes): ${info.message}`;
  return ApplicationFailure.create({ message, type: info.code, nonRetryable: true, details: [{ ...info, message }] });
}

/**
 * Runs a cycle activity's work for one app. Its failure becomes the app's last error (shown in
 * the job's status while the activity is still retried), and once a peer (the directory, its
 * identity platform, the target or the database) has been failing for longer than the app's
 * `quarantine.unreachableMinutes` since the activity's first try, the attempt fails for good:
 * no activity retries forever.
 */
export async function forApp<T>(env: SyncEnv, at: { appId: string; cycleId: string | null }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApplicationFailure || error instanceof CancelledFailure) throw error;
    const info = errorWithPeer(error);
    await recordAppError(env, at.appId, at.cycleId, info);
    if (info.kind === 'transient') {
      const bound = await unreachableMs(env, at.appId);
      if (Date.now() - Context.current().info.scheduledTimestampMs >= bound) throw awayTooLong(info, bound / 60_000);
    }
    throw toFailure(error);
  }
}

/** A name for the running activity that its retries share, so the log entries of one request are written once. */
export function activityRequest(): string | undefined {
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution && `${workflowExecution.runId}/${activityId}`;
}
