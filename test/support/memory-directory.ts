/**
 * An in-memory directory for engine tests, answering as the Graph source does: users and groups
 * in delta rounds of `pageSize` objects (a first round lists everything; a round from a delta
 * link lists what changed since, updated objects carrying only their changed properties and
 * groups their member changes), objects read whole by id, group members, and the app's
 * assignments. Every link can be read again and gives the same page, as a retried activity
 * expects.
 */
import type { DirectorySource } from '../../src/sync/index';
import {
  addGroupAssignment,
  type AssignedPrincipals,
  type AssignedVia,
  type GroupDelta,
  type GroupDeltaPage,
  type GroupMember,
  type UserAppRole,
} from '../../src/graph/index';
import type { SourceObject, SourcePage, SourceValue } from '../../src/source/index';

type Attributes = Record<string, SourceValue>;

interface Entry {
  attributes: Attributes;
  removed?: 'changed' | 'deleted';
}

/** One change, in order: an object written (with the attributes it changed) or removed, or a membership. */
type Change =
  | { seq: number; kind: 'user' | 'group'; id: string; attributes: string[]; added: boolean }
  | { seq: number; kind: 'member'; groupId: string; memberId: string; member: boolean };

const USERS_LINK = 'https://directory.test/users/delta';
const GROUPS_LINK = 'https://directory.test/groups/delta';

export class MemoryDirectory implements DirectorySource {
  readonly users = new Map<string, Entry>();
  readonly groups = new Map<string, Entry>();
  /** Members of each group, users and nested groups, in the order they were added. */
  private readonly members = new Map<string, string[]>();
  private readonly assigned = new Set<string>();
  private readonly roles = new Map<string, UserAppRole[]>();
  private readonly changes: Change[] = [];
  private seq = 0;
  /** The pages of each round, fixed when its first page is read, so a link gives the same page again. */
  private readonly rounds = new Map<string, { pages: unknown[][]; deltaLink: string }>();
  /** What was asked, for tests that check what the engine read. */
  readonly calls: string[] = [];

  constructor(private readonly pageSize = 100) {}

  addUser(id: string, attributes: Attributes): void {
    this.users.set(id, { attributes: { accountEnabled: true, ...attributes } });
    this.changes.push({ seq: ++this.seq, kind: 'user', id, attributes: [], added: true });
  }

  updateUser(id: string, changes: Attributes): void {
    const user = this.required(this.users, id);
    Object.assign(user.attributes, changes);
    this.changes.push({ seq: ++this.seq, kind: 'user', id, attributes: Object.keys(changes), added: false });
  }

  removeUser(id: string, reason: 'changed' | 'deleted' = 'changed'): void {
    this.required(this.users, id).removed = reason;
    this.changes.push({ seq: ++this.seq, kind: 'user', id, attributes: [], added: false });
  }

  addGroup(id: string, attributes: Attributes, members: string[] = []): void {
    this.groups.set(id, { attributes: { ...attributes } });
    this.members.set(id, []);
    this.changes.push({ seq: ++this.seq, kind: 'group', id, attributes: [], added: true });
    this.addMembers(id, members);
  }

  updateGroup(id: string, changes: Attributes): void {
    Object.assign(this.required(this.groups, id).attributes, changes);
    this.changes.push({ seq: ++this.seq, kind: 'group', id, attributes: Object.keys(changes), added: false });
  }

  removeGroup(id: string, reason: 'changed' | 'deleted' = 'deleted'): void {
    this.required(this.groups, id).removed = reason;
    this.changes.push({ seq: ++this.seq, kind: 'group', id, attributes: [], added: false });
  }

  addMembers(groupId: string, memberIds: string[]): void {
    const members = this.members.get(groupId)!;
    for (const memberId of memberIds.filter((id) => !members.includes(id))) {
      members.push(memberId);
      this.changes.push({ seq: ++this.seq, kind: 'member', groupId, memberId, member: true });
    }
  }

  removeMembers(groupId: string, memberIds: string[]): void {
    const members = this.members.get(groupId)!;
    for (const memberId of memberIds.filter((id) => members.includes(id))) {
      members.splice(members.indexOf(memberId), 1);
      this.changes.push({ seq: ++this.seq, kind: 'member', groupId, memberId, member: false });
    }
  }

  /** Assigns users or groups to the app's service principal (every service principal: tests use one). */
  assign(...ids: string[]): void {
    for (const id of ids) this.assigned.add(id);
  }

  unassign(...ids: string[]): void {
    for (const id of ids) this.assigned.delete(id);
  }

  setRoles(userId: string, roles: UserAppRole[]): void {
    this.roles.set(userId, roles);
  }

  // DirectorySource

  async readUsersDelta(link?: string): Promise<SourcePage> {
    this.calls.push(`readUsersDelta ${link ?? '(first)'}`);
    const page = this.page(USERS_LINK, link, (since) => this.userChanges(since));
    return { objects: page.items as SourceObject[], ...page.links };
  }

  async readGroupsDelta(link?: string): Promise<GroupDeltaPage> {
    this.calls.push(`readGroupsDelta ${link ?? '(first)'}`);
    const page = this.page(GROUPS_LINK, link, (since) => this.groupChanges(since));
    return { groups: page.items as GroupDelta[], ...page.links };
  }

  async getUsers(ids: readonly string[]): Promise<SourceObject[]> {
    this.calls.push(`getUsers ${ids.join(',')}`);
    return ids.flatMap((id) => {
      const user = this.users.get(id);
      return user && !user.removed ? [this.whole('user', id, user)] : [];
    });
  }

  async getUser(id: string): Promise<SourceObject | undefined> {
    return (await this.getUsers([id]))[0];
  }

  async getGroups(ids: readonly string[]): Promise<SourceObject[]> {
    this.calls.push(`getGroups ${ids.join(',')}`);
    return ids.flatMap((id) => {
      const group = this.groups.get(id);
      return group && !group.removed ? [this.whole('group', id, group)] : [];
    });
  }

  async *readGroupMembers(groupId: string, options: { transitive?: boolean } = {}): AsyncIterable<GroupMember[]> {
    this.calls.push(`readGroupMembers ${groupId}`);
    const found: GroupMember[] = [];
    const seen = new Set<string>([groupId]);
    const visit = (id: string) => {
      for (const memberId of this.members.get(id) ?? []) {
        if (seen.has(memberId)) continue;
        seen.add(memberId);
        const nested = this.groups.has(memberId);
        found.push({ id: memberId, type: nested ? 'group' : 'user' });
        if (nested && options.transitive) visit(memberId);
      }
    };
    visit(groupId);
    for (let i = 0; i < found.length; i += this.pageSize) yield found.slice(i, i + this.pageSize);
  }

  async assignedUsers(): Promise<Map<string, AssignedVia>> {
    const users = new Map<string, AssignedVia>();
    for (const id of this.assigned) if (this.users.has(id)) users.set(id, { direct: true, groupIds: [] });
    for (const id of this.assigned) {
      if (this.groups.has(id))
        for await (const page of this.readGroupMembers(id, { transitive: true })) {
          for (const member of page) if (member.type === 'user') addGroupAssignment(users, member.id, id);
        }
    }
    return users;
  }

  async assignedPrincipals(): Promise<AssignedPrincipals> {
    return {
      userIds: new Set([...this.assigned].filter((id) => this.users.has(id))),
      groupIds: new Set([...this.assigned].filter((id) => this.groups.has(id))),
    };
  }

  async userAppRoles(): Promise<Map<string, UserAppRole[]>> {
    return new Map(this.roles);
  }

  async countUsers(): Promise<number> {
    return [...this.users.values()].filter((user) => !user.removed).length;
  }

  // Rounds

  /**
   * A page of a round: without a link the first page of a first round; a delta link starts a
   * round of what changed since; a next link continues a round.
   */
  private page(base: string, link: string | undefined, changedSince: (seq: number) => unknown[]) {
    const round = link === undefined || link.startsWith(`${base}?since=`) ? this.startRound(base, link, changedSince) : link;
    const [roundId, index] = round.split('#page=') as [string, string | undefined];
    const pages = this.rounds.get(roundId);
    if (!pages) throw new Error(`unknown link ${link}`);
    const at = Number(index ?? 0);
    const last = at === pages.pages.length - 1;
    return {
      items: structuredClone(pages.pages[at]!),
      links: last ? { deltaLink: pages.deltaLink } : { nextLink: `${roundId}#page=${at + 1}` },
    };
  }

  private startRound(base: string, link: string | undefined, changedSince: (seq: number) => unknown[]): string {
    const since = link === undefined ? 0 : Number(link.slice(`${base}?since=`.length));
    const items = changedSince(since);
    const pages: unknown[][] = [];
    for (let i = 0; i < items.length; i += this.pageSize) pages.push(items.slice(i, i + this.pageSize));
    if (pages.length === 0) pages.push([]);
    const roundId = `${base}/round/${this.rounds.size + 1}`;
    this.rounds.set(roundId, { pages, deltaLink: `${base}?since=${this.seq}` });
    return roundId;
  }

  /**
   * The users changed since `since`: new ones whole, updated ones with their changed properties
   * only, removed ones as removed. A first round (`since` 0) lists the users there are, whole.
   */
  private userChanges(since: number): SourceObject[] {
    return this.changedIds('user', since).flatMap(({ id, added, attributes }): SourceObject[] => {
      const user = this.users.get(id)!;
      if (user.removed) return since === 0 ? [] : [{ id, type: 'user', attributes: {}, removed: user.removed }];
      if (added) return [this.whole('user', id, user)];
      const changed = Object.fromEntries(attributes.map((name) => [name, structuredClone(user.attributes[name] ?? null)]));
      return [{ id, type: 'user', attributes: changed, partial: true }];
    });
  }

  /** The groups changed since `since`, with their member changes: a first round lists the groups there are and their members as added. */
  private groupChanges(since: number): GroupDelta[] {
    const touched = new Map(this.changedIds('group', since).map((change) => [change.id, change]));
    const memberChanges = new Map<string, Map<string, boolean>>();
    for (const change of this.changes) {
      if (change.kind !== 'member' || change.seq <= since) continue;
      const net = memberChanges.get(change.groupId) ?? new Map<string, boolean>();
      net.set(change.memberId, change.member);
      memberChanges.set(change.groupId, net);
      if (!touched.has(change.groupId)) touched.set(change.groupId, { id: change.groupId, added: false, attributes: [] });
    }
    return [...touched.values()].flatMap(({ id, added, attributes }): GroupDelta[] => {
      const group = this.groups.get(id)!;
      if (group.removed && since === 0) return [];
      const net = [...(memberChanges.get(id) ?? new Map<string, boolean>())].filter(([, member]) => member || since > 0);
      const memberTypes = Object.fromEntries(
        net.filter(([memberId]) => this.groups.has(memberId)).map(([memberId]) => [memberId, 'group']),
      );
      const members = {
        membersAdded: net.filter(([, member]) => member).map(([memberId]) => memberId),
        membersRemoved: net.filter(([, member]) => !member).map(([memberId]) => memberId),
        memberTypes: memberTypes as Record<string, 'group' | 'other'>,
      };
      if (group.removed)
        return [{ id, attributes: {}, removed: group.removed, membersAdded: [], membersRemoved: [], memberTypes: {}, partial: false }];
      if (added) return [{ id, attributes: structuredClone(group.attributes), ...members, partial: false }];
      const changed = Object.fromEntries(attributes.map((name) => [name, structuredClone(group.attributes[name] ?? null)]));
      return [{ id, attributes: changed, ...members, partial: true }];
    });
  }

  /** Objects of a kind changed after `since`, each once in the order of its first change, with every attribute it changed. */
  private changedIds(kind: 'user' | 'group', since: number): { id: string; added: boolean; attributes: string[] }[] {
    const changed = new Map<string, { id: string; added: boolean; attributes: string[] }>();
    for (const change of this.changes) {
      if (change.kind !== kind || change.seq <= since) continue;
      const entry = changed.get(change.id) ?? { id: change.id, added: false, attributes: [] };
      entry.added ||= change.added;
      entry.attributes.push(...change.attributes.filter((name) => !entry.attributes.includes(name)));
      changed.set(change.id, entry);
    }
    return [...changed.values()];
  }

  private whole(type: 'user' | 'group', id: string, entry: Entry): SourceObject {
    return { id, type, attributes: structuredClone(entry.attributes) };
  }

  private required(entries: Map<string, Entry>, id: string): Entry {
    const entry = entries.get(id);
    if (!entry) throw new Error(`no object ${id} in the directory`);
    return entry;
  }
}
