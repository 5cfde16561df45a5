/**
 * The state machine of an app's provisioning job, kept apart from the workflow so it can be
 * tested as plain code: active or paused, when the next cycle is due, what the last one did.
 */
import type { CycleSummary } from '../src/sync/contract';

export type JobState = 'active' | 'paused' | 'quarantined';

export interface Quarantine {
  reason: 'TooManyDeletes';
  since: string;
  detail: string;
}

export interface JobSnapshot {
  appId: string;
  state: JobState;
  intervalMinutes: number;
  /** Number of the last cycle started (0 before the first). */
  cycleNumber: number;
  /** When the next scheduled cycle is due (epoch ms); null runs one right away. */
  nextRunAt: number | null;
  runRequested: boolean;
  lastCycle: CycleSummary | null;
  quarantine?: Quarantine | null;
  /** The next cycle may deprovision past the threshold (an admin allowed the deletes). */
  forceDeletes?: boolean;
}

export interface JobStatus {
  appId: string;
  state: JobState;
  intervalMinutes: number;
  nextRunAt: string | null;
  /** Workflow id of the running cycle, if one runs. */
  currentCycleWorkflowId: string | null;
  /** A run-now request waits: it starts a cycle once the job is active (at once unless paused or quarantined). */
  runRequested: boolean;
  lastCycle: CycleSummary | null;
  quarantine: Quarantine | null;
}

export function initialSnapshot(appId: string, intervalMinutes: number): JobSnapshot {
  return { appId, state: 'active', intervalMinutes, cycleNumber: 0, nextRunAt: null, runRequested: false, lastCycle: null };
}

export class AppJob {
  private snapshot: JobSnapshot;
  private runningCycle: string | null = null;
  stopRequested = false;

  constructor(snapshot: JobSnapshot) {
    this.snapshot = { ...snapshot };
  }

  pause(): void {
    this.snapshot.state = 'paused';
  }

  /** Resumes a paused or quarantined job; a resumed job whose cycle is overdue runs at once. */
  resume(): void {
    this.snapshot.state = 'active';
    this.snapshot.quarantine = null;
  }

  /**
   * Lets the next cycle deprovision past the threshold (Entra's "allow deletes"), lifts the
   * quarantine and runs that cycle now.
   */
  allowDeletes(): void {
    this.resume();
    this.snapshot.forceDeletes = true;
    this.snapshot.runRequested = true;
  }

  requestRun(): void {
    this.snapshot.runRequested = true;
  }

  stop(): void {
    this.stopRequested = true;
  }

  setInterval(minutes: number, now: number): void {
    this.snapshot.intervalMinutes = minutes;
    if (this.snapshot.lastCycle) this.snapshot.nextRunAt = Date.parse(this.snapshot.lastCycle.finishedAt) + minutes * 60_000;
    if (this.snapshot.nextRunAt !== null && this.snapshot.nextRunAt < now) this.snapshot.nextRunAt = now;
  }

  /** Whether a cycle should start now. A run-now request starts one even when not yet due, never when paused. */
  isDue(now: number): boolean {
    if (this.snapshot.state !== 'active' || this.stopRequested) return false;
    return this.snapshot.runRequested || this.snapshot.nextRunAt === null || now >= this.snapshot.nextRunAt;
  }

  /** Milliseconds until the next scheduled cycle; undefined while paused (wait for a signal). */
  msUntilDue(now: number): number | undefined {
    if (this.snapshot.state !== 'active') return undefined;
    if (this.snapshot.nextRunAt === null) return 0;
    return Math.max(0, this.snapshot.nextRunAt - now);
  }

  /** Makes the next cycle number follow `n` (the highest one used before). */
  continueNumberingFrom(n: number): void {
    this.snapshot.cycleNumber = Math.max(this.snapshot.cycleNumber, n);
  }

  /** Starts the next cycle: its number, and whether it may deprovision past the threshold. */
  startCycle(workflowId: (n: number) => string): { n: number; forceDeletes: boolean } {
    this.snapshot.cycleNumber += 1;
    this.snapshot.runRequested = false;
    const forceDeletes = this.snapshot.forceDeletes ?? false;
    this.snapshot.forceDeletes = false;
    this.runningCycle = workflowId(this.snapshot.cycleNumber);
    return { n: this.snapshot.cycleNumber, forceDeletes };
  }

  /** Records a finished cycle; one that held deprovisionings back quarantines the job. */
  cycleFinished(summary: CycleSummary, now: number): void {
    this.runningCycle = null;
    this.snapshot.lastCycle = summary;
    this.snapshot.nextRunAt = now + this.snapshot.intervalMinutes * 60_000;
    if (summary.staged && summary.staged > 0) {
      this.snapshot.state = 'quarantined';
      this.snapshot.quarantine = {
        reason: 'TooManyDeletes',
        since: new Date(now).toISOString(),
        detail: `cycle ${summary.id} held back ${summary.staged} deprovisionings past the app's threshold`,
      };
    }
  }

  status(): JobStatus {
    return {
      appId: this.snapshot.appId,
      state: this.snapshot.state,
      intervalMinutes: this.snapshot.intervalMinutes,
      nextRunAt: this.snapshot.nextRunAt === null ? null : new Date(this.snapshot.nextRunAt).toISOString(),
      currentCycleWorkflowId: this.runningCycle,
      runRequested: this.snapshot.runRequested,
      lastCycle: this.snapshot.lastCycle,
      quarantine: this.snapshot.quarantine ?? null,
    };
  }

  toSnapshot(): JobSnapshot {
    return { ...this.snapshot };
  }
}
