/**
 * Pending references: a user whose manager has no account in the target yet. The manager is
 * left out of what is written until it has one; then the user is reconciled again and the
 * reference written, with no restart.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_references')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('holder_id', 'text', (col) => col.notNull())
    .addColumn('attribute', 'text', (col) => col.notNull())
    .addColumn('ref_id', 'text', (col) => col.notNull())
    .addColumn('since', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('pending_references_pkey', ['app_id', 'holder_id', 'attribute'])
    .execute();
  await db.schema.createIndex('pending_references_ref').on('pending_references').columns(['app_id', 'ref_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pending_references').execute();
}
