import { describe, expect, it } from 'vitest';
import { cadenceVerdict, cycleRuleVerdicts, type CycleFacts } from './rules';
import { alertSettings, DEFAULT_ALERTS } from './settings';

const COUNTS = { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 };
const facts = (overrides: Partial<CycleFacts> = {}): CycleFacts => ({
  cycleId: 'app:3',
  counts: COUNTS,
  referenceFailures: 0,
  pendingReferences: 0,
  unresolvedCycles: 0,
  quarantined: false,
  ...overrides,
});

/** The rules' conditions (null: over), by rule. */
function conditions(input: CycleFacts, settings = DEFAULT_ALERTS) {
  return Object.fromEntries(cycleRuleVerdicts(input, settings, 'Contoso').map(({ rule, alert }) => [rule, alert?.reason ?? null]));
}

describe('cycleRuleVerdicts', () => {
  it.each<[string, Partial<CycleFacts>, Record<string, string | null>]>([
    ['a quiet cycle', {}, { cycleFailures: null, deprovisions: null, unresolvedReferences: null }],
    [
      '21 of 100 operations failed',
      { counts: { ...COUNTS, updated: 79, failed: 21 } },
      { cycleFailures: 'FailureShareOverThreshold', deprovisions: null, unresolvedReferences: null },
    ],
    ['20 of 100: at the threshold, not over', { counts: { ...COUNTS, updated: 80, failed: 20 } }, { cycleFailures: null }],
    [
      'reference failures do not count toward the share',
      { counts: { ...COUNTS, updated: 10, failed: 5 }, referenceFailures: 5 },
      { cycleFailures: null },
    ],
    ['101 disables and deletes', { counts: { ...COUNTS, disabled: 60, deleted: 41 } }, { deprovisions: 'DeprovisionsOverThreshold' }],
    ['100 disables and deletes', { counts: { ...COUNTS, disabled: 60, deleted: 40 } }, { deprovisions: null }],
    ['references waiting for 5 cycles', { pendingReferences: 2, unresolvedCycles: 5 }, { unresolvedReferences: 'ReferencesUnresolved' }],
    ['references waiting for 4 cycles', { pendingReferences: 2, unresolvedCycles: 4 }, { unresolvedReferences: null }],
  ])('%s', (_name, input, expected) => {
    expect(conditions(facts(input))).toMatchObject(expected);
  });

  it('leaves the share and deprovision rules to the quarantine alert when the cycle quarantined', () => {
    const verdicts = cycleRuleVerdicts(facts({ counts: { ...COUNTS, failed: 9 }, quarantined: true }), DEFAULT_ALERTS, 'Contoso');
    expect(verdicts.map((v) => v.rule)).toEqual(['unresolvedReferences']);
  });

  it('takes the app thresholds, and a rule turned off is over', () => {
    const settings = alertSettings({ alerts: { cycleFailures: { threshold: 0.5 }, deprovisions: { enabled: false } } });
    expect(conditions(facts({ counts: { ...COUNTS, updated: 460, disabled: 500, failed: 40 } }), settings)).toMatchObject({
      cycleFailures: null,
      deprovisions: null,
    });
    const [failures] = cycleRuleVerdicts(facts({ counts: { ...COUNTS, updated: 40, failed: 60 } }), settings, 'Contoso');
    expect(failures!.alert).toEqual({
      condition: 'over',
      reason: 'FailureShareOverThreshold',
      message: 'Contoso: cycle app:3: 60 of 100 operations failed (60%), over the alert threshold of 50%',
    });
  });
});

describe('cadenceVerdict', () => {
  const base = { intervalMinutes: 40, createdAt: '2026-03-01T00:00:00.000Z', lastSuccessAt: null };
  const minutes = (n: number) => Date.parse('2026-03-01T00:00:00.000Z') + n * 60_000;

  it.each<[string, { lastSuccessAt: string | null; now: number }, string | null]>([
    ['a new app within 3 intervals', { lastSuccessAt: null, now: minutes(120) }, null],
    ['a new app past 3 intervals', { lastSuccessAt: null, now: minutes(121) }, 'never'],
    ['a success 100 minutes ago', { lastSuccessAt: '2026-03-01T02:00:00.000Z', now: minutes(220) }, null],
    ['a success 121 minutes ago', { lastSuccessAt: '2026-03-01T02:00:00.000Z', now: minutes(241) }, '2026-03-01T02:00:00.000Z'],
  ])('%s', (_name, input, condition) => {
    expect(cadenceVerdict({ ...base, ...input }, DEFAULT_ALERTS, 'Contoso').alert?.condition ?? null).toBe(condition);
  });

  it('alerts nothing when the rule is off', () => {
    const settings = alertSettings({ alerts: { noSuccessfulCycle: { enabled: false } } });
    expect(cadenceVerdict({ ...base, now: minutes(10_000) }, settings, 'Contoso').alert).toBeNull();
  });
});
