/**
 * The Graph v1.0 resources the provisioning source reads: users (list, by id, `$filter=id in`),
 * users delta, a service principal's app role assignments and a group's transitive user members.
 */
import { usersDelta } from './delta';
import { projectUser, type Directory, type Json } from './directory';
import type { Listing, Pager } from './paging';
import { graphError, type FakeResponse } from './shapes';

export interface GraphRequest {
  /** Graph root of this request, e.g. `https://localhost:1234/v1.0`. */
  base: string;
  /** Path below the root, e.g. `/users/delta`. */
  path: string;
  query: URLSearchParams;
  /** The `Prefer` request header. */
  prefer?: string;
  /** The `ConsistencyLevel` request header (advanced queries such as `$count` need `eventual`). */
  consistencyLevel?: string;
}

export interface GraphApiOptions {
  /** Page size when the request has no `$top` (and for delta rounds). */
  pageSize: number;
  /** The server's own cap on page size, applied to `$top` too (Graph's is 999 for users). */
  maxPageSize: number;
}

/** Graph's limit of values in an `in (...)` filter. */
const MAX_IN_VALUES = 15;

interface DeltaToken {
  g: number;
  s: number;
  sel?: string[];
}

export class GraphApi {
  /** Delta tokens (and delta skip tokens) of older generations are expired. */
  private generation = 0;
  private expiry: { status: number; code: string; message: string } | undefined;

  constructor(
    private readonly directory: Directory,
    private readonly pager: Pager,
    private readonly options: GraphApiOptions,
  ) {}

  expireDeltaTokens(style: 'syncStateNotFound' | 'resyncRequired'): void {
    this.generation++;
    this.expiry =
      style === 'syncStateNotFound'
        ? { status: 400, code: 'syncStateNotFound', message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.' }
        : { status: 410, code: 'resyncRequired', message: 'The delta token is no longer valid, and the app must reset the sync state.' };
  }

  /** `/users/$count`: a plain-text number, only as an advanced query (as Graph answers). */
  private countUsers(request: GraphRequest): FakeResponse {
    if (request.consistencyLevel?.toLowerCase() !== 'eventual') {
      return graphError(400, 'Request_BadRequest', 'Count is not currently supported.');
    }
    return { status: 200, text: String(this.directory.users.size) };
  }

  handle(request: GraphRequest): FakeResponse {
    const { path } = request;
    const skiptoken = request.query.get('$skiptoken');
    if (skiptoken !== null) return this.nextPage(request, skiptoken);
    if (path === '/users') return this.listUsers(request);
    if (path === '/users/$count') return this.countUsers(request);
    if (path === '/users/delta' || path === '/users/microsoft.graph.delta') return this.usersDelta(request);
    let match = /^\/users\/([^/]+)$/.exec(path);
    if (match) return this.getUser(request, decodeURIComponent(match[1]!));
    match = /^\/servicePrincipals\/([^/]+)\/appRoleAssignedTo$/.exec(path);
    if (match) return this.appRoleAssignedTo(request, decodeURIComponent(match[1]!));
    match = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/.exec(path);
    if (match) return this.transitiveUsers(request, decodeURIComponent(match[1]!));
    const segment = path.split('/').filter(Boolean).at(-1) ?? '';
    return graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  }

  private nextPage(request: GraphRequest, skiptoken: string): FakeResponse {
    const cursor = this.pager.cursor(skiptoken);
    if (!cursor) return graphError(400, 'Directory_InvalidSkipToken', 'The specified page token value has expired or is invalid.');
    if (cursor.listing.generation !== undefined && cursor.listing.generation < this.generation) return this.expired();
    return this.pager.page(request.base, cursor.listing, cursor.offset);
  }

  private select(request: GraphRequest): string[] | undefined {
    const raw = request.query.get('$select');
    return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  }

  private pageSize(request: GraphRequest): number | FakeResponse {
    const raw = request.query.get('$top');
    if (raw === null) return Math.min(this.options.pageSize, this.options.maxPageSize);
    const top = Number(raw);
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return graphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
    }
    return Math.min(top, this.options.maxPageSize);
  }

  private usersContext(base: string, select: string[] | undefined): string {
    return `${base}/$metadata#users${select ? `(${select.join(',')})` : ''}`;
  }

  private listUsers(request: GraphRequest): FakeResponse {
    const select = this.select(request);
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    let users = [...this.directory.users.values()];
    const filter = request.query.get('$filter');
    if (filter !== null) {
      const ids = parseIdFilter(filter);
      if (ids === undefined) return graphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property 'id' of resource 'User'.`);
      if (ids.length > MAX_IN_VALUES) {
        return graphError(400, 'Request_UnsupportedQuery', `Too many child clauses specified in search filter expression containing 'OR' operators: ${ids.length}. Max allowed: ${MAX_IN_VALUES}.`);
      }
      users = users.filter((user) => ids.includes(user.id));
    }
    const listing: Listing = {
      items: users.map((user) => projectUser(user, select)),
      context: this.usersContext(request.base, select),
      next: { path: '/users', query: queryString(request.query) },
      pageSize,
    };
    return this.pager.page(request.base, listing);
  }

  private usersDelta(request: GraphRequest): FakeResponse {
    const raw = request.query.get('$deltatoken');
    let token: DeltaToken | undefined;
    if (raw !== null) {
      token = decodeDeltaToken(raw);
      if (!token || token.g < this.generation) return this.expired();
    }
    const select = token ? token.sel : this.select(request);
    const next: DeltaToken = { g: this.generation, s: this.directory.currentSeq, ...(select && { sel: select }) };
    const listing: Listing = {
      items: usersDelta(this.directory, token?.s, select, /return=minimal/i.test(request.prefer ?? '')),
      context: this.usersContext(request.base, select),
      next: { path: '/users/delta', query: '' },
      pageSize: Math.min(this.options.pageSize, this.options.maxPageSize),
      deltaLink: `${request.base}/users/delta?$deltatoken=${encodeDeltaToken(next)}`,
      generation: this.generation,
    };
    return this.pager.page(request.base, listing);
  }

  private expired(): FakeResponse {
    const expiry = this.expiry ?? { status: 400, code: 'syncStateNotFound', message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.' };
    return graphError(expiry.status, expiry.code, expiry.message);
  }

  private getUser(request: GraphRequest, id: string): FakeResponse {
    const user = this.directory.users.get(id);
    if (!user) return notFound(id);
    const select = this.select(request);
    const context = `${this.usersContext(request.base, select)}/$entity`;
    return { status: 200, body: { '@odata.context': context, ...projectUser(user, select) } };
  }

  private appRoleAssignedTo(request: GraphRequest, servicePrincipalId: string): FakeResponse {
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const items = this.directory.assignments.filter((a) => a.resourceId === servicePrincipalId).map((a) => ({ ...a }) as Json);
    return this.pager.page(request.base, {
      items,
      context: `${request.base}/$metadata#servicePrincipals('${servicePrincipalId}')/appRoleAssignedTo`,
      next: { path: `/servicePrincipals/${servicePrincipalId}/appRoleAssignedTo`, query: queryString(request.query) },
      pageSize,
    });
  }

  private transitiveUsers(request: GraphRequest, groupId: string): FakeResponse {
    if (!this.directory.groups.has(groupId)) return notFound(groupId);
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const select = this.select(request);
    const items = this.directory.transitiveUserMembers(groupId).map((user) => ({ '@odata.type': '#microsoft.graph.user', ...projectUser(user, select) }));
    return this.pager.page(request.base, {
      items,
      context: this.usersContext(request.base, select),
      next: { path: `/groups/${groupId}/transitiveMembers/microsoft.graph.user`, query: queryString(request.query) },
      pageSize,
    });
  }
}

function notFound(id: string): FakeResponse {
  return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** OData string literal: quotes doubled inside. */
const LITERAL = "'((?:[^']|'')*)'";

/** `id in ('a','b')` or `id eq 'a'` → the ids; undefined for anything else. */
function parseIdFilter(filter: string): string[] | undefined {
  const unquote = (literal: string) => literal.replaceAll("''", "'");
  const eq = new RegExp(`^\\s*id\\s+eq\\s+${LITERAL}\\s*$`, 'i').exec(filter);
  if (eq) return [unquote(eq[1]!)];
  const list = new RegExp(`^\\s*id\\s+in\\s+\\((\\s*${LITERAL}\\s*(?:,\\s*${LITERAL}\\s*)*)\\)\\s*$`, 'i').exec(filter);
  if (!list) return undefined;
  return [...list[1]!.matchAll(new RegExp(LITERAL, 'g'))].map((m) => unquote(m[1]!));
}

/** A query string the way Graph writes it in links: `$select=id,displayName&$top=2`. */
function queryString(query: URLSearchParams): string {
  return [...query].map(([key, value]) => `${key}=${encodeURIComponent(value).replaceAll('%2C', ',')}`).join('&');
}

function encodeDeltaToken(token: DeltaToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeDeltaToken(raw: string): DeltaToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
    return typeof token.g === 'number' && typeof token.s === 'number' ? token : undefined;
  } catch {
    return undefined;
  }
}
