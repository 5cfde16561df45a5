/**
 * The alert rules a cycle's end and the cadence check decide: pure, no I/O and no clock. Each
 * verdict either names the condition that holds (the same condition on the next cycle alerts
 * nothing new) or says the rule's condition is over.
 */
import type { AlertSettings } from './settings';

/** A condition that holds, in the words of its alert. */
export interface RuleAlert {
  /** Stays the same while the condition does: an alert goes out only when it changes. */
  condition: string;
  /** Machine-readable, e.g. `FailureShareOverThreshold`. */
  reason: string;
  message: string;
}

export type CycleRule = 'cycleFailures' | 'deprovisions' | 'unresolvedReferences';

/** One rule's verdict: its condition, or null when it does not hold (any earlier one is over). */
export interface RuleVerdict<R extends string = string> {
  rule: R;
  alert: RuleAlert | null;
}

/** What a finished cycle did, as the rules read it. */
export interface CycleFacts {
  cycleId: string;
  counts: { created: number; updated: number; disabled: number; deleted: number; skipped: number; failed: number };
  /** Failures of references (a manager, a group's members): the references rule speaks of them. */
  referenceFailures: number;
  /** References still waiting for their object's account. */
  pendingReferences: number;
  /** Cycles finished since the oldest waiting reference was recorded, this one included. */
  unresolvedCycles: number;
  /** The cycle quarantined the job: the quarantine alert says what went wrong, and the share and deprovision rules keep still. */
  quarantined: boolean;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** The verdicts of the rules a cycle's end decides, for the rules that are on (a rule turned off is over). */
export function cycleRuleVerdicts(facts: CycleFacts, settings: AlertSettings, appName: string): RuleVerdict<CycleRule>[] {
  const verdicts: RuleVerdict<CycleRule>[] = [];
  const { cycleId, counts } = facts;
  if (!facts.quarantined) {
    const failed = counts.failed - facts.referenceFailures;
    const operations = counts.created + counts.updated + counts.disabled + counts.deleted + counts.skipped + failed;
    const share = operations === 0 ? 0 : failed / operations;
    const { threshold } = settings.cycleFailures;
    verdicts.push({
      rule: 'cycleFailures',
      alert:
        settings.cycleFailures.enabled && failed > 0 && share > threshold
          ? {
              condition: 'over',
              reason: 'FailureShareOverThreshold',
              message: `${appName}: cycle ${cycleId}: ${failed} of ${operations} operations failed (${percent(share)}), over the alert threshold of ${percent(threshold)}`,
            }
          : null,
    });
    const deprovisioned = counts.disabled + counts.deleted;
    verdicts.push({
      rule: 'deprovisions',
      alert:
        settings.deprovisions.enabled && deprovisioned > settings.deprovisions.threshold
          ? {
              condition: 'over',
              reason: 'DeprovisionsOverThreshold',
              message: `${appName}: cycle ${cycleId} disabled ${counts.disabled} and deleted ${counts.deleted} accounts, over the alert threshold of ${settings.deprovisions.threshold}`,
            }
          : null,
    });
  }
  const { threshold } = settings.unresolvedReferences;
  verdicts.push({
    rule: 'unresolvedReferences',
    alert:
      settings.unresolvedReferences.enabled && facts.pendingReferences > 0 && facts.unresolvedCycles >= threshold
        ? {
            condition: 'unresolved',
            reason: 'ReferencesUnresolved',
            message: `${appName}: ${facts.pendingReferences} references (managers, group members) have waited ${facts.unresolvedCycles} cycles for their object's account in the target`,
          }
        : null,
  });
  return verdicts;
}

/** What the cadence check knows of an app. */
export interface CadenceFacts {
  intervalMinutes: number;
  /** When the app's last successful cycle finished, if one ever did. */
  lastSuccessAt: string | null;
  /** When the app was created: the wait for a first success counts from then. */
  createdAt: string;
  now: number;
}

/** Whether no cycle succeeded within the rule's number of the app's intervals. */
export function cadenceVerdict(facts: CadenceFacts, settings: AlertSettings, appName: string): RuleVerdict<'noSuccessfulCycle'> {
  const { enabled, threshold } = settings.noSuccessfulCycle;
  const since = facts.lastSuccessAt ?? facts.createdAt;
  const overdue = facts.now - Date.parse(since) > threshold * facts.intervalMinutes * 60_000;
  if (!enabled || !overdue) return { rule: 'noSuccessfulCycle', alert: null };
  return {
    rule: 'noSuccessfulCycle',
    alert: {
      condition: facts.lastSuccessAt ?? 'never',
      reason: 'NoSuccessfulCycle',
      message: facts.lastSuccessAt
        ? `${appName}: no cycle has succeeded since ${facts.lastSuccessAt}, more than ${threshold} intervals of ${facts.intervalMinutes} minutes`
        : `${appName}: no cycle has succeeded since the app was created at ${facts.createdAt}, more than ${threshold} intervals of ${facts.intervalMinutes} minutes`,
    },
  };
}
