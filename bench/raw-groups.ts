/**
 * The groups benchmark's baseline: the fewest SCIM requests that reach the same end state, sent
 * by a plain loop at the same concurrency into a fresh tenant. Initial: every user created, then
 * every group created and filled in PATCHes of at most the member limit. Incremental: one PATCH
 * of the changed attributes per changed user, and per changed group PATCHes that carry its
 * removals and additions together, at most the member limit each.
 */
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS, diffToPatch, mapToTarget, type TargetValue } from '../src/mapping/index';
import { memberPatches, type MemberChanges } from '../src/reconcile/index';
import { SCHEMA_GROUP, type PatchOperation, type ScimClient, type ScimResource } from '../src/scim/index';
import type { UserRecord } from '../test/fakes/graph/index';
import type { BenchGroup, DirectoryChanges, GroupDirectory } from './group-directory';
import { createResources, rawCreateUsers, rawLoop, sourceObjectOf } from './raw-loop';

/** Target ids of what the raw loop created, by source id. */
export interface RawTargetIds {
  users: Map<string, string>;
  groups: Map<string, string>;
}

/** The resource scimflow creates for a group: the default group mappings, on create. */
function groupResource(group: BenchGroup): ScimResource {
  const source = { id: group.id, type: 'group' as const, attributes: { objectId: group.id, displayName: group.displayName } };
  return mapToTarget(source, DEFAULT_GROUP_MAPPINGS, { operation: 'create', coreSchema: SCHEMA_GROUP }).resource;
}

/** The PATCH of a user's changed attributes: the default mappings before and after, compared. */
function userPatch(before: UserRecord, after: UserRecord): PatchOperation[] {
  const held = new Map<string, TargetValue>();
  for (const [path, mapped] of mapToTarget(sourceObjectOf(before), DEFAULT_USER_MAPPINGS, { operation: 'update' }).values) {
    if (mapped.kind === 'value') held.set(path, mapped.value);
  }
  return diffToPatch(held, mapToTarget(sourceObjectOf(after), DEFAULT_USER_MAPPINGS, { operation: 'update' }).values).operations;
}

/** Member changes in requests of at most `limit` changes each, removals and additions of a request together. */
function combinedMemberPatches(changes: MemberChanges, limit: number): PatchOperation[][] {
  const all = [...changes.remove.map((id) => ({ id, removed: true })), ...changes.add.map((id) => ({ id, removed: false }))];
  const requests: PatchOperation[][] = [];
  for (let i = 0; i < all.length; i += limit) {
    const slice = all.slice(i, i + limit);
    const part = { add: slice.filter((c) => !c.removed).map((c) => c.id), remove: slice.filter((c) => c.removed).map((c) => c.id) };
    requests.push(memberPatches(part, limit).flat());
  }
  return requests;
}

/** Sends a group's member PATCHes one after the other (the requests of one group never overlap). */
async function patchMembers(client: ScimClient, groupTargetId: string, requests: PatchOperation[][]): Promise<void> {
  for (const operations of requests) await client.patch('Groups', groupTargetId, operations);
}

export async function rawInitial(options: {
  client: ScimClient;
  directory: GroupDirectory;
  limit: number;
  concurrency: number;
  onProgress?: (objects: number) => void;
}): Promise<{ seconds: number; targetIds: RawTargetIds }> {
  const { client, directory, limit, concurrency } = options;
  const created = await rawCreateUsers({
    client,
    resources: createResources(directory.users),
    concurrency,
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  const users = new Map(directory.users.map((user, index) => [user.id, created.targetIds[index]!]));
  const groups = new Map<string, string>();
  const groupSeconds = await rawLoop(
    directory.groups,
    concurrency,
    async (group) => {
      const targetId = String((await client.create('Groups', groupResource(group))).id);
      groups.set(group.id, targetId);
      await patchMembers(client, targetId, memberPatches({ add: [...group.members].map((id) => users.get(id)!), remove: [] }, limit));
    },
    (done) => options.onProgress?.(directory.users.length + done),
  );
  return { seconds: created.seconds + groupSeconds, targetIds: { users, groups } };
}

export async function rawIncremental(options: {
  client: ScimClient;
  changes: DirectoryChanges;
  targetIds: RawTargetIds;
  limit: number;
  concurrency: number;
}): Promise<{ seconds: number }> {
  const { client, changes, targetIds, limit } = options;
  const writes: (() => Promise<unknown>)[] = [
    ...changes.users.map(
      ({ before, after }) =>
        () =>
          client.patchUser(targetIds.users.get(before.id)!, userPatch(before, after)),
    ),
    ...[...changes.members].map(([groupId, { add, remove }]) => {
      const member = (id: string) => targetIds.users.get(id)!;
      const requests = combinedMemberPatches({ add: add.map(member), remove: remove.map(member) }, limit);
      return () => patchMembers(client, targetIds.groups.get(groupId)!, requests);
    }),
  ];
  return { seconds: await rawLoop(writes, options.concurrency, (write) => write()) };
}
