/**
 * The app roles each user held in an app when its cycles last looked: role assignments change
 * without touching the user, so Graph's user delta does not show them; comparing with this
 * snapshot finds the users whose roles changed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_role_snapshots')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('roles', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('app_role_snapshots_pkey', ['app_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('app_role_snapshots').execute();
}
