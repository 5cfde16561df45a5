/**
 * How long engine work reports where it got to. An activity passes Temporal's heartbeat (see
 * activities/temporal.ts); tests and one-off calls pass `untracked`.
 */

/** Where a stream of objects got to: the page it was reading (null for an in-memory batch) and how many of that page's objects are recorded. */
export interface ResumePoint {
  link: string | null;
  done: number;
}

export interface Progress {
  /** The try of this piece of work: 1, then 2, ... after a crash or a failure. */
  attempt: number;
  /** What the previous try last reported, if anything. */
  resumed: Partial<ResumePoint> & Record<string, unknown>;
  /** Reports progress (merged into what was reported before). */
  beat(detail: object): void;
  /** Whether the work was asked to stop (the job paused or its app deleted); a stream stops at its next object. */
  stopped?: () => boolean;
}

/** The error a stream stops with when its work was asked to stop. */
export class Stopped extends Error {
  constructor() {
    super('the work was asked to stop: the job was paused, quarantined or its app deleted');
    this.name = 'Stopped';
  }
}

/** Progress of work nobody resumes: a first try that reports nothing. */
export const untracked: Progress = { attempt: 1, resumed: {}, beat: () => {} };

/**
 * The progress of one part of a piece of work, reported under its own key so that the main
 * stream's resume point stays its own. Such parts start over on a retry: they work on a list
 * computed afresh, which leaves out what the last try recorded (an escrow entry cleared, an
 * anchor written).
 */
export function partOf(progress: Progress, key: string): Progress {
  return {
    attempt: progress.attempt,
    resumed: {},
    beat: (detail) => progress.beat({ [key]: detail }),
    ...(progress.stopped && { stopped: progress.stopped }),
  };
}
