/**
 * What `/users/delta` returns for a round: every active user on the first round; on later
 * rounds only users changed since the token, as documented: an updated user carries its id and
 * the changed properties only, a soft-deleted one `@removed: {reason: "changed"}`, a permanently
 * deleted one `@removed: {reason: "deleted"}`, a created or restored one all selected properties.
 * Without `Prefer: return=minimal` an updated user carries every selected property that has a
 * value (unset ones absent) plus the changed ones, as Graph does by default.
 */
import { projectGroup, projectUser, type Directory, type GroupRecord, type Json } from './directory';

export function usersDelta(directory: Directory, sinceSeq: number | undefined, select: string[] | undefined, minimal: boolean): Json[] {
  if (sinceSeq === undefined)
    return [...directory.users.values()].map((user) =>
      projectUser(user, select, directory.managers.has(user.id) ? { manager: directory.managers.get(user.id)! } : {}),
    );

  const byUser = new Map<string, { whole: boolean; properties: Set<string>; last: number }>();
  for (const change of directory.changes) {
    if (change.seq <= sinceSeq) continue;
    const entry = byUser.get(change.id) ?? { whole: false, properties: new Set<string>(), last: 0 };
    if (change.kind === 'created' || change.kind === 'restored') entry.whole = true;
    for (const property of change.properties ?? []) entry.properties.add(property);
    entry.last = change.seq;
    byUser.set(change.id, entry);
  }

  const ordered = [...byUser.entries()].sort(([, a], [, b]) => a.last - b.last);
  const result: Json[] = [];
  for (const [id, entry] of ordered) {
    const user = directory.users.get(id);
    if (!user) {
      const reason = directory.softDeleted.has(id) ? 'changed' : 'deleted';
      result.push({ id, '@removed': { reason } });
      continue;
    }
    if (entry.whole) {
      result.push(projectUser(user, select, directory.managers.has(id) ? { manager: directory.managers.get(id)! } : {}));
      continue;
    }
    const changed = [...entry.properties].filter((property) => !select || select.includes(property));
    if (changed.length === 0) continue;
    const shown: Record<string, Json> = { id };
    if (!minimal) {
      for (const property of select ?? Object.keys(user)) if (user[property] !== undefined) shown[property] = user[property]!;
    }
    for (const property of changed) if (property !== 'manager') shown[property] = user[property] ?? null;
    if (changed.includes('manager'))
      Object.assign(shown, projectUser(user, ['manager'], directory.relationsOf(id, { forDelta: true })), { id });
    result.push(shown);
  }
  return result;
}

/** One group's entry in a `/groups/delta` round before it is cut into pages. */
interface GroupEntry {
  /** The group object without `members@delta`. */
  group: Record<string, Json>;
  /** Its `members@delta` items: additions, and removals with `@removed`. */
  members: Json[];
}

/** A `/groups/delta` round cut into pages: the items, and where each page ends. */
export interface GroupsDeltaRound {
  items: Json[];
  /** Offset in `items` at which each page ends, ascending; the last is `items.length`. */
  pageEnds: number[];
}

/**
 * What `/groups/delta` returns for a round, as documented. The first round has every group with
 * its selected properties and, with `members` selected (or no `$select`), `members@delta` listing
 * every current direct member as `{"@odata.type", "id"}` (absent for a group without members).
 * Later rounds have only groups changed since the token: property changes as for users (only the
 * changed ones with `Prefer: return=minimal`), and `members@delta` with the net membership
 * changes, removals as `{"@odata.type", "id", "@removed": {"reason": "deleted"}}`; a deleted
 * group is `{"id", "@removed": {"reason"}}`.
 *
 * Pages hold at most `pageSize` group objects and `membersPerPage` member items. A group with more
 * members than fit is cut: it fills the page and appears again, with the same properties and
 * the next members, on the following page(s), as Graph does with large groups.
 */
export function groupsDelta(
  directory: Directory,
  sinceSeq: number | undefined,
  select: string[] | undefined,
  minimal: boolean,
  limits: { pageSize: number; membersPerPage: number },
): GroupsDeltaRound {
  const withMembers = !select || select.includes('members');
  const entries =
    sinceSeq === undefined ? firstRound(directory, select, withMembers) : laterRound(directory, sinceSeq, select, withMembers, minimal);
  return paginate(entries, limits);
}

const memberRef = (member: { id: string; type: string }): Json => ({ '@odata.type': `#microsoft.graph.${member.type}`, id: member.id });

/** A group with every selected property and, with members tracked, every current member as an addition. */
function wholeGroup(directory: Directory, group: GroupRecord, select: string[] | undefined, withMembers: boolean): GroupEntry {
  return { group: projectGroup(group, select), members: withMembers ? directory.directMembers(group.id).map(memberRef) : [] };
}

function firstRound(directory: Directory, select: string[] | undefined, withMembers: boolean): GroupEntry[] {
  return [...directory.groups.values()].map((group) => wholeGroup(directory, group, select, withMembers));
}

function laterRound(
  directory: Directory,
  sinceSeq: number,
  select: string[] | undefined,
  withMembers: boolean,
  minimal: boolean,
): GroupEntry[] {
  interface Pending {
    whole: boolean;
    properties: Set<string>;
    /** member id → whether it was a member at the token, whether it is now, and its type. */
    members: Map<string, { before: boolean; after: boolean; type: string }>;
    last: number;
  }
  const byGroup = new Map<string, Pending>();
  for (const change of directory.groupChanges) {
    if (change.seq <= sinceSeq) continue;
    const entry = byGroup.get(change.id) ?? { whole: false, properties: new Set<string>(), members: new Map(), last: 0 };
    if (change.kind === 'created') entry.whole = true;
    for (const property of change.properties ?? []) entry.properties.add(property);
    if (change.member) {
      const added = change.kind === 'memberAdded';
      const state = entry.members.get(change.member.id) ?? { before: !added, after: !added, type: change.member.type };
      state.after = added;
      state.type = change.member.type;
      entry.members.set(change.member.id, state);
    }
    entry.last = change.seq;
    byGroup.set(change.id, entry);
  }

  const ordered = [...byGroup.entries()].sort(([, a], [, b]) => a.last - b.last);
  const entries: GroupEntry[] = [];
  for (const [id, pending] of ordered) {
    const group = directory.groups.get(id);
    if (!group) {
      entries.push({ group: { id, '@removed': { reason: directory.softDeletedGroups.has(id) ? 'changed' : 'deleted' } }, members: [] });
      continue;
    }
    if (pending.whole) {
      entries.push(wholeGroup(directory, group, select, withMembers));
      continue;
    }
    const members: Json[] = [];
    if (withMembers) {
      for (const [memberId, state] of pending.members) {
        if (state.before === state.after) continue;
        const ref = memberRef({ id: memberId, type: state.type }) as Record<string, Json>;
        members.push(state.after ? ref : { ...ref, '@removed': { reason: 'deleted' } });
      }
    }
    const current = projectGroup(group, undefined);
    const changed = [...pending.properties].filter((property) => !select || select.includes(property));
    if (changed.length === 0 && members.length === 0) continue;
    const shown: Record<string, Json> = { id };
    if (!minimal) {
      for (const property of select ?? Object.keys(current)) if (current[property] !== undefined) shown[property] = current[property]!;
    }
    for (const property of changed) shown[property] = current[property] ?? null;
    entries.push({ group: shown, members });
  }
  return entries;
}

function paginate(entries: GroupEntry[], limits: { pageSize: number; membersPerPage: number }): GroupsDeltaRound {
  const items: Json[] = [];
  const pageEnds: number[] = [];
  let groupsOnPage = 0;
  let membersOnPage = 0;
  const closePage = () => {
    pageEnds.push(items.length);
    groupsOnPage = 0;
    membersOnPage = 0;
  };
  const place = (item: Json, memberCount: number) => {
    items.push(item);
    groupsOnPage++;
    membersOnPage += memberCount;
    if (groupsOnPage >= limits.pageSize || membersOnPage >= limits.membersPerPage) closePage();
  };
  for (const { group, members } of entries) {
    if (members.length === 0) {
      place(group, 0);
      continue;
    }
    for (let offset = 0; offset < members.length;) {
      const take = Math.min(limits.membersPerPage - membersOnPage, members.length - offset);
      place({ ...group, 'members@delta': members.slice(offset, offset + take) }, take);
      offset += take;
    }
  }
  if (pageEnds.at(-1) !== items.length) pageEnds.push(items.length);
  return { items, pageEnds };
}
