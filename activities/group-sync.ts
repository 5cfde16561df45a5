/**
 * Groups and their memberships in the target. A group is reconciled like a user (match, create,
 * rename, deprovision through the one reconcile path), created without members; its members are
 * then written as target ids, in PATCH requests of at most the profile's member limit. A member
 * whose account does not exist yet stays recorded as a pending reference and is written as soon
 * as it does (`resolvePending`), with no restart. Full rounds read every group's members from
 * Graph and the target and repair any difference (drift); incremental rounds apply Graph's
 * membership changes only.
 */
import { createHash, randomUUID } from 'node:crypto';
import pMap from 'p-map';
import { ProvisioningError, toErrorInfo, type ErrorInfo } from '../src/errors/index';
import type { GroupDelta } from '../src/graph/index';
import type { Logger } from '../src/log/index';
import {
  memberChanges,
  memberIdsOf,
  memberPatches,
  reconcileObject,
  type MemberChanges,
  type ReconcileOutcome,
  type ScopeDecision,
  type TargetIndex,
} from '../src/reconcile/index';
import type { SourceObject } from '../src/source/index';
import type { ProvisioningLogInput, Store } from '../src/store/index';
import type { AnchorBatch, AppContext } from './app-context';
import { cycleCache } from './cycle-cache';
import type { Heartbeat } from './heartbeat';
import { filteredScope } from './scope';

/** How a groups round reads memberships: `full` compares every group with Graph and the target. */
export type GroupRoundKind = 'full' | 'incremental';

export interface GroupSyncDeps {
  store: Store;
  logger: Logger;
  now: () => Date;
  /** Groups reconciled at the same time. */
  concurrency: number;
  /** Saves reconcile outcomes: log entries, anchors, escrow (the cycle's own path). */
  saveResults(
    ctx: AppContext,
    batch: AnchorBatch,
    group: { outcome: ReconcileOutcome; startedAt: Date }[],
    log: { cycleId: string | null; phase: string },
  ): Promise<void>;
  /** The deprovisioning guard of the cycle, shared with its users. */
  guardFor(ctx: AppContext, cycleId: string): import('../src/reconcile/index').DeprovisionGuard | undefined;
}

/** The reason code of groups skipped because the target has no Group resource type. */
const GROUPS_UNSUPPORTED = 'GroupsNotSupported';

/** Pending references resolved per query; a cycle keeps going until none is left. */
const RESOLVE_BATCH = 5_000;

function isLive(outcome: ReconcileOutcome): boolean {
  return outcome.targetId !== undefined && outcome.status !== 'Failure' && outcome.action !== 'Delete' && outcome.action !== 'StagedDelete';
}

/** The outcome of a second reconcile, with the first attempt's steps before its own (the failed export as a warning). */
function triedAgain(first: ReconcileOutcome, second: ReconcileOutcome): ReconcileOutcome {
  const before = first.steps.map((step) =>
    step.name === 'export' && step.status === 'Failure'
      ? { ...step, status: 'Warning' as const, detail: `${step.detail}; reconciling once more` }
      : step,
  );
  return { ...second, steps: [...before, ...second.steps.filter((step) => step.name !== 'import' && step.name !== 'scoping')] };
}

/** The group was created by this outcome's POST, which carried no members. */
function createdEmpty(outcome: ReconcileOutcome): boolean {
  if (outcome.action !== 'Create' || outcome.status !== 'Success' || !outcome.request) return false;
  const body = outcome.request.body as { members?: unknown } | undefined;
  return !(Array.isArray(body?.members) && body.members.length > 0);
}

export function createGroupSync(deps: GroupSyncDeps) {
  const { store, logger, now } = deps;
  /** Groups assigned to the app, read once per cycle and worker. */
  const assignedByCycle = cycleCache<Set<string>>(64);
  /**
   * Groups whose whole membership a cycle has compared already, per worker: Graph spreads a large
   * group's members over several pages of a round, repeating the group on each, and one full
   * comparison covers them all. A retry on another worker compares again, harmlessly.
   */
  const comparedByCycle = new Map<string, Set<string>>();

  function firstComparison(cycleId: string | null, groupId: string): boolean {
    if (cycleId === null) return true;
    let compared = comparedByCycle.get(cycleId);
    if (!compared) {
      compared = new Set();
      comparedByCycle.set(cycleId, compared);
      if (comparedByCycle.size > 64) comparedByCycle.delete(comparedByCycle.keys().next().value!);
    }
    if (compared.has(groupId)) return false;
    compared.add(groupId);
    return true;
  }

  function assignedGroups(ctx: AppContext, cycleKey: string | null): Promise<Set<string>> {
    const servicePrincipalId = ctx.app.source.servicePrincipalId!;
    const read = () => ctx.source.assignedPrincipals(servicePrincipalId).then((p) => p.groupIds);
    return cycleKey === null ? read() : assignedByCycle.get(cycleKey, read);
  }

  /** The groups in scope: assigned to the app (scope `assigned`) or all, and matching the app's group filter. */
  async function scopeOf(ctx: AppContext, cycleKey: string | null): Promise<(group: SourceObject) => ScopeDecision> {
    const filter = ctx.app.scoping?.group;
    const filtered = (group: SourceObject, why: string): ScopeDecision => filteredScope(filter, group, why);
    const { scope, servicePrincipalId } = ctx.app.source;
    if (scope === 'all' || !servicePrincipalId) return (group) => filtered(group, 'the app provisions all groups');
    const assigned = await assignedGroups(ctx, cycleKey);
    return (group) =>
      assigned.has(group.id)
        ? filtered(group, `assigned to service principal ${servicePrincipalId}`)
        : { inScope: false, detail: `not assigned to service principal ${servicePrincipalId}` };
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
  async function targetIdsOf(appId: string, memberIds: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < memberIds.length; i += 1000) {
      const anchors = await store.anchors.getMany(appId, 'user', memberIds.slice(i, i + 1000));
      for (const [sourceId, anchor] of anchors) if (anchor.state !== 'deleted') ids.set(sourceId, anchor.targetId);
    }
    return ids;
  }

  /** Sends member changes to a target group; returns the error when a request was refused for good. */
  async function sendChanges(ctx: AppContext, groupTargetId: string, changes: MemberChanges): Promise<void> {
    for (const operations of memberPatches(changes, ctx.profile.maxMembersPerPatch)) {
      await ctx.groups.target.patch(groupTargetId, operations);
    }
  }

  function membershipEntry(
    ctx: AppContext,
    group: { id: string; targetId: string; display?: string | undefined },
    changes: MemberChanges,
    log: { cycleId: string | null; phase: string },
    startedAt: Date,
    error?: ErrorInfo,
  ): ProvisioningLogInput {
    const digest = createHash('sha256').update(JSON.stringify(changes)).digest('hex').slice(0, 16);
    const summary = `members: ${changes.add.length} added, ${changes.remove.length} removed`;
    return {
      appId: ctx.app.id,
      cycleId: log.cycleId,
      changeId: log.cycleId ? `${log.cycleId}:${log.phase}:members:${group.id}:${digest}` : `${log.phase}:${randomUUID()}`,
      objectType: 'group',
      sourceId: group.id,
      sourceDisplay: group.display ?? null,
      targetId: group.targetId,
      action: 'Update',
      status: error ? 'Failure' : 'Success',
      reason: error ? `${summary} failed: ${error.message}` : summary,
      modifiedProperties: [{ name: 'members', old: null, new: { added: changes.add.length, removed: changes.remove.length } }],
      steps: [{ name: 'export', status: error ? 'Failure' : 'Success', detail: error ? error.message : summary }],
      error: error ?? null,
      startedAt,
      durationMs: now().getTime() - startedAt.getTime(),
    };
  }

  /**
   * After member changes whose outcome is unknown (an answer lost, a 5xx): records which of the
   * group's recorded members the target holds now, so the retry adds only those it lacks (a
   * target where `add` is not idempotent would otherwise list a member twice). Needs a target
   * whose GET returns members; without one the retry sends the changes again.
   */
  async function rememberTargetMembers(ctx: AppContext, group: { id: string; targetId: string }): Promise<void> {
    if (!ctx.profile.groupMembersOnGet || !ctx.groups.target.get) return;
    const appId = ctx.app.id;
    try {
      const held = new Set(memberIdsOf(await ctx.groups.target.get(group.targetId)));
      const recorded = (await store.groupMembers.list(appId, group.id)).map((r) => r.memberId);
      const targets = await targetIdsOf(appId, recorded);
      const present = recorded.filter((id) => targets.has(id) && held.has(targets.get(id)!));
      await store.groupMembers.setExported(appId, group.id, present, true);
      await store.groupMembers.setExported(
        appId,
        group.id,
        recorded.filter((id) => !present.includes(id)),
        false,
      );
    } catch (error) {
      // The target cannot be read either: the retry sends the changes again.
      logger.warn({ appId, groupId: group.id, err: toErrorInfo(error) }, 'reading the target group after a failed member change failed');
    }
  }

  /**
   * Writes member changes and records them. A transient failure is thrown (the activity retries;
   * the round is not marked done) once what the target holds is recorded; a permanent one is
   * logged and the group moves on: the next full comparison tries again.
   */
  async function applyChanges(
    ctx: AppContext,
    group: { id: string; targetId: string; display?: string | undefined },
    changes: MemberChanges,
    log: { cycleId: string | null; phase: string },
  ): Promise<boolean> {
    if (changes.add.length === 0 && changes.remove.length === 0) return true;
    const startedAt = now();
    try {
      await sendChanges(ctx, group.targetId, changes);
    } catch (error) {
      if (!(error instanceof ProvisioningError) || error.kind === 'transient') {
        if (changes.add.length > 0) await rememberTargetMembers(ctx, group);
        throw error;
      }
      await store.provisioningLog.append([membershipEntry(ctx, group, changes, log, startedAt, toErrorInfo(error))]);
      return false;
    }
    await store.provisioningLog.append([membershipEntry(ctx, group, changes, log, startedAt)]);
    return true;
  }

  /**
   * Makes a target group hold exactly its source members that have accounts (a full comparison):
   * the wanted members from Graph, what the target holds (read from the target when its GET
   * returns members, else what scimflow wrote), and the difference written. A group `created`
   * empty by this round holds nothing yet: it is not read back.
   */
  async function compareMembers(
    ctx: AppContext,
    group: { id: string; targetId: string; display?: string | undefined },
    log: { cycleId: string | null; phase: string },
    created = false,
  ) {
    const appId = ctx.app.id;
    const wanted = await sourceMembers(ctx, group.id);
    const recorded = await store.groupMembers.list(appId, group.id);
    const wantedSet = new Set(wanted);
    const stale = recorded.filter((r) => !wantedSet.has(r.memberId)).map((r) => r.memberId);
    const targets = await targetIdsOf(appId, [...new Set([...wanted, ...recorded.map((r) => r.memberId)])]);

    let actual: string[];
    if (created) {
      actual = [];
    } else if (ctx.profile.groupMembersOnGet && ctx.groups.target.get) {
      actual = memberIdsOf(await ctx.groups.target.get(group.targetId));
    } else {
      actual = recorded.filter((r) => r.exported).flatMap((r) => (targets.has(r.memberId) ? [targets.get(r.memberId)!] : []));
    }
    const desired = wanted.flatMap((id) => (targets.has(id) ? [targets.get(id)!] : []));
    await store.groupMembers.add(appId, group.id, wanted);
    const written = await applyChanges(ctx, group, memberChanges(desired, actual), log);
    if (!written) return;
    await store.groupMembers.remove(appId, group.id, stale);
    await store.groupMembers.setExported(
      appId,
      group.id,
      wanted.filter((id) => targets.has(id)),
      true,
    );
    await store.groupMembers.setExported(
      appId,
      group.id,
      wanted.filter((id) => !targets.has(id)),
      false,
    );
  }

  /** Applies one delta round's membership changes of a group (users only). */
  async function applyMemberDelta(
    ctx: AppContext,
    delta: GroupDelta,
    group: { id: string; targetId: string; display?: string | undefined },
    log: { cycleId: string | null; phase: string },
  ) {
    const appId = ctx.app.id;
    const added = delta.membersAdded.filter((id) => !delta.memberTypes[id]);
    const removed = delta.membersRemoved.filter((id) => !delta.memberTypes[id]);
    const states = await store.groupMembers.states(appId, group.id, [...added, ...removed]);
    const targets = await targetIdsOf(appId, [...added, ...removed]);
    await store.groupMembers.add(appId, group.id, added);
    const toAdd = added.filter((id) => targets.has(id) && states.get(id) !== true);
    const toRemove = removed.filter((id) => targets.has(id) && states.get(id) === true);
    const changes = { add: toAdd.map((id) => targets.get(id)!), remove: toRemove.map((id) => targets.get(id)!) };
    if (!(await applyChanges(ctx, group, changes, log))) return;
    await store.groupMembers.setExported(appId, group.id, toAdd, true);
    await store.groupMembers.remove(appId, group.id, removed);
  }

  /**
   * The groups of a page, skipped with the reason when the target announces no Group resource
   * type: nothing is sent (each request would fail the same way) and users are unaffected.
   */
  async function skipUnsupported(
    ctx: AppContext,
    objects: SourceObject[],
    scope: (group: SourceObject) => ScopeDecision,
    log: { cycleId: string | null; phase: string },
  ): Promise<ReconcileOutcome[]> {
    const reason = `${GROUPS_UNSUPPORTED}: the target announces no Group resource type (GET /ResourceTypes), so groups are not provisioned; set groups.enabled to false, or override the capability resourceTypes.group if the target does take groups`;
    if (objects.length) logger.warn({ appId: ctx.app.id, cycleId: log.cycleId, groups: objects.length }, reason);
    const startedAt = now();
    const results = objects.map((object) => {
      const decision = scope(object);
      const outcome: ReconcileOutcome = {
        sourceId: object.id,
        sourceDisplay: typeof object.attributes.displayName === 'string' ? object.attributes.displayName : undefined,
        objectType: 'group',
        targetId: undefined,
        action: 'Other',
        status: 'Skipped',
        reason,
        changes: [],
        steps: [
          {
            name: 'import',
            status: 'Success',
            detail: object.removed ? `the source reports the object removed (${object.removed})` : 'read the source object',
          },
          { name: 'scoping', status: decision.inScope ? 'Success' : 'Skipped', detail: decision.detail },
          { name: 'processing', status: 'Skipped', detail: reason },
        ],
      };
      return { outcome, startedAt };
    });
    await deps.saveResults(ctx, ctx.batch('group'), results, log);
    return results.map((r) => r.outcome);
  }

  /**
   * Reconciles the groups of one delta page, then their memberships. Returns the outcomes of the
   * groups themselves (membership changes are logged on their own entries).
   */
  async function processGroups(
    ctx: AppContext,
    deltas: GroupDelta[],
    round: GroupRoundKind,
    log: { cycleId: string | null; phase: string },
    heartbeat: Heartbeat,
    index?: TargetIndex,
  ): Promise<ReconcileOutcome[]> {
    // Later rounds carry the changed properties only: read such groups whole.
    const partial = deltas.filter((d) => d.partial && !d.removed).map((d) => d.id);
    const full = partial.length ? new Map((await ctx.source.getGroups(partial)).map((g) => [g.id, g])) : new Map<string, SourceObject>();
    const objects = deltas.flatMap((d): SourceObject[] => {
      if (d.removed) return [{ id: d.id, type: 'group', attributes: {}, removed: d.removed }];
      if (d.partial) return full.has(d.id) ? [full.get(d.id)!] : [];
      return [{ id: d.id, type: 'group', attributes: d.attributes }];
    });
    const scope = await scopeOf(ctx, log.cycleId);
    if (!ctx.profile.resourceTypes.group) return skipUnsupported(ctx, objects, scope, log);
    const batch = ctx.batch('group');
    await batch.prefetch(objects.map((o) => o.id));
    const anchored = await store.anchors.getMany(
      ctx.app.id,
      'group',
      objects.map((o) => o.id),
    );
    // A deliberate on-demand request (no cycle) is not limited by the threshold.
    const guard = log.cycleId === null ? undefined : deps.guardFor(ctx, log.cycleId);
    const context = { ...batch.context, ...(guard && { guard }), ...(index && { index }) };
    const results = await pMap(
      objects,
      async (object) => {
        const startedAt = now();
        let outcome = await reconcileObject(context, object, scope(object));
        // A write with an unknown outcome (an answer lost, a 5xx) is reconciled once more at once:
        // a create that reached the target is then matched and linked, so the group's members are
        // written in this round.
        // It matches with live filter queries: the listing taken before the lost create cannot show it.
        if (outcome.status === 'Failure' && outcome.error?.kind === 'transient') {
          const { index: _snapshot, ...live } = context;
          outcome = triedAgain(outcome, await reconcileObject(live, object, scope(object)));
        }
        heartbeat.beat({ groups: object.id });
        return { outcome, startedAt };
      },
      { concurrency: deps.concurrency },
    );
    await deps.saveResults(ctx, batch, results, log);

    const byId = new Map(deltas.map((d) => [d.id, d]));
    const objectsById = new Map(objects.map((o) => [o.id, o]));
    await pMap(
      results.map((r) => r.outcome),
      async (outcome) => {
        if (outcome.action === 'Delete') {
          await store.groupMembers.removeGroup(ctx.app.id, outcome.sourceId);
          return;
        }
        const anchor = anchored.get(outcome.sourceId);
        const object = objectsById.get(outcome.sourceId)!;
        // A group whose own attributes could not be written still gets its members: the round's
        // membership changes are not read again.
        const linked =
          outcome.status === 'Failure' && anchor?.state === 'active' && !object.removed && scope(object).inScope
            ? anchor.targetId
            : undefined;
        const targetId = isLive(outcome) ? outcome.targetId! : linked;
        if (targetId === undefined) return;
        const group = { id: outcome.sourceId, targetId, display: outcome.sourceDisplay };
        const delta = byId.get(outcome.sourceId)!;
        const nested = Object.values(delta.memberTypes).includes('group');
        // A full round, a group new to this app (created or matched), or nested changes to flatten: compare the whole membership.
        const fresh = anchor?.state !== 'active';
        if (round === 'full' || fresh || (nested && ctx.app.groups?.flattenNested)) {
          if (firstComparison(log.cycleId, group.id)) await compareMembers(ctx, group, log, createdEmpty(outcome));
        } else await applyMemberDelta(ctx, delta, group, log);
        heartbeat.beat({ members: outcome.sourceId });
      },
      { concurrency: deps.concurrency },
    );
    return results.map((r) => r.outcome);
  }

  /**
   * Writes pending references that can be resolved now: memberships whose member and group both
   * have accounts, but which were not written yet (the member was provisioned after the group).
   * With `memberId`, only that member's (after provisioning one user on demand).
   */
  async function resolvePending(
    ctx: AppContext,
    log: { cycleId: string | null; phase: string },
    options: { memberId?: string; beat?: (detail: object) => void } = {},
  ): Promise<number> {
    const appId = ctx.app.id;
    let resolved = 0;
    const refused = new Set<string>();
    for (;;) {
      const pending = (
        await store.groupMembers.resolvable(appId, RESOLVE_BATCH, options.memberId === undefined ? {} : { memberId: options.memberId })
      ).filter((p) => !refused.has(p.groupId));
      if (pending.length === 0) return resolved;
      const byGroup = new Map<string, { targetId: string; members: { memberId: string; targetId: string }[] }>();
      for (const p of pending) {
        const entry = byGroup.get(p.groupId) ?? { targetId: p.groupTargetId, members: [] };
        entry.members.push({ memberId: p.memberId, targetId: p.memberTargetId });
        byGroup.set(p.groupId, entry);
      }
      await pMap(
        [...byGroup],
        async ([groupId, { targetId, members }]) => {
          const ok = await applyChanges(ctx, { id: groupId, targetId }, { add: members.map((m) => m.targetId), remove: [] }, log);
          if (!ok) {
            refused.add(groupId);
            return;
          }
          await store.groupMembers.setExported(
            appId,
            groupId,
            members.map((m) => m.memberId),
            true,
          );
          resolved += members.length;
          options.beat?.({ references: resolved });
        },
        { concurrency: deps.concurrency },
      );
      if (pending.length < RESOLVE_BATCH && refused.size === 0) return resolved;
    }
  }

  /**
   * For apps scoped to assigned groups: groups assigned since the last round (a delta round does
   * not show assignments) are provisioned, and anchored groups no longer assigned are
   * deprovisioned.
   */
  async function reconcileAssignedGroups(
    ctx: AppContext,
    log: { cycleId: string; phase: string },
    heartbeat: Heartbeat,
  ): Promise<ReconcileOutcome[]> {
    const { scope, servicePrincipalId } = ctx.app.source;
    if (scope !== 'assigned' || !servicePrincipalId) return [];
    const assigned = await assignedGroups(ctx, log.cycleId);
    const anchored = new Set<string>();
    const unassigned: string[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await store.anchors.listByApp(ctx.app.id, { objectType: 'group', limit: 1000, ...(cursor && { cursor }) });
      for (const anchor of page.items) {
        if (anchor.state === 'deleted') continue;
        anchored.add(anchor.sourceId);
        if (!assigned.has(anchor.sourceId)) unassigned.push(anchor.sourceId);
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const newly = [...assigned].filter((id) => !anchored.has(id));
    if (newly.length === 0 && unassigned.length === 0) return [];
    const found = new Map((await ctx.source.getGroups([...newly, ...unassigned])).map((g) => [g.id, g]));
    const deltas: GroupDelta[] = [...newly, ...unassigned].flatMap((id): GroupDelta[] => {
      const group = found.get(id);
      if (group) return [{ id, attributes: group.attributes, membersAdded: [], membersRemoved: [], memberTypes: {}, partial: false }];
      // An anchored group Graph no longer returns was deleted there.
      return unassigned.includes(id)
        ? [{ id, attributes: {}, removed: 'changed', membersAdded: [], membersRemoved: [], memberTypes: {}, partial: false }]
        : [];
    });
    return processGroups(ctx, deltas, 'full', log, heartbeat);
  }

  function forgetCycle(cycleId: string): void {
    assignedByCycle.delete(cycleId);
    comparedByCycle.delete(cycleId);
  }

  return { processGroups, resolvePending, reconcileAssignedGroups, forgetCycle, scopeOf };
}

export type GroupSync = ReturnType<typeof createGroupSync>;
