/**
 * Alerts: the condition each rule last alerted about, per app (one alert per condition until it
 * changes), and a durable outbox of deliveries, one row per alert and channel, retried with
 * growing gaps until delivered.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_conditions')
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('rule', 'text', (col) => col.notNull())
    // What the condition is about within the rule (a leaver's event id), '' for the app as a whole.
    .addColumn('subject', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('condition', 'text', (col) => col.notNull())
    .addColumn('raised_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('alert_conditions_pk', ['app_id', 'rule', 'subject'])
    .execute();
  await db.schema
    .createTable('alert_outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('alert_id', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('rule', 'text', (col) => col.notNull())
    .addColumn('event', 'jsonb', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('alert_outbox_alert_channel', ['alert_id', 'channel'])
    .execute();
  // Deliveries due: a small partial index over the undelivered rows.
  await db.schema
    .createIndex('alert_outbox_due')
    .on('alert_outbox')
    .column('next_attempt_at')
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_outbox').execute();
  await db.schema.dropTable('alert_conditions').execute();
}
