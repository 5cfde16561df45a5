/**
 * The typed shape of the store's tables as kysely sees them (snake_case, as in SQL). The
 * migrations in `migrations/` create them; repositories map rows to camelCase objects.
 */
import type { Generated, GeneratedAlways } from 'kysely';
import type { AccountView, Candidate } from '../discovery/candidates';
import type { ErrorInfo } from '../errors/index';
import type { LifecycleEventType } from '../lifecycle/events';
import type { PersonState } from '../lifecycle/state';
import type { ScopeReason } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import type { Role } from '../auth/index';
import type { AnchorState } from './anchors';
import type { StoredAppConfig } from './apps';
import type { CycleCounts, CycleKind, CycleState } from './cycles';
import type { DefaultTimestamp, Json, JsonValue, Timestamp } from './columns';
import type { ScanCounts, UnmatchedKind, UnmatchedStatus } from './unmatched-accounts';
import type { ModifiedProperty, ProvisioningAction, ProvisioningStatus, ProvisioningStep } from './provisioning-log';

export interface Database {
  apps: AppsTable;
  anchors: AnchorsTable;
  provisioning_log: ProvisioningLogTable;
  cycles: CyclesTable;
  sync_state: SyncStateTable;
  escrow: EscrowTable;
  persons: PersonsTable;
  lifecycle_events: LifecycleEventsTable;
  group_members: GroupMembersTable;
  pending_references: PendingReferencesTable;
  app_role_snapshots: AppRoleSnapshotsTable;
  app_errors: AppErrorsTable;
  rate_budget_members: RateBudgetMembersTable;
  rate_budget_pauses: RateBudgetPausesTable;
  alert_conditions: AlertConditionsTable;
  alert_outbox: AlertOutboxTable;
  unmatched_accounts: UnmatchedAccountsTable;
  unmatched_scans: UnmatchedScansTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
}

export interface AppsTable {
  id: string;
  display_name: string;
  config: Json<StoredAppConfig>;
  config_version: Generated<number>;
  /** Encrypted AppSecrets (see crypto.ts); null once the app is deleted. */
  secrets: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  deleted_at: Timestamp | null;
}

export interface AnchorsTable {
  app_id: string;
  object_type: ObjectType;
  source_id: string;
  target_id: string;
  last_exported: Json<Record<string, JsonValue>>;
  state: AnchorState;
  source_snapshot: Json<Record<string, JsonValue>> | null;
  /** Why the account is in scope as of the last write that decided it; null for anchors written before it was recorded. */
  scope_reason: Json<ScopeReason> | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ProvisioningLogTable {
  id: Generated<number>;
  app_id: string;
  cycle_id: string | null;
  change_id: string;
  object_type: ObjectType;
  source_id: string;
  source_display: string | null;
  target_id: string | null;
  action: ProvisioningAction;
  status: ProvisioningStatus;
  reason: string | null;
  modified_properties: Json<ModifiedProperty[]>;
  steps: Json<ProvisioningStep[]>;
  error: Json<ErrorInfo> | null;
  started_at: Timestamp;
  duration_ms: number;
  created_at: DefaultTimestamp;
}

export interface CyclesTable {
  /** `${app_id}:${n}`, generated. */
  id: GeneratedAlways<string>;
  app_id: string;
  n: number;
  kind: CycleKind;
  state: CycleState;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  counts: Json<CycleCounts>;
  error: Json<ErrorInfo> | null;
  /** Accounts this cycle disabled or deleted, counted against the app's threshold. */
  deprovisions: Generated<number>;
  /** An admin allowed this cycle to deprovision past the threshold. */
  force_deletes: Generated<boolean>;
}

export interface SyncStateTable {
  app_id: string;
  object_type: ObjectType;
  delta_link: string | null;
  config_version: number;
  updated_at: DefaultTimestamp;
  /** When group memberships were last compared with the target in full. */
  compared_at: Timestamp | null;
}

export interface EscrowTable {
  app_id: string;
  object_type: ObjectType;
  source_id: string;
  attempts: number;
  first_failed_at: Timestamp;
  last_failed_at: Timestamp;
  next_retry_at: Timestamp;
  last_error: Json<ErrorInfo>;
}

export interface GroupMembersTable {
  app_id: string;
  /** The group's source id. */
  group_id: string;
  /** The member's source id. */
  member_id: string;
  /** The member is written to the target group. */
  exported: Generated<boolean>;
}

export interface PersonsTable {
  object_id: string;
  employee_id: string | null;
  display_name: string | null;
  state: PersonState;
  state_effective_at: Timestamp | null;
  state_event_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface LifecycleEventsTable {
  event_id: string;
  object_id: string;
  employee_id: string | null;
  type: LifecycleEventType;
  effective_at: Timestamp;
  workflow_id: string | null;
  superseded_by: string | null;
  received_at: DefaultTimestamp;
}

export interface PendingReferencesTable {
  app_id: string;
  /** The source object that refers (a user). */
  holder_id: string;
  /** The source attribute holding the reference (`manager`). */
  attribute: string;
  /** The referenced source object, not yet in the target. */
  ref_id: string;
  since: DefaultTimestamp;
}

export interface AppRoleSnapshotsTable {
  app_id: string;
  user_id: string;
  /** The user's app role ids, sorted and comma-joined. */
  roles: string;
}

/** The last error of an app's job: one row per app, replaced by the next. */
export interface AppErrorsTable {
  app_id: string;
  error: Json<ErrorInfo>;
  /** Where it happened: token, read source, write target, store. */
  step: string;
  cycle_id: string | null;
  at: Timestamp;
}

export interface RateBudgetMembersTable {
  app_id: string;
  worker_id: string;
  seen_at: Timestamp;
}

export interface RateBudgetPausesTable {
  app_id: string;
  paused_until: Timestamp;
}

/** The condition an alert rule last alerted about, per app and subject. */
export interface AlertConditionsTable {
  app_id: string;
  rule: string;
  subject: Generated<string>;
  condition: string;
  raised_at: Timestamp;
}

/** One alert to deliver over one channel (webhook, email), retried until delivered. */
export interface AlertOutboxTable {
  id: Generated<number>;
  /** The alert's id, the same on every channel (receivers deduplicate by it). */
  alert_id: string;
  channel: string;
  app_id: string;
  rule: string;
  event: Json<Record<string, JsonValue>>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  /** Why the last attempt failed, without a secret. */
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

/** A target account that matches no source object, as an app's last scan found it. */
export interface UnmatchedAccountsTable {
  app_id: string;
  object_type: ObjectType;
  target_id: string;
  kind: UnmatchedKind;
  status: Generated<UnmatchedStatus>;
  account: Json<AccountView>;
  /** The managed values read from the account: SCIM path → value. */
  managed: Json<Record<string, JsonValue>>;
  orphaned_source_id: string | null;
  candidate: Json<Candidate> | null;
  linked_object_id: string | null;
  decided_at: Timestamp | null;
  first_seen_at: DefaultTimestamp;
  last_seen_at: Timestamp;
  last_scan_id: string;
}

/** An app's last scan for unmatched accounts. */
export interface UnmatchedScansTable {
  app_id: string;
  scan_id: string;
  state: 'running' | 'finished' | 'failed';
  started_at: Timestamp;
  finished_at: Timestamp | null;
  counts: Json<ScanCounts> | null;
  error: Json<ErrorInfo> | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 of the token, hex. */
  hash: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_by: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: DefaultTimestamp;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  client: string | null;
  method: string;
  route: string;
  app_id: string | null;
  action: string;
  status: number;
  before: Json<Record<string, JsonValue>> | null;
  after: Json<Record<string, JsonValue>> | null;
  changes: Json<JsonValue[]> | null;
  detail: Json<Record<string, JsonValue>> | null;
}
