/**
 * Rate budgets shared between workers: which workers use an app's budget now (each takes its
 * share of the app's limits), and until when a target's Retry-After pauses every one of them.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_budget_members')
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('worker_id', 'text', (col) => col.notNull())
    .addColumn('seen_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('rate_budget_members_pk', ['app_id', 'worker_id'])
    .execute();
  await db.schema
    .createTable('rate_budget_pauses')
    .addColumn('app_id', 'text', (col) => col.primaryKey())
    .addColumn('paused_until', 'timestamptz', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_budget_pauses').execute();
  await db.schema.dropTable('rate_budget_members').execute();
}
