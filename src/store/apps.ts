/**
 * Provisioned apps: the clear configuration as jsonb, the secrets encrypted (crypto.ts), and a
 * config version that tells a sync cycle when its delta link no longer applies.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { clearTargetAuth, type AppConfig, type AppSecrets } from '../config/app';
import { ProvisioningError } from '../errors/index';
import { iso, json } from './columns';
import type { SecretCipher } from './crypto';
import type { AppsTable, Database } from './tables';

/** An app's configuration as given by its owner: everything but the id, version and timestamps. */
export type AppDefinition = Omit<AppConfig, 'id' | 'configVersion' | 'createdAt' | 'updatedAt'>;

/** What the `config` column holds: the definition minus the fields that have their own column. */
export type StoredAppConfig = Omit<AppDefinition, 'displayName'>;

export interface AppUpdateOptions {
  /** New secrets, replacing the stored ones. */
  secrets?: AppSecrets;
  /** Set when mappings or source scope changed: the next cycle must re-evaluate everything. */
  bumpConfigVersion?: boolean;
  /** The changes are the whole definition: parts they leave out are removed (a configuration document applied). */
  replace?: boolean;
}

type AppRow = Pick<Selectable<AppsTable>, 'id' | 'display_name' | 'config' | 'config_version' | 'created_at' | 'updated_at'>;
const appColumns = ['id', 'display_name', 'config', 'config_version', 'created_at', 'updated_at'] as const;

/**
 * The part of a definition the `config` column keeps: known keys only (absent ones stay
 * unset), and never a credential, even when the caller passed the source or target with its
 * secret still inside.
 */
function storedConfig(changes: Partial<AppDefinition>): Partial<StoredAppConfig> {
  const { source, target, schedule, deprovisioning, mappings, scoping, groups, capabilities, lifecycle, quarantine, alerts } = changes;
  const config: Partial<StoredAppConfig> = {
    schedule,
    deprovisioning,
    mappings,
    scoping,
    groups,
    capabilities,
    lifecycle,
    quarantine,
    alerts,
  };
  if (source) {
    const { clientSecret: _secret, ...clear } = source as StoredAppConfig['source'] & { clientSecret?: unknown };
    config.source = clear;
  }
  if (target)
    config.target = {
      type: 'scim',
      baseUrl: target.baseUrl,
      auth: clearTargetAuth(target.auth),
      ...(target.rateLimit && { rateLimit: target.rateLimit }),
    };
  return config;
}

function toAppConfig(row: AppRow): AppConfig {
  return {
    ...row.config,
    id: row.id,
    displayName: row.display_name,
    configVersion: row.config_version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function notFound(id: string): ProvisioningError {
  return new ProvisioningError({ kind: 'permanent', code: 'NotFound', message: `app ${id} does not exist` });
}

/** The apps repository. Deleted apps are invisible to every method. */
export function createAppsRepository(db: Kysely<Database>, cipher: SecretCipher) {
  const sealSecrets = (id: string, secrets: AppSecrets) => cipher.encrypt(json(secrets), id);

  return {
    /** Stores a new app (id generated unless given) with its secrets encrypted; config version 1. */
    async create(definition: AppDefinition, secrets: AppSecrets, options: { id?: string } = {}): Promise<AppConfig> {
      const id = options.id ?? randomUUID();
      const row = await db
        .insertInto('apps')
        .values({ id, display_name: definition.displayName, config: json(storedConfig(definition)), secrets: sealSecrets(id, secrets) })
        .returning(appColumns)
        .executeTakeFirstOrThrow();
      return toAppConfig(row);
    },

    /** The app, or undefined when it does not exist or was deleted. */
    async get(id: string): Promise<AppConfig | undefined> {
      const row = await db.selectFrom('apps').select(appColumns).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      return row && toAppConfig(row);
    },

    /** Whether an app of this id existed and was deleted (its id is not given out again). */
    async wasDeleted(id: string): Promise<boolean> {
      const row = await db.selectFrom('apps').select('id').where('id', '=', id).where('deleted_at', 'is not', null).executeTakeFirst();
      return row !== undefined;
    },

    /** All apps, oldest first. */
    async list(): Promise<AppConfig[]> {
      const rows = await db
        .selectFrom('apps')
        .select(appColumns)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toAppConfig);
    },

    /**
     * Replaces the given top-level parts of the definition (`source`, `mappings`, ...) in one
     * statement, optionally the secrets, and bumps the config version when asked.
     *
     * @returns the updated app, or undefined when it does not exist
     */
    async update(id: string, changes: Partial<AppDefinition>, options: AppUpdateOptions = {}): Promise<AppConfig | undefined> {
      const row = await db
        .updateTable('apps')
        .set((eb) => ({
          config: options.replace ? json(storedConfig(changes)) : sql<string>`config || ${json(storedConfig(changes))}::jsonb`,
          updated_at: sql<Date>`now()`,
          ...(changes.displayName !== undefined && { display_name: changes.displayName }),
          ...(options.bumpConfigVersion && { config_version: eb('config_version', '+', 1) }),
          ...(options.secrets && { secrets: sealSecrets(id, options.secrets) }),
        }))
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returning(appColumns)
        .executeTakeFirst();
      return row && toAppConfig(row);
    },

    /** Marks the app deleted and forgets its secrets. Returns false when there was no such app. */
    async delete(id: string): Promise<boolean> {
      const result = await db
        .updateTable('apps')
        .set({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, secrets: null })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * The app's decrypted secrets. Throws NotFound for an unknown app and a configuration error
     * when they cannot be decrypted (another key, or altered data).
     */
    async getSecrets(id: string): Promise<AppSecrets> {
      const row = await db.selectFrom('apps').select('secrets').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (row?.secrets == null) throw notFound(id);
      return JSON.parse(cipher.decrypt(row.secrets, id)) as AppSecrets;
    },
  };
}

export type AppsRepository = ReturnType<typeof createAppsRepository>;
