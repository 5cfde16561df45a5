/**
 * Sync state: per app and object type, the Graph delta link the next incremental round starts
 * from, and the config version it was earned under. A link from an older config version must
 * not be used: the configuration changed, so everything is evaluated again.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ObjectType } from '../source/index';
import { iso } from './columns';
import type { Database, SyncStateTable } from './tables';

export interface SyncState {
  appId: string;
  objectType: ObjectType;
  /** The whole `@odata.deltaLink`, or null when the next round must be a full one. */
  deltaLink: string | null;
  /** The app's config version when the link was saved. */
  configVersion: number;
  /** When group memberships were last compared with the target in full (groups only). */
  comparedAt: string | null;
  updatedAt: string;
}

function toSyncState(row: Selectable<SyncStateTable>): SyncState {
  return {
    appId: row.app_id,
    objectType: row.object_type,
    deltaLink: row.delta_link,
    configVersion: row.config_version,
    comparedAt: row.compared_at === null || row.compared_at === undefined ? null : iso(row.compared_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The sync-state repository. */
export function createSyncStateRepository(db: Kysely<Database>) {
  return {
    /** The saved state, or undefined when none was saved (or it was cleared). */
    async get(appId: string, objectType: ObjectType): Promise<SyncState | undefined> {
      const row = await db
        .selectFrom('sync_state')
        .selectAll()
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .executeTakeFirst();
      return row && toSyncState(row);
    },

    /** Saves the delta link of a completed round; `comparedAt` when the round compared group memberships in full. */
    async set(input: {
      appId: string;
      objectType: ObjectType;
      deltaLink: string | null;
      configVersion: number;
      comparedAt?: Date | string;
    }): Promise<SyncState> {
      const values = {
        delta_link: input.deltaLink,
        config_version: input.configVersion,
        ...(input.comparedAt !== undefined && { compared_at: input.comparedAt }),
      };
      const row = await db
        .insertInto('sync_state')
        .values({ app_id: input.appId, object_type: input.objectType, ...values })
        .onConflict((oc) => oc.columns(['app_id', 'object_type']).doUpdateSet((eb) => ({ ...values, updated_at: eb.fn('now') })))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSyncState(row);
    },

    /** Forgets the state of one object type, or of all when none is given (restart: watermark). Returns how many went. */
    async clear(appId: string, objectType?: ObjectType): Promise<number> {
      let query = db.deleteFrom('sync_state').where('app_id', '=', appId);
      if (objectType !== undefined) query = query.where('object_type', '=', objectType);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SyncStateRepository = ReturnType<typeof createSyncStateRepository>;
