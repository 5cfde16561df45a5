/**
 * Lifecycle: each person's state (prehire, active, left) as HR events set it, and every event
 * received, unique by its eventId, with the workflow it started.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('persons')
    .addColumn('object_id', 'text', (col) => col.primaryKey())
    .addColumn('employee_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('prehire', 'active', 'left')`))
    // When the event that set the state took effect: a late run never undoes a later change.
    .addColumn('state_effective_at', 'timestamptz')
    .addColumn('state_event_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('persons_employee_id').on('persons').column('employee_id').execute();
  // A cycle asks which of its users have left: a small partial index answers it.
  await db.schema.createIndex('persons_left').on('persons').column('object_id').where(sql.ref('state'), '=', 'left').execute();

  await db.schema
    .createTable('lifecycle_events')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('object_id', 'text', (col) => col.notNull())
    .addColumn('employee_id', 'text')
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('joiner', 'mover', 'leaver', 'rehire')`))
    .addColumn('effective_at', 'timestamptz', (col) => col.notNull())
    .addColumn('workflow_id', 'text')
    .addColumn('superseded_by', 'text')
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`date_trunc('milliseconds', now())`))
    .execute();
  await db.schema.createIndex('lifecycle_events_person').on('lifecycle_events').columns(['object_id', 'received_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lifecycle_events').execute();
  await db.schema.dropTable('persons').execute();
}
