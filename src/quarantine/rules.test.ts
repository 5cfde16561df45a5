import { describe, expect, it } from 'vitest';
import { attemptGapMs, cycleState, cycleVerdict, DEFAULT_QUARANTINE, givesUp, type CycleOutcome } from './rules';

const HOUR = 3_600_000;
const none = { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 };
const outcome = (counts: Partial<CycleOutcome['counts']>, more: Partial<CycleOutcome> = {}): CycleOutcome => ({
  error: null,
  counts: { ...none, ...counts },
  referenceFailures: 0,
  staged: 0,
  ...more,
});
const small = { ...DEFAULT_QUARANTINE, minimumFailures: 3 };

describe('cycleState', () => {
  it.each([
    ['no failure', outcome({ created: 5 }), 'succeeded'],
    ['nothing to do', outcome({}), 'succeeded'],
    ['some failed', outcome({ created: 5, failed: 1 }), 'partial'],
    ['every object failed', outcome({ failed: 6 }), 'failed'],
    ['only references failed', outcome({ updated: 2, failed: 2 }, { referenceFailures: 2 }), 'partial'],
    ['ended early', outcome({ created: 5 }, { error: { code: 'NetworkError', message: 'down' } }), 'failed'],
  ] as const)('%s: %s', (_name, cycle, state) => {
    expect(cycleState(cycle)).toBe(state);
  });
});

describe('cycleVerdict', () => {
  it.each([
    ['a clean cycle', outcome({ created: 10 }), DEFAULT_QUARANTINE, null],
    [
      'a cycle that ended early',
      outcome({}, { error: { code: 'Unauthorized', message: 'refused' } }),
      DEFAULT_QUARANTINE,
      'EncounteredQuarantineException',
    ],
    [
      'every object failed with the target away',
      outcome({ failed: 2 }, { peerAway: 'HTTP 503' }),
      DEFAULT_QUARANTINE,
      'EncounteredQuarantineException',
    ],
    ['some objects failed with the target away', outcome({ created: 8, failed: 2 }, { peerAway: 'HTTP 503' }), DEFAULT_QUARANTINE, null],
    ['40% of 10 failed, at least 3', outcome({ created: 6, failed: 4 }), small, 'EncounteredEscrowProportionThreshold'],
    ['30% of 10 failed', outcome({ created: 7, failed: 3 }), small, null],
    ['40% failed, but fewer than the minimum', outcome({ created: 3, failed: 2 }), small, null],
    ['reference failures do not count', outcome({ created: 6, failed: 4 }, { referenceFailures: 4 }), small, null],
    [
      "Entra's 40,000 failures whatever the share",
      outcome({ created: 100_000, failed: 40_000 }),
      DEFAULT_QUARANTINE,
      'EncounteredEscrowProportionThreshold',
    ],
    ['4,999 of 5,000 under the default minimum', outcome({ failed: 4_999, created: 1 }), DEFAULT_QUARANTINE, null],
    ['held-back deletions', outcome({ disabled: 2 }, { staged: 3 }), DEFAULT_QUARANTINE, 'TooManyDeletes'],
  ] as const)('%s', (_name, cycle, settings, reason) => {
    expect(cycleVerdict(cycle, settings)?.reason ?? null).toBe(reason);
  });

  it('says how many of how many operations failed', () => {
    expect(cycleVerdict(outcome({ created: 6, failed: 4 }), small)?.detail).toBe('4 of 10 operations failed (40%)');
  });
});

describe("Entra's schedule", () => {
  it('tries again after 6, 12 and 24 hours, then daily', () => {
    expect([1, 2, 3, 4, 10].map((n) => attemptGapMs(n) / HOUR)).toEqual([6, 12, 24, 24, 24]);
  });

  it('gives up once the series has lasted the configured days', () => {
    const began = Date.parse('2026-12-01T00:00:00Z');
    expect(givesUp(began, began + 27.9 * 24 * HOUR, DEFAULT_QUARANTINE)).toBe(false);
    expect(givesUp(began, began + 28 * 24 * HOUR, DEFAULT_QUARANTINE)).toBe(true);
    expect(givesUp(began, began + 2 * 24 * HOUR, { disableAfterDays: 2 })).toBe(true);
  });
});
