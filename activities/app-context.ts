/**
 * Everything an activity needs to work on one app: its configuration, its source and target
 * clients and its mappings bound to the reconcile path. Secrets are loaded here, by app id,
 * and never leave the worker process. Contexts are cached per app version so tokens are reused.
 */
import type { AppConfig } from '../src/config/app';
import { ProvisioningError } from '../src/errors/index';
import { DEFAULT_USER_MAPPINGS, sourceAttributesOf } from '../src/mapping/index';
import type { AttributeMapping } from '../src/mapping/schema';
import { createMappingPort, type MappingPort, type ReconcileContext } from '../src/reconcile/index';
import type { Store } from '../src/store/index';
import type { ClientFactories, TargetClient, UserSource } from './ports';

export interface AppContext {
  app: AppConfig;
  source: UserSource;
  target: TargetClient;
  mappings: readonly AttributeMapping[];
  mapping: MappingPort;
  /** The reconcile context for users of this app. */
  users: ReconcileContext;
}

/** Source attributes every cycle reads besides those the mappings use. */
const ALWAYS_SELECTED = ['id', 'accountEnabled', 'displayName', 'userPrincipalName'];

export function createAppContexts(store: Store, clients: ClientFactories) {
  const cache = new Map<string, { version: string; context: AppContext }>();

  return async function appContext(appId: string): Promise<AppContext> {
    const app = await store.apps.get(appId);
    if (!app) throw new ProvisioningError({ kind: 'configuration', code: 'InvalidConfiguration', message: `app ${appId} does not exist (deleted?)` });
    const version = `${app.updatedAt}:${app.configVersion}`;
    const cached = cache.get(appId);
    if (cached?.version === version) return cached.context;

    const secrets = await store.apps.getSecrets(appId);
    const mappings = app.mappings.user ?? DEFAULT_USER_MAPPINGS;
    const select = [...new Set([...ALWAYS_SELECTED, ...sourceAttributesOf(mappings)])];
    const source = clients.source(app, secrets, select);
    const target = clients.target(app, secrets);
    const mapping = createMappingPort(mappings);
    const users: ReconcileContext = {
      objectType: 'user',
      target,
      mapping,
      deprovisioning: app.deprovisioning,
      anchors: {
        get: async (sourceId) => {
          const anchor = await store.anchors.get(appId, 'user', sourceId);
          return anchor && { sourceId, targetId: anchor.targetId, lastExported: anchor.lastExported, state: anchor.state };
        },
        save: async (sourceId, anchor) => {
          await store.anchors.upsert({
            appId,
            objectType: 'user',
            sourceId,
            targetId: anchor.targetId,
            lastExported: anchor.lastExported as Record<string, never>,
            state: anchor.state,
          });
        },
      },
    };
    const context: AppContext = { app, source, target, mappings, mapping, users };
    cache.set(appId, { version, context });
    return context;
  };
}
