/**
 * The fake tenant's in-memory directory: users (active and soft-deleted), groups with members,
 * app role assignments, and a change log that delta rounds are computed from.
 */
import { randomUUID } from 'node:crypto';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A user's stored properties; an absent property is "not set" (Graph shows it as null when selected). */
export type UserRecord = { id: string } & Record<string, Json>;

export interface GroupRecord {
  id: string;
  displayName: string;
  /** Direct members: user or group ids. */
  members: Set<string>;
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

/** The "default access" app role id Graph uses when an app defines no roles. */
export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export class Directory {
  readonly users = new Map<string, UserRecord>();
  readonly softDeleted = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly assignments: AppRoleAssignment[] = [];
  readonly changes: Change[] = [];
  private seq = 0;

  /** The sequence number of the latest change (a delta token remembers it). */
  get currentSeq(): number {
    return this.seq;
  }

  private record(id: string, kind: ChangeKind, properties?: string[]): void {
    this.changes.push({ seq: ++this.seq, id, kind, ...(properties && { properties }) });
  }

  addUser(properties: Partial<UserRecord> = {}): UserRecord {
    const id = properties.id ?? randomUUID();
    if (this.users.has(id) || this.softDeleted.has(id)) throw new Error(`fake graph: user ${id} exists`);
    const user: UserRecord = { accountEnabled: true, ...withoutNulls(properties), id };
    this.users.set(id, user);
    this.record(id, 'created');
    return { ...user };
  }

  /** Sets properties; `null` clears one. */
  updateUser(id: string, patch: Record<string, Json>): void {
    const user = this.users.get(id) ?? this.softDeleted.get(id);
    if (!user) throw new Error(`fake graph: no user ${id}`);
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
    if (!user) throw new Error(`fake graph: no active user ${id}`);
    this.users.delete(id);
    this.softDeleted.set(id, user);
    this.record(id, 'softDeleted');
  }

  restoreUser(id: string): void {
    const user = this.softDeleted.get(id);
    if (!user) throw new Error(`fake graph: no soft-deleted user ${id}`);
    this.softDeleted.delete(id);
    this.users.set(id, user);
    this.record(id, 'restored');
  }

  hardDeleteUser(id: string): void {
    if (!this.users.delete(id) && !this.softDeleted.delete(id)) throw new Error(`fake graph: no user ${id}`);
    this.record(id, 'hardDeleted');
  }

  addGroup(properties: { id?: string; displayName?: string } = {}): GroupRecord {
    const id = properties.id ?? randomUUID();
    const group: GroupRecord = { id, displayName: properties.displayName ?? `group ${id.slice(0, 8)}`, members: new Set() };
    this.groups.set(id, group);
    return group;
  }

  addMember(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`fake graph: no group ${groupId}`);
    group.members.add(memberId);
  }

  removeMember(groupId: string, memberId: string): void {
    this.groups.get(groupId)?.members.delete(memberId);
  }

  assign(resourceId: string, principalId: string, principalType: 'User' | 'Group'): AppRoleAssignment {
    const principal = principalType === 'User' ? this.users.get(principalId) : this.groups.get(principalId);
    if (!principal) throw new Error(`fake graph: no ${principalType} ${principalId}`);
    const assignment: AppRoleAssignment = {
      id: randomUUID(),
      appRoleId: DEFAULT_APP_ROLE_ID,
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
    const seen = new Set<string>();
    const users: UserRecord[] = [];
    const visit = (id: string) => {
      const group = this.groups.get(id);
      if (!group || seen.has(id)) return;
      seen.add(id);
      for (const member of group.members) {
        const user = this.users.get(member);
        if (user && !seen.has(member)) {
          seen.add(member);
          users.push(user);
        } else visit(member);
      }
    };
    visit(groupId);
    return users;
  }
}

function withoutNulls(properties: Record<string, Json | undefined>): Record<string, Json> {
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== null && v !== undefined)) as Record<string, Json>;
}

/**
 * A user as Graph shows it: with `$select`, `id` plus each selected property (null when not
 * set); without, every stored property.
 */
export function projectUser(user: UserRecord, select: string[] | undefined): Record<string, Json> {
  if (!select) return { ...user };
  const shown: Record<string, Json> = { id: user.id };
  for (const property of select) shown[property] = user[property] ?? null;
  return shown;
}
