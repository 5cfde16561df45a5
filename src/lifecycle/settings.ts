/**
 * An app's lifecycle settings: how early a joiner's account is made, how long a leaver's account
 * is kept disabled before it is deleted (in apps set to delete), and how long a leaver may take
 * before an operator is alerted. All optional; `lifecycleSettings` fills the defaults.
 */
import { z } from 'zod';

export const lifecycleSettingsSchema = z.strictObject({
  /** Days before a joiner's start that the account is created (default 0: on the start date). */
  leadTimeDays: z
    .number({ message: 'leadTimeDays must be a number' })
    .min(0, 'leadTimeDays must be at least 0')
    .max(365, 'leadTimeDays must be at most 365')
    .optional(),
  /**
   * Make a joiner's account disabled at the lead time and enable it on the start date (needs a
   * mapping to `active`; without one the account is made on the start date).
   */
  createDisabled: z.boolean({ message: 'createDisabled must be true or false' }).optional(),
  /** Days a leaver's account stays disabled before it is deleted, where the app deletes (default 30). */
  retentionDays: z
    .number({ message: 'retentionDays must be a number' })
    .min(0, 'retentionDays must be at least 0')
    .max(3650, 'retentionDays must be at most 3650')
    .optional(),
  /** Minutes (fractions allowed) after a leave takes effect by which the account must be disabled, else an alert goes out (default 15). */
  leaverTimeoutMinutes: z
    .number({ message: 'leaverTimeoutMinutes must be a number' })
    .min(0.1, 'leaverTimeoutMinutes must be at least 0.1')
    .max(7 * 24 * 60, 'leaverTimeoutMinutes must be at most a week')
    .optional(),
});

export type LifecycleSettingsInput = z.output<typeof lifecycleSettingsSchema>;

export interface LifecycleSettings {
  leadTimeDays: number;
  createDisabled: boolean;
  retentionDays: number;
  leaverTimeoutMinutes: number;
  /** A leaver's account is deleted once retention has passed (the app's `deprovisioning.outOfScope` is `delete`). */
  deletesLeavers: boolean;
}

/** The effective lifecycle settings of an app. */
export function lifecycleSettings(app: {
  lifecycle?: LifecycleSettingsInput | undefined;
  deprovisioning: { outOfScope: string };
}): LifecycleSettings {
  return {
    leadTimeDays: app.lifecycle?.leadTimeDays ?? 0,
    createDisabled: app.lifecycle?.createDisabled ?? false,
    retentionDays: app.lifecycle?.retentionDays ?? 30,
    leaverTimeoutMinutes: app.lifecycle?.leaverTimeoutMinutes ?? 15,
    deletesLeavers: app.deprovisioning.outOfScope === 'delete',
  };
}
