/**
 * Where the engine meets Temporal: its errors become ApplicationFailures carrying the error's
 * kind, code and the peer's own message (configuration and permanent errors are not retried),
 * and its progress becomes the activity's heartbeat.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ProvisioningError, type ErrorInfo } from '../src/errors/index';
import { quarantineSettings } from '../src/quarantine/index';
import { errorWithPeer, recordAppError, type Progress, type SyncEnv } from '../src/sync/index';

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

/** How often the latest progress is reported even when it did not change: a slow target does not look like a dead worker. */
const HEARTBEAT_EVERY_MS = 5_000;

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
  };
  const timer = setInterval(() => activity.heartbeat(latest), HEARTBEAT_EVERY_MS);
  try {
    return await work(progress);
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
    if (error instanceof ApplicationFailure) throw error;
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
