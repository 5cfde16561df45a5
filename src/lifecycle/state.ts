/**
 * A person's lifecycle, as plain functions: which state each event leads to, whether an event
 * that arrives late is superseded by one already accepted, and when each app's part of a run is
 * due. No I/O and no clock: callers pass the time.
 */
import type { LifecycleEventType } from './events';

export type PersonState = 'prehire' | 'active' | 'left';

/** An event already accepted for a person (not superseded). */
export interface AcceptedEvent {
  eventId: string;
  type: LifecycleEventType;
  effectiveAt: string;
}

/** The state an event puts a person in once it takes effect; a mover changes none. */
export function stateAfter(type: LifecycleEventType): PersonState | undefined {
  switch (type) {
    case 'joiner':
    case 'rehire':
      return 'active';
    case 'leaver':
      return 'left';
    case 'mover':
      return undefined;
  }
}

/** The state of a person the intake first hears of through this event. */
export function initialState(type: LifecycleEventType): PersonState {
  return type === 'joiner' ? 'prehire' : 'active';
}

/**
 * Whether an event arrives after one that makes it stale, and which one. HR systems deliver
 * late and out of order; what must never happen is that a late start puts back someone who has
 * left since, or a late leave takes out someone rehired since:
 *
 * - a joiner or rehire is superseded by a leaver effective at or after it;
 * - a leaver is superseded by a rehire effective after it (the leave that rehire undid). A
 *   leaver effective before a pending joiner is not stale: it is a cancelled hire;
 * - a mover is never superseded: it re-evaluates the person as they are now.
 *
 * Two joiners (or two leavers) for one person are a change of date, in the order delivered.
 */
export function supersededBy(
  accepted: readonly AcceptedEvent[],
  event: { type: LifecycleEventType; effectiveAt: string },
): AcceptedEvent | undefined {
  const at = Date.parse(event.effectiveAt);
  switch (event.type) {
    case 'joiner':
    case 'rehire':
      return accepted.find((e) => e.type === 'leaver' && Date.parse(e.effectiveAt) >= at);
    case 'leaver':
      return accepted.find((e) => e.type === 'rehire' && Date.parse(e.effectiveAt) > at);
    case 'mover':
      return undefined;
  }
}

/**
 * Whether a state change effective at `effectiveAt` may replace the state set at `currentAt`:
 * a run that takes effect late (a worker was down) never undoes a later change.
 */
export function mayChangeState(currentAt: string | null, effectiveAt: string): boolean {
  return currentAt === null || Date.parse(effectiveAt) >= Date.parse(currentAt);
}

const DAY_MS = 24 * 3_600_000;

/** When an app's part of a start is due: the start minus the app's lead time, never before `now`. */
export function dueAt(effectiveAt: string, leadTimeDays: number, now: number): number {
  return Math.max(now, Date.parse(effectiveAt) - leadTimeDays * DAY_MS);
}

/** When a leaver's account is deleted in an app that deletes: its retention after the account was disabled. */
export function deleteAt(disabledAt: number, retentionDays: number): number {
  return disabledAt + retentionDays * DAY_MS;
}

/** The wait before the next try of a failed app: 1 s doubling, capped. */
export function stepRetryDelayMs(attempts: number, capMs: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), capMs);
}
