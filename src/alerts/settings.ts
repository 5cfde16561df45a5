/**
 * An app's alert rules: each built-in rule on or off, with its threshold. All optional;
 * `alertSettings` fills the defaults, so an app saved before alert rules existed alerts as one
 * that names none.
 */
import { z } from 'zod';

const enabled = (rule: string) => z.boolean({ message: `${rule}.enabled must be true or false` }).optional();

/** A rule with only an on/off switch: its threshold lives elsewhere (the quarantine rules, the lifecycle's leaver timeout). */
const switchRule = (rule: string) => z.strictObject({ enabled: enabled(rule) });

/** A rule with a threshold from `min` to `max`. */
function thresholdRule(rule: string, bounds: { min: number; max: number; whole: boolean }) {
  let threshold = z
    .number({ message: `${rule}.threshold must be a number` })
    .min(bounds.min, `${rule}.threshold must be at least ${bounds.min}`)
    .max(bounds.max, `${rule}.threshold must be at most ${bounds.max}`);
  if (bounds.whole) threshold = threshold.int(`${rule}.threshold must be a whole number`);
  return z.strictObject({ enabled: enabled(rule), threshold: threshold.optional() });
}

export const alertSettingsSchema = z.strictObject({
  /** A quarantine starts, changes its reason, or disables the job. */
  quarantine: switchRule('quarantine').optional(),
  /** The share of a cycle's operations that failed is over `threshold` (0 to 1). */
  cycleFailures: thresholdRule('cycleFailures', { min: 0, max: 1, whole: false }).optional(),
  /** One cycle disabled and deleted more than `threshold` accounts. */
  deprovisions: thresholdRule('deprovisions', { min: 0, max: 1_000_000, whole: true }).optional(),
  /** No cycle succeeded within `threshold` of the app's intervals. */
  noSuccessfulCycle: thresholdRule('noSuccessfulCycle', { min: 1, max: 1000, whole: true }).optional(),
  /** A leaver's accounts were not disabled within the app's `lifecycle.leaverTimeoutMinutes`. */
  leaverOverdue: switchRule('leaverOverdue').optional(),
  /** References (a manager, a group's members) stayed unresolved for `threshold` cycles. */
  unresolvedReferences: thresholdRule('unresolvedReferences', { min: 1, max: 1000, whole: true }).optional(),
});

export type AlertSettingsInput = z.output<typeof alertSettingsSchema>;
export type AlertRule = keyof AlertSettingsInput;

export interface RuleSettings {
  enabled: boolean;
  threshold: number;
}

/** Every rule's effective settings; `threshold` is 0 for the rules that have none of their own. */
export type AlertSettings = Record<AlertRule, RuleSettings>;

export const DEFAULT_ALERTS: AlertSettings = {
  quarantine: { enabled: true, threshold: 0 },
  cycleFailures: { enabled: true, threshold: 0.2 },
  deprovisions: { enabled: true, threshold: 100 },
  noSuccessfulCycle: { enabled: true, threshold: 3 },
  leaverOverdue: { enabled: true, threshold: 0 },
  unresolvedReferences: { enabled: true, threshold: 5 },
};

export const ALERT_RULES = Object.keys(DEFAULT_ALERTS) as AlertRule[];

/** The effective alert rules of an app. */
export function alertSettings(app: { alerts?: AlertSettingsInput | undefined }): AlertSettings {
  const given: Partial<Record<AlertRule, { enabled?: boolean | undefined; threshold?: number | undefined }>> = app.alerts ?? {};
  return Object.fromEntries(
    ALERT_RULES.map((rule) => {
      const defaults = DEFAULT_ALERTS[rule];
      const own = given[rule];
      return [rule, { enabled: own?.enabled ?? defaults.enabled, threshold: own?.threshold ?? defaults.threshold }];
    }),
  ) as AlertSettings;
}
