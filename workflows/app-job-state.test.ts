import { describe, expect, it } from 'vitest';
import type { CycleSummary } from '../src/sync/contract';
import { AppJob, initialSnapshot } from './app-job-state';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-27T08:00:00.000Z');

function summary(finishedAt: number): CycleSummary {
  const iso = new Date(finishedAt).toISOString();
  return {
    id: 'a:1',
    kind: 'initial',
    state: 'succeeded',
    startedAt: iso,
    finishedAt: iso,
    counts: { created: 1, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 },
  };
}

describe('AppJob', () => {
  it('runs its first cycle at once, then every interval', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    expect(job.isDue(T0)).toBe(true);
    expect(job.startCycle((n) => `app/a/cycle/${n}`)).toEqual({ n: 1, forceDeletes: false });
    expect(job.status().currentCycleWorkflowId).toBe('app/a/cycle/1');
    job.cycleFinished(summary(T0), T0);
    expect(job.status().currentCycleWorkflowId).toBeNull();
    expect(job.isDue(T0 + 39 * MINUTE)).toBe(false);
    expect(job.msUntilDue(T0 + 39 * MINUTE)).toBe(MINUTE);
    expect(job.isDue(T0 + 40 * MINUTE)).toBe(true);
  });

  it('runs on request before it is due, and never while paused', () => {
    const job = new AppJob({ ...initialSnapshot('a', 40), nextRunAt: T0 + 40 * MINUTE });
    expect(job.isDue(T0)).toBe(false);
    job.requestRun();
    expect(job.isDue(T0)).toBe(true);
    job.pause();
    expect(job.isDue(T0 + 100 * MINUTE)).toBe(false);
    expect(job.msUntilDue(T0)).toBeUndefined();
    expect(job.status().state).toBe('paused');
    job.resume();
    expect(job.isDue(T0)).toBe(true);
    job.startCycle((n) => `c${n}`);
    expect(job.isDue(T0)).toBe(false);
  });

  it('reschedules from the last cycle when the interval changes', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.startCycle((n) => `c${n}`);
    job.cycleFinished(summary(T0), T0);
    job.setInterval(5, T0 + MINUTE);
    expect(job.status().nextRunAt).toBe(new Date(T0 + 5 * MINUTE).toISOString());
    job.setInterval(1, T0 + 10 * MINUTE);
    expect(job.isDue(T0 + 10 * MINUTE)).toBe(true);
  });

  it('keeps counting cycles from the highest number used before', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.continueNumberingFrom(7);
    expect(job.startCycle((n) => `c${n}`).n).toBe(8);
    job.continueNumberingFrom(3);
    expect(job.startCycle((n) => `c${n}`).n).toBe(9);
  });

  it('stops being due once stopped, and survives a snapshot round trip', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.requestRun();
    const copy = new AppJob(job.toSnapshot());
    expect(copy.isDue(T0)).toBe(true);
    copy.stop();
    expect(copy.isDue(T0)).toBe(false);
  });

  it('quarantines after a cycle that held deprovisionings back, until deletes are allowed or it is resumed', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.startCycle((n) => `c${n}`);
    job.cycleFinished({ ...summary(T0), staged: 3 }, T0);
    expect(job.status()).toMatchObject({ state: 'quarantined', quarantine: { reason: 'TooManyDeletes' } });
    expect(job.isDue(T0 + 100 * MINUTE)).toBe(false);
    job.requestRun();
    expect(job.isDue(T0)).toBe(false);

    job.allowDeletes();
    expect(job.status()).toMatchObject({ state: 'active', quarantine: null });
    expect(job.isDue(T0)).toBe(true);
    expect(job.startCycle((n) => `c${n}`)).toEqual({ n: 2, forceDeletes: true });
    job.cycleFinished(summary(T0), T0);
    expect(job.startCycle((n) => `c${n}`).forceDeletes).toBe(false);

    job.cycleFinished({ ...summary(T0), staged: 1 }, T0);
    job.resume();
    expect(job.status()).toMatchObject({ state: 'active', quarantine: null });
  });
});

describe('AppJob in quarantine', () => {
  const HOUR = 60 * MINUTE;
  const failed = (at: number, more: Partial<CycleSummary> = {}): CycleSummary => ({
    ...summary(at),
    state: 'failed',
    error: 'Microsoft Graph is unreachable',
    quarantine: { reason: 'EncounteredQuarantineException', detail: 'the cycle could not make progress' },
    ...more,
  });

  it('tries again after 6, 12 and 24 hours, then daily, and lifts the quarantine on a good attempt', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.startCycle((n) => `c${n}`);
    job.cycleFinished(failed(T0), T0);
    expect(job.status()).toMatchObject({
      state: 'quarantined',
      nextRunAt: new Date(T0 + 6 * HOUR).toISOString(),
      quarantine: { reason: 'EncounteredQuarantineException', seriesCount: 1, seriesBegan: new Date(T0).toISOString() },
    });
    expect(job.isDue(T0 + 40 * MINUTE)).toBe(false);
    job.requestRun();
    expect(job.isDue(T0 + 5 * HOUR)).toBe(false);
    expect(job.msUntilDue(T0 + 5 * HOUR)).toBe(HOUR);
    expect(job.isDue(T0 + 6 * HOUR)).toBe(true);
    expect(job.quarantineSeries()).toEqual({ reason: 'EncounteredQuarantineException', seriesBegan: new Date(T0).toISOString() });

    let now = T0 + 6 * HOUR;
    for (const gap of [12, 24, 24]) {
      job.startCycle((n) => `c${n}`);
      job.cycleFinished(failed(now), now);
      expect(job.status().quarantine).toMatchObject({
        nextAttempt: new Date(now + gap * HOUR).toISOString(),
        seriesBegan: new Date(T0).toISOString(),
      });
      now += gap * HOUR;
    }
    expect(job.status().quarantine?.seriesCount).toBe(4);

    job.startCycle((n) => `c${n}`);
    job.cycleFinished(summary(now), now);
    expect(job.status()).toMatchObject({ state: 'active', quarantine: null });
    expect(job.quarantineSeries()).toBeNull();
  });

  it('is disabled when a cycle says the series lasted too long, until resumed', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.startCycle((n) => `c${n}`);
    job.cycleFinished(failed(T0), T0);
    const later = T0 + 28 * 24 * HOUR;
    job.startCycle((n) => `c${n}`);
    job.cycleFinished(
      failed(later, { quarantine: { reason: 'EncounteredQuarantineException', detail: 'still away', disable: true } }),
      later,
    );
    expect(job.status()).toMatchObject({
      state: 'disabled',
      nextRunAt: null,
      quarantine: { nextAttempt: null, seriesBegan: new Date(T0).toISOString() },
    });
    expect(job.isDue(later + 100 * HOUR)).toBe(false);
    job.resume();
    expect(job.status()).toMatchObject({ state: 'active', quarantine: null });
  });

  it('reads a quarantine kept by a snapshot from before the schedule', () => {
    const since = new Date(T0).toISOString();
    const job = new AppJob({
      ...initialSnapshot('a', 40),
      state: 'quarantined',
      quarantine: { reason: 'TooManyDeletes', since, detail: 'held back' } as never,
    });
    expect(job.isDue(T0 + 100 * HOUR)).toBe(false);
    expect(job.quarantineSeries()).toEqual({ reason: 'TooManyDeletes', seriesBegan: since });
  });
});

describe('AppJob restart', () => {
  it('lifts a quarantine with QuarantineState, releases held-back deletions with ForceDeletes, and runs a cycle now', () => {
    const job = new AppJob(initialSnapshot('a', 40));
    job.startCycle((n) => `c${n}`);
    job.cycleFinished({ ...summary(T0), staged: 2 }, T0);
    job.restart(['Escrows'], T0 + MINUTE);
    expect(job.status()).toMatchObject({ state: 'quarantined', runRequested: true, lastRestart: { scopes: ['Escrows'] } });
    expect(job.isDue(T0 + MINUTE)).toBe(false);

    job.restart(['QuarantineState'], T0 + 2 * MINUTE);
    expect(job.status()).toMatchObject({ state: 'active', quarantine: null, lastRestart: { at: new Date(T0 + 2 * MINUTE).toISOString() } });
    expect(job.isDue(T0 + 2 * MINUTE)).toBe(true);
    expect(job.startCycle((n) => `c${n}`).forceDeletes).toBe(false);

    job.cycleFinished({ ...summary(T0), staged: 2 }, T0);
    job.restart(['Full'], T0 + 3 * MINUTE);
    expect(job.status().state).toBe('active');
    expect(job.startCycle((n) => `c${n}`).forceDeletes).toBe(true);
  });
});
