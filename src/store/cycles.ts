/**
 * Sync cycles: one row per initial or incremental pass of an app, numbered per app, with
 * counts that activities increment as they go.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { ProvisioningError, type ErrorInfo } from '../errors/index';
import { iso, isoOrNull, json, toDate, type Instant } from './columns';
import type { CyclesTable, Database } from './tables';

export type CycleKind = 'initial' | 'incremental';
export type CycleState = 'running' | 'succeeded' | 'partial' | 'failed';

/** Objects handled in a cycle, by outcome. */
export interface CycleCounts {
  created: number;
  updated: number;
  disabled: number;
  deleted: number;
  skipped: number;
  failed: number;
}

const COUNT_KEYS = ['created', 'updated', 'disabled', 'deleted', 'skipped', 'failed'] as const satisfies readonly (keyof CycleCounts)[];

export interface Cycle {
  /** `${appId}:${n}` */
  id: string;
  appId: string;
  /** 1 for an app's first cycle, then counting up. */
  n: number;
  kind: CycleKind;
  state: CycleState;
  startedAt: string;
  finishedAt: string | null;
  counts: CycleCounts;
  error: ErrorInfo | null;
  /** Accounts the cycle disabled or deleted so far. */
  deprovisions: number;
  forceDeletes: boolean;
}

export interface CycleStart {
  appId: string;
  kind: CycleKind;
  /** The cycle's number; the app's next number when absent. */
  n?: number;
  /** Now when absent. */
  startedAt?: Instant;
  /** An admin allowed this cycle to deprovision past the app's threshold. */
  forceDeletes?: boolean;
}

function toCycle(row: Selectable<CyclesTable>): Cycle {
  return {
    id: row.id,
    appId: row.app_id,
    n: row.n,
    kind: row.kind,
    state: row.state,
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    counts: row.counts,
    error: row.error,
    deprovisions: row.deprovisions,
    forceDeletes: row.force_deletes,
  };
}

/** The cycles repository. */
export function createCyclesRepository(db: Kysely<Database>) {
  const get = async (id: string): Promise<Cycle | undefined> => {
    const row = await db.selectFrom('cycles').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCycle(row);
  };

  return {
    get,

    /**
     * Records a running cycle. With an explicit `n` it is idempotent: starting cycle n again
     * returns the cycle as it is.
     */
    async start(input: CycleStart): Promise<Cycle> {
      const n =
        input.n ??
        db
          .selectFrom('cycles')
          .select((eb) => eb(eb.fn.coalesce(eb.fn.max('n'), eb.lit(0)), '+', 1).as('next'))
          .where('app_id', '=', input.appId);
      const row = await db
        .insertInto('cycles')
        .values({
          app_id: input.appId,
          n,
          kind: input.kind,
          state: 'running',
          started_at: input.startedAt === undefined ? sql<Date>`now()` : toDate(input.startedAt),
          counts: json(Object.fromEntries(COUNT_KEYS.map((key) => [key, 0]))),
          force_deletes: input.forceDeletes ?? false,
        })
        .onConflict((oc) => oc.columns(['app_id', 'n']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return toCycle(row);
      const existing = input.n === undefined ? undefined : await get(`${input.appId}:${input.n}`);
      if (existing) return existing;
      throw new ProvisioningError({
        kind: 'transient',
        code: 'Conflict',
        message: `another cycle of app ${input.appId} was started at the same time`,
      });
    },

    /**
     * Adds to a cycle's counts in one statement, so concurrent activities lose no increment.
     *
     * @returns the counts after the addition, or undefined when there is no such cycle
     */
    async addCounts(id: string, delta: Partial<CycleCounts>): Promise<CycleCounts | undefined> {
      for (const key of COUNT_KEYS) {
        const value = delta[key];
        if (value !== undefined && !Number.isInteger(value)) throw new RangeError(`count ${key} must be an integer`);
      }
      const sums = COUNT_KEYS.map(
        (key) => sql`${sql.lit(key)}::text, coalesce((counts ->> ${sql.lit(key)})::integer, 0) + ${delta[key] ?? 0}::integer`,
      );
      const row = await db
        .updateTable('cycles')
        .set({ counts: sql<string>`jsonb_build_object(${sql.join(sums)})` })
        .where('id', '=', id)
        .returning('counts')
        .executeTakeFirst();
      return row?.counts;
    },

    /**
     * Ends a running cycle, optionally with its final counts (the running counts are kept when
     * absent). Finishing an already finished cycle changes nothing.
     *
     * @returns the cycle, or undefined when there is no such cycle
     */
    async finish(
      id: string,
      outcome: { state: Exclude<CycleState, 'running'>; error?: ErrorInfo | null; finishedAt?: Instant; counts?: CycleCounts },
    ): Promise<Cycle | undefined> {
      const row = await db
        .updateTable('cycles')
        .set({
          ...(outcome.counts && { counts: json(outcome.counts) }),
          state: outcome.state,
          finished_at: outcome.finishedAt === undefined ? sql<Date>`now()` : toDate(outcome.finishedAt),
          error: outcome.error == null ? null : json(outcome.error),
        })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .returningAll()
        .executeTakeFirst();
      return row ? toCycle(row) : get(id);
    },

    /** The highest cycle number the app has used, running or finished; 0 before its first cycle. */
    async latestNumber(appId: string): Promise<number> {
      const row = await db
        .selectFrom('cycles')
        .select((eb) => eb.fn.max('n').as('n'))
        .where('app_id', '=', appId)
        .executeTakeFirst();
      return row?.n ?? 0;
    },

    /**
     * Claims one deprovisioning (a disable or a delete) for the cycle, atomically: granted while
     * the cycle is under `threshold` or its deletions were allowed, refused past it.
     */
    async claimDeprovision(id: string, threshold: number | null): Promise<boolean> {
      const row = await db
        .updateTable('cycles')
        .set((eb) => ({ deprovisions: eb('deprovisions', '+', 1) }))
        .where('id', '=', id)
        .where((eb) => (threshold === null ? eb.lit(true) : eb.or([eb('force_deletes', '=', true), eb('deprovisions', '<', threshold)])))
        .returning('deprovisions')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** How many of the app's cycles finished at or after `since`. */
    async finishedSince(appId: string, since: Instant): Promise<number> {
      const row = await db
        .selectFrom('cycles')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('app_id', '=', appId)
        .where('finished_at', '>=', toDate(since))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The app's last finished cycle (optionally only with the given outcome), or undefined. */
    async last(appId: string, state?: Exclude<CycleState, 'running'>): Promise<Cycle | undefined> {
      let query = db.selectFrom('cycles').selectAll().where('app_id', '=', appId).where('finished_at', 'is not', null);
      if (state !== undefined) query = query.where('state', '=', state);
      const row = await query.orderBy('n', 'desc').limit(1).executeTakeFirst();
      return row && toCycle(row);
    },
  };
}

export type CyclesRepository = ReturnType<typeof createCyclesRepository>;
