/**
 * The typed shape of the store's tables as kysely sees them (snake_case, as in SQL). The
 * migrations in `migrations/` create them; repositories map rows to camelCase objects.
 */
import type { Generated, GeneratedAlways } from 'kysely';
import type { ErrorInfo } from '../errors/index';
import type { ObjectType } from '../source/index';
import type { AnchorState } from './anchors';
import type { StoredAppConfig } from './apps';
import type { CycleCounts, CycleKind, CycleState } from './cycles';
import type { DefaultTimestamp, Json, JsonValue, Timestamp } from './columns';
import type { ModifiedProperty, ProvisioningAction, ProvisioningStatus, ProvisioningStep } from './provisioning-log';

export interface Database {
  apps: AppsTable;
  anchors: AnchorsTable;
  provisioning_log: ProvisioningLogTable;
  cycles: CyclesTable;
  sync_state: SyncStateTable;
  escrow: EscrowTable;
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
