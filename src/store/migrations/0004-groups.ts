/**
 * Group memberships: per app, which source members each provisioned group should hold and
 * whether scimflow has written each one to the target. A member that is wanted but not yet
 * provisioned is a pending reference, written as soon as its account exists. The sync state
 * remembers when memberships were last compared with the target in full.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('group_members')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (col) => col.notNull())
    .addColumn('member_id', 'text', (col) => col.notNull())
    .addColumn('exported', 'boolean', (col) => col.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('group_members_pkey', ['app_id', 'group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_member').on('group_members').columns(['app_id', 'member_id']).execute();
  await db.schema.createIndex('group_members_pending').on('group_members').columns(['app_id', 'exported']).execute();
  await db.schema.alterTable('sync_state').addColumn('compared_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_state').dropColumn('compared_at').execute();
  await db.schema.dropTable('group_members').execute();
}
