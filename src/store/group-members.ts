/**
 * Group memberships of provisioned groups: the source members each group should hold in the
 * target, and whether scimflow has written each one (`exported`). A wanted member that is not
 * exported is a pending reference: its account does not exist in the target yet, and the next
 * resolution writes it as soon as it does.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

/** Rows per statement, well below the parameter limits of PostgreSQL and PGlite. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A member a group should hold in the target, and whether it was written there. */
export interface WantedMember {
  memberId: string;
  exported: boolean;
}

/** A membership whose member and group both exist in the target, not yet written there. */
export interface PendingMembership {
  groupId: string;
  groupTargetId: string;
  memberId: string;
  memberTargetId: string;
}

export function createGroupMembersRepository(db: Kysely<Database>) {
  return {
    /** The members a group should hold, with whether each is written to the target. */
    async list(appId: string, groupId: string): Promise<WantedMember[]> {
      const rows = await db
        .selectFrom('group_members')
        .select(['member_id', 'exported'])
        .where('app_id', '=', appId)
        .where('group_id', '=', groupId)
        .orderBy('member_id')
        .execute();
      return rows.map((row) => ({ memberId: row.member_id, exported: row.exported }));
    },

    /** Whether each of these members is recorded (exported or not); unrecorded ones are absent. */
    async states(appId: string, groupId: string, memberIds: readonly string[]): Promise<Map<string, boolean>> {
      const states = new Map<string, boolean>();
      for (const part of chunks([...new Set(memberIds)])) {
        const rows = await db
          .selectFrom('group_members')
          .select(['member_id', 'exported'])
          .where('app_id', '=', appId)
          .where('group_id', '=', groupId)
          .where('member_id', 'in', part)
          .execute();
        for (const row of rows) states.set(row.member_id, row.exported);
      }
      return states;
    },

    /** Adds wanted members (not yet exported); members already recorded keep their state. */
    async add(appId: string, groupId: string, memberIds: readonly string[]): Promise<void> {
      for (const part of chunks([...new Set(memberIds)])) {
        await db
          .insertInto('group_members')
          .values(part.map((memberId) => ({ app_id: appId, group_id: groupId, member_id: memberId, exported: false })))
          .onConflict((oc) => oc.columns(['app_id', 'group_id', 'member_id']).doNothing())
          .execute();
      }
    },

    /** Forgets members; returns those that were exported (to be removed from the target). */
    async remove(appId: string, groupId: string, memberIds: readonly string[]): Promise<string[]> {
      const exported: string[] = [];
      for (const part of chunks([...new Set(memberIds)])) {
        const rows = await db
          .deleteFrom('group_members')
          .where('app_id', '=', appId)
          .where('group_id', '=', groupId)
          .where('member_id', 'in', part)
          .returning(['member_id', 'exported'])
          .execute();
        for (const row of rows) if (row.exported) exported.push(row.member_id);
      }
      return exported;
    },

    /** Marks members as written to the target (`true`) or not (`false`). */
    async setExported(appId: string, groupId: string, memberIds: readonly string[], exported: boolean): Promise<void> {
      for (const part of chunks([...new Set(memberIds)])) {
        await db
          .updateTable('group_members')
          .set({ exported })
          .where('app_id', '=', appId)
          .where('group_id', '=', groupId)
          .where('member_id', 'in', part)
          .execute();
      }
    },

    /** Forgets every member of a group (it was deprovisioned). */
    async removeGroup(appId: string, groupId: string): Promise<void> {
      await db.deleteFrom('group_members').where('app_id', '=', appId).where('group_id', '=', groupId).execute();
    },

    /**
     * Memberships wanted but not written whose member (a user) and group both have a live
     * account in the target now: the pending references ready to resolve, oldest groups first.
     */
    async resolvable(appId: string, limit: number, options: { memberId?: string } = {}): Promise<PendingMembership[]> {
      // The pending rows first (materialized), then one anchor lookup each: the plan stays
      // small whatever the planner believes of the tables' sizes (PGlite keeps no statistics).
      const rows = await db
        .with(
          (cte) => cte('pending').materialized(),
          (qb) => {
            let pending = qb
              .selectFrom('group_members')
              .select(['group_id', 'member_id'])
              .where('app_id', '=', appId)
              .where('exported', '=', false);
            if (options.memberId !== undefined) pending = pending.where('member_id', '=', options.memberId);
            return pending;
          },
        )
        .selectFrom('pending as m')
        .innerJoin('anchors as u', (join) =>
          join.on('u.app_id', '=', appId).on('u.object_type', '=', 'user').onRef('u.source_id', '=', 'm.member_id'),
        )
        .innerJoin('anchors as g', (join) =>
          join.on('g.app_id', '=', appId).on('g.object_type', '=', 'group').onRef('g.source_id', '=', 'm.group_id'),
        )
        .select(['m.group_id', 'g.target_id as group_target_id', 'm.member_id', 'u.target_id as member_target_id'])
        .where('u.state', '!=', 'deleted')
        .where('g.state', '=', 'active')
        .orderBy('m.group_id')
        .orderBy('m.member_id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        groupId: row.group_id,
        groupTargetId: row.group_target_id,
        memberId: row.member_id,
        memberTargetId: row.member_target_id,
      }));
    },

    /** How many wanted memberships are not written yet (pending references). */
    async countPending(appId: string): Promise<number> {
      const row = await db
        .selectFrom('group_members')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('app_id', '=', appId)
        .where('exported', '=', false)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** How many members wait to be written, per app, in one grouped query (apps with none are absent). */
    async countPendingByApp(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('group_members')
        .select(['app_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('exported', '=', false)
        .groupBy('app_id')
        .execute();
      return new Map(rows.map((row) => [row.app_id, Number(row.n)]));
    },
  };
}

export type GroupMembersRepository = ReturnType<typeof createGroupMembersRepository>;
