import { describe, expect, it } from 'vitest';
import { dueAt, deleteAt, initialState, mayChangeState, stepRetryDelayMs, stateAfter, supersededBy, type AcceptedEvent } from './state';
import { lifecycleSettings } from './settings';

const DAY = 24 * 3_600_000;
const ev = (eventId: string, type: AcceptedEvent['type'], effectiveAt: string): AcceptedEvent => ({ eventId, type, effectiveAt });

describe('supersededBy', () => {
  const leftInMarch = ev('l1', 'leaver', '2026-03-01T00:00:00Z');
  const rehiredInJune = ev('r1', 'rehire', '2026-06-01T00:00:00Z');

  it.each([
    ['a late joiner before a leave', [leftInMarch], { type: 'joiner', effectiveAt: '2026-01-01T00:00:00Z' }, 'l1'],
    ['a joiner on the day of the leave', [leftInMarch], { type: 'joiner', effectiveAt: '2026-03-01T00:00:00Z' }, 'l1'],
    ['a new hire after a leave', [leftInMarch], { type: 'joiner', effectiveAt: '2026-09-01T00:00:00Z' }, undefined],
    ['a late rehire before a later leave', [leftInMarch], { type: 'rehire', effectiveAt: '2026-02-01T00:00:00Z' }, 'l1'],
    ['a rehire after the leave', [leftInMarch], { type: 'rehire', effectiveAt: '2026-04-01T00:00:00Z' }, undefined],
    ['a late leave undone by a rehire', [leftInMarch, rehiredInJune], { type: 'leaver', effectiveAt: '2026-05-01T00:00:00Z' }, 'r1'],
    ['a leave after the rehire', [rehiredInJune], { type: 'leaver', effectiveAt: '2026-07-01T00:00:00Z' }, undefined],
    [
      'a leave before a pending start (a cancelled hire)',
      [ev('j1', 'joiner', '2026-02-01T00:00:00Z')],
      { type: 'leaver', effectiveAt: '2026-01-15T00:00:00Z' },
      undefined,
    ],
    ['a mover after a leave', [leftInMarch], { type: 'mover', effectiveAt: '2026-01-01T00:00:00Z' }, undefined],
    ['anything for a new person', [], { type: 'joiner', effectiveAt: '2026-01-01T00:00:00Z' }, undefined],
  ] as const)('%s', (_name, accepted, event, expected) => {
    expect(supersededBy(accepted, event)?.eventId).toBe(expected);
  });
});

describe('states', () => {
  it('maps events to states', () => {
    expect([stateAfter('joiner'), stateAfter('rehire'), stateAfter('leaver'), stateAfter('mover')]).toEqual([
      'active',
      'active',
      'left',
      undefined,
    ]);
    expect([initialState('joiner'), initialState('leaver'), initialState('mover')]).toEqual(['prehire', 'active', 'active']);
  });

  it('never lets an older change replace a newer one', () => {
    expect(mayChangeState(null, '2026-01-01T00:00:00Z')).toBe(true);
    expect(mayChangeState('2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00Z')).toBe(true);
    expect(mayChangeState('2026-03-01T00:00:00.000Z', '2026-02-01T00:00:00Z')).toBe(false);
  });
});

describe('timing', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('makes an account the lead time before the start, never in the past', () => {
    expect(dueAt('2026-01-10T00:00:00Z', 0, now)).toBe(Date.parse('2026-01-10T00:00:00Z'));
    expect(dueAt('2026-01-10T00:00:00Z', 3, now)).toBe(Date.parse('2026-01-07T00:00:00Z'));
    expect(dueAt('2026-01-02T00:00:00Z', 7, now)).toBe(now);
  });

  it('deletes after the retention, and retries with growing gaps', () => {
    expect(deleteAt(now, 30)).toBe(now + 30 * DAY);
    expect([1, 2, 3, 4, 10].map((n) => stepRetryDelayMs(n, 5_000))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('fills the defaults of an app without lifecycle settings', () => {
    expect(lifecycleSettings({ deprovisioning: { outOfScope: 'disable' } })).toEqual({
      leadTimeDays: 0,
      createDisabled: false,
      retentionDays: 30,
      leaverTimeoutMinutes: 15,
      deletesLeavers: false,
    });
    expect(lifecycleSettings({ lifecycle: { retentionDays: 7 }, deprovisioning: { outOfScope: 'delete' } })).toMatchObject({
      retentionDays: 7,
      deletesLeavers: true,
    });
  });
});
