/** Reading groups: full listings, delta rounds with membership changes, members, and groups by id. */
import type { SourceObject, SourcePage, SourceValue } from '../source/index';
import { memberType, removalReason, toSourceGroup, type MemberType } from './normalize';
import { graphPath, readByIds, type GraphCollection, type GraphItem, type GraphReader } from './reader';

export type { MemberType } from './normalize';

export interface GroupQuery {
  /** `$select` of group properties (always includes `id` and `displayName`); relationships are added where needed. */
  select: readonly string[];
  /** `$top` of full listings. */
  pageSize: number;
}

/** A group's member: its object id and type. */
export interface GroupMember {
  id: string;
  type: MemberType;
}

/**
 * One group as a delta round reports it. On the first round `membersAdded` lists the current
 * members; on later rounds the two lists hold only what changed since the deltaLink.
 */
export interface GroupDelta {
  id: string;
  /** Graph property names → values; on later rounds the changed properties only (see `partial`). */
  attributes: Record<string, SourceValue>;
  /** The group is gone: `changed` (a deleted Microsoft 365 group, restorable) or `deleted` (permanently). */
  removed?: 'changed' | 'deleted';
  /** Ids of members added (users, nested groups, other directory objects: see `memberTypes`). */
  membersAdded: string[];
  /** Ids of members removed (the membership ended or the member was deleted). */
  membersRemoved: string[];
  /**
   * The type of every member in `membersAdded` / `membersRemoved` that is not a user: `group` for
   * a nested group (to flatten or leave out), `other` for devices, contacts, service principals.
   * A member not listed here is a user.
   */
  memberTypes: Record<string, 'group' | 'other'>;
  /** Some selected properties are absent (changed ones only): read the whole group before mapping it. */
  partial: boolean;
}

/** One page of a groups delta round. */
export interface GroupDeltaPage {
  /** Each group once, its appearances on this page merged. */
  groups: GroupDelta[];
  nextLink?: string;
  deltaLink?: string;
}

/** One page of a full listing of groups (no members: read them with `readGroupMembers`). */
export async function readGroupsPage(reader: GraphReader, query: GroupQuery, link?: string): Promise<SourcePage> {
  const page = await reader.get(link ?? graphPath('/groups', { $select: query.select.join(','), $top: query.pageSize }));
  return {
    objects: page.value.map((item) => toSourceGroup(item)),
    ...links(page),
  };
}

/**
 * One page of a groups delta round with `members@delta` (`$select=...,members`). Graph spreads a
 * large group's members over several pages, repeating the group on each; this merges the
 * appearances within the page, and `mergeGroupDelta` merges them across pages.
 * `Prefer: return=minimal` makes later rounds carry the changed properties only (`partial`).
 */
export async function readGroupsDeltaPage(reader: GraphReader, query: GroupQuery, link?: string): Promise<GroupDeltaPage> {
  const page = await reader.get(link ?? graphPath('/groups/delta', { $select: [...new Set([...query.select, 'members'])].join(',') }), {
    delta: true,
    headers: { Prefer: 'return=minimal' },
  });
  const groups = new Map<string, GroupDelta>();
  for (const item of page.value) {
    const delta = toGroupDelta(item, query.select);
    const seen = groups.get(delta.id);
    if (seen) mergeGroupDelta(seen, delta, query.select);
    else groups.set(delta.id, delta);
  }
  return { groups: [...groups.values()], ...links(page) };
}

/**
 * One group object of a delta page. `members@delta` items are `{"@odata.type", "id"}` for an
 * addition and carry `"@removed": {"reason"}` for a removal; an item without `@odata.type` is
 * taken as a user.
 */
export function toGroupDelta(item: GraphItem, select?: readonly string[]): GroupDelta {
  const object = toSourceGroup(item, select);
  const delta: GroupDelta = {
    id: object.id,
    attributes: object.attributes,
    membersAdded: [],
    membersRemoved: [],
    memberTypes: {},
    partial: object.partial ?? false,
    ...(object.removed && { removed: object.removed }),
  };
  const members = item['members@delta'];
  if (!Array.isArray(members)) return delta;
  for (const member of members as GraphItem[]) {
    if (typeof member.id !== 'string') continue;
    (removalReason(member['@removed']) ? delta.membersRemoved : delta.membersAdded).push(member.id);
    const type = memberType(member['@odata.type']);
    if (type !== 'user') delta.memberTypes[member.id] = type;
  }
  return delta;
}

/**
 * Merges a later appearance of the same group (`next`) into `into`, as Graph asks of clients
 * reading large groups: properties of the later appearance win, member changes accumulate
 * (a member removed after being added, or the reverse, ends in the later list only).
 *
 * @param select the selected properties, to tell whether the merged group is still `partial`.
 */
export function mergeGroupDelta(into: GroupDelta, next: GroupDelta, select?: readonly string[]): GroupDelta {
  if (next.removed) {
    into.removed = next.removed;
    into.attributes = {};
  } else {
    delete into.removed;
    Object.assign(into.attributes, next.attributes);
  }
  Object.assign(into.memberTypes, next.memberTypes);
  if (next.membersAdded.length > 0 || next.membersRemoved.length > 0) {
    const added = new Set(into.membersAdded);
    const removed = new Set(into.membersRemoved);
    for (const id of next.membersAdded) {
      removed.delete(id);
      added.add(id);
    }
    for (const id of next.membersRemoved) {
      added.delete(id);
      removed.add(id);
    }
    into.membersAdded = [...added];
    into.membersRemoved = [...removed];
  }
  into.partial = into.removed
    ? false
    : select
      ? select.some((property) => property !== 'id' && !(property in into.attributes))
      : into.partial && next.partial;
  return into;
}

/**
 * A group's members, page by page (`$top=999`, ids and types only): direct members, or with
 * `transitive` every user and group reachable through nested groups, each once. Only one page
 * is held at a time, so groups of any size can be read.
 *
 * @example for await (const page of readGroupMembers(reader, groupId)) for (const member of page) ...
 */
export async function* readGroupMembers(
  reader: GraphReader,
  groupId: string,
  options: { transitive?: boolean } = {},
): AsyncGenerator<GroupMember[]> {
  const relation = options.transitive ? 'transitiveMembers' : 'members';
  const path = graphPath(`/groups/${encodeURIComponent(groupId)}/${relation}`, { $select: 'id', $top: 999 });
  for await (const page of reader.pages(path)) {
    yield page.flatMap((item) => (typeof item.id === 'string' ? [{ id: item.id, type: memberType(item['@odata.type']) }] : []));
  }
}

/** Current attributes of the given groups, read in `id in (...)` chunks; unknown or deleted ids are absent. */
export async function readGroupsById(reader: GraphReader, query: GroupQuery, ids: readonly string[]): Promise<SourceObject[]> {
  return (await readByIds(reader, '/groups', query.select, ids)).map((item) => toSourceGroup(item));
}

function links(page: GraphCollection): { nextLink?: string; deltaLink?: string } {
  return {
    ...(page['@odata.nextLink'] && { nextLink: page['@odata.nextLink'] }),
    ...(page['@odata.deltaLink'] && { deltaLink: page['@odata.deltaLink'] }),
  };
}
