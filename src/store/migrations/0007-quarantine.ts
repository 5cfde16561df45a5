/**
 * Cycles that end with some objects failed are `partial`; and the last error of each app's job
 * (which peer, at which step, when), shown in its status while a cycle retries and after.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table cycles drop constraint cycles_state_check`.execute(db);
  await sql`alter table cycles add constraint cycles_state_check check (state in ('running', 'succeeded', 'partial', 'failed'))`.execute(
    db,
  );
  await db.schema
    .createTable('app_errors')
    .addColumn('app_id', 'text', (col) => col.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('error', 'jsonb', (col) => col.notNull())
    .addColumn('step', 'text', (col) => col.notNull())
    .addColumn('cycle_id', 'text')
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('app_errors').execute();
  await sql`update cycles set state = 'succeeded' where state = 'partial'`.execute(db);
  await sql`alter table cycles drop constraint cycles_state_check`.execute(db);
  await sql`alter table cycles add constraint cycles_state_check check (state in ('running', 'succeeded', 'failed'))`.execute(db);
}
