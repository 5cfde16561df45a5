import { describe, expect, it } from 'vitest';
import type { PersonAppResult } from '../../src/lifecycle/contract';
import { isDone, startStep, tried, waiting } from './progress';

const T = Date.parse('2026-12-01T17:00:00.000Z');
const failure: PersonAppResult = {
  appId: 'a',
  status: 'Failure',
  action: 'Other',
  targetId: null,
  reason: 'HTTP 503 from the target',
  error: { kind: 'transient', code: 'ServiceUnavailable', message: 'HTTP 503 from the target', detail: 'maintenance' },
};

describe('app progress', () => {
  it('goes from waiting through a failed try with its next retry to done', () => {
    const progress = waiting({ appId: 'a', displayName: 'App A' }, 'disable', T);
    expect(progress).toMatchObject({ state: 'waiting', step: 'disable', dueAt: '2026-12-01T17:00:00.000Z', attempts: 0 });
    tried(progress, failure, false, T + 1000);
    expect(progress).toMatchObject({
      state: 'failed',
      attempts: 1,
      dueAt: null,
      error: { code: 'ServiceUnavailable', message: 'HTTP 503 from the target', detail: 'maintenance' },
      nextRetryAt: '2026-12-01T17:00:01.000Z',
    });
    tried(progress, { ...failure, status: 'Success', action: 'Disable', error: undefined, reason: 'ok' }, true, null);
    expect(progress).toMatchObject({ state: 'done', attempts: 2, action: 'Disable', error: null, nextRetryAt: null });
    startStep(progress, 'delete', T + 30 * 86_400_000);
    expect(progress).toMatchObject({ state: 'waiting', step: 'delete', attempts: 0, action: null, dueAt: '2026-12-31T17:00:00.000Z' });
  });

  it.each([
    ['Success', true],
    ['Skipped', true],
    ['Warning', true],
    ['Failure', false],
    ['NotFound', false],
  ] as const)('counts %s as done: %s', (status, done) => {
    expect(isDone({ ...failure, status })).toBe(done);
  });
});
