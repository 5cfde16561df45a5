/**
 * Account discovery: the target's accounts that match no source object, as the last scan of
 * each app found them (with the nearest source object and an admin's decision), and each app's
 * last scan.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('unmatched_accounts')
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('object_type', 'text', (col) => col.notNull())
    .addColumn('target_id', 'text', (col) => col.notNull())
    // local: no anchor links the account; orphan: its anchor names a source object the directory no longer has.
    .addColumn('kind', 'text', (col) => col.notNull())
    // unmatched, left (an admin knows it and leaves it), linked (an admin linked it to a source object).
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('unmatched'))
    .addColumn('account', 'jsonb', (col) => col.notNull())
    // The managed values read from the account: what a link records as last exported.
    .addColumn('managed', 'jsonb', (col) => col.notNull())
    .addColumn('orphaned_source_id', 'text')
    .addColumn('candidate', 'jsonb')
    .addColumn('linked_object_id', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('first_seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_scan_id', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('unmatched_accounts_pk', ['app_id', 'object_type', 'target_id'])
    .execute();
  await db.schema.createIndex('unmatched_accounts_status').on('unmatched_accounts').columns(['app_id', 'status']).execute();
  await db.schema
    .createTable('unmatched_scans')
    .addColumn('app_id', 'text', (col) => col.primaryKey())
    .addColumn('scan_id', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('counts', 'jsonb')
    .addColumn('error', 'jsonb')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unmatched_scans').execute();
  await db.schema.dropTable('unmatched_accounts').execute();
}
