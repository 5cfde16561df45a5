/**
 * The last error of each app's job: what failed (the error with its peer), at which step, in
 * which cycle and when. Recorded as a cycle's work fails, also while it is still being retried,
 * and forgotten once a cycle ends without failures.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ErrorInfo } from '../errors/index';
import { iso, json, toDate, type Instant } from './columns';
import type { AppErrorsTable, Database } from './tables';

/** Where an error happened, in an operator's words. */
export type ErrorStep = 'token' | 'read source' | 'write target' | 'store' | 'unknown';

export interface AppError {
  error: ErrorInfo;
  step: ErrorStep;
  cycleId: string | null;
  at: string;
}

function toAppError(row: Selectable<AppErrorsTable>): AppError {
  return { error: row.error, step: row.step as ErrorStep, cycleId: row.cycle_id, at: iso(row.at) };
}

export function createAppErrorsRepository(db: Kysely<Database>) {
  return {
    /** Records the app's latest error, replacing the one before. */
    async record(appId: string, error: { error: ErrorInfo; step: ErrorStep; cycleId: string | null; at: Instant }): Promise<void> {
      const row = { error: json(error.error), step: error.step, cycle_id: error.cycleId, at: toDate(error.at) };
      await db
        .insertInto('app_errors')
        .values({ app_id: appId, ...row })
        .onConflict((oc) => oc.column('app_id').doUpdateSet(row))
        .execute();
    },

    async get(appId: string): Promise<AppError | undefined> {
      const row = await db.selectFrom('app_errors').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toAppError(row);
    },

    /** Forgets the app's error (a cycle ended without failures). */
    async clear(appId: string): Promise<void> {
      await db.deleteFrom('app_errors').where('app_id', '=', appId).execute();
    },
  };
}

export type AppErrorsRepository = ReturnType<typeof createAppErrorsRepository>;
