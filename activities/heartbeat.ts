/**
 * Heartbeats for long activities: the latest progress is reported on every change and every
 * few seconds, so a slow target does not look like a dead worker, a killed worker is noticed
 * within the heartbeat timeout, and a retry knows where the previous attempt got to.
 */
import { Context } from '@temporalio/activity';

/** Where a batch of objects got to: the page it was reading (null for an in-memory batch) and how many of that page's objects are saved. */
export interface ResumePoint {
  link: string | null;
  done: number;
}

export interface Heartbeat {
  /** What the previous attempt of this activity last reported, if anything. */
  resumed: Partial<ResumePoint> & Record<string, unknown>;
  beat(detail: object): void;
}

export async function withHeartbeat<T>(work: (heartbeat: Heartbeat) => Promise<T>): Promise<T> {
  const activity = Context.current();
  let latest: object = (activity.info.heartbeatDetails as object | undefined) ?? {};
  const heartbeat: Heartbeat = {
    resumed: { ...(latest as Heartbeat['resumed']) },
    beat(detail) {
      latest = { ...latest, ...detail };
      activity.heartbeat(latest);
    },
  };
  const timer = setInterval(() => activity.heartbeat(latest), 5_000);
  try {
    return await work(heartbeat);
  } finally {
    clearInterval(timer);
  }
}
