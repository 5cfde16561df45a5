/**
 * The state machine of an app's provisioning job, kept apart from the workflow so it can be
 * tested as plain code: active or paused, when the next cycle is due, what the last one did.
 */
import { attemptGapMs, type QuarantineReason } from '../src/quarantine/rules';
import type { CycleSummary, QuarantineSeries } from '../src/sync/contract';
import type { RestartScope } from './definitions';

/** `disabled`: quarantined past the app's limit; only a resume or restart runs it again. */
export type JobState = 'active' | 'paused' | 'quarantined' | 'disabled';

/** Why and since when the job is quarantined, with Entra's field names. */
export interface Quarantine {
  reason: QuarantineReason;
  detail: string;
  /** When the current quarantine (the last failed attempt) began. */
  currentBegan: string;
  /** When the job tries again; null while it waits for an admin (held-back deletions, disabled). */
  nextAttempt: string | null;
  /** When the series of quarantines began. */
  seriesBegan: string;
  /** Quarantined cycles in the series. */
  seriesCount: number;
  /** The series' start, as snapshots before Entra's field names kept it. */
  since?: string;
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
  /** The last restart: when, and what it cleared. */
  lastRestart?: { at: string; scopes: RestartScope[] } | null;
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
  lastRestart: { at: string; scopes: RestartScope[] } | null;
  lastCycle: CycleSummary | null;
  quarantine: Quarantine | null;
}

/** The summary of a cycle that failed as a whole (its workflow failed): it quarantines the job. */
export function cycleThatFailed(id: string, message: string, now: number, stopped = false): CycleSummary {
  const at = new Date(now).toISOString();
  return {
    id,
    kind: 'incremental',
    state: 'failed',
    startedAt: at,
    finishedAt: at,
    counts: { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 },
    error: message,
    quarantine: stopped ? null : { reason: 'EncounteredQuarantineException', detail: `the cycle failed: ${message}` },
  };
}

export function initialSnapshot(appId: string, intervalMinutes: number): JobSnapshot {
  return { appId, state: 'active', intervalMinutes, cycleNumber: 0, nextRunAt: null, runRequested: false, lastCycle: null };
}

export class AppJob {
  private snapshot: JobSnapshot;
  private runningCycle: string | null = null;
  /** The running cycle started while quarantined: an attempt, whose success lifts the quarantine. */
  private attempt = false;
  stopRequested = false;

  constructor(snapshot: JobSnapshot) {
    this.snapshot = { ...snapshot };
  }

  pause(): void {
    this.snapshot.state = 'paused';
  }

  /** Resumes a paused, quarantined or disabled job; a resumed job whose cycle is overdue runs at once. */
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

  /**
   * A restart with Entra's scopes (the escrows and the watermark are cleared by the caller):
   * `QuarantineState` lifts a quarantine or a disabled job, `ForceDeletes` lets the next cycle
   * deprovision past the threshold; either way a cycle runs now.
   */
  restart(scopes: RestartScope[], now: number): void {
    const all = scopes.includes('Full');
    if (all || scopes.includes('QuarantineState')) this.resume();
    if (all || scopes.includes('ForceDeletes')) {
      this.resume();
      this.snapshot.forceDeletes = true;
    }
    this.snapshot.runRequested = true;
    this.snapshot.lastRestart = { at: new Date(now).toISOString(), scopes };
  }

  /** An admin's quarantine: no cycle runs until a resume or a restart that lifts it. */
  quarantineByAdmin(detail: string, now: number): void {
    const at = new Date(now).toISOString();
    this.snapshot.state = 'quarantined';
    this.snapshot.quarantine = {
      reason: 'QuarantinedByAdmin',
      detail,
      currentBegan: at,
      nextAttempt: null,
      seriesBegan: at,
      seriesCount: 1,
    };
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

  /**
   * Whether a cycle should start now. A run-now request starts one even when not yet due, never
   * when paused; a quarantined job runs only its attempts, on their schedule.
   */
  isDue(now: number): boolean {
    if (this.stopRequested) return false;
    const attempt = this.nextAttempt();
    if (this.snapshot.state === 'quarantined') return attempt !== null && now >= attempt;
    if (this.snapshot.state !== 'active') return false;
    return this.snapshot.runRequested || this.snapshot.nextRunAt === null || now >= this.snapshot.nextRunAt;
  }

  /** Milliseconds until the next cycle is due; undefined while nothing is scheduled (wait for a signal). */
  msUntilDue(now: number): number | undefined {
    const attempt = this.nextAttempt();
    if (this.snapshot.state === 'quarantined') return attempt === null ? undefined : Math.max(0, attempt - now);
    if (this.snapshot.state !== 'active') return undefined;
    if (this.snapshot.nextRunAt === null) return 0;
    return Math.max(0, this.snapshot.nextRunAt - now);
  }

  private nextAttempt(): number | null {
    const next = this.snapshot.quarantine?.nextAttempt;
    return next ? Date.parse(next) : null;
  }

  /** The job's quarantine as the next cycle needs to know it: that cycle is an attempt to lift it. */
  quarantineSeries(): QuarantineSeries | null {
    const quarantine = this.snapshot.state === 'quarantined' ? this.snapshot.quarantine : null;
    if (!quarantine) return null;
    return { reason: quarantine.reason, seriesBegan: quarantine.seriesBegan ?? quarantine.since ?? quarantine.currentBegan };
  }

  /** Makes the next cycle number follow `n` (the highest one used before). */
  continueNumberingFrom(n: number): void {
    this.snapshot.cycleNumber = Math.max(this.snapshot.cycleNumber, n);
  }

  /** Starts the next cycle: its number, and whether it may deprovision past the threshold. */
  startCycle(workflowId: (n: number) => string): { n: number; forceDeletes: boolean } {
    this.snapshot.cycleNumber += 1;
    this.attempt = this.snapshot.state === 'quarantined';
    this.snapshot.runRequested = false;
    const forceDeletes = this.snapshot.forceDeletes ?? false;
    this.snapshot.forceDeletes = false;
    this.runningCycle = workflowId(this.snapshot.cycleNumber);
    return { n: this.snapshot.cycleNumber, forceDeletes };
  }

  /**
   * Records a finished cycle. Its quarantine verdict quarantines the job (or, in quarantine,
   * schedules the next attempt: +6 h, +12 h, +24 h, then daily; held-back deletions wait for an
   * admin), or disables it past the app's limit; a cycle without one lifts a quarantine.
   */
  cycleFinished(summary: CycleSummary, now: number): void {
    this.runningCycle = null;
    this.snapshot.lastCycle = summary;
    this.snapshot.nextRunAt = now + this.snapshot.intervalMinutes * 60_000;
    // A summary from before verdicts: held-back deprovisionings alone quarantine.
    const verdict =
      summary.quarantine !== undefined
        ? summary.quarantine
        : summary.staged
          ? {
              reason: 'TooManyDeletes' as const,
              detail: `cycle ${summary.id} held back ${summary.staged} deprovisionings past the app's threshold`,
            }
          : null;
    if (!verdict) {
      if (this.snapshot.state === 'quarantined' && this.attempt) {
        this.snapshot.state = 'active';
        this.snapshot.quarantine = null;
      }
      return;
    }
    const at = new Date(now).toISOString();
    const series = this.snapshot.state === 'quarantined' ? this.snapshot.quarantine : null;
    const seriesCount = (series?.seriesCount ?? 0) + 1;
    const waitsForAdmin = verdict.reason === 'TooManyDeletes' || verdict.disable === true;
    const seriesBegan = series ? (series.seriesBegan ?? series.since ?? at) : at;
    this.snapshot.state = verdict.disable ? 'disabled' : 'quarantined';
    this.snapshot.quarantine = {
      reason: verdict.reason,
      detail: verdict.disable
        ? `${verdict.detail}; quarantined since ${seriesBegan}, the job is disabled and its escrows were dropped`
        : verdict.detail,
      currentBegan: at,
      nextAttempt: waitsForAdmin ? null : new Date(now + attemptGapMs(seriesCount)).toISOString(),
      seriesBegan,
      seriesCount,
    };
  }

  status(): JobStatus {
    return {
      appId: this.snapshot.appId,
      state: this.snapshot.state,
      intervalMinutes: this.snapshot.intervalMinutes,
      nextRunAt: this.nextRunAt(),
      currentCycleWorkflowId: this.runningCycle,
      runRequested: this.snapshot.runRequested,
      lastRestart: this.snapshot.lastRestart ?? null,
      lastCycle: this.snapshot.lastCycle,
      quarantine: this.snapshot.quarantine ?? null,
    };
  }

  /** When the next cycle runs: the next attempt while quarantined, none while it waits for a signal. */
  private nextRunAt(): string | null {
    if (this.snapshot.state === 'quarantined') return this.snapshot.quarantine?.nextAttempt ?? null;
    if (this.snapshot.state !== 'active' && this.snapshot.state !== 'paused') return null;
    return this.snapshot.nextRunAt === null ? null : new Date(this.snapshot.nextRunAt).toISOString();
  }

  toSnapshot(): JobSnapshot {
    return { ...this.snapshot };
  }
}
