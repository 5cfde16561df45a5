/**
 * The accidental-deprovisioning guard: each cycle counts the accounts it disabled or deleted
 * against the app's threshold, unless an admin allowed the deletions for that cycle.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cycles')
    .addColumn('deprovisions', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('force_deletes', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cycles').dropColumn('force_deletes').dropColumn('deprovisions').execute();
}
