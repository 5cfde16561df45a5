/**
 * A second, independent SCIM 2.0 target for tests: the SCIMMY library behind its express
 * routers, in process, with the least host code it needs: an in-memory store per resource type,
 * ids, meta, userName uniqueness and bearer-token auth. SCIMMY itself parses requests, applies
 * filters (through `Filter.match`), PATCH, sorting and paging, and serves the discovery
 * endpoints.
 *
 * SCIMMY keeps its declarations (resource handlers, schema extensions, service provider config,
 * base paths) in module-wide state, so they are made once per process and the handlers find the
 * store of the server a request came to through the routers' `context`. Servers may run side by
 * side; only `meta.location` may name another server's origin when two serve requests at once.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/** Where the SCIM root is mounted below the origin. */
const SCIM_ROOT = '/scim/v2';

type StoredResource = Record<string, unknown> & {
  id: string;
  meta: { resourceType: string; created: string; lastModified: string; version: string };
};

/** One server's resources: a Map per resource type, keyed by id. */
interface Store {
  Users: Map<string, StoredResource>;
  Groups: Map<string, StoredResource>;
}

export interface ScimmyServer {
  /** The SCIM root: `http://127.0.0.1:PORT/scim/v2`. */
  url: string;
  token: string;
  /** The stored users, as plain JSON, in creation order. */
  users(): Record<string, unknown>[];
  /** The stored groups, as plain JSON, in creation order. */
  groups(): Record<string, unknown>[];
  stop(): Promise<void>;
}

type Endpoint = keyof Store;
type ResourceInstance = InstanceType<typeof SCIMMY.Types.Resource>;

function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** An error SCIMMY turns into a SCIM error response; `scimType` is left out when null. */
function scimError(status: number, scimType: string | null, detail: string): InstanceType<typeof SCIMMY.Types.Error> {
  // The type definitions ask for a string, but SCIMMY itself passes null for "no scimType".
  return new SCIMMY.Types.Error(status, scimType as string, detail);
}

function notFound(id: string | undefined): InstanceType<typeof SCIMMY.Types.Error> {
  return scimError(404, null, `Resource ${id} not found`);
}

function storeOf(ctx: unknown): Store {
  if (ctx === null || typeof ctx !== 'object' || !('Users' in ctx)) throw scimError(500, null, 'no store for this request');
  return ctx as Store;
}

/** Users' userName is unique, compared without case as RFC 7643 §4.1.1 declares it (caseExact false). */
function checkUnique(endpoint: Endpoint, store: Store, candidate: Record<string, unknown>, id: string | undefined): void {
  if (endpoint !== 'Users') return;
  const userName = String(candidate.userName ?? '').toLowerCase();
  for (const user of store.Users.values()) {
    if (user.id !== id && String(user.userName ?? '').toLowerCase() === userName) {
      throw scimError(409, 'uniqueness', `userName ${JSON.stringify(candidate.userName)} is already taken`);
    }
  }
}

/** Creates (no id) or replaces (PUT, and PATCH after SCIMMY applied it) a resource. */
function ingress(endpoint: Endpoint, resourceType: string) {
  return (resource: ResourceInstance, instance: unknown, ctx: unknown): StoredResource => {
    const store = storeOf(ctx);
    const { id, meta: _meta, ...attributes } = plain(instance);
    const existing = resource.id === undefined ? undefined : store[endpoint].get(resource.id);
    if (resource.id !== undefined && existing === undefined) throw notFound(resource.id);
    checkUnique(endpoint, store, attributes, resource.id);
    const now = new Date().toISOString();
    const version = existing === undefined ? 1 : Number(existing.meta.version.replace(/\D/g, '')) + 1;
    const stored: StoredResource = {
      ...attributes,
      id: existing?.id ?? randomUUID(),
      meta: { resourceType, created: existing?.meta.created ?? now, lastModified: now, version: `W/"${version}"` },
    };
    store[endpoint].set(stored.id, stored);
    return structuredClone(stored);
  };
}

/** One resource by id, or those matching the request's filter; SCIMMY sorts and pages them. */
function egress(endpoint: Endpoint) {
  return (resource: ResourceInstance, ctx: unknown): StoredResource | StoredResource[] => {
    const resources = storeOf(ctx)[endpoint];
    if (resource.id !== undefined) {
      const found = resources.get(resource.id);
      if (found === undefined) throw notFound(resource.id);
      return structuredClone(found);
    }
    const all = [...resources.values()].map((stored) => structuredClone(stored));
    return resource.filter === undefined ? all : (resource.filter.match(all) as StoredResource[]);
  };
}

function degress(endpoint: Endpoint) {
  return (resource: ResourceInstance, ctx: unknown): void => {
    if (resource.id === undefined || !storeOf(ctx)[endpoint].delete(resource.id)) throw notFound(resource.id);
  };
}

let declared = false;

/** Declares Users (with the enterprise extension) and Groups to SCIMMY, once per process. */
function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    ingress: ingress('Users', 'User'),
    egress: egress('Users'),
    degress: degress('Users'),
    extensions: [{ schema: SCIMMY.Schemas.EnterpriseUser, required: false }],
  });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group, {
    ingress: ingress('Groups', 'Group'),
    egress: egress('Groups'),
    degress: degress('Groups'),
  });
}

/**
 * Starts a SCIMMY server on a free loopback port; each call has its own empty store.
 *
 * @example
 * const target = await startScimmyServer({ token: 'secret' });
 * const scim = new ScimClient({ baseUrl: target.url, authorization: () => `Bearer ${target.token}` });
 */
export async function startScimmyServer(options: { token: string }): Promise<ScimmyServer> {
  declareResources();
  const store: Store = { Users: new Map(), Groups: new Map() };
  const expected = `Bearer ${options.token}`;
  const app = express();
  // Each router appends its scheme to the process-wide config: start from none.
  SCIMMY.Config.set('authenticationSchemes', []);
  app.use(
    SCIM_ROOT,
    new SCIMMYRouters({
      type: 'bearer',
      handler: (request) => {
        if (request.header('authorization') !== expected) throw new Error('Authorization failed: a valid bearer token is required');
        return 'scimflow';
      },
      context: () => store,
      baseUri: (request) => `${request.protocol}://${request.header('host') ?? '127.0.0.1'}`,
    }),
  );

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${SCIM_ROOT}`,
    token: options.token,
    users: () => [...store.Users.values()].map((user) => structuredClone(user)),
    groups: () => [...store.Groups.values()].map((group) => structuredClone(group)),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
