/**
 * Snapshots of the app roles each user holds in an app (a stable key of the role ids), to find
 * the users whose roles changed since the last look.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables';

const CHUNK = 1000;

export function createRoleSnapshotsRepository(db: Kysely<Database>) {
  return {
    /** Every user's role key in the app; empty when no snapshot was taken yet. */
    async all(appId: string): Promise<Map<string, string>> {
      const rows = await db.selectFrom('app_role_snapshots').select(['user_id', 'roles']).where('app_id', '=', appId).execute();
      return new Map(rows.map((row) => [row.user_id, row.roles]));
    },

    /** Records these users' role keys and forgets the users who hold no role now. */
    async apply(appId: string, changed: readonly (readonly [string, string])[], gone: readonly string[]): Promise<void> {
      for (let i = 0; i < changed.length; i += CHUNK) {
        await db
          .insertInto('app_role_snapshots')
          .values(changed.slice(i, i + CHUNK).map(([userId, roles]) => ({ app_id: appId, user_id: userId, roles })))
          .onConflict((oc) => oc.columns(['app_id', 'user_id']).doUpdateSet((eb) => ({ roles: eb.ref('excluded.roles') })))
          .execute();
      }
      for (let i = 0; i < gone.length; i += CHUNK) {
        await db
          .deleteFrom('app_role_snapshots')
          .where('app_id', '=', appId)
          .where('user_id', 'in', gone.slice(i, i + CHUNK))
          .execute();
      }
    },
  };
}

export type RoleSnapshotsRepository = ReturnType<typeof createRoleSnapshotsRepository>;
