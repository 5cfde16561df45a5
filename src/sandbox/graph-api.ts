/**
 * The Graph v1.0 resources the provisioning source reads: users and groups (list, by id,
 * `$filter=id in`, delta rounds), a group's direct and transitive members (optionally cast to
 * users or groups), and a service principal's app role assignments.
 */
import { groupsDelta, usersDelta } from './delta';
import { projectGroup, projectUser, type Directory, type Json, type MemberType } from './directory';
import type { Listing, Pager } from './paging';
import { graphError, type SandboxResponse } from './shapes';

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
  /** Most `members@delta` items on one page of a groups delta round; a larger group continues on the next page. */
  membersPerPage: number;
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
        ? {
            status: 400,
            code: 'syncStateNotFound',
            message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
          }
        : { status: 410, code: 'resyncRequired', message: 'The delta token is no longer valid, and the app must reset the sync state.' };
  }

  /** `/users/$count`: a plain-text number, only as an advanced query (as Graph answers). */
  private countUsers(request: GraphRequest): SandboxResponse {
    if (request.consistencyLevel?.toLowerCase() !== 'eventual') {
      return graphError(400, 'Request_BadRequest', 'Count is not currently supported.');
    }
    return { status: 200, text: String(this.directory.users.size) };
  }

  handle(request: GraphRequest): SandboxResponse {
    const { path } = request;
    const skiptoken = request.query.get('$skiptoken');
    if (skiptoken !== null) return this.nextPage(request, skiptoken);
    if (path === '/users') return this.listUsers(request);
    if (path === '/users/$count') return this.countUsers(request);
    if (path === '/users/delta' || path === '/users/microsoft.graph.delta') return this.usersDelta(request);
    if (path === '/groups') return this.listGroups(request);
    if (path === '/groups/delta' || path === '/groups/microsoft.graph.delta') return this.groupsDelta(request);
    let match = /^\/users\/([^/]+)$/.exec(path);
    if (match) return this.getUser(request, decodeURIComponent(match[1]!));
    match = /^\/groups\/([^/]+)$/.exec(path);
    if (match) return this.getGroup(request, decodeURIComponent(match[1]!));
    match = /^\/servicePrincipals\/([^/]+)$/.exec(path);
    if (match) return this.servicePrincipal(request, decodeURIComponent(match[1]!));
    match = /^\/servicePrincipals\/([^/]+)\/appRoleAssignedTo$/.exec(path);
    if (match) return this.appRoleAssignedTo(request, decodeURIComponent(match[1]!));
    match = /^\/groups\/([^/]+)\/(members|transitiveMembers)(?:\/microsoft\.graph\.(user|group))?$/.exec(path);
    if (match)
      return this.groupMembers(
        request,
        decodeURIComponent(match[1]!),
        match[2] === 'transitiveMembers',
        match[3] as MemberType | undefined,
      );
    const segment = path.split('/').filter(Boolean).at(-1) ?? '';
    return graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  }

  private nextPage(request: GraphRequest, skiptoken: string): SandboxResponse {
    const cursor = this.pager.cursor(skiptoken);
    if (!cursor) return graphError(400, 'Directory_InvalidSkipToken', 'The specified page token value has expired or is invalid.');
    if (cursor.listing.generation !== undefined && cursor.listing.generation < this.generation) return this.expired();
    return this.pager.page(request.base, cursor.listing, cursor.offset);
  }

  private select(request: GraphRequest): string[] | undefined {
    const raw = request.query.get('$select');
    return raw
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  }

  private pageSize(request: GraphRequest): number | SandboxResponse {
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

  private listUsers(request: GraphRequest): SandboxResponse {
    const select = this.select(request);
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const employeeId = employeeIdFilter(request);
    const ids = employeeId === undefined ? idFilter(request, 'User') : undefined;
    if (ids && !Array.isArray(ids)) return ids;
    const users = [...this.directory.users.values()].filter(
      (user) => (!ids || ids.includes(user.id)) && (employeeId === undefined || user.employeeId === employeeId),
    );
    const listing: Listing = {
      items: users.map((user) =>
        projectUser(user, select, this.directory.relationsOf(user.id, { expandManager: expandsManager(request) })),
      ),
      context: this.usersContext(request.base, select),
      next: { path: '/users', query: queryString(request.query) },
      pageSize,
    };
    return this.pager.page(request.base, listing);
  }

  /** The token of a delta request (undefined on a first round), or the answer for an expired one. */
  private deltaToken(request: GraphRequest): DeltaToken | undefined | SandboxResponse {
    const raw = request.query.get('$deltatoken');
    if (raw === null) return undefined;
    const token = decodeDeltaToken(raw);
    return !token || token.g < this.generation ? this.expired() : token;
  }

  /** A delta round's listing over `items`: skip tokens expire with the generation, the last page carries the deltaLink. */
  private deltaListing(
    request: GraphRequest,
    path: string,
    select: string[] | undefined,
    context: string,
    items: Json[],
    pageEnds?: number[],
  ): Listing {
    const next: DeltaToken = { g: this.generation, s: this.directory.currentSeq, ...(select && { sel: select }) };
    return {
      items,
      context,
      next: { path, query: '' },
      pageSize: Math.min(this.options.pageSize, this.options.maxPageSize),
      ...(pageEnds && { pageEnds }),
      deltaLink: `${request.base}${path}?$deltatoken=${encodeDeltaToken(next)}`,
      generation: this.generation,
    };
  }

  private usersDelta(request: GraphRequest): SandboxResponse {
    const token = this.deltaToken(request);
    if (token && 'status' in token) return token;
    const select = token ? token.sel : this.select(request);
    const items = usersDelta(this.directory, token?.s, select, /return=minimal/i.test(request.prefer ?? ''));
    return this.pager.page(
      request.base,
      this.deltaListing(request, '/users/delta', select, this.usersContext(request.base, select), items),
    );
  }

  private groupsDelta(request: GraphRequest): SandboxResponse {
    const token = this.deltaToken(request);
    if (token && 'status' in token) return token;
    const select = token ? token.sel : this.select(request);
    const round = groupsDelta(this.directory, token?.s, select, /return=minimal/i.test(request.prefer ?? ''), {
      pageSize: Math.min(this.options.pageSize, this.options.maxPageSize),
      membersPerPage: this.options.membersPerPage,
    });
    const listing = this.deltaListing(
      request,
      '/groups/delta',
      select,
      this.groupsContext(request.base, select),
      round.items,
      round.pageEnds,
    );
    return this.pager.page(request.base, listing);
  }

  private groupsContext(base: string, select: string[] | undefined): string {
    return `${base}/$metadata#groups${select ? `(${select.join(',')})` : ''}`;
  }

  private listGroups(request: GraphRequest): SandboxResponse {
    const select = this.select(request);
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const ids = idFilter(request, 'Group');
    if (ids && !Array.isArray(ids)) return ids;
    const groups = [...this.directory.groups.values()].filter((group) => !ids || ids.includes(group.id));
    return this.pager.page(request.base, {
      items: groups.map((group) => projectGroup(group, select)),
      context: this.groupsContext(request.base, select),
      next: { path: '/groups', query: queryString(request.query) },
      pageSize,
    });
  }

  private getGroup(request: GraphRequest, id: string): SandboxResponse {
    const group = this.directory.groups.get(id);
    if (!group) return notFound(id);
    const select = this.select(request);
    return {
      status: 200,
      body: { '@odata.context': `${this.groupsContext(request.base, select)}/$entity`, ...projectGroup(group, select) },
    };
  }

  /**
   * `/groups/{id}/members` (direct) or `/transitiveMembers` (through nested groups, each object
   * once, nested groups included), optionally cast to `microsoft.graph.user` or `.group`. Each
   * item carries `@odata.type`; `$select=id` gives `{"@odata.type", "id"}`.
   */
  private groupMembers(request: GraphRequest, groupId: string, transitive: boolean, cast: MemberType | undefined): SandboxResponse {
    if (!this.directory.groups.has(groupId)) return notFound(groupId);
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const select = this.select(request);
    const members = transitive ? this.directory.transitiveMembers(groupId) : this.directory.directMembers(groupId);
    const items: Json[] = [];
    for (const { id, type } of members) {
      if (cast && type !== cast) continue;
      const shown =
        type === 'user'
          ? projectUser(this.directory.users.get(id)!, select, this.directory.relationsOf(id, { expandManager: expandsManager(request) }))
          : projectGroup(this.directory.groups.get(id)!, select);
      items.push({ '@odata.type': `#microsoft.graph.${type}`, ...shown });
    }
    const relation = transitive ? 'transitiveMembers' : 'members';
    return this.pager.page(request.base, {
      items,
      context:
        cast === 'user'
          ? this.usersContext(request.base, select)
          : cast === 'group'
            ? this.groupsContext(request.base, select)
            : `${request.base}/$metadata#directoryObjects`,
      next: { path: `/groups/${groupId}/${relation}${cast ? `/microsoft.graph.${cast}` : ''}`, query: queryString(request.query) },
      pageSize,
    });
  }

  private expired(): SandboxResponse {
    const expiry = this.expiry ?? {
      status: 400,
      code: 'syncStateNotFound',
      message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
    };
    return graphError(expiry.status, expiry.code, expiry.message);
  }

  private getUser(request: GraphRequest, id: string): SandboxResponse {
    const user = this.directory.users.get(id);
    if (!user) return notFound(id);
    const select = this.select(request);
    const context = `${this.usersContext(request.base, select)}/$entity`;
    return {
      status: 200,
      body: {
        '@odata.context': context,
        ...projectUser(user, select, this.directory.relationsOf(id, { expandManager: expandsManager(request) })),
      },
    };
  }

  /** `/servicePrincipals/{id}`: the sandbox knows a service principal by the app roles defined for it or its assignments. */
  private servicePrincipal(request: GraphRequest, servicePrincipalId: string): SandboxResponse {
    const roles = this.directory.appRoles.get(servicePrincipalId);
    if (!roles && !this.directory.assignments.some((a) => a.resourceId === servicePrincipalId)) return notFound(servicePrincipalId);
    const body: Json = {
      '@odata.context': `${request.base}/$metadata#servicePrincipals(id,appRoles)/$entity`,
      id: servicePrincipalId,
      appRoles: (roles ?? []).map((r) => ({ ...r })) as Json,
    };
    const select = request.query.get('$select');
    if (select) {
      const wanted = new Set(select.split(',').map((p) => p.trim()));
      for (const key of Object.keys(body))
        if (!key.startsWith('@') && key !== 'id' && !wanted.has(key)) delete (body as Record<string, Json>)[key];
    }
    return { status: 200, body };
  }

  private appRoleAssignedTo(request: GraphRequest, servicePrincipalId: string): SandboxResponse {
    const pageSize = this.pageSize(request);
    if (typeof pageSize !== 'number') return pageSize;
    const items = this.directory.assignments.filter((a) => a.resourceId === servicePrincipalId).map((a) => ({ ...a }));
    return this.pager.page(request.base, {
      items,
      context: `${request.base}/$metadata#servicePrincipals('${servicePrincipalId}')/appRoleAssignedTo`,
      next: { path: `/servicePrincipals/${servicePrincipalId}/appRoleAssignedTo`, query: queryString(request.query) },
      pageSize,
    });
  }
}

function notFound(id: string): SandboxResponse {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/**
 * The ids of an `id in (...)` or `id eq` `$filter`; undefined without a filter; Graph's 400 for
 * any other filter or more than 15 values.
 */
function idFilter(request: GraphRequest, resource: 'User' | 'Group'): string[] | SandboxResponse | undefined {
  const filter = request.query.get('$filter');
  if (filter === null) return undefined;
  const ids = parseIdFilter(filter);
  if (ids === undefined)
    return graphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property 'id' of resource '${resource}'.`,
    );
  if (ids.length > MAX_IN_VALUES) {
    return graphError(
      400,
      'Request_UnsupportedQuery',
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${ids.length}. Max allowed: ${MAX_IN_VALUES}.`,
    );
  }
  return ids;
}

/** The value of an `employeeId eq '…'` `$filter` (a filter Graph supports on users); undefined for any other. */
function employeeIdFilter(request: GraphRequest): string | undefined {
  const filter = request.query.get('$filter');
  const match = filter === null ? null : new RegExp(`^\\s*employeeId\\s+eq\\s+${LITERAL}\\s*$`, 'i').exec(filter);
  return match ? match[1]!.replaceAll("''", "'") : undefined;
}

/** Whether a request expands the manager relationship (`$expand=manager` or `manager(...)`). */
function expandsManager(request: GraphRequest): boolean {
  return /(^|,)\s*manager\b/i.test(request.query.get('$expand') ?? '');
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
