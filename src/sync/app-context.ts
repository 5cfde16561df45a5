/**
 * Everything an activity needs to work on one app: its configuration, its source and target
 * clients and its mappings bound to the reconcile path. Secrets are loaded here, by app id,
 * and never leave the worker process. Contexts are cached per app version so tokens are reused.
 */
import type { Metrics } from '../metrics/index';
import type { AppConfig } from '../config/app';
import { BulkBatcher, CONSERVATIVE_PROFILE, mergeProfile, profiledWriter, type CapabilityProfile } from '../scim/index';
import { ProvisioningError } from '../errors/index';
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS, sourceAttributesOf } from '../mapping/index';
import { SCHEMA_GROUP } from '../scim/types';
import type { AttributeMapping } from '../mapping/schema';
import type { ScopingFilter } from '../mapping/scoping/index';
import {
  createMappingPort,
  type ReferencePort,
  type AnchorPort,
  type AnchorRecord,
  type AnchorView,
  type MappingPort,
  type ReconcileContext,
  type ScopeReason,
} from '../reconcile/index';
import type { Anchor, Store } from '../store/index';
import type { ObjectType, SourceObject } from '../source/index';
import type { UserAppRole } from '../graph/index';
import type { ClientFactories, TargetClient, DirectorySource } from './ports';

export interface AppContext {
  app: AppConfig;
  source: DirectorySource;
  target: TargetClient;
  mappings: readonly AttributeMapping[];
  mapping: MappingPort;
  /** The reconcile context for users of this app. */
  users: ReconcileContext;
  /** The reconcile context for groups of this app (used when the app provisions groups). */
  groups: ReconcileContext;
  /** The app's effective capability profile. */
  profile: CapabilityProfile;
  /** The roles each user holds in the app, when the mappings read them (read at most once a minute, unless `fresh`). */
  appRoles?: (options?: { fresh?: boolean }) => Promise<Map<string, UserAppRole[]>>;
  /**
   * A users context for a batch of objects: anchors read ahead in one query per page
   * (`prefetch`), and anchor writes held back until `flush(sourceIds)`, so the caller records the
   * objects' log entries first. A worker that dies in between leaves a logged change without an
   * anchor, which the retry matches and links (the log keeps the first entry of a change), never
   * an anchor without its log entry.
   */
  batch(objectType?: ObjectType): AnchorBatch;
}

export interface AnchorBatch {
  context: ReconcileContext;
  prefetch(sourceIds: string[]): Promise<void>;
  /** Writes the held-back anchors of these objects in one statement, with their scope reasons; returns those that conflict. */
  flush(sourceIds: string[], reasons?: ReadonlyMap<string, ScopeReason>): Promise<{ sourceId: string; error: ProvisioningError }[]>;
}

function toRecord(anchor: Anchor): AnchorRecord {
  return { sourceId: anchor.sourceId, targetId: anchor.targetId, lastExported: anchor.lastExported, state: anchor.state };
}

/** What the store keeps of an anchor a reconcile wrote. */
function anchorInput(appId: string, objectType: ObjectType, sourceId: string, anchor: AnchorView) {
  return {
    appId,
    objectType,
    sourceId,
    targetId: anchor.targetId,
    lastExported: anchor.lastExported as Record<string, never>,
    state: anchor.state,
  };
}

function anchorPort(store: Store, appId: string, objectType: ObjectType): AnchorPort {
  return {
    get: async (sourceId) => {
      const anchor = await store.anchors.get(appId, objectType, sourceId);
      return anchor && toRecord(anchor);
    },
    save: async (sourceId, anchor) => {
      await store.anchors.upsert(anchorInput(appId, objectType, sourceId, anchor));
    },
  };
}

/**
 * A per-id membership check whose calls made at the same moment share one query: the checks of
 * concurrent reconciles cost one round trip, and each still reads the state as of its own call.
 */
function coalesced(query: (ids: string[]) => Promise<Set<string>>): (id: string) => Promise<boolean> {
  let pending: { ids: Set<string>; result: Promise<Set<string>> } | undefined;
  return (id) => {
    if (!pending) {
      const ids = new Set<string>();
      const result = new Promise<Set<string>>((resolve, reject) => {
        setImmediate(() => {
          pending = undefined;
          query([...ids]).then(resolve, reject);
        });
      });
      pending = { ids, result };
    }
    pending.ids.add(id);
    return pending.result.then((found) => found.has(id));
  };
}

/** Why a person who has left is out of every app's scope (and refused a create or re-enable). */
export const PERSON_LEFT = 'the person has left (lifecycle state); only a rehire brings them back';

/** Source attributes that refer to another user by object id, written as that user's target id. */
const REFERENCE_ATTRIBUTES = ['manager'];
/** How long a reading of "the app has pending references" serves. */
const PENDING_CHECK_MS = 10_000;

/**
 * Resolves a user's references (its manager) to the referenced user's target id in this app.
 * One not provisioned yet is left out and recorded as pending; resolution later reconciles the
 * user again once it exists (see the cycle's references phase and on-demand provisioning).
 */
function referencePort(store: Store, appId: string, attributes: string[]): ReferencePort {
  // Whether the app has any pending reference, checked now and then: when it has none, a user
  // without a manager needs no clearing (the common case, and one query per user saved).
  let known: { at: number; any: Promise<boolean> } | undefined;
  const anyPending = () => {
    if (!known || Date.now() - known.at > PENDING_CHECK_MS)
      known = { at: Date.now(), any: store.references.list(appId, 1).then((rows) => rows.length > 0) };
    return known.any;
  };
  const clear = async (holderId: string, attribute: string) => {
    if (await anyPending()) await store.references.clear(appId, holderId, attribute);
  };
  return {
    async resolve(source, { dryRun }) {
      const resolved = { ...source.attributes };
      const pending: { attribute: string; refId: string }[] = [];
      for (const attribute of attributes) {
        const refId = resolved[attribute];
        if (typeof refId !== 'string' || refId === '') {
          if (!dryRun && refId !== undefined) await clear(source.id, attribute);
          continue;
        }
        const anchor = await store.anchors.get(appId, 'user', refId);
        if (anchor && anchor.state !== 'deleted') {
          resolved[attribute] = anchor.targetId;
          if (!dryRun) await clear(source.id, attribute);
        } else {
          delete resolved[attribute];
          pending.push({ attribute, refId });
          if (!dryRun) {
            await store.references.setPending(appId, source.id, attribute, refId);
            known = { at: Date.now(), any: Promise.resolve(true) };
          }
        }
      }
      return { source: { ...source, attributes: resolved }, pending };
    },
  };
}

/** The source attribute that carries a user's app roles; it is not a Graph property but is built from the app's assignments. */
const APP_ROLES_ATTRIBUTE = 'appRoleAssignments';
/** How long one reading of the app's role assignments serves before it is read again. */
const APP_ROLES_TTL_MS = 60_000;

/**
 * A source whose users carry `appRoleAssignments`: the roles each user holds in the app
 * (directly or through groups), as AppRoleAssignmentsComplex and SingleAppRoleAssignment expect.
 */
function withAppRoles(
  source: DirectorySource,
  servicePrincipalId: string,
): DirectorySource & { appRoles: (options?: { fresh?: boolean }) => Promise<Map<string, UserAppRole[]>> } {
  let cached: { at: number; roles: Promise<Map<string, { id: string; value: string | null; displayName: string }[]>> } | undefined;
  const roles = (options: { fresh?: boolean } = {}) => {
    if (!cached || options.fresh || Date.now() - cached.at > APP_ROLES_TTL_MS) {
      cached = { at: Date.now(), roles: source.userAppRoles(servicePrincipalId) };
      cached.roles.catch(() => (cached = undefined));
    }
    return cached.roles;
  };
  const enrich = async <T extends SourceObject | undefined>(object: T): Promise<T> => {
    if (!object || object.removed) return object;
    const held = (await roles()).get(object.id) ?? [];
    return { ...object, attributes: { ...object.attributes, [APP_ROLES_ATTRIBUTE]: held.map((role) => ({ ...role })) } };
  };
  return {
    ...source,
    appRoles: roles,
    readUsersDelta: async (link) => {
      const page = await source.readUsersDelta(link);
      return { ...page, objects: await Promise.all(page.objects.map(enrich)) };
    },
    getUsers: async (ids) => Promise.all((await source.getUsers(ids)).map(enrich)),
    getUser: async (id) => enrich(await source.getUser(id)),
  };
}

/**
 * Until discovery has read the target, writes follow RFC 7644 with PATCH, as Entra's do; a
 * target that answers PATCH with 501 shows up in the connection test and its profile.
 */
const UNDISCOVERED: CapabilityProfile = { ...CONSERVATIVE_PROFILE, patch: true };

/** The app's effective capability profile: what discovery found (or the RFC default), then the admin's overrides. */
export function profileOf(app: AppConfig): CapabilityProfile {
  return mergeProfile(app.capabilities?.discovered ?? UNDISCOVERED, app.capabilities?.overrides ?? {});
}

/** Source attributes every cycle reads besides those the mappings use. */
const ALWAYS_SELECTED = ['id', 'accountEnabled', 'displayName', 'userPrincipalName'];

/** Names mappings may use that are not Graph properties to select: the object id is always read as `id`. */
const NOT_SELECTABLE = new Set(['objectId', APP_ROLES_ATTRIBUTE]);

/** The Graph properties a set of mappings and a scoping filter read. */
function selectedBy(mappings: readonly AttributeMapping[], scoping: ScopingFilter | undefined, always: string[]): string[] {
  const scoped = scoping?.groups.flatMap((group) => group.clauses.map((clause) => clause.attribute)) ?? [];
  return [...new Set([...always, ...sourceAttributesOf(mappings), ...scoped])];
}

export function createAppContexts(store: Store, clients: ClientFactories, metrics?: Metrics) {
  const cache = new Map<string, { version: string; context: AppContext }>();

  return async function appContext(appId: string): Promise<AppContext> {
    const app = await store.apps.get(appId);
    if (!app)
      throw new ProvisioningError({
        kind: 'configuration',
        code: 'InvalidConfiguration',
        message: `app ${appId} does not exist (deleted?)`,
      });
    const version = `${app.updatedAt}:${app.configVersion}`;
    const cached = cache.get(appId);
    if (cached?.version === version) return cached.context;

    const secrets = await store.apps.getSecrets(appId);
    const mappings = app.mappings.user ?? DEFAULT_USER_MAPPINGS;
    const groupMappings = app.mappings.group ?? DEFAULT_GROUP_MAPPINGS;
    const read = selectedBy(mappings, app.scoping?.user, ALWAYS_SELECTED);
    const select = read.filter((attribute) => !NOT_SELECTABLE.has(attribute));
    const groupSelect = selectedBy(groupMappings, app.scoping?.group, ['displayName']).filter(
      (attribute) => !NOT_SELECTABLE.has(attribute),
    );
    const plain = clients.source(app, secrets, select, groupSelect, metrics?.source(appId));
    const withRoles =
      read.includes(APP_ROLES_ATTRIBUTE) && app.source.servicePrincipalId ? withAppRoles(plain, app.source.servicePrincipalId) : undefined;
    const source = withRoles ?? plain;
    const target = clients.target(app, secrets, metrics?.target(appId));
    const environment = { now: () => new Date(), random: Math.random };
    const mapping = createMappingPort(mappings, environment);
    const profile = profileOf(app);
    const referenced = REFERENCE_ATTRIBUTES.filter((attribute) => read.includes(attribute));
    const hasLeft = coalesced((ids: string[]) => store.persons.leftAmong(ids));
    // One batcher per target, shared by users and groups, so their writes fill the same BulkRequests.
    const bulk = profile.bulk.supported && profile.bulk.maxOperations > 1 ? new BulkBatcher(target, profile.bulk) : undefined;
    const writerOptions = bulk ? { bulk } : {};
    const users: ReconcileContext = {
      objectType: 'user',
      target: profiledWriter(target, 'Users', profile, writerOptions),
      mapping,
      deprovisioning: app.deprovisioning,
      anchors: anchorPort(store, appId, 'user'),
      ...(referenced.length > 0 && { references: referencePort(store, appId, referenced) }),
      admit: async (sourceId) => ((await hasLeft(sourceId)) ? PERSON_LEFT : undefined),
    };
    const groupAction = app.groups?.deprovision === 'ignore' ? 'ignore' : 'delete';
    const groups: ReconcileContext = {
      objectType: 'group',
      target: profiledWriter(target, 'Groups', profile, writerOptions),
      mapping: createMappingPort(groupMappings, environment, { coreSchema: SCHEMA_GROUP }),
      deprovisioning: { softDeleted: groupAction, hardDeleted: groupAction, outOfScope: groupAction },
      anchors: anchorPort(store, appId, 'group'),
    };
    const contexts = { user: users, group: groups };
    const context: AppContext = {
      app,
      source,
      target,
      mappings,
      mapping,
      users,
      groups,
      profile,
      ...(withRoles && { appRoles: withRoles.appRoles }),
      batch(objectType = 'user') {
        const base = contexts[objectType];
        const known = new Map<string, AnchorRecord | undefined>();
        const pending = new Map<string, AnchorView>();
        return {
          context: {
            ...base,
            anchors: {
              get: async (sourceId) => (known.has(sourceId) ? known.get(sourceId) : base.anchors.get(sourceId)),
              save: async (sourceId, anchor) => {
                pending.set(sourceId, anchor);
                known.set(sourceId, { sourceId, ...anchor });
              },
            },
          },
          async prefetch(sourceIds) {
            const found = await store.anchors.getMany(appId, objectType, sourceIds);
            for (const id of sourceIds) if (!pending.has(id)) known.set(id, found.has(id) ? toRecord(found.get(id)!) : undefined);
          },
          async flush(ids, reasons) {
            const inputs = ids.flatMap((sourceId) => {
              const anchor = pending.get(sourceId);
              pending.delete(sourceId);
              known.delete(sourceId);
              const scopeReason = reasons?.get(sourceId);
              return anchor ? [{ ...anchorInput(appId, objectType, sourceId, anchor), ...(scopeReason && { scopeReason }) }] : [];
            });
            return store.anchors.upsertMany(inputs);
          },
        };
      },
    };
    cache.set(appId, { version, context });
    return context;
  };
}
