/**
 * The one resolver of pending references: objects that refer to a user who had no account in
 * the target when they were written. A user's manager is written by reconciling the user again;
 * a group's member by adding it to the group. The references phase of a cycle resolves all that
 * can be resolved; provisioning one user on demand resolves those waiting for that user.
 */
import pMap from 'p-map';
import type { AppContext } from './app-context';
import type { SyncEnv } from './env';
import { GROUPS, USERS } from './kinds';
import { applyChanges } from './members';
import { partOf, type Progress } from './progress';
import { recordOutcomes, type Run } from './record';
import { reconcileObjects } from './reconcile-objects';
import { scopeFor } from './scope';

/** Users waiting for a manager reconciled per round, and rounds (links of a manager chain) per call. */
const RESOLVE_HOLDERS = 1000;
const MANAGER_ROUNDS = 5;
/** Pending memberships resolved per query; the phase keeps going until none is left. */
const RESOLVE_MEMBERS = 5_000;

export interface Resolved {
  /** Users reconciled again for their manager. */
  managers: number;
  /** Memberships written. */
  members: number;
}

/**
 * Writes the pending references that can be written now. With `refId`, only those waiting for
 * that user (just provisioned on demand).
 */
export async function resolveReferences(env: SyncEnv, ctx: AppContext, run: Run, progress: Progress, refId?: string): Promise<Resolved> {
  const managers = await resolveManagers(env, ctx, run, partOf(progress, 'managers'), refId);
  const members = GROUPS.enabled(ctx) ? await resolveMembers(env, ctx, run, partOf(progress, 'references'), refId) : 0;
  return { managers, members };
}

/**
 * Reconciles again the users whose manager was not provisioned when they were and is now. A
 * chain of managers resolves link by link, a few links per call; the next cycle continues a
 * longer one.
 */
async function resolveManagers(env: SyncEnv, ctx: AppContext, run: Run, progress: Progress, refId: string | undefined): Promise<number> {
  if (!ctx.users.references) return 0;
  let processed = 0;
  for (let round = 0; round < MANAGER_ROUNDS; round++) {
    const holders = await env.store.references.resolvable(ctx.app.id, RESOLVE_HOLDERS, refId === undefined ? {} : { refId });
    if (holders.length === 0) break;
    const objects = await USERS.readWhole(ctx, holders);
    const scope = await scopeFor(env, ctx, USERS, run.cycleId);
    const result = await reconcileObjects(env, ctx, USERS, { objects, run: { ...run, phase: `${run.phase}-${round}` }, scope, progress });
    // What is still pending for these holders could not be written: the holder left the scope or
    // failed (a failed holder is retried through escrow and resolves then).
    await env.store.references.clearResolvable(ctx.app.id, holders);
    processed += result.processed;
    if (holders.length < RESOLVE_HOLDERS) break;
  }
  return processed;
}

/**
 * Adds the members whose member and group both have accounts now but which were not written
 * yet (the member was provisioned after the group). A group that refuses the addition goes to
 * escrow and is compared whole on its retry.
 */
async function resolveMembers(env: SyncEnv, ctx: AppContext, run: Run, progress: Progress, memberId: string | undefined): Promise<number> {
  const appId = ctx.app.id;
  const members = env.store.groupMembers;
  let resolved = 0;
  const refused = new Set<string>();
  for (;;) {
    const batch = await members.resolvable(appId, RESOLVE_MEMBERS, memberId === undefined ? {} : { memberId });
    const pending = batch.filter((p) => !refused.has(p.groupId));
    if (pending.length === 0) return resolved;
    const byGroup = new Map<string, { targetId: string; members: { memberId: string; targetId: string }[] }>();
    for (const p of pending) {
      const entry = byGroup.get(p.groupId) ?? { targetId: p.groupTargetId, members: [] };
      entry.members.push({ memberId: p.memberId, targetId: p.memberTargetId });
      byGroup.set(p.groupId, entry);
    }
    await pMap(
      [...byGroup],
      async ([groupId, group]) => {
        const ids = group.members.map((m) => m.memberId);
        // Pending memberships are wanted but not written, which is also what a try that died after writing them leaves.
        const records = await applyChanges(
          env,
          ctx,
          { id: groupId, targetId: group.targetId },
          { add: group.members.map((m) => m.targetId), remove: [] },
          () => members.setExported(appId, groupId, ids, true),
          { unsure: true },
        );
        const [outcome] = await recordOutcomes(env, appId, run, records);
        if (outcome?.status === 'Failure') {
          refused.add(groupId);
          return;
        }
        resolved += ids.length;
        progress.beat({ resolved });
      },
      { concurrency: env.concurrency },
    );
    if (batch.length < RESOLVE_MEMBERS && refused.size === 0) return resolved;
  }
}
