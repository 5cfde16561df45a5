/**
 * The first schema: apps, anchors, provisioning log, cycles, sync state and escrow.
 * Migrations take `Kysely<any>`: they describe the schema as it was then, not as the
 * current types say.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('apps')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('config', 'jsonb', (col) => col.notNull())
    .addColumn('config_version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('secrets', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('anchors')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (col) => col.notNull().check(sql`object_type in ('user', 'group')`))
    .addColumn('source_id', 'text', (col) => col.notNull())
    .addColumn('target_id', 'text', (col) => col.notNull())
    .addColumn('last_exported', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('active', 'disabled', 'deleted')`))
    .addColumn('source_snapshot', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('anchors_pkey', ['app_id', 'object_type', 'source_id'])
    .addUniqueConstraint('anchors_target_key', ['app_id', 'object_type', 'target_id'])
    .execute();

  await db.schema
    .createTable('provisioning_log')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('cycle_id', 'text')
    .addColumn('change_id', 'text', (col) => col.notNull().unique())
    .addColumn('object_type', 'text', (col) => col.notNull().check(sql`object_type in ('user', 'group')`))
    .addColumn('source_id', 'text', (col) => col.notNull())
    .addColumn('source_display', 'text')
    .addColumn('target_id', 'text')
    .addColumn('action', 'text', (col) =>
      col.notNull().check(sql`action in ('Create', 'Update', 'Delete', 'Disable', 'StagedDelete', 'Other')`),
    )
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('Success', 'Failure', 'Skipped', 'Warning')`))
    .addColumn('reason', 'text')
    .addColumn('modified_properties', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('steps', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'jsonb')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull().check(sql`duration_ms >= 0`))
    // Millisecond precision: the paging cursor carries created_at as a JavaScript time, which
    // must compare equal to the stored value.
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`date_trunc('milliseconds', now())`))
    .execute();
  await db.schema
    .createIndex('provisioning_log_app_created')
    .on('provisioning_log')
    .columns(['app_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('provisioning_log_app_source').on('provisioning_log').columns(['app_id', 'source_id']).execute();
  await db.schema.createIndex('provisioning_log_app_target').on('provisioning_log').columns(['app_id', 'target_id']).execute();
  await db.schema.createIndex('provisioning_log_cycle').on('provisioning_log').column('cycle_id').execute();
  await db.schema.createIndex('provisioning_log_created').on('provisioning_log').column('created_at').execute();

  await db.schema
    .createTable('cycles')
    .addColumn('id', 'text', (col) =>
      col
        .primaryKey()
        .generatedAlwaysAs(sql`app_id || ':' || n::text`)
        .stored(),
    )
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('n', 'integer', (col) => col.notNull().check(sql`n >= 1`))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('initial', 'incremental')`))
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('running', 'succeeded', 'failed')`))
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('counts', 'jsonb', (col) => col.notNull())
    .addColumn('error', 'jsonb')
    .addUniqueConstraint('cycles_app_n_key', ['app_id', 'n'])
    .execute();

  await db.schema
    .createTable('sync_state')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (col) => col.notNull().check(sql`object_type in ('user', 'group')`))
    .addColumn('delta_link', 'text')
    .addColumn('config_version', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sync_state_pkey', ['app_id', 'object_type'])
    .execute();

  await db.schema
    .createTable('escrow')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (col) => col.notNull().check(sql`object_type in ('user', 'group')`))
    .addColumn('source_id', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().check(sql`attempts >= 1`))
    .addColumn('first_failed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_failed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('next_retry_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_error', 'jsonb', (col) => col.notNull())
    .addPrimaryKeyConstraint('escrow_pkey', ['app_id', 'object_type', 'source_id'])
    .execute();
  await db.schema.createIndex('escrow_app_next_retry').on('escrow').columns(['app_id', 'next_retry_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['escrow', 'sync_state', 'cycles', 'provisioning_log', 'anchors', 'apps']) {
    await db.schema.dropTable(table).execute();
  }
}
