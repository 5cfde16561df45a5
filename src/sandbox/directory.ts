/**
 * The sandbox tenant's in-memory directory: users (active and soft-deleted), groups with members,
 * app role assignments, and change logs (one for users, one for groups and their memberships)
 * that delta rounds are computed from. Both logs share one sequence, so a delta token is one number.
 */
import { randomUUID } from 'node:crypto';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A user's stored properties; an absent property is "not set" (Graph shows it as null when selected). */
export type UserRecord = { id: string } & Record<string, Json>;

export interface GroupRecord {
  id: string;
  displayName: string;
  /** Other stored properties (description, mailNickname, ...); absent = not set. */
  properties: Record<string, Json>;
  /** Direct members: user or group ids. */
  members: Set<string>;
}

/** A group's stored properties as given to `addGroup`. */
export type GroupProperties = { id?: string; displayName?: string } & Record<string, Json | undefined>;

/** The directory object types a group member can have here. */
export type MemberType = 'user' | 'group';

/** An app role as Graph shows it in a service principal's `appRoles`. */
export interface AppRole {
  id: string;
  value: string | null;
  displayName: string;
  description: string;
  isEnabled: boolean;
  allowedMemberTypes: string[];
  origin: string;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  deletedDateTime: null;
  principalDisplayName: string;
  principalId: string;
  principalType: 'User' | 'Group';
  resourceDisplayName: string;
  resourceId: string;
}

export type ChangeKind = 'created' | 'updated' | 'softDeleted' | 'restored' | 'hardDeleted';

export interface Change {
  seq: number;
  id: string;
  kind: ChangeKind;
  /** Properties an update touched. */
  properties?: string[];
}

export type GroupChangeKind = 'created' | 'updated' | 'softDeleted' | 'hardDeleted' | 'memberAdded' | 'memberRemoved';

export interface GroupChange {
  seq: number;
  /** The group's id. */
  id: string;
  kind: GroupChangeKind;
  /** Properties an update touched. */
  properties?: string[];
  /** The member a membership change concerns, and its type at the time. */
  member?: { id: string; type: MemberType };
}

/** The "default access" app role id Graph uses when an app defines no roles. */
export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export class Directory {
  readonly users = new Map<string, UserRecord>();
  readonly softDeleted = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  /** Deleted Microsoft 365 groups (restorable); security groups are deleted permanently. */
  readonly softDeletedGroups = new Map<string, GroupRecord>();
  readonly assignments: AppRoleAssignment[] = [];
  readonly changes: Change[] = [];
  readonly groupChanges: GroupChange[] = [];
  private seq = 0;

  /** The sequence number of the latest change (a delta token remembers it). */
  get currentSeq(): number {
    return this.seq;
  }

  private record(id: string, kind: ChangeKind, properties?: string[]): void {
    this.changes.push({ seq: ++this.seq, id, kind, ...(properties && { properties }) });
  }

  /** Managers by user id. */
  readonly managers = new Map<string, string>();
  /** The manager a user had before it was removed, for delta's removal entry. */
  readonly previousManagers = new Map<string, string>();

  /** Sets (or, with null, removes) a user's manager: a relationship, tracked by delta as `manager`. */
  setManager(userId: string, managerId: string | null): void {
    if (!this.users.has(userId)) throw new Error(`sandbox graph: no user ${userId}`);
    if (managerId !== null && !this.users.has(managerId)) throw new Error(`sandbox graph: no user ${managerId}`);
    const previous = this.managers.get(userId);
    if (managerId === null) {
      if (previous === undefined) return;
      this.managers.delete(userId);
      this.previousManagers.set(userId, previous);
    } else {
      this.managers.set(userId, managerId);
    }
    this.record(userId, 'updated', ['manager']);
  }

  /** How projections show a user's manager: on delta rounds (`forDelta`) a removal too; on reads when expanded. */
  relationsOf(userId: string, options: { forDelta?: boolean; expandManager?: boolean } = {}): UserRelations {
    const manager = this.managers.get(userId);
    if (options.forDelta) {
      const previous = this.previousManagers.get(userId);
      return manager !== undefined ? { manager } : previous !== undefined ? { manager: null, previousManager: previous } : {};
    }
    return { ...(manager !== undefined && { manager }), ...(options.expandManager && { expandManager: true }) };
  }

  addUser(properties: Partial<UserRecord> = {}): UserRecord {
    const id = properties.id ?? randomUUID();
    if (this.users.has(id) || this.softDeleted.has(id)) throw new Error(`sandbox graph: user ${id} exists`);
    const user: UserRecord = { accountEnabled: true, ...withoutNulls(properties), id };
    this.users.set(id, user);
    this.record(id, 'created');
    return { ...user };
  }

  /** Sets properties; `null` clears one. */
  updateUser(id: string, patch: Record<string, Json>): void {
    const user = this.users.get(id) ?? this.softDeleted.get(id);
    if (!user) throw new Error(`sandbox graph: no user ${id}`);
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'id') continue;
      if (value === null) delete user[key];
      else user[key] = value;
    }
    this.record(
      id,
      'updated',
      Object.keys(patch).filter((key) => key !== 'id'),
    );
  }

  softDeleteUser(id: string): void {
    const user = this.users.get(id);
    if (!user) throw new Error(`sandbox graph: no active user ${id}`);
    this.users.delete(id);
    this.softDeleted.set(id, user);
    this.record(id, 'softDeleted');
  }

  restoreUser(id: string): void {
    const user = this.softDeleted.get(id);
    if (!user) throw new Error(`sandbox graph: no soft-deleted user ${id}`);
    this.softDeleted.delete(id);
    this.users.set(id, user);
    this.record(id, 'restored');
  }

  hardDeleteUser(id: string): void {
    if (!this.users.delete(id) && !this.softDeleted.delete(id)) throw new Error(`sandbox graph: no user ${id}`);
    this.record(id, 'hardDeleted');
  }

  addGroup(properties: GroupProperties = {}): GroupRecord {
    const { id = randomUUID(), displayName, ...rest } = properties;
    if (this.groups.has(id) || this.softDeletedGroups.has(id)) throw new Error(`sandbox graph: group ${id} exists`);
    const group: GroupRecord = {
      id,
      displayName: displayName ?? `group ${id.slice(0, 8)}`,
      properties: withoutNulls(rest),
      members: new Set(),
    };
    this.groups.set(id, group);
    this.groupChanges.push({ seq: ++this.seq, id, kind: 'created' });
    return group;
  }

  /** Sets group properties; `null` clears one (`displayName` cannot be cleared). */
  updateGroup(id: string, patch: Record<string, Json>): void {
    const group = this.groups.get(id);
    if (!group) throw new Error(`sandbox graph: no group ${id}`);
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'id') continue;
      if (key === 'displayName') {
        if (typeof value !== 'string') throw new Error('sandbox graph: a group needs a displayName');
        group.displayName = value;
      } else if (value === null) delete group.properties[key];
      else group.properties[key] = value;
    }
    const properties = Object.keys(patch).filter((key) => key !== 'id');
    this.groupChanges.push({ seq: ++this.seq, id, kind: 'updated', properties });
  }

  /**
   * Deletes a group: a security group is gone for good (`permanent`, the default); a deleted
   * Microsoft 365 group stays restorable for 30 days.
   */
  deleteGroup(id: string, permanent = true): void {
    const group = this.groups.get(id);
    if (!group) throw new Error(`sandbox graph: no group ${id}`);
    this.groups.delete(id);
    if (!permanent) this.softDeletedGroups.set(id, group);
    this.groupChanges.push({ seq: ++this.seq, id, kind: permanent ? 'hardDeleted' : 'softDeleted' });
  }

  /** The type of a directory object, or undefined when it does not exist (any more). */
  typeOf(id: string): MemberType | undefined {
    if (this.users.has(id)) return 'user';
    if (this.groups.has(id)) return 'group';
    return undefined;
  }

  addMember(groupId: string, memberId: string): void {
    this.addMembers(groupId, [memberId]);
  }

  /** Adds existing users or groups as direct members; adding a member twice changes nothing. */
  addMembers(groupId: string, memberIds: Iterable<string>): void {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`sandbox graph: no group ${groupId}`);
    for (const memberId of memberIds) {
      const type = this.typeOf(memberId);
      if (!type) throw new Error(`sandbox graph: no user or group ${memberId}`);
      if (group.members.has(memberId)) continue;
      group.members.add(memberId);
      this.groupChanges.push({ seq: ++this.seq, id: groupId, kind: 'memberAdded', member: { id: memberId, type } });
    }
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (!group?.members.delete(memberId)) return;
    const type = this.typeOf(memberId) ?? 'user';
    this.groupChanges.push({ seq: ++this.seq, id: groupId, kind: 'memberRemoved', member: { id: memberId, type } });
  }

  /** A group's direct members that exist, with their types, in the order they were added. */
  directMembers(groupId: string): { id: string; type: MemberType }[] {
    const members: { id: string; type: MemberType }[] = [];
    for (const id of this.groups.get(groupId)?.members ?? []) {
      const type = this.typeOf(id);
      if (type) members.push({ id, type });
    }
    return members;
  }

  /** Users and groups reachable from a group through nested groups, each once (as `transitiveMembers` lists them). */
  transitiveMembers(groupId: string): { id: string; type: MemberType }[] {
    const seen = new Set<string>([groupId]);
    const members: { id: string; type: MemberType }[] = [];
    const visit = (id: string) => {
      for (const member of this.directMembers(id)) {
        if (seen.has(member.id)) continue;
        seen.add(member.id);
        members.push(member);
        if (member.type === 'group') visit(member.id);
      }
    };
    visit(groupId);
    return members;
  }

  /** The app roles a service principal defines (`appRoles` on `/servicePrincipals/{id}`). */
  readonly appRoles = new Map<string, AppRole[]>();

  assign(
    resourceId: string,
    principalId: string,
    principalType: 'User' | 'Group',
    appRoleId: string = DEFAULT_APP_ROLE_ID,
  ): AppRoleAssignment {
    const principal = principalType === 'User' ? this.users.get(principalId) : this.groups.get(principalId);
    if (!principal) throw new Error(`sandbox graph: no ${principalType} ${principalId}`);
    if (appRoleId !== DEFAULT_APP_ROLE_ID && !(this.appRoles.get(resourceId) ?? []).some((role) => role.id === appRoleId)) {
      throw new Error(`sandbox graph: service principal ${resourceId} defines no app role ${appRoleId}`);
    }
    const assignment: AppRoleAssignment = {
      id: randomUUID(),
      appRoleId,
      createdDateTime: new Date().toISOString(),
      deletedDateTime: null,
      principalDisplayName: String(principal.displayName ?? principalId),
      principalId,
      principalType,
      resourceDisplayName: 'scimflow test app',
      resourceId,
    };
    this.assignments.push(assignment);
    return assignment;
  }

  unassign(resourceId: string, principalId: string): void {
    for (let i = this.assignments.length - 1; i >= 0; i--) {
      const a = this.assignments[i]!;
      if (a.resourceId === resourceId && a.principalId === principalId) this.assignments.splice(i, 1);
    }
  }

  /** Active users reachable from a group through nested groups, each once. */
  transitiveUserMembers(groupId: string): UserRecord[] {
    if (!this.groups.has(groupId)) return [];
    return this.transitiveMembers(groupId).flatMap((member) => (member.type === 'user' ? [this.users.get(member.id)!] : []));
  }
}

function withoutNulls(properties: Record<string, Json | undefined>): Record<string, Json> {
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== null && v !== undefined)) as Record<string, Json>;
}

/**
 * A user as Graph shows it: with `$select`, `id` plus each selected property (null when not
 * set); without, every stored property.
 */
export function projectUser(user: UserRecord, select: string[] | undefined, relations: UserRelations = {}): Record<string, Json> {
  const shown: Record<string, Json> = select ? { id: user.id } : { ...user };
  for (const property of select ?? []) if (!USER_RELATIONSHIPS.has(property)) shown[property] = user[property] ?? null;
  // Delta rounds that select the manager relationship report it as `manager@delta`.
  if (select?.includes('manager') && relations.manager !== undefined) {
    shown['manager@delta'] = [
      relations.manager === null
        ? { '@odata.type': '#microsoft.graph.user', id: relations.previousManager ?? '', '@removed': { reason: 'deleted' } }
        : { '@odata.type': '#microsoft.graph.user', id: relations.manager },
    ];
  }
  // `$expand=manager(...)` reads show the manager object when there is one.
  if (relations.expandManager && relations.manager) shown.manager = { '@odata.type': '#microsoft.graph.user', id: relations.manager };
  return shown;
}

/** User relationships a `$select` may name on delta rounds (tracked as `{name}@delta`). */
const USER_RELATIONSHIPS = new Set(['manager']);

/** A user's relationships as a projection shows them. */
export interface UserRelations {
  /** The manager's id; null when it was removed (delta shows the removal); undefined to say nothing. */
  manager?: string | null;
  previousManager?: string;
  /** The request asked for `$expand=manager`. */
  expandManager?: boolean;
}

/**
 * A group as Graph shows it: with `$select`, `id` plus each selected property (null when not
 * set; relationships such as `members` are not properties); without, every stored property.
 */
export function projectGroup(group: GroupRecord, select: string[] | undefined): Record<string, Json> {
  const stored: Record<string, Json> = { id: group.id, displayName: group.displayName, ...group.properties };
  if (!select) return stored;
  const shown: Record<string, Json> = { id: group.id };
  for (const property of select) if (!GROUP_RELATIONSHIPS.has(property)) shown[property] = stored[property] ?? null;
  return shown;
}

/** Group relationships a `$select` may name (delta tracks them as `{name}@delta`). */
export const GROUP_RELATIONSHIPS = new Set(['members', 'owners']);
