/**
 * What a new configuration changes in an app: the changed fields as dotted paths with their
 * values before and after (secrets only as "replaced", "set" or "removed"), and whether the
 * change makes the next cycle an initial one. Pure: the API's `PUT /apps/{id}/config` and the
 * apps file both plan with it.
 */
import { isDeepStrictEqual } from 'node:util';
import diff from 'microdiff';
import { groupsSchema, splitSecrets, type AppConfig, type AppSecrets, type AppSpec } from './app';
import { ALL_SECRET_SLOTS, apiConfigDocumentSchema, exportConfig, secretSlots, slotName } from './document';

/** One changed field. `before` or `after` is absent where the field was or is not set. */
export type ConfigChange = { path: string; before?: unknown; after?: unknown } | { path: string; secret: 'replaced' | 'set' | 'removed' };

/** A definition as the app keeps it: the configuration without id, version and timestamps. */
export type AppDefinitionOf = ReturnType<typeof splitSecrets>['config'];

/** Whether a change of configuration makes the next cycle re-evaluate every object (an initial cycle). */
export function changesScope(before: AppConfig, after: AppConfig): boolean {
  // Compared as values: the store's jsonb keeps object keys in an order of its own.
  const differ = (a: unknown, b: unknown) => !isDeepStrictEqual(a, b);
  return (
    differ(before.mappings, after.mappings) ||
    differ(before.scoping ?? {}, after.scoping ?? {}) ||
    differ(before.groups ?? groupsSchema.parse({}), after.groups ?? groupsSchema.parse({})) ||
    before.source.scope !== after.source.scope ||
    before.source.servicePrincipalId !== after.source.servicePrincipalId ||
    before.source.tenantId !== after.source.tenantId
  );
}

/**
 * The document of an app with its defaults filled in, so that an app saved before a field
 * existed compares equal to the same app given again with that field's default.
 */
function normalised(app: AppConfig): unknown {
  const parsed = apiConfigDocumentSchema.safeParse(exportConfig(app));
  return exportConfig(parsed.success ? { ...app, ...(parsed.data as object) } : app, { secretMarkers: false });
}

/**
 * The changed fields from one configuration to the next, paths in the API's dotted form
 * (`mappings.user.2.target`), array items by index.
 *
 * @example diffConfig(app, secrets, { ...app, schedule: { intervalMinutes: 5 } }, secrets)
 * // [{ path: 'schedule.intervalMinutes', before: 40, after: 5 }]
 */
export function diffConfig(
  before: AppConfig,
  beforeSecrets: Partial<AppSecrets>,
  after: AppConfig,
  afterSecrets: Partial<AppSecrets>,
): ConfigChange[] {
  const changes: ConfigChange[] = diff(normalised(before) as object, normalised(after) as object).map((entry) => ({
    path: entry.path.join('.'),
    ...(entry.type !== 'CREATE' && { before: entry.oldValue as unknown }),
    ...(entry.type !== 'REMOVE' && { after: entry.value as unknown }),
  }));
  for (const slot of ALL_SECRET_SLOTS) {
    const was = beforeSecrets[slot.key];
    const now = afterSecrets[slot.key];
    if (was === now) continue;
    changes.push({ path: slotName(slot), secret: was === undefined ? 'set' : now === undefined ? 'removed' : 'replaced' });
  }
  return sortByPath(changes);
}

/** What applying a spec to an app (or to no app yet) would do. */
export interface ConfigPlan {
  outcome: 'created' | 'updated' | 'unchanged';
  changes: ConfigChange[];
  /** The definition and secrets to store; absent when nothing changes. */
  write?: { config: AppDefinitionOf; secrets: AppSecrets; bumpConfigVersion: boolean; intervalChanged: boolean };
}

/**
 * Plans applying `spec` to `current` (undefined: the app does not exist yet). What the last
 * connection test discovered stays with the app.
 */
export function planConfig(current: { app: AppConfig; secrets: AppSecrets } | undefined, spec: AppSpec): ConfigPlan {
  const next = splitSecrets(spec);
  if (!current) {
    const created = exportConfig({ ...next.config, id: '', configVersion: 1, createdAt: '', updatedAt: '' }, { secretMarkers: false });
    const changes: ConfigChange[] = Object.entries(created).map(([path, after]) => ({ path, after: after }));
    for (const slot of secretSlots(spec.target.auth.type)) changes.push({ path: slotName(slot), secret: 'set' });
    return { outcome: 'created', changes: sortByPath(changes), write: { ...next, bumpConfigVersion: false, intervalChanged: false } };
  }
  const discovered = current.app.capabilities?.discovered;
  if (discovered) next.config.capabilities = { overrides: next.config.capabilities?.overrides ?? {}, discovered };
  // The whole configuration is the new one: a part the spec leaves out is removed.
  const { id, configVersion, createdAt, updatedAt } = current.app;
  const preview: AppConfig = { id, configVersion, createdAt, updatedAt, ...next.config };
  const changes = diffConfig(current.app, current.secrets, preview, next.secrets);
  if (changes.length === 0) return { outcome: 'unchanged', changes };
  return {
    outcome: 'updated',
    changes,
    write: {
      ...next,
      bumpConfigVersion: changesScope(current.app, preview),
      intervalChanged: preview.schedule.intervalMinutes !== current.app.schedule.intervalMinutes,
    },
  };
}

function sortByPath(changes: ConfigChange[]): ConfigChange[] {
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
