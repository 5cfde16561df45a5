/**
 * A sandbox Microsoft Entra tenant: identity platform (OpenID configuration, client credentials
 * token endpoint) and the Microsoft Graph v1.0 resources the source reads, in the documented
 * shapes, over HTTPS on loopback, with an in-memory directory that its owner changes directly
 * (or, over HTTP, through `/sandbox/people`, see people-api.ts). It is what the tests provision
 * from and what `npm run demo` runs against; `npm start` never starts it.
 *
 * @example
 * await writeSandboxCa(tlsDir); // NODE_EXTRA_CA_CERTS=tlsDir/ca.pem for the processes that call it
 * const sandbox = await startSandboxGraph({ tlsDir });
 * const alice = sandbox.addUser({ userPrincipalName: 'alice@contoso.test', displayName: 'Alice' });
 * const source = createGraphSource(sandbox.sourceConfig(), sandbox.clientSecret, { select: ['displayName'] });
 * // ... sandbox.updateUser(alice.id, { displayName: 'Alice B' }); sandbox.expireDeltaTokens(); ...
 * await sandbox.close();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TokenIssuer } from './auth';
import {
  Directory,
  type AppRole,
  type AppRoleAssignment,
  type GroupProperties,
  type GroupRecord,
  type Json,
  type UserRecord,
} from './directory';
import { GraphApi } from './graph-api';
import { Pager } from './paging';
import { PeopleApi } from './people-api';
import { listen, type SandboxRequestLog } from './server';
import { graphError, type SandboxResponse } from './shapes';

export type { AppRole, AppRoleAssignment, GroupProperties, GroupRecord, Json, UserRecord, SandboxRequestLog };
export type { SandboxPerson } from './people-api';
export { writeSandboxCa } from './tls';
export { COMPANY_DOMAIN, seedCompany, type SeededCompany } from './company';
export { demoBanner, type DemoBannerParts } from './banner';
export { startScimTarget, type ScimTarget, type ScimTargetOptions } from './scim-target';

export interface SandboxGraphOptions {
  /** Directory with `cert.pem` and `key.pem` for `localhost` and `127.0.0.1` (see writeSandboxCa). */
  tlsDir: string;
  /** The loopback port to listen on (default 0: a free one). */
  port?: number;
  /** The domain of the people hired through `/sandbox/people` (default `contoso.test`). */
  domain?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The app's service principal (resource of assignments). */
  servicePrincipalId?: string;
  /** Page size when a request has no `$top`, and of delta rounds (default 100). */
  pageSize?: number;
  /** Cap on every page size, `$top` included (default 999): set it low to make any listing page. */
  maxPageSize?: number;
  /**
   * Most `members@delta` items on one page of a groups delta round (default 1000): a group with
   * more members fills the page and continues on the next ones.
   */
  deltaMembersPerPage?: number;
}

export interface SandboxGraph {
  /** `https://localhost:PORT`: the authority host and the Graph host. */
  url: string;
  port: number;
  authorityHost: string;
  /** `https://localhost:PORT/v1.0`. */
  graphBaseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  servicePrincipalId: string;
  directory: Directory;
  /** Every request received, in order. */
  requests: SandboxRequestLog[];
  /** A graph source configuration pointing at this sandbox (override any field). */
  sourceConfig(overrides?: Partial<SandboxSourceConfig>): SandboxSourceConfig;
  addUser(properties?: Partial<UserRecord>): UserRecord;
  updateUser(id: string, patch: Record<string, Json>): void;
  /** Sets a user's manager (null removes it); delta reports it as `manager@delta`, reads with `$expand=manager`. */
  setManager(userId: string, managerId: string | null): void;
  softDeleteUser(id: string): void;
  restoreUser(id: string): void;
  hardDeleteUser(id: string): void;
  addGroup(properties?: GroupProperties): GroupRecord;
  /** Sets group properties; `null` clears one. */
  updateGroup(id: string, patch: Record<string, Json>): void;
  /** Deletes a group: permanently (a security group, the default) or restorably (a Microsoft 365 group). */
  deleteGroup(id: string, permanent?: boolean): void;
  /** Adds an existing user or group as a direct member. */
  addMember(groupId: string, memberId: string): void;
  addMembers(groupId: string, memberIds: Iterable<string>): void;
  removeMember(groupId: string, memberId: string): void;
  /** Assigns a user or group to the app (or to `resourceId`). */
  assign(principalId: string, principalType: 'User' | 'Group', resourceId?: string, appRoleId?: string): AppRoleAssignment;
  /** Defines the app roles of the app's service principal (or of `resourceId`); returns them with ids. */
  defineAppRoles(roles: { value: string; displayName: string }[], resourceId?: string): AppRole[];
  unassign(principalId: string, resourceId?: string): void;
  /** The next `count` Graph calls answer 429 (or `status`) with this `Retry-After`. */
  throttleNext(count: number, retryAfter?: string, status?: 429 | 503): void;
  /** The next `count` Graph calls answer this Graph error. */
  failNext(count: number, status: number, code: string, message: string, headers?: Record<string, string>): void;
  /** Drops the injected answers not consumed yet: Graph answers as itself again. */
  clearFailures(): void;
  /**
   * Invalidates every delta token issued so far. `syncStateNotFound` (default) answers 400 as
   * documented for directory resources; `resyncRequired` answers 410 Gone.
   */
  expireDeltaTokens(style?: 'syncStateNotFound' | 'resyncRequired'): void;
  close(): Promise<void>;
}

export interface SandboxSourceConfig {
  type: 'graph';
  tenantId: string;
  clientId: string;
  authorityHost: string;
  graphBaseUrl: string;
  scope: 'all' | 'assigned';
  servicePrincipalId: string;
}

/** Starts a sandbox tenant on a loopback port (a free one unless `options.port` names one). */
export async function startSandboxGraph(options: SandboxGraphOptions): Promise<SandboxGraph> {
  const tenantId = options.tenantId ?? randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? `sandbox~${randomBytes(24).toString('base64url')}`;
  const servicePrincipalId = options.servicePrincipalId ?? randomUUID();
  const directory = new Directory();
  const api = new GraphApi(directory, new Pager(), {
    pageSize: options.pageSize ?? 100,
    maxPageSize: options.maxPageSize ?? 999,
    membersPerPage: options.deltaMembersPerPage ?? 1000,
  });
  const injected: SandboxResponse[] = [];
  const requests: SandboxRequestLog[] = [];
  const { server, port } = await listen({
    tlsDir: options.tlsDir,
    port: options.port ?? 0,
    issuer: new TokenIssuer({ tenantId, clientId, clientSecret }),
    api,
    people: new PeopleApi(directory, options.domain ?? 'contoso.test'),
    injected,
    requests,
  });
  const url = `https://localhost:${port}`;

  return {
    url,
    port,
    authorityHost: url,
    graphBaseUrl: `${url}/v1.0`,
    tenantId,
    clientId,
    clientSecret,
    servicePrincipalId,
    directory,
    requests,
    sourceConfig: (overrides = {}) => ({
      type: 'graph',
      tenantId,
      clientId,
      authorityHost: url,
      graphBaseUrl: `${url}/v1.0`,
      scope: 'all',
      servicePrincipalId,
      ...overrides,
    }),
    addUser: (properties) => directory.addUser(properties),
    updateUser: (id, patch) => directory.updateUser(id, patch),
    setManager: (userId, managerId) => directory.setManager(userId, managerId),
    softDeleteUser: (id) => directory.softDeleteUser(id),
    restoreUser: (id) => directory.restoreUser(id),
    hardDeleteUser: (id) => directory.hardDeleteUser(id),
    addGroup: (properties) => directory.addGroup(properties),
    updateGroup: (id, patch) => directory.updateGroup(id, patch),
    deleteGroup: (id, permanent) => directory.deleteGroup(id, permanent),
    addMember: (groupId, memberId) => directory.addMember(groupId, memberId),
    addMembers: (groupId, memberIds) => directory.addMembers(groupId, memberIds),
    removeMember: (groupId, memberId) => directory.removeMember(groupId, memberId),
    assign: (principalId, principalType, resourceId = servicePrincipalId, appRoleId) =>
      directory.assign(resourceId, principalId, principalType, appRoleId),
    defineAppRoles(roles, resourceId = servicePrincipalId) {
      const defined = roles.map((role): AppRole => ({
        id: randomUUID(),
        value: role.value,
        displayName: role.displayName,
        description: role.displayName,
        isEnabled: true,
        allowedMemberTypes: ['User'],
        origin: 'Application',
      }));
      directory.appRoles.set(resourceId, [...(directory.appRoles.get(resourceId) ?? []), ...defined]);
      return defined;
    },
    unassign: (principalId, resourceId = servicePrincipalId) => directory.unassign(resourceId, principalId),
    throttleNext(count, retryAfter = '2.128', status = 429) {
      const [code, message] =
        status === 429
          ? ['TooManyRequests', 'Too many requests. Please retry after the interval given in the Retry-After header.']
          : [
              'ServiceUnavailable',
              'The service is temporarily unavailable. Please retry after the interval given in the Retry-After header.',
            ];
      for (let i = 0; i < count; i++) injected.push(graphError(status, code, message, { 'retry-after': retryAfter }));
    },
    failNext(count, status, code, message, headers) {
      for (let i = 0; i < count; i++) injected.push(graphError(status, code, message, headers));
    },
    clearFailures() {
      injected.length = 0;
    },
    expireDeltaTokens: (style = 'syncStateNotFound') => api.expireDeltaTokens(style),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
