/**
 * An in-memory SCIM 2.0 target as a `fetch` function, for engine tests that hand it to the real
 * client (`scimClientFor(app, secrets, { fetch: target.fetch })`). Users and Groups answer POST,
 * GET by id, listings (`startIndex`, `count`, `excludedAttributes`, a filter `attr eq "value"`),
 * PATCH, PUT and DELETE. Like several real targets it enforces no uniqueness unless asked and
 * appends on a member `add` (a member added twice is listed twice), so a duplicate the engine
 * writes stays visible. Faults are armed per request: the next N matching requests answer with
 * an error status, or are applied and then lose their answer.
 */
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { SCHEMA_ERROR, SCHEMA_LIST_RESPONSE, type PatchOperation, type ScimResource } from '../../src/scim/types';

export const MEMORY_TARGET_URL = 'https://target.example/scim/v2';

export type Endpoint = 'Users' | 'Groups';

/** One request as the target saw it. */
export interface TargetRequest {
  method: string;
  /** Below the base URL, without the query: `/Users`, `/Groups/group-1`. */
  path: string;
  query: Record<string, string>;
  body?: any;
  /** The status it was answered with (a lost answer keeps the status of the work done). */
  status: number;
  /** The target did the work, but the client never got the answer. */
  lost?: boolean;
}

/** Which requests a fault applies to: the method, the path (exact, or a pattern) and a test of the body. */
export interface RequestMatch {
  method: string;
  path?: string | RegExp;
  body?: (body: any) => boolean;
}

export interface MemoryTargetOptions {
  /** 409 for a second user with the same userName or a second group with the same displayName. Default false. */
  unique?: boolean;
  /** Most resources a listing returns per page, whatever `count` asks. Default 100. */
  pageCap?: number;
}

export interface MemoryTarget {
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  /** Every request so far, oldest first. */
  requests: TargetRequest[];
  /** The resources an endpoint holds now (copies), in creation order. */
  list(endpoint: Endpoint): ScimResource[];
  get(endpoint: Endpoint, id: string): ScimResource | undefined;
  /** Puts a resource in the target as someone else would; returns its id. */
  seed(endpoint: Endpoint, resource: Omit<ScimResource, 'id'>): string;
  /** The next `times` (default 1; `Infinity` for every) matching requests answer `status` with `detail`, doing nothing. */
  fail(match: RequestMatch, status: number, options?: { times?: number; detail?: string }): void;
  /** The next `times` (default 1) matching requests are carried out, and then the answer is lost (a network error). */
  loseAnswer(match: RequestMatch, options?: { times?: number }): void;
  /** Before the target handles the next matching request, `action` runs (and is waited for): something happens meanwhile. */
  before(match: RequestMatch, action: () => Promise<void> | void): void;
  /** Disarms every fault not used up yet: the target has recovered. */
  recover(): void;
}

type Fault = { match: RequestMatch; remaining: number } & ({ status: number; detail: string } | { lose: true });

const RESOURCE_TYPE: Record<Endpoint, string> = { Users: 'User', Groups: 'Group' };
const UNIQUE_ATTRIBUTE: Record<Endpoint, string> = { Users: 'userName', Groups: 'displayName' };

function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/scim+json' },
  });
}

function scimError(status: number, detail: string, scimType?: string): Response {
  return json(status, { schemas: [SCHEMA_ERROR], status: String(status), detail, ...(scimType && { scimType }) });
}

/** The values an attribute path reaches in a resource: `userName`, `name.givenName`, `emails.value`, `urn:...:User:employeeNumber`. */
function valuesAt(resource: Record<string, unknown>, path: string): unknown[] {
  let current: unknown[] = [resource];
  let rest = path;
  if (path.startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    current = [resource[path.slice(0, cut)]];
    rest = path.slice(cut + 1);
  }
  for (const name of rest.split('.')) {
    current = current.flatMap((value) => {
      if (value === null || typeof value !== 'object') return [];
      const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
      const next = key === undefined ? undefined : (value as Record<string, unknown>)[key];
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return current;
}

/** `attr eq value` as SCIM filters write it; strings compare without regard to case (userName is not case-exact). */
function eqMatcher(filter: string): ((resource: ScimResource) => boolean) | undefined {
  const parsed = /^\s*(\S+)\s+eq\s+(.+?)\s*$/i.exec(filter);
  if (!parsed) return undefined;
  const [, path, literal] = parsed as unknown as [string, string, string];
  let wanted: unknown;
  try {
    wanted = JSON.parse(literal);
  } catch {
    return undefined;
  }
  const same = (value: unknown) =>
    typeof value === 'string' && typeof wanted === 'string' ? value.toLowerCase() === wanted.toLowerCase() : value === wanted;
  return (resource) => valuesAt(resource, path).some(same);
}

function matches(match: RequestMatch, request: Omit<TargetRequest, 'status'>): boolean {
  if (match.method !== request.method) return false;
  if (typeof match.path === 'string' && match.path !== request.path) return false;
  if (match.path instanceof RegExp && !match.path.test(request.path)) return false;
  return match.body === undefined || match.body(request.body);
}

/**
 * A fresh, empty target.
 *
 * @example
 * const target = memoryTarget();
 * target.fail({ method: 'POST', path: '/Users', body: (user) => user.userName === 'ada@contoso.test' }, 500);
 */
export function memoryTarget(options: MemoryTargetOptions = {}): MemoryTarget {
  const basePath = new URL(MEMORY_TARGET_URL).pathname;
  const pageCap = options.pageCap ?? 100;
  const stores: Record<Endpoint, Map<string, ScimResource>> = { Users: new Map(), Groups: new Map() };
  const next: Record<Endpoint, number> = { Users: 0, Groups: 0 };
  const requests: TargetRequest[] = [];
  let faults: Fault[] = [];
  const hooks: { match: RequestMatch; action: () => Promise<void> | void }[] = [];
  let version = 0;

  function stamp(endpoint: Endpoint, resource: ScimResource, created?: string): ScimResource {
    const now = new Date().toISOString();
    resource.meta = {
      resourceType: RESOURCE_TYPE[endpoint],
      created: created ?? now,
      lastModified: now,
      location: `${MEMORY_TARGET_URL}/${endpoint}/${resource.id}`,
      version: `W/"${++version}"`,
    };
    return resource;
  }

  function insert(endpoint: Endpoint, body: Omit<ScimResource, 'id'>): ScimResource {
    const id = `${RESOURCE_TYPE[endpoint].toLowerCase()}-${++next[endpoint]}`;
    const resource = stamp(endpoint, { ...structuredClone(body), id } as ScimResource);
    stores[endpoint].set(id, resource);
    return resource;
  }

  function conflicting(endpoint: Endpoint, resource: ScimResource, id?: string): boolean {
    if (!options.unique) return false;
    const attribute = UNIQUE_ATTRIBUTE[endpoint];
    const value = resource[attribute];
    const same = eqMatcher(`${attribute} eq ${JSON.stringify(value)}`);
    return same !== undefined && [...stores[endpoint].values()].some((other) => other.id !== id && same(other));
  }

  /** PATCH operations applied in order; a member `add` appends, as some targets do. */
  function patched(resource: ScimResource, operations: PatchOperation[]): ScimResource {
    let current = structuredClone(resource);
    for (const operation of operations) {
      const op = operation.op.toLowerCase();
      if (op === 'add' && operation.path?.toLowerCase() === 'members' && Array.isArray(operation.value)) {
        current.members = [...((current.members as unknown[] | undefined) ?? []), ...(operation.value as unknown[])];
        continue;
      }
      const normalised = { ...operation, op } as ScimPatchOperation;
      current = scimPatch(current as never, [normalised]);
    }
    return current;
  }

  function collection(endpoint: Endpoint, query: Record<string, string>): Response {
    let resources = [...stores[endpoint].values()];
    if (query.filter !== undefined) {
      const test = eqMatcher(query.filter);
      if (!test) return scimError(400, `unsupported filter: ${query.filter}`, 'invalidFilter');
      resources = resources.filter(test);
    }
    const startIndex = Math.max(1, Number(query.startIndex ?? 1));
    const count = Math.min(pageCap, query.count === undefined ? pageCap : Number(query.count));
    const excluded = new Set((query.excludedAttributes ?? '').split(',').filter(Boolean));
    const page = resources.slice(startIndex - 1, startIndex - 1 + count).map((resource) => {
      const copy = structuredClone(resource);
      for (const attribute of excluded) delete copy[attribute];
      return copy;
    });
    return json(200, {
      schemas: [SCHEMA_LIST_RESPONSE],
      totalResults: resources.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page,
    });
  }

  function handle(request: Omit<TargetRequest, 'status'>): Response {
    const route = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(request.path);
    if (!route) return scimError(404, `no ${request.path} here`);
    const endpoint = route[1] as Endpoint;
    const id = route[2] === undefined ? undefined : decodeURIComponent(route[2]);
    const resources = stores[endpoint];
    if (id === undefined) {
      if (request.method === 'GET') return collection(endpoint, request.query);
      if (request.method !== 'POST') return scimError(405, `${request.method} is not allowed on /${endpoint}`);
      const body = request.body as ScimResource | undefined;
      if (!body || typeof body[UNIQUE_ATTRIBUTE[endpoint]] !== 'string')
        return scimError(400, `${UNIQUE_ATTRIBUTE[endpoint]} is required`, 'invalidValue');
      if (conflicting(endpoint, body)) return scimError(409, `${UNIQUE_ATTRIBUTE[endpoint]} is already taken`, 'uniqueness');
      return json(201, insert(endpoint, body));
    }
    const existing = resources.get(id);
    if (!existing) return scimError(404, `${RESOURCE_TYPE[endpoint]} ${id} not found`);
    switch (request.method) {
      case 'GET':
        return json(200, existing);
      case 'DELETE':
        resources.delete(id);
        return json(204);
      case 'PATCH':
      case 'PUT': {
        let changed: ScimResource;
        try {
          changed =
            request.method === 'PUT'
              ? { ...structuredClone(request.body as ScimResource), id }
              : patched(existing, (request.body as { Operations: PatchOperation[] }).Operations);
        } catch (error) {
          return scimError(400, `the operations do not apply: ${(error as Error).message}`, 'invalidValue');
        }
        if (conflicting(endpoint, changed, id)) return scimError(409, `${UNIQUE_ATTRIBUTE[endpoint]} is already taken`, 'uniqueness');
        const stored = stamp(endpoint, changed, existing.meta?.created);
        resources.set(id, stored);
        return json(200, stored);
      }
      default:
        return scimError(405, `${request.method} is not allowed on /${endpoint}/${id}`);
    }
  }

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const request: Omit<TargetRequest, 'status'> = {
      method: init?.method ?? 'GET',
      path: url.pathname.slice(basePath.length),
      query: Object.fromEntries(url.searchParams),
      ...(text && { body: JSON.parse(text) as unknown }),
    };
    const hook = hooks.findIndex((h) => matches(h.match, request));
    if (hook >= 0) await hooks.splice(hook, 1)[0]!.action();
    const fault = faults.find((f) => f.remaining > 0 && matches(f.match, request));
    if (fault) fault.remaining -= 1;
    if (fault && 'status' in fault) {
      requests.push({ ...request, status: fault.status });
      return scimError(fault.status, fault.detail);
    }
    const response = handle(request);
    requests.push({ ...request, status: response.status, ...(fault && { lost: true }) });
    if (fault) throw new TypeError('fetch failed', { cause: new Error('socket hang up: the answer was lost after the work was done') });
    return response;
  };

  return {
    baseUrl: MEMORY_TARGET_URL,
    fetch,
    requests,
    list: (endpoint) => [...stores[endpoint].values()].map((resource) => structuredClone(resource)),
    get: (endpoint, id) => {
      const resource = stores[endpoint].get(id);
      return resource && structuredClone(resource);
    },
    seed: (endpoint, resource) => insert(endpoint, resource).id!,
    fail(match, status, { times = 1, detail = `the target refused the request (HTTP ${status})` } = {}) {
      faults.push({ match, remaining: times, status, detail });
    },
    loseAnswer(match, { times = 1 } = {}) {
      faults.push({ match, remaining: times, lose: true });
    },
    before(match, action) {
      hooks.push({ match, action });
    },
    recover() {
      faults = [];
    },
  };
}
