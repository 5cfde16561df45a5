/**
 * The workers that share each app's rate budget, and the pauses a target asked for, kept in the
 * database every worker reaches. Times are the database's own (`now()`), so workers on machines
 * whose clocks differ agree on who is active and how long a pause has left.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './tables';

export interface BudgetView {
  /** Workers that used the budget within the window, this one included. */
  members: number;
  /** What is left of a pause a target asked for, in ms; 0 when none. */
  pausedForMs: number;
}

export function createRateBudgetsRepository(db: Kysely<Database>) {
  return {
    /**
     * Marks `workerId` as using the budgets of `appIds` now, and tells for each how many workers
     * used it within the last `windowMs` and what is left of its pause.
     */
    async beat(workerId: string, appIds: string[], windowMs: number): Promise<Map<string, BudgetView>> {
      const views = new Map<string, BudgetView>();
      if (appIds.length === 0) return views;
      await db
        .insertInto('rate_budget_members')
        .values(appIds.map((appId) => ({ app_id: appId, worker_id: workerId, seen_at: sql<Date>`now()` })))
        .onConflict((oc) => oc.columns(['app_id', 'worker_id']).doUpdateSet({ seen_at: sql<Date>`now()` }))
        .execute();
      const [members, pauses] = await Promise.all([
        db
          .selectFrom('rate_budget_members')
          .select(['app_id', sql<number>`count(*)::int`.as('members')])
          .where('app_id', 'in', appIds)
          .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`)
          .groupBy('app_id')
          .execute(),
        db
          .selectFrom('rate_budget_pauses')
          .select(['app_id', sql<number>`ceil(extract(epoch from paused_until - now()) * 1000)::int`.as('left_ms')])
          .where('app_id', 'in', appIds)
          .where('paused_until', '>', sql<Date>`now()`)
          .execute(),
      ]);
      for (const appId of appIds) views.set(appId, { members: 1, pausedForMs: 0 });
      for (const row of members) views.get(row.app_id)!.members = Math.max(1, Number(row.members));
      for (const row of pauses) views.get(row.app_id)!.pausedForMs = Math.max(0, Number(row.left_ms));
      return views;
    },

    /** Pauses every worker's requests of the app for `ms` from now; a pause only ever grows. */
    async pause(appId: string, ms: number): Promise<void> {
      const until = sql<Date>`now() + make_interval(secs => ${Math.max(0, ms) / 1000})`;
      await db
        .insertInto('rate_budget_pauses')
        .values({ app_id: appId, paused_until: until })
        .onConflict((oc) =>
          oc.column('app_id').doUpdateSet({ paused_until: sql<Date>`greatest(rate_budget_pauses.paused_until, excluded.paused_until)` }),
        )
        .execute();
    },

    /** Forgets workers not seen for `olderThanMs`, and pauses that are over. */
    async prune(olderThanMs: number): Promise<void> {
      await db
        .deleteFrom('rate_budget_members')
        .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
        .execute();
      await db
        .deleteFrom('rate_budget_pauses')
        .where('paused_until', '<', sql<Date>`now()`)
        .execute();
    },
  };
}

export type RateBudgetsRepository = ReturnType<typeof createRateBudgetsRepository>;
