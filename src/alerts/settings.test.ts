import { describe, expect, it } from 'vitest';
import { alertSettings, alertSettingsSchema, DEFAULT_ALERTS } from './settings';

describe('alertSettings', () => {
  it('fills every rule the app leaves out with its default', () => {
    expect(alertSettings({})).toEqual(DEFAULT_ALERTS);
    expect(alertSettings({ alerts: { deprovisions: { threshold: 10 }, quarantine: { enabled: false } } })).toEqual({
      ...DEFAULT_ALERTS,
      deprovisions: { enabled: true, threshold: 10 },
      quarantine: { enabled: false, threshold: 0 },
    });
  });
});

describe('alertSettingsSchema', () => {
  it.each<[unknown, string, string]>([
    [{ cycleFailures: { threshold: 1.5 } }, 'cycleFailures.threshold', 'cycleFailures.threshold must be at most 1'],
    [{ deprovisions: { threshold: 2.5 } }, 'deprovisions.threshold', 'deprovisions.threshold must be a whole number'],
    [{ noSuccessfulCycle: { threshold: 0 } }, 'noSuccessfulCycle.threshold', 'noSuccessfulCycle.threshold must be at least 1'],
    [{ leaverOverdue: { enabled: 'no' } }, 'leaverOverdue.enabled', 'leaverOverdue.enabled must be true or false'],
    [{ quarantine: { threshold: 3 } }, 'quarantine', 'Unrecognized key: "threshold"'],
  ])('refuses %j at %s', (input, path, message) => {
    const result = alertSettingsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([[path, message]]);
  });
});
