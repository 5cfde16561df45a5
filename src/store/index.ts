/**
 * The store: apps, anchors, provisioning log, cycles, sync state and escrow, in PostgreSQL or
 * embedded PGlite. Repositories return plain objects with camelCase fields; times are ISO-8601
 * strings in UTC, and inputs take a Date or such a string.
 */
export { openDatabase, type Repositories, type Store, type StoreOptions } from './db';
export { isDatabaseUnavailable, type DatabaseLocation } from './dialect';
export { migrateToLatest, migrations } from './migrations/index';
export type { Database } from './tables';
export type { Instant, JsonValue } from './columns';
export type { Page } from './cursor';
export {
  createSecretCipher,
  loadOrCreateSecretKey,
  parseSecretKey,
  readOrCreateKeyFile,
  SECRET_KEY_ENV,
  type SecretCipher,
} from './crypto';
export type { AppDefinition, AppUpdateOptions, AppsRepository } from './apps';
export {
  isAccountCursor,
  type Account,
  type AccountFilter,
  type AccountsRepository,
  type LastChange,
  type PersonAccount,
} from './accounts';
export type { Anchor, AnchorInput, AnchorListOptions, AnchorState, AnchorsRepository } from './anchors';
export { countKey, isLogCursor } from './provisioning-log';
export type {
  ModifiedProperty,
  ProvisioningAction,
  ProvisioningLogEntry,
  ProvisioningLogFilter,
  ProvisioningLogInput,
  ProvisioningLogQuery,
  ProvisioningLogRepository,
  ProvisioningStatus,
  ProvisioningStep,
} from './provisioning-log';
export type { Cycle, CycleCounts, CycleKind, CycleStart, CycleState, CyclesRepository } from './cycles';
export type { SyncState, SyncStateRepository } from './sync-state';
export { escrowRetryDelayMs, type EscrowEntry, type EscrowRepository } from './escrow';
export type { WantedMember, GroupMembersRepository, PendingMembership } from './group-members';
export type { LifecycleEventInput, Person, PersonsRepository, StoredLifecycleEvent } from './persons';
export type { PendingReference, ReferencesRepository } from './references';
export type { RoleSnapshotsRepository } from './role-snapshots';
export type { AppError, AppErrorsRepository, ErrorStep } from './app-errors';
export { isRetainedLog, PURGE_BATCH_SIZE, RETAINED_LOGS, type RetainedLog, type RetentionRepository } from './retention';
export type { BudgetView, RateBudgetsRepository } from './rate-budgets';
export type { AlertDelivery, AlertsRepository, RaiseInput } from './alerts';
export {
  isUnmatchedCursor,
  type FoundAccount,
  type ScanCounts,
  type UnmatchedAccount,
  type UnmatchedAccountsRepository,
  type UnmatchedFilter,
  type UnmatchedKind,
  type UnmatchedScan,
  type UnmatchedStatus,
} from './unmatched-accounts';
export type { ApiToken, ApiTokenInput, ApiTokensRepository } from './api-tokens';
export type { AuditActor, AuditEntry, AuditEntryInput, AuditFilter, AuditLogRepository, AuditQuery } from './audit-log';
