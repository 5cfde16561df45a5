/**
 * What the activities need from the outside world, as factories keyed by app: a source of users
 * and a SCIM target. The service passes the real Graph and SCIM clients; tests may pass others.
 */
import type { AppConfig, AppSecrets } from '../src/config/app';
import type { AssignedPrincipals, GroupDeltaPage, GroupMember } from '../src/graph/index';
import type { ScimClient } from '../src/scim/index';
import type { SourceObject, SourcePage } from '../src/source/index';

export interface UserSource {
  /** One page of a delta round: the first page of a full round when `link` is absent. */
  readUsersDelta(link?: string): Promise<SourcePage>;
  /** Current full attributes of the given users; unknown ids are left out. */
  getUsers(ids: string[]): Promise<SourceObject[]>;
  getUser(id: string): Promise<SourceObject | undefined>;
  /** Users assigned to the service principal, directly or through groups. */
  assignedUserIds(servicePrincipalId: string): Promise<Set<string>>;
  /** The app roles each user holds in the app (`{ id, value, displayName }`), directly or through groups. */
  userAppRoles(servicePrincipalId: string): Promise<Map<string, { id: string; value: string | null; displayName: string }[]>>;
  /** How many users a full round will read, when the source can tell cheaply. */
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
  /** `select` and `groupSelect` list the user and group attributes the app's mappings and filters read. */
  source(app: AppConfig, secrets: AppSecrets, select: string[], groupSelect?: string[]): UserSource;
  target(app: AppConfig, secrets: AppSecrets): TargetClient;
}
