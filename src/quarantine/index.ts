/** Quarantine: the rules (pure, also used by the app's job workflow) and an app's settings. */
export * from './rules';
export { quarantineSettings, quarantineSettingsSchema, type QuarantineSettingsInput } from './settings';
