/** The Microsoft Graph source of one app: the reads a provisioning cycle and on-demand requests need. */
import type { SourceObject, SourcePage } from '../source/index';
import {
  readAssignedPrincipals,
  readAssignedUsers,
  readUserAppRoles,
  type AssignedPrincipals,
  type AssignedVia,
  type UserAppRole,
} from './assignments';
import {
  readGroupMembers,
  readGroupsById,
  readGroupsDeltaPage,
  readGroupsPage,
  type GroupDeltaPage,
  type GroupMember,
  type GroupQuery,
} from './groups';
import { createGraphReader, type GraphConnection, type GraphReaderOptions } from './reader';
import { readUser, readUsersById, readUsersDeltaPage, readUsersPage, type UserQuery } from './users';

export interface GraphSourceOptions extends GraphReaderOptions {
  /** User properties the mappings and scoping need; `id` and `accountEnabled` are always read. */
  select?: readonly string[];
  /** Group properties the mappings and scoping need; `id` and `displayName` are always read. */
  groupSelect?: readonly string[];
  /** `$top` of full listings; default 999 (Graph's maximum for users and groups). */
  pageSize?: number;
}

export interface GraphSource {
  /** One page of a full listing of users; pass the previous page's `nextLink` to continue. */
  readUsers(link?: string): Promise<SourcePage>;
  /**
   * One page of a delta round: without a link the first round (every user), else a stored
   * `nextLink` or `deltaLink`. The last page carries the `deltaLink` for the next round.
   * Throws `DeltaTokenExpired` (permanent) when Graph wants an initial round again.
   */
  readUsersDelta(link?: string): Promise<SourcePage>;
  /** Full current attributes of these users; ids Graph does not know are absent. */
  getUsers(ids: readonly string[]): Promise<SourceObject[]>;
  /** One user, or undefined when Graph answers 404. */
  getUser(id: string): Promise<SourceObject | undefined>;
  /** How many users the tenant has (`/users/$count`, an advanced query): the size of an initial round. */
  countUsers(): Promise<number | undefined>;
  /** Users and groups assigned to the app's service principal. */
  assignedPrincipals(servicePrincipalId: string): Promise<AssignedPrincipals>;
  /** The app roles each user holds in the app, directly or through (nested) groups. */
  userAppRoles(servicePrincipalId: string): Promise<Map<string, UserAppRole[]>>;
  /** Users assigned directly or through (nested) groups, each with how. */
  assignedUsers(servicePrincipalId: string): Promise<Map<string, AssignedVia>>;
  /** One page of a full listing of groups (without members); pass the previous page's `nextLink` to continue. */
  readGroups(link?: string): Promise<SourcePage>;
  /**
   * One page of a groups delta round with membership changes: without a link the first round
   * (every group, all members as additions), else a stored `nextLink` or `deltaLink`. A large
   * group appears on several pages: merge them with `mergeGroupDelta`. Throws
   * `DeltaTokenExpired` (permanent) when Graph wants an initial round again.
   */
  readGroupsDelta(link?: string): Promise<GroupDeltaPage>;
  /** A group's members (or, `transitive`, everything reachable through nested groups), one page at a time. */
  readGroupMembers(groupId: string, options?: { transitive?: boolean }): AsyncIterable<GroupMember[]>;
  /** Full current attributes of these groups; ids Graph does not know are absent. */
  getGroups(ids: readonly string[]): Promise<SourceObject[]>;
}

/**
 * Creates the Graph source for an app's configuration and its client secret.
 *
 * @example
 * const graph = createGraphSource(app.source, secrets.clientSecret, { select: ['userPrincipalName', 'mail'] });
 * let page = await graph.readUsersDelta();
 * while (page.nextLink) page = await graph.readUsersDelta(page.nextLink);
 * // store page.deltaLink for the next cycle
 */
export function createGraphSource(connection: GraphConnection, clientSecret: string, options: GraphSourceOptions = {}): GraphSource {
  const reader = createGraphReader(connection, clientSecret, options);
  const query: UserQuery = {
    select: [...new Set(['id', 'accountEnabled', ...(options.select ?? [])])],
    pageSize: options.pageSize ?? 999,
  };
  const groupQuery: GroupQuery = {
    select: [...new Set(['id', 'displayName', ...(options.groupSelect ?? [])])],
    pageSize: options.pageSize ?? 999,
  };
  return {
    readUsers: (link) => readUsersPage(reader, query, link),
    readUsersDelta: (link) => readUsersDeltaPage(reader, query, link),
    getUsers: (ids) => readUsersById(reader, query, ids),
    getUser: (id) => readUser(reader, query, id),
    async countUsers() {
      const count = await reader.get<unknown>('/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
      const n = Number(typeof count === 'string' ? count.trim() : count);
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    },
    assignedPrincipals: (servicePrincipalId) => readAssignedPrincipals(reader, servicePrincipalId),
    assignedUsers: (servicePrincipalId) => readAssignedUsers(reader, servicePrincipalId),
    userAppRoles: (servicePrincipalId) => readUserAppRoles(reader, servicePrincipalId),
    readGroups: (link) => readGroupsPage(reader, groupQuery, link),
    readGroupsDelta: (link) => readGroupsDeltaPage(reader, groupQuery, link),
    readGroupMembers: (groupId, memberOptions) => readGroupMembers(reader, groupId, memberOptions),
    getGroups: (ids) => readGroupsById(reader, groupQuery, ids),
  };
}
