/**
 * Group membership in the target: which member ids to add and remove, and the PATCH requests
 * that carry them, at most the target's limit of member changes per request. Pure: no I/O.
 */
import type { PatchOperation } from '../scim/types';

export interface MemberChanges {
  add: string[];
  remove: string[];
}

/** What turns `actual` (target ids the target group holds) into `desired`. */
export function memberChanges(desired: Iterable<string>, actual: Iterable<string>): MemberChanges {
  const want = new Set(desired);
  const have = new Set(actual);
  return { add: [...want].filter((id) => !have.has(id)).sort(), remove: [...have].filter((id) => !want.has(id)).sort() };
}

/** A string literal of a SCIM filter (RFC 7644 §3.4.2.2: JSON string rules). */
function filterString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The PATCH requests (one operation list each) that make these member changes: removals first,
 * so a target with a member cap never holds both old and new members at once, then additions in
 * the room left. Each request carries at most `maxPerRequest` member changes: removals as one
 * `remove` per member by value filter, which RFC 7644 §3.5.2.2 defines for every target,
 * additions as one `add` of a `members` array.
 *
 * @example memberPatches({ add: ['u1'], remove: [] }, 100) // [[{ op: 'add', path: 'members', value: [{ value: 'u1' }] }]]
 */
export function memberPatches(changes: MemberChanges, maxPerRequest: number): PatchOperation[][] {
  const size = Math.max(1, Math.floor(maxPerRequest));
  const requests: PatchOperation[][] = [];
  let removed = 0;
  let added = 0;
  while (removed < changes.remove.length || added < changes.add.length) {
    const removals = changes.remove.slice(removed, removed + size);
    removed += removals.length;
    const additions = changes.add.slice(added, added + size - removals.length);
    added += additions.length;
    const operations: PatchOperation[] = removals.map((id) => ({ op: 'remove', path: `members[value eq ${filterString(id)}]` }));
    if (additions.length > 0) operations.push({ op: 'add', path: 'members', value: additions.map((value) => ({ value })) });
    requests.push(operations);
  }
  return requests;
}

/** The target ids a SCIM group resource lists as `members` (entries without a value are ignored). */
export function memberIdsOf(resource: Record<string, unknown>): string[] {
  const members = resource.members;
  if (!Array.isArray(members)) return [];
  return members.flatMap((member) =>
    member && typeof member === 'object' && typeof (member as { value?: unknown }).value === 'string'
      ? [(member as { value: string }).value]
      : [],
  );
}
