/**
 * The groups benchmark's directory, the same on every run with the same seed: users, groups
 * whose members are drawn from them, and the changes of the incremental phase (attribute changes
 * of some users, members added to and removed from groups across the directory). It is kept
 * here as well as in the Graph fake, so the expected end state is known without asking Graph.
 */
import type { FakeGraph, Json, UserRecord } from '../test/fakes/graph/index';
import { addPeople } from '../test/support/people';

/** A group as the benchmark expects it in the target: its source members, by source id. */
export interface BenchGroup {
  id: string;
  displayName: string;
  members: Set<string>;
}

export interface GroupDirectory {
  users: UserRecord[];
  groups: BenchGroup[];
}

/** The changes of the incremental phase, as the source made them. */
export interface DirectoryChanges {
  /** Changed users, as they were before and are now. */
  users: { before: UserRecord; after: UserRecord }[];
  /** Member changes by group id (source ids). */
  members: Map<string, { add: string[]; remove: string[] }>;
  added: number;
  removed: number;
}

/**
 * mulberry32: a small seeded generator of numbers in [0, 1).
 *
 * @example const random = seededRandom(1); random() // the same first number on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomIndex = (random: () => number, length: number) => Math.floor(random() * length);

/**
 * Group sizes as directories have them, many small groups and a few large ones (exponentially
 * distributed, so some groups take more than one PATCH), adjusted to sum to exactly
 * `count × mean` and to lie within 1..`max`.
 */
export function groupSizes(count: number, mean: number, max: number, random: () => number): number[] {
  const sizes = Array.from({ length: count }, () => Math.min(max, Math.max(1, Math.round(-mean * Math.log(1 - random())))));
  let sum = sizes.reduce((a, b) => a + b, 0);
  const target = Math.min(count * mean, count * max);
  while (sum !== target) {
    const i = randomIndex(random, count);
    if (sum < target && sizes[i]! < max) {
      sizes[i]! += 1;
      sum += 1;
    } else if (sum > target && sizes[i]! > 1) {
      sizes[i]! -= 1;
      sum -= 1;
    }
  }
  return sizes;
}

/** `k` distinct indexes below `n`, in O(k) (Floyd's algorithm). */
function sample(n: number, k: number, random: () => number): number[] {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomIndex(random, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen];
}

/** Fills the Graph fake: `users` people and `groups` groups of `meanMembers` users on average. */
export function fillDirectory(
  graph: FakeGraph,
  options: { users: number; groups: number; meanMembers: number; random: () => number },
): GroupDirectory {
  const users = addPeople(graph, options.users);
  const maxSize = Math.min(options.users, options.meanMembers * 20);
  const groups = groupSizes(options.groups, options.meanMembers, maxSize, options.random).map((size, i): BenchGroup => {
    const group = graph.addGroup({ displayName: `Bench group ${String(i).padStart(5, '0')}` });
    const members = sample(users.length, size, options.random).map((index) => users[index]!.id);
    graph.addMembers(group.id, members);
    return { id: group.id, displayName: group.displayName, members: new Set(members) };
  });
  return { users, groups };
}

/** The number of memberships of the groups. */
export function membershipCount(groups: readonly BenchGroup[]): number {
  return groups.reduce((sum, group) => sum + group.members.size, 0);
}

/**
 * Changes the source for the incremental phase: `userShare` of the users get a new job title
 * and department, and `membershipShare` of the memberships change, half removed and half added,
 * each in a group picked at random (no membership changes twice). `directory` follows along.
 */
export function changeDirectory(
  graph: FakeGraph,
  directory: GroupDirectory,
  options: { userShare: number; membershipShare: number; random: () => number },
): DirectoryChanges {
  const { random } = options;
  const { users, groups } = directory;
  const changedUsers = sample(users.length, Math.round(users.length * options.userShare), random).map((index) => {
    const before = users[index]!;
    const patch: Record<string, Json> = { jobTitle: `Manager ${index}`, department: 'Operations' };
    graph.updateUser(before.id, patch);
    const after = { ...before, ...patch };
    users[index] = after;
    return { before, after };
  });

  const changes = Math.round(membershipCount(groups) * options.membershipShare);
  const toRemove = Math.floor(changes / 2);
  const members = new Map<string, { add: string[]; remove: string[] }>();
  const touched = new Set<string>();
  let added = 0;
  let removed = 0;
  for (let attempts = 0; added + removed < changes; attempts++) {
    if (attempts > changes * 100) throw new Error(`could not find ${changes} membership changes in this directory`);
    const group = groups[randomIndex(random, groups.length)]!;
    const removing = removed < toRemove;
    let memberId: string;
    if (removing) {
      if (group.members.size === 0) continue;
      memberId = [...group.members][randomIndex(random, group.members.size)]!;
    } else {
      memberId = users[randomIndex(random, users.length)]!.id;
      if (group.members.has(memberId)) continue;
    }
    const key = `${group.id}/${memberId}`;
    if (touched.has(key)) continue;
    touched.add(key);
    const entry = members.get(group.id) ?? { add: [], remove: [] };
    members.set(group.id, entry);
    if (removing) {
      graph.removeMember(group.id, memberId);
      group.members.delete(memberId);
      entry.remove.push(memberId);
      removed += 1;
    } else {
      graph.addMember(group.id, memberId);
      group.members.add(memberId);
      entry.add.push(memberId);
      added += 1;
    }
  }
  return { users: changedUsers, members, added, removed };
}
