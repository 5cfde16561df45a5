/**
 * The store's schema history, listed in code so that it runs the same from `tsx`, a bundle or
 * a test, and applied with kysely's Migrator.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './0001-initial';
import * as deprovisionGuard from './0002-deprovision-guard';
import * as lifecycle from './0003-lifecycle';
import * as groups from './0004-groups';
import * as references from './0005-references';
import * as roleSnapshots from './0006-role-snapshots';
import * as quarantine from './0007-quarantine';
import * as accounts from './0009-accounts';
import * as logRetention from './0010-log-retention';
import * as alerts from './0011-alerts';
import * as rateBudgets from './0014-rate-budgets';
import * as unmatchedAccounts from './0015-unmatched-accounts';
import * as tokensAudit from './0016-tokens-audit';

/** Every migration by name, in order. Names sort in the order they apply; never rename one. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-deprovision-guard': deprovisionGuard,
  '0003-lifecycle': lifecycle,
  '0004-groups': groups,
  '0005-references': references,
  '0006-role-snapshots': roleSnapshots,
  '0007-quarantine': quarantine,
  '0009-accounts': accounts,
  '0010-log-retention': logRetention,
  '0011-alerts': alerts,
  '0014-rate-budgets': rateBudgets,
  '0015-unmatched-accounts': unmatchedAccounts,
  '0016-tokens-audit': tokensAudit,
};

/** A MigrationProvider over migrations listed in code. */
export function listedMigrations(list: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => list };
}

/**
 * Brings the schema up to date; running it again changes nothing. Throws an error naming the
 * migration that failed (its changes are rolled back).
 *
 * @returns the names of the migrations applied by this call
 */
export async function migrateToLatest(db: Kysely<any>, list: Record<string, Migration> = migrations): Promise<string[]> {
  const migrator = new Migrator({ db, provider: listedMigrations(list) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(failed === undefined ? `database migration failed: ${reason}` : `database migration "${failed}" failed: ${reason}`, {
      cause: error,
    });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
