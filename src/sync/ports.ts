/**
 * What the sync engine needs from the outside world, as factories keyed by app: the directory
 * it reads users and groups from, and the app's SCIM target. The service passes the real Graph
 * and SCIM clients; tests pass in-memory ones.
 */
import type { AppConfig, AppSecrets } from '../config/app';
import type { AssignedPrincipals, AssignedVia, GroupDeltaPage, GroupMember, UserAppRole } from '../graph/index';
import type { SourceObserver, TargetObserver } from '../metrics/index';
import type { ScimClient } from '../scim/index';
import type { SourceObject, SourcePage } from '../source/index';

/** The directory an app provisions from (Microsoft Graph for Entra): its users, groups and the app's assignments. */
export interface DirectorySource {
  /** One page of a users delta round: the first page of an initial round when `link` is absent. */
  readUsersDelta(link?: string): Promise<SourcePage>;
  /** Current full attributes of the given users; unknown ids are left out. */
  getUsers(ids: readonly string[]): Promise<SourceObject[]>;
  getUser(id: string): Promise<SourceObject | undefined>;
  /** Users assigned to the service principal, directly or through groups, each with how. */
  assignedUsers(servicePrincipalId: string): Promise<Map<string, AssignedVia>>;
  /** The app roles each user holds in the app, directly or through groups. */
  userAppRoles(servicePrincipalId: string): Promise<Map<string, UserAppRole[]>>;
  /** How many users an initial round will read, when the source can tell cheaply. */
  countUsers?(): Promise<number | undefined>;
  /** Users and groups assigned directly to the service principal. */
  assignedPrincipals(servicePrincipalId: string): Promise<AssignedPrincipals>;
  /** One page of a groups delta round with membership changes (see GraphSource.readGroupsDelta). */
  readGroupsDelta(link?: string): Promise<GroupDeltaPage>;
  /** A group's members (or, `transitive`, everything reachable through nested groups), one page at a time. */
  readGroupMembers(groupId: string, options?: { transitive?: boolean }): AsyncIterable<GroupMember[]>;
  /** Current full attributes of the given groups; unknown ids are left out. */
  getGroups(ids: readonly string[]): Promise<SourceObject[]>;
}

/** The SCIM client of an app's target. */
export type TargetClient = ScimClient;

export interface ClientFactories {
  /**
   * `select` and `groupSelect` list the user and group attributes the app's mappings and filters
   * read; `observer` is told of each request (the app's metrics).
   */
  source(app: AppConfig, secrets: AppSecrets, select: string[], groupSelect?: string[], observer?: SourceObserver): DirectorySource;
  /** `observer` is told of each request and each wait for the target's rate budget (the app's metrics). */
  target(app: AppConfig, secrets: AppSecrets, observer?: TargetObserver): TargetClient;
}
