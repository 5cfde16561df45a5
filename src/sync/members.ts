/**
 * A group's members in the target, the step that follows the group's own reconcile. Members
 * are written as target ids, in PATCH requests of at most the profile's member limit. A member
 * whose account does not exist yet stays recorded as wanted but not written (a pending
 * reference, see references.ts). A group read whole (an initial round, a retry, on demand, a
 * group new to the app) has its whole membership compared with Graph and the target, which
 * repairs drift; one read in an incremental round applies Graph's member changes only.
 */
import { createHash } from 'node:crypto';
import { ProvisioningError, toErrorInfo, type ErrorInfo } from '../errors/index';
import { memberChanges, memberIdsOf, memberPatches, type MemberChanges, type ReconcileOutcome } from '../reconcile/index';
import type { MemberDelta } from '../source/index';
import type { AppContext } from './app-context';
import { cycleKey, type SyncEnv } from './env';
import type { ObjectJob } from './kinds';
import type { Recorded, Run } from './record';

/** A group as its membership step sees it: source id, target id, name for the log. */
export interface TargetGroup {
  id: string;
  targetId: string;
  display?: string | undefined;
}

function isLive(outcome: ReconcileOutcome): boolean {
  return outcome.targetId !== undefined && outcome.status !== 'Failure' && outcome.action !== 'Delete' && outcome.action !== 'StagedDelete';
}

/** The group was created by this outcome's POST, which carried no members. */
function createdEmpty(outcome: ReconcileOutcome): boolean {
  if (outcome.action !== 'Create' || outcome.status !== 'Success' || !outcome.request) return false;
  const body = outcome.request.body as { members?: unknown } | undefined;
  return !(Array.isArray(body?.members) && body.members.length > 0);
}

/**
 * Whether the cycle compares the group's whole membership now: once per cycle and worker, as
 * Graph repeats a large group on several pages of a round. A retry on another worker compares
 * again, harmlessly.
 */
async function firstComparison(env: SyncEnv, run: Run, groupId: string): Promise<boolean> {
  if (run.cycleId === null) return true;
  const compared = await env.perCycle.compared.get(cycleKey(run.cycleId, 'group'), () => Promise.resolve(new Set()));
  if (compared.has(groupId)) return false;
  compared.add(groupId);
  return true;
}

/**
 * The membership step of a reconciled group: its members written (or, for a deleted group,
 * forgotten). A group whose own attributes could not be written still gets its members, since
 * the round's member changes are not read again.
 *
 * @returns the outcomes of the membership changes, to record with the group's own
 * @throws a transient failure once what the target holds is recorded: the group is done again
 */
export async function writeMembers(job: ObjectJob, outcome: ReconcileOutcome): Promise<Recorded[]> {
  const { env, ctx, object, before, run } = job;
  if (outcome.action === 'Delete') {
    await env.store.groupMembers.removeGroup(ctx.app.id, object.id);
    return [];
  }
  const linked =
    outcome.status === 'Failure' && before?.state === 'active' && !object.removed && job.scope.inScope ? before.targetId : undefined;
  const targetId = isLive(outcome) ? outcome.targetId! : linked;
  if (targetId === undefined) return [];
  const group: TargetGroup = { id: object.id, targetId, display: outcome.sourceDisplay };
  // New to this app (created or matched), read whole, or nested changes to flatten: compare the whole membership.
  const delta = object.memberDelta;
  const nested = delta !== undefined && Object.values(delta.types).includes('group');
  if (delta === undefined || before?.state !== 'active' || (nested && ctx.app.groups?.flattenNested)) {
    return (await firstComparison(env, run, group.id)) ? compareMembers(env, ctx, group, createdEmpty(outcome)) : [];
  }
  return applyMemberDelta(env, ctx, group, delta);
}

/** The user members of a group as Graph lists them now (with `flattenNested`, through nested groups too). */
async function sourceMembers(ctx: AppContext, groupId: string): Promise<string[]> {
  const members: string[] = [];
  for await (const page of ctx.source.readGroupMembers(groupId, { transitive: ctx.app.groups?.flattenNested ?? false })) {
    for (const member of page) if (member.type === 'user') members.push(member.id);
  }
  return members;
}

/** Target ids of the members' live accounts in this app, by source id. */
async function targetIdsOf(env: SyncEnv, appId: string, memberIds: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < memberIds.length; i += 1000) {
    const anchors = await env.store.anchors.getMany(appId, 'user', memberIds.slice(i, i + 1000));
    for (const [sourceId, anchor] of anchors) if (anchor.state !== 'deleted') ids.set(sourceId, anchor.targetId);
  }
  return ids;
}

/** The outcome of one membership change, logged as an update of the group; `found`: changes the target showed already. */
function membershipOutcome(group: TargetGroup, changes: MemberChanges, error?: ErrorInfo, found = 0): ReconcileOutcome {
  const summary = `members: ${changes.add.length} added, ${changes.remove.length} removed${found > 0 ? ` (${found} found done in the target)` : ''}`;
  return {
    sourceId: group.id,
    sourceDisplay: group.display,
    objectType: 'group',
    targetId: group.targetId,
    action: 'Update',
    status: error ? 'Failure' : 'Success',
    reason: error ? `${summary} failed: ${error.message}` : summary,
    changes: [{ name: 'members', old: null, new: { added: changes.add.length, removed: changes.remove.length } }],
    steps: [{ name: 'export', status: error ? 'Failure' : 'Success', detail: error ? error.message : summary }],
    ...(error && { error }),
  };
}

/**
 * After member changes whose outcome is unknown (an answer lost, a 5xx): records which of the
 * group's recorded members the target holds now, so the retry adds only those it lacks (a
 * target where `add` is not idempotent would otherwise list a member twice). Needs a target
 * whose GET returns members; without one the retry sends the changes again.
 */
async function rememberTargetMembers(env: SyncEnv, ctx: AppContext, group: TargetGroup): Promise<void> {
  if (!ctx.profile.groupMembersOnGet || !ctx.groups.target.get) return;
  const appId = ctx.app.id;
  try {
    const held = new Set(memberIdsOf(await ctx.groups.target.get(group.targetId)));
    const recorded = (await env.store.groupMembers.list(appId, group.id)).map((r) => r.memberId);
    const targets = await targetIdsOf(env, appId, recorded);
    const present = recorded.filter((id) => targets.has(id) && held.has(targets.get(id)!));
    await env.store.groupMembers.setExported(appId, group.id, present, true);
    await env.store.groupMembers.setExported(
      appId,
      group.id,
      recorded.filter((id) => !present.includes(id)),
      false,
    );
  } catch (error) {
    // The target cannot be read either: the retry sends the changes again.
    env.logger.warn({ appId, groupId: group.id, err: toErrorInfo(error) }, 'reading the target group after a failed member change failed');
  }
}

/**
 * The part of `changes` the target does not show yet, read from the target when its GET returns
 * members; without such a GET, all of it.
 */
async function notYetDone(ctx: AppContext, group: TargetGroup, changes: MemberChanges): Promise<MemberChanges> {
  if (!ctx.profile.groupMembersOnGet || !ctx.groups.target.get) return changes;
  const held = new Set(memberIdsOf(await ctx.groups.target.get(group.targetId)));
  return { add: changes.add.filter((id) => !held.has(id)), remove: changes.remove.filter((id) => held.has(id)) };
}

/**
 * Writes member changes to a target group. A refusal for good is an outcome that fails (the
 * group goes to escrow and is compared whole on its retry); a transient failure is thrown once
 * what the target holds is recorded.
 *
 * With `unsure` the changes may have reached the target already: a try that died after its
 * PATCH and before recording it left them wanted but not written. Only what the target does not
 * show yet is sent then (a target where `add` is not idempotent would list a member twice), and
 * the change is logged as decided, under the same change id, so it is logged once either way.
 *
 * @param commit what the change leaves recorded, written after its log entry
 * @returns the change's outcome to record; none when there is nothing to change
 */
export async function applyChanges(
  env: SyncEnv,
  ctx: AppContext,
  group: TargetGroup,
  changes: MemberChanges,
  commit: () => Promise<void>,
  options: { unsure?: boolean } = {},
): Promise<Recorded[]> {
  if (changes.add.length === 0 && changes.remove.length === 0) {
    await commit();
    return [];
  }
  const startedAt = env.now();
  const digest = createHash('sha256').update(JSON.stringify(changes)).digest('hex').slice(0, 16);
  const step = `members:${digest}`;
  let found = 0;
  try {
    const sent = options.unsure ? await notYetDone(ctx, group, changes) : changes;
    found = changes.add.length + changes.remove.length - sent.add.length - sent.remove.length;
    for (const operations of memberPatches(sent, ctx.profile.maxMembersPerPatch)) await ctx.groups.target.patch(group.targetId, operations);
  } catch (error) {
    if (!(error instanceof ProvisioningError) || error.kind === 'transient') {
      if (changes.add.length > 0) await rememberTargetMembers(env, ctx, group);
      throw error;
    }
    return [{ outcome: membershipOutcome(group, changes, toErrorInfo(error)), startedAt, finishedAt: env.now(), step }];
  }
  return [{ outcome: membershipOutcome(group, changes, undefined, found), startedAt, finishedAt: env.now(), step, commit }];
}

/**
 * Makes a target group hold exactly its source members that have accounts (a full comparison):
 * the wanted members from Graph, what the target holds (read from the target when its GET
 * returns members, else what scimflow wrote), and the difference written. A group `created`
 * empty in this reconcile holds nothing yet: it is not read back.
 */
async function compareMembers(env: SyncEnv, ctx: AppContext, group: TargetGroup, created: boolean): Promise<Recorded[]> {
  const appId = ctx.app.id;
  const members = env.store.groupMembers;
  const wanted = await sourceMembers(ctx, group.id);
  const recorded = await members.list(appId, group.id);
  const wantedSet = new Set(wanted);
  const stale = recorded.filter((r) => !wantedSet.has(r.memberId)).map((r) => r.memberId);
  const targets = await targetIdsOf(env, appId, [...new Set([...wanted, ...recorded.map((r) => r.memberId)])]);

  let actual: string[];
  if (created) {
    actual = [];
  } else if (ctx.profile.groupMembersOnGet && ctx.groups.target.get) {
    actual = memberIdsOf(await ctx.groups.target.get(group.targetId));
  } else {
    actual = recorded.filter((r) => r.exported).flatMap((r) => (targets.has(r.memberId) ? [targets.get(r.memberId)!] : []));
  }
  const desired = wanted.flatMap((id) => (targets.has(id) ? [targets.get(id)!] : []));
  await members.add(appId, group.id, wanted);
  return applyChanges(env, ctx, group, memberChanges(desired, actual), async () => {
    await members.remove(appId, group.id, stale);
    await members.setExported(
      appId,
      group.id,
      wanted.filter((id) => targets.has(id)),
      true,
    );
    await members.setExported(
      appId,
      group.id,
      wanted.filter((id) => !targets.has(id)),
      false,
    );
  });
}

/** Applies one delta round's member changes of a group (users only). */
async function applyMemberDelta(env: SyncEnv, ctx: AppContext, group: TargetGroup, delta: MemberDelta): Promise<Recorded[]> {
  const appId = ctx.app.id;
  const members = env.store.groupMembers;
  const added = delta.added.filter((id) => !delta.types[id]);
  const removed = delta.removed.filter((id) => !delta.types[id]);
  const states = await members.states(appId, group.id, [...added, ...removed]);
  const targets = await targetIdsOf(env, appId, [...added, ...removed]);
  await members.add(appId, group.id, added);
  const toAdd = added.filter((id) => targets.has(id) && states.get(id) !== true);
  const toRemove = removed.filter((id) => targets.has(id) && states.get(id) === true);
  const changes = { add: toAdd.map((id) => targets.get(id)!), remove: toRemove.map((id) => targets.get(id)!) };
  // A member recorded before but not written may have been written by a try that died before recording it.
  const unsure = toAdd.some((id) => states.get(id) === false);
  return applyChanges(
    env,
    ctx,
    group,
    changes,
    async () => {
      await members.setExported(appId, group.id, toAdd, true);
      await members.remove(appId, group.id, removed);
    },
    { unsure },
  );
}
