/**
 * Where the engine meets Temporal: its errors become ApplicationFailures carrying the error's
 * kind, code and the peer's own message (configuration and permanent errors are not retried),
 * and its progress becomes the activity's heartbeat.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ProvisioningError, toErrorInfo } from '../src/errors/index';
import type { Progress } from '../src/sync/index';

/** A ProvisioningError as a Temporal failure. */
export function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const info = toErrorInfo(error);
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
    return await failing(() => work(progress));
  } finally {
    clearInterval(timer);
  }
}

/** A name for the running activity that its retries share, so the log entries of one request are written once. */
export function activityRequest(): string | undefined {
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution && `${workflowExecution.runId}/${activityId}`;
}
