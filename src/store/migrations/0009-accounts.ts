/**
 * Why each account is in its app's scope, kept with its anchor where the scope decision is made:
 * assigned directly, through which group, or all objects (with the scoping filter's verdict).
 * Anchors written before say null: their reason was not recorded.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('anchors').addColumn('scope_reason', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('anchors').dropColumn('scope_reason').execute();
}
