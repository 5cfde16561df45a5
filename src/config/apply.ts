/**
 * Applies configuration documents to apps: plans each (src/config/changes.ts), then writes what
 * changed and tells the app's job. `PUT /apps/{id}/config` applies one, the apps file at start
 * applies all of its apps, every plan made before the first write.
 */
import type { Logger } from '../log/index';
import type { Store } from '../store/index';
import type { AppConfig, AppSpec } from './app';
import { planConfig, type ConfigPlan } from './changes';

/** What applying needs of the apps' jobs (the API's JobControl). */
export interface JobPort {
  ensure(appId: string, intervalMinutes: number): Promise<void>;
  setInterval(appId: string, minutes: number): Promise<void>;
}

/** An app id given by its owner (an apps file's key, a `PUT` to a new id): letters, digits, `.`, `_`, `-`. */
export const APP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const APP_ID_RULE = 'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** An id that cannot be used for a new app, with the reason. */
export class AppIdRefused extends Error {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppIdRefused';
  }
}

export interface AppliedConfig extends Omit<ConfigPlan, 'write'> {
  app: AppConfig;
  /** The config version went up: the next cycle is an initial one. */
  nextCycleInitial: boolean;
}

/** Plans applying `spec` to the app `id`, which may not exist yet; refuses the id of a deleted app or a bad new id. */
export async function planApp(
  store: Pick<Store, 'apps'>,
  id: string,
  spec: AppSpec,
): Promise<{ id: string; plan: ConfigPlan; current?: AppConfig }> {
  const current = await store.apps.get(id);
  if (current) return { id, plan: planConfig({ app: current, secrets: await store.apps.getSecrets(id) }, spec), current };
  if (await store.apps.wasDeleted(id))
    throw new AppIdRefused(id, `app ${id} was deleted and its id is not used again: give the app another id`);
  if (!APP_ID_PATTERN.test(id)) throw new AppIdRefused(id, `a new app's id ${APP_ID_RULE}`);
  return { id, plan: planConfig(undefined, spec) };
}

/** Writes a plan and tells the app's job: a new app's job starts, a new interval reaches the running job. */
export async function writePlan(
  deps: { store: Pick<Store, 'apps'>; jobs: JobPort },
  planned: { id: string; plan: ConfigPlan; current?: AppConfig },
): Promise<AppliedConfig> {
  const { id, plan, current } = planned;
  const { write, ...rest } = plan;
  if (!write) return { ...rest, app: current!, nextCycleInitial: false };
  if (!current) {
    const app = await deps.store.apps.create(write.config, write.secrets, { id });
    await deps.jobs.ensure(id, app.schedule.intervalMinutes);
    return { ...rest, app, nextCycleInitial: true };
  }
  const app = await deps.store.apps.update(id, write.config, {
    secrets: write.secrets,
    bumpConfigVersion: write.bumpConfigVersion,
    replace: true,
  });
  if (!app) throw new AppIdRefused(id, `app ${id} was deleted while its configuration was applied`);
  if (write.intervalChanged) await deps.jobs.setInterval(id, app.schedule.intervalMinutes);
  return { ...rest, app, nextCycleInitial: write.bumpConfigVersion };
}

/**
 * Applies the apps an apps file declares, all planned before the first is written, and logs per
 * app what it did: created, updated with the changed paths, or unchanged. Apps the file does
 * not name are left as they are.
 */
export async function applyDeclaredApps(
  deps: { store: Pick<Store, 'apps'>; jobs: JobPort; logger: Pick<Logger, 'info'> },
  file: string,
  apps: { id: string; spec: AppSpec }[],
): Promise<AppliedConfig[]> {
  const plans = [];
  for (const { id, spec } of apps) plans.push(await planApp(deps.store, id, spec));
  const applied: AppliedConfig[] = [];
  for (const planned of plans) {
    const result = await writePlan(deps, planned);
    deps.logger.info(
      {
        appsFile: file,
        appId: planned.id,
        outcome: result.outcome,
        ...(result.outcome === 'updated' && { changed: result.changes.map((change) => change.path) }),
        ...(result.nextCycleInitial && result.outcome === 'updated' && { nextCycleInitial: true }),
      },
      `apps file: app ${result.outcome}`,
    );
    applied.push(result);
  }
  return applied;
}
