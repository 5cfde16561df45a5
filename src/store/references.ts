/**
 * Pending references: a source object (the holder) refers to another (its manager) that has no
 * account in the target yet. Resolution finds the holders whose reference now has one.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface PendingReference {
  holderId: string;
  attribute: string;
  refId: string;
  since: string;
}

export function createReferencesRepository(db: Kysely<Database>) {
  return {
    /** Records that `holderId`'s `attribute` waits for `refId` (replacing what it waited for before). */
    async setPending(appId: string, holderId: string, attribute: string, refId: string): Promise<void> {
      await db
        .insertInto('pending_references')
        .values({ app_id: appId, holder_id: holderId, attribute, ref_id: refId })
        .onConflict((oc) => oc.columns(['app_id', 'holder_id', 'attribute']).doUpdateSet({ ref_id: refId }))
        .execute();
    },

    /** Forgets what the holder's attribute waited for (it was written, or refers to nothing now). */
    async clear(appId: string, holderId: string, attribute: string): Promise<void> {
      await db
        .deleteFrom('pending_references')
        .where('app_id', '=', appId)
        .where('holder_id', '=', holderId)
        .where('attribute', '=', attribute)
        .execute();
    },

    /**
     * Holders whose referenced user now has a live account in the target: ready to be reconciled
     * again. With `refId`, only those waiting for that user.
     */
    async resolvable(appId: string, limit: number, options: { refId?: string } = {}): Promise<string[]> {
      // Pending rows first (materialized), then one anchor lookup each (see group-members.ts).
      const rows = await db
        .with(
          (cte) => cte('pending').materialized(),
          (qb) => {
            let pending = qb.selectFrom('pending_references').select(['holder_id', 'ref_id']).where('app_id', '=', appId);
            if (options.refId !== undefined) pending = pending.where('ref_id', '=', options.refId);
            return pending;
          },
        )
        .selectFrom('pending as r')
        .innerJoin('anchors as a', (join) =>
          join.on('a.app_id', '=', appId).on('a.object_type', '=', 'user').onRef('a.source_id', '=', 'r.ref_id'),
        )
        .select('r.holder_id')
        .distinct()
        .where('a.state', '!=', 'deleted')
        .orderBy('r.holder_id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.holder_id);
    },

    /**
     * Forgets the pending references of these holders whose referenced user has an account now:
     * after the holders were reconciled, what is still left could not be written (the holder
     * left the scope or failed; a failed holder is retried through escrow and resolves then).
     */
    async clearResolvable(appId: string, holderIds: readonly string[]): Promise<void> {
      if (holderIds.length === 0) return;
      await db
        .deleteFrom('pending_references as r')
        .where('r.app_id', '=', appId)
        .where('r.holder_id', 'in', [...new Set(holderIds)])
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('anchors as a')
              .select('a.source_id')
              .whereRef('a.app_id', '=', 'r.app_id')
              .whereRef('a.source_id', '=', 'r.ref_id')
              .where('a.object_type', '=', 'user')
              .where('a.state', '!=', 'deleted'),
          ),
        )
        .execute();
    },

    /** How many references of the app wait for their user's account. */
    async count(appId: string): Promise<number> {
      const row = await db
        .selectFrom('pending_references')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('app_id', '=', appId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** How many references of the app wait, and since when the oldest has (null when none does). */
    async waiting(appId: string): Promise<{ count: number; oldestSince: string | null }> {
      const row = await db
        .selectFrom('pending_references')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('since').as('oldest')])
        .where('app_id', '=', appId)
        .executeTakeFirstOrThrow();
      return { count: Number(row.n), oldestSince: row.oldest === null ? null : new Date(row.oldest).toISOString() };
    },

    /** How many references wait for their user's account, per app, in one grouped query (apps with none are absent). */
    async countByApp(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('pending_references')
        .select(['app_id', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('app_id')
        .execute();
      return new Map(rows.map((row) => [row.app_id, Number(row.n)]));
    },

    /** Every pending reference of an app, oldest first (for status and tests). */
    async list(appId: string, limit = 1000): Promise<PendingReference[]> {
      const rows = await db
        .selectFrom('pending_references')
        .selectAll()
        .where('app_id', '=', appId)
        .orderBy('since')
        .orderBy('holder_id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        holderId: row.holder_id,
        attribute: row.attribute,
        refId: row.ref_id,
        since: new Date(row.since).toISOString(),
      }));
    },
  };
}

export type ReferencesRepository = ReturnType<typeof createReferencesRepository>;
