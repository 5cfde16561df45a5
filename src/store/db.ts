/**
 * Opening the store: one code path for PostgreSQL and embedded PGlite, the schema migrated,
 * and the repositories bound to the connection (or to a transaction).
 */
import { randomBytes } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import { ProvisioningError } from '../errors/index';
import { createAccountsRepository, type AccountsRepository } from './accounts';
import { createAlertsRepository, type AlertsRepository } from './alerts';
import { createApiTokensRepository, type ApiTokensRepository } from './api-tokens';
import { createAuditLogRepository, type AuditLogRepository } from './audit-log';
import { createAnchorsRepository, type AnchorsRepository } from './anchors';
import { createAppErrorsRepository, type AppErrorsRepository } from './app-errors';
import { createAppsRepository, type AppsRepository } from './apps';
import { createSecretCipher, loadOrCreateSecretKey, parseSecretKey, SECRET_KEY_ENV, type SecretCipher } from './crypto';
import { createCyclesRepository, type CyclesRepository } from './cycles';
import { createDialect, type DatabaseLocation } from './dialect';
import { createEscrowRepository, type EscrowRepository } from './escrow';
import { createGroupMembersRepository, type GroupMembersRepository } from './group-members';
import { createReferencesRepository, type ReferencesRepository } from './references';
import { createRoleSnapshotsRepository, type RoleSnapshotsRepository } from './role-snapshots';
import { migrateToLatest } from './migrations/index';
import { createPersonsRepository, type PersonsRepository } from './persons';
import { createProvisioningLogRepository, type ProvisioningLogRepository } from './provisioning-log';
import { createRetentionRepository, type RetentionRepository } from './retention';
import { createRateBudgetsRepository, type RateBudgetsRepository } from './rate-budgets';
import { createSyncStateRepository, type SyncStateRepository } from './sync-state';
import type { Database } from './tables';
import { createUnmatchedAccountsRepository, type UnmatchedAccountsRepository } from './unmatched-accounts';

export interface StoreOptions extends DatabaseLocation {
  /**
   * The 32-byte key that encrypts app secrets. Default: `SCIMFLOW_SECRET_KEY`, else
   * `${dataDir}/secret.key` (created on first use), else, for an in-memory database only, a
   * key that lives as long as the process.
   */
  secretKey?: Uint8Array;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/** Every repository, bound to one connection or transaction. */
export interface Repositories {
  apps: AppsRepository;
  anchors: AnchorsRepository;
  accounts: AccountsRepository;
  provisioningLog: ProvisioningLogRepository;
  cycles: CyclesRepository;
  syncState: SyncStateRepository;
  escrow: EscrowRepository;
  groupMembers: GroupMembersRepository;
  references: ReferencesRepository;
  roleSnapshots: RoleSnapshotsRepository;
  persons: PersonsRepository;
  appErrors: AppErrorsRepository;
  retention: RetentionRepository;
  rateBudgets: RateBudgetsRepository;
  alerts: AlertsRepository;
  unmatchedAccounts: UnmatchedAccountsRepository;
  tokens: ApiTokensRepository;
  audit: AuditLogRepository;
}

export interface Store extends Repositories {
  /** The typed query builder, for what the repositories do not cover. */
  db: Kysely<Database>;
  /**
   * Runs `work` in one transaction with repositories bound to it. Use only the repositories it
   * receives: on PGlite (one connection) the outer store would wait for the transaction to end.
   */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** Resolves once the database answers a trivial query. */
  ping(): Promise<void>;
  /** A PostgreSQL server other processes reach too (not PGlite, which lives in this one). */
  shared: boolean;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
}

function createRepositories(db: Kysely<Database>, cipher: SecretCipher): Repositories {
  return {
    apps: createAppsRepository(db, cipher),
    anchors: createAnchorsRepository(db),
    accounts: createAccountsRepository(db),
    provisioningLog: createProvisioningLogRepository(db),
    cycles: createCyclesRepository(db),
    syncState: createSyncStateRepository(db),
    escrow: createEscrowRepository(db),
    groupMembers: createGroupMembersRepository(db),
    references: createReferencesRepository(db),
    roleSnapshots: createRoleSnapshotsRepository(db),
    persons: createPersonsRepository(db),
    appErrors: createAppErrorsRepository(db),
    retention: createRetentionRepository(db),
    rateBudgets: createRateBudgetsRepository(db),
    alerts: createAlertsRepository(db),
    unmatchedAccounts: createUnmatchedAccountsRepository(db),
    tokens: createApiTokensRepository(db),
    audit: createAuditLogRepository(db),
  };
}

async function resolveSecretKey(options: StoreOptions): Promise<Uint8Array> {
  if (options.secretKey !== undefined) return options.secretKey;
  if (options.dataDir) return loadOrCreateSecretKey(options.dataDir);
  const fromEnv = process.env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseSecretKey(fromEnv);
  // Nothing outlives an in-memory database, so neither must its key.
  if (!options.url) return randomBytes(32);
  throw new ProvisioningError({
    kind: 'configuration',
    code: 'InvalidConfiguration',
    message: `${SECRET_KEY_ENV} is required with a database URL unless a data directory holds the key`,
  });
}

/**
 * Opens the store: PostgreSQL for a `postgres://` URL, otherwise PGlite persisted under
 * `${dataDir}/pglite`, or in memory when neither is given.
 *
 * @example
 * const store = await openDatabase({ url: process.env.DATABASE_URL, dataDir: '.data' });
 * const app = await store.apps.get(appId);
 * await store.close();
 */
export async function openDatabase(options: StoreOptions = {}): Promise<Store> {
  const cipher = createSecretCipher(await resolveSecretKey(options));
  const db = new Kysely<Database>({ dialect: await createDialect(options) });
  try {
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    ...createRepositories(db, cipher),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx, cipher))),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    shared: options.url !== undefined,
    close: () => db.destroy(),
  };
}
