/**
 * Quarantine, as Entra's provisioning does it and clearer: when a job's cycles cannot make
 * progress it stops running them on its cadence and tries again on a published schedule, says
 * why, and after long enough gives up (the job is disabled). Pure rules, no I/O and no clock:
 * the cycle's verdict, the gap before the next attempt, and when to give up.
 */

/** Entra's quarantine reasons, and an admin's request. */
export type QuarantineReason =
  'EncounteredQuarantineException' | 'EncounteredEscrowProportionThreshold' | 'TooManyDeletes' | 'QuarantinedByAdmin';

export interface QuarantineSettings {
  /** The share of a cycle's operations that failed, at or past which it quarantines (with `minimumFailures`). */
  failureShare: number;
  /** The failures a cycle must have at least for the share to count. */
  minimumFailures: number;
  /** How long a peer may stay away (unreachable, or refusing the credentials) before the attempt fails. */
  unreachableMinutes: number;
  /** Days after the first quarantine of a series at which the job is disabled and its escrows dropped. */
  disableAfterDays: number;
}

export const DEFAULT_QUARANTINE: QuarantineSettings = {
  failureShare: 0.4,
  minimumFailures: 5_000,
  unreachableMinutes: 10,
  disableAfterDays: 28,
};

/** Entra's absolute rule: this many failures quarantine a cycle whatever their share. */
export const ABSOLUTE_FAILURES = 40_000;

/** The gaps between attempts while quarantined: +6 h, +12 h, +24 h, then daily. */
const ATTEMPT_GAPS_HOURS = [6, 12, 24];

/** The wait after the `seriesCount`-th quarantined cycle of a series before the next attempt. */
export function attemptGapMs(seriesCount: number): number {
  return ATTEMPT_GAPS_HOURS[Math.min(Math.max(seriesCount, 1), ATTEMPT_GAPS_HOURS.length) - 1]! * 3_600_000;
}

/** Whether a series that began at `seriesBegan` (epoch ms) has lasted long enough to disable the job. */
export function givesUp(seriesBegan: number, now: number, settings: Pick<QuarantineSettings, 'disableAfterDays'>): boolean {
  return now - seriesBegan >= settings.disableAfterDays * 86_400_000;
}

/** What a cycle did, as the verdict reads it. */
export interface CycleOutcome {
  /** The error that ended the cycle early, if one did. */
  error: { code: string; message: string } | null;
  /** Objects by outcome; `failed` includes reference failures. */
  counts: { created: number; updated: number; disabled: number; deleted: number; skipped: number; failed: number };
  /** Failures of references (a group's members, a manager): they do not count toward a quarantine. */
  referenceFailures: number;
  /** Deprovisionings held back past the app's threshold. */
  staged: number;
  /** Why the objects' peer could not be reached, when the cycle's last failure was a peer away. */
  peerAway?: string | undefined;
}

export type CycleState = 'succeeded' | 'partial' | 'failed';

/** `failed` when the cycle ended early or every object it touched failed; `partial` when some failed. */
export function cycleState(outcome: CycleOutcome): CycleState {
  const { created, updated, disabled, deleted, skipped } = outcome.counts;
  const failed = outcome.counts.failed - outcome.referenceFailures;
  if (outcome.error) return 'failed';
  if (failed > 0 && created + updated + disabled + deleted + skipped === 0) return 'failed';
  return outcome.counts.failed > 0 ? 'partial' : 'succeeded';
}

/**
 * Whether a cycle quarantines the job, and why: the cycle could not make progress (a peer away
 * or refusing the credentials past the app's bound: EncounteredQuarantineException), too large a
 * share of its objects failed (EncounteredEscrowProportionThreshold), or it held deprovisionings
 * back (TooManyDeletes).
 */
export function cycleVerdict(outcome: CycleOutcome, settings: QuarantineSettings): { reason: QuarantineReason; detail: string } | null {
  if (outcome.error) {
    return { reason: 'EncounteredQuarantineException', detail: `the cycle could not make progress: ${outcome.error.message}` };
  }
  if (outcome.peerAway !== undefined && cycleState(outcome) === 'failed') {
    return { reason: 'EncounteredQuarantineException', detail: `every object failed: ${outcome.peerAway}` };
  }
  const failed = outcome.counts.failed - outcome.referenceFailures;
  const { created, updated, disabled, deleted, skipped } = outcome.counts;
  const operations = created + updated + disabled + deleted + skipped + failed;
  const share = operations === 0 ? 0 : failed / operations;
  if (failed >= ABSOLUTE_FAILURES || (failed >= settings.minimumFailures && share >= settings.failureShare)) {
    const percent = Math.round(share * 1000) / 10;
    return { reason: 'EncounteredEscrowProportionThreshold', detail: `${failed} of ${operations} operations failed (${percent}%)` };
  }
  if (outcome.staged > 0)
    return { reason: 'TooManyDeletes', detail: `${outcome.staged} deprovisionings held back past the app's threshold` };
  return null;
}
