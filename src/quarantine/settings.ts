/** An app's quarantine settings; all optional, `quarantineSettings` fills Entra's defaults. */
import { z } from 'zod';
import { DEFAULT_QUARANTINE, type QuarantineSettings } from './rules';

export const quarantineSettingsSchema = z.strictObject({
  failureShare: z
    .number({ message: 'failureShare must be a number' })
    .gt(0, 'failureShare must be more than 0')
    .max(1, 'failureShare must be at most 1')
    .optional(),
  minimumFailures: z
    .number({ message: 'minimumFailures must be a number' })
    .int('minimumFailures must be a whole number')
    .min(1, 'minimumFailures must be at least 1')
    .optional(),
  /** Minutes, fractions allowed. */
  unreachableMinutes: z
    .number({ message: 'unreachableMinutes must be a number' })
    .min(0.1, 'unreachableMinutes must be at least 0.1')
    .max(24 * 60, 'unreachableMinutes must be at most 1440')
    .optional(),
  disableAfterDays: z
    .number({ message: 'disableAfterDays must be a number' })
    .min(1, 'disableAfterDays must be at least 1')
    .max(365, 'disableAfterDays must be at most 365')
    .optional(),
});

export type QuarantineSettingsInput = z.output<typeof quarantineSettingsSchema>;

/** The effective quarantine settings of an app. */
export function quarantineSettings(app: { quarantine?: QuarantineSettingsInput | undefined }): QuarantineSettings {
  return { ...DEFAULT_QUARANTINE, ...Object.fromEntries(Object.entries(app.quarantine ?? {}).filter(([, value]) => value !== undefined)) };
}
