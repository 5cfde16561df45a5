/**
 * Escrow: source objects whose last attempt failed, retried on later cycles with growing gaps
 * (5 minutes, then 10, 20, ... up to a day) until they succeed or the escrow is cleared.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ErrorInfo } from '../errors/index';
import type { ObjectType } from '../source/index';
import { iso, json, toDate, type Instant } from './columns';
import type { Database, EscrowTable } from './tables';

const FIRST_GAP_MS = 5 * 60_000;
const MAX_GAP_MS = 24 * 3_600_000;

/** The wait before retrying after `attempts` failures: 5 min × 2^(attempts − 1), at most 24 h. */
export function escrowRetryDelayMs(attempts: number): number {
  return Math.min(FIRST_GAP_MS * 2 ** (Math.max(attempts, 1) - 1), MAX_GAP_MS);
}

/** escrowRetryDelayMs(1), escrowRetryDelayMs(2), ... up to the cap, for SQL to look up by attempts. */
const GAPS_MS: number[] = [];
for (let attempts = 1; GAPS_MS.at(-1) !== MAX_GAP_MS; attempts++) GAPS_MS.push(escrowRetryDelayMs(attempts));

export interface EscrowEntry {
  appId: string;
  objectType: ObjectType;
  sourceId: string;
  /** Failed attempts so far. */
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  nextRetryAt: string;
  lastError: ErrorInfo;
}

function toEntry(row: Selectable<EscrowTable>): EscrowEntry {
  return {
    appId: row.app_id,
    objectType: row.object_type,
    sourceId: row.source_id,
    attempts: row.attempts,
    firstFailedAt: iso(row.first_failed_at),
    lastFailedAt: iso(row.last_failed_at),
    nextRetryAt: iso(row.next_retry_at),
    lastError: row.last_error,
  };
}

/** The escrow repository. */
export function createEscrowRepository(db: Kysely<Database>) {
  return {
    /**
     * Records a failure of an object at `now`: one more attempt, and the next retry after the
     * gap that attempt count earns.
     */
    async record(appId: string, objectType: ObjectType, sourceId: string, error: ErrorInfo, now: Instant): Promise<EscrowEntry> {
      const at = toDate(now);
      // The gap after the new attempt count, looked up in GAPS_MS (0-based, so the old count is
      // the index; the last entry is the cap). One statement, so concurrent failures each count.
      const gapMs = sql<number>`(${json(GAPS_MS)}::jsonb ->> least(escrow.attempts, ${sql.lit(GAPS_MS.length - 1)}))::bigint`;
      const row = await db
        .insertInto('escrow')
        .values({
          app_id: appId,
          object_type: objectType,
          source_id: sourceId,
          attempts: 1,
          first_failed_at: at,
          last_failed_at: at,
          next_retry_at: new Date(at.getTime() + escrowRetryDelayMs(1)),
          last_error: json(error),
        })
        .onConflict((oc) =>
          oc.columns(['app_id', 'object_type', 'source_id']).doUpdateSet((eb) => ({
            attempts: eb('escrow.attempts', '+', 1),
            last_failed_at: at,
            next_retry_at: sql<Date>`${at}::timestamptz + ${gapMs} * interval '1 millisecond'`,
            last_error: eb.ref('excluded.last_error'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEntry(row);
    },

    /**
     * Forgets the failures of objects that succeeded (one id or many), all of a type's, or all
     * of the app's. Returns how many went.
     */
    async clear(appId: string, objectType?: ObjectType, sourceId?: string | readonly string[]): Promise<number> {
      if (Array.isArray(sourceId) && sourceId.length === 0) return 0;
      let query = db.deleteFrom('escrow').where('app_id', '=', appId);
      if (objectType !== undefined) query = query.where('object_type', '=', objectType);
      if (typeof sourceId === 'string') query = query.where('source_id', '=', sourceId);
      else if (sourceId !== undefined) query = query.where('source_id', 'in', sourceId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * Makes the entries held by the deprovisioning guard (error code `TooManyDeletes`) due now,
     * once an admin allowed the deletions. Returns how many there were.
     */
    async releaseStaged(appId: string, now: Instant): Promise<number> {
      const result = await db
        .updateTable('escrow')
        .set({ next_retry_at: toDate(now) })
        .where('app_id', '=', appId)
        .where(sql<string>`last_error ->> 'code'`, '=', 'TooManyDeletes')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Entries whose retry time has come, soonest first. */
    async due(appId: string, now: Instant, limit = 100): Promise<EscrowEntry[]> {
      const rows = await db
        .selectFrom('escrow')
        .selectAll()
        .where('app_id', '=', appId)
        .where('next_retry_at', '<=', toDate(now))
        .orderBy('next_retry_at')
        .orderBy('object_type')
        .orderBy('source_id')
        .limit(limit)
        .execute();
      return rows.map(toEntry);
    },

    /** How many objects of the app are in escrow. */
    async count(appId: string): Promise<number> {
      const { count } = await db
        .selectFrom('escrow')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('app_id', '=', appId)
        .executeTakeFirstOrThrow();
      return count;
    },

    /** How many objects each app has in escrow, in one grouped query (apps with none are absent). */
    async countByApp(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('escrow')
        .select(['app_id', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('app_id')
        .execute();
      return new Map(rows.map((row) => [row.app_id, Number(row.n)]));
    },
  };
}

export type EscrowRepository = ReturnType<typeof createEscrowRepository>;
