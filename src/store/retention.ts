/**
 * Retention of the store's logs: each retained log is a table and the column of its entries'
 * time, and a purge deletes its entries older than a cut-off in bounded batches, so that no
 * statement holds locks or builds a transaction for long. Each log is one line in
 * {@link RETAINED_LOGS}.
 */
import { sql, type Kysely } from 'kysely';
import { toDate, type Instant } from './columns';
import type { Database } from './tables';

/** Every log the store keeps for a number of days: its table and the time its entries are aged by. */
export const RETAINED_LOGS = {
  'provisioning-log': { table: 'provisioning_log', timeColumn: 'created_at' },
  'audit-log': { table: 'audit_log', timeColumn: 'at' },
} as const satisfies Record<string, { table: keyof Database; timeColumn: string }>;

export type RetainedLog = keyof typeof RETAINED_LOGS;

/** Whether `name` is a log with a retention. */
export function isRetainedLog(name: string): name is RetainedLog {
  return Object.hasOwn(RETAINED_LOGS, name);
}

/** The most entries one purge statement deletes. */
export const PURGE_BATCH_SIZE = 5000;

/** The retention repository. */
export function createRetentionRepository(db: Kysely<Database>) {
  return {
    /**
     * Deletes at most `limit` entries of `log` recorded before `before`, oldest first.
     *
     * @returns how many were deleted; fewer than `limit` means none older is left
     */
    async purgeBatch(log: RetainedLog, before: Instant, limit = PURGE_BATCH_SIZE): Promise<number> {
      const { table, timeColumn } = RETAINED_LOGS[log];
      // ctid = any(array(…)) is a TID scan: the rows are found once, through the time index.
      const result = await sql`
        delete from ${sql.table(table)}
        where ctid = any(array(
          select ctid from ${sql.table(table)} where ${sql.ref(timeColumn)} < ${toDate(before)}
          order by ${sql.ref(timeColumn)} limit ${limit}
        ))`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },

    /**
     * Deletes every entry of `log` recorded before `before`, `batchSize` at a time, calling
     * `onBatch` with the running total after each statement (an activity heartbeats there).
     *
     * @returns how many were deleted
     */
    async purge(
      log: RetainedLog,
      before: Instant,
      options: { batchSize?: number; onBatch?: (deleted: number) => void } = {},
    ): Promise<number> {
      const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
      let deleted = 0;
      for (;;) {
        const n = await this.purgeBatch(log, before, batchSize);
        deleted += n;
        options.onBatch?.(deleted);
        if (n < batchSize) return deleted;
      }
    },
  };
}

export type RetentionRepository = ReturnType<typeof createRetentionRepository>;
