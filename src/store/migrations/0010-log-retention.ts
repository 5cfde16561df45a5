/**
 * The provisioning log read across apps (the all-apps list and export, newest first) and purged
 * by age in batches: one index on (created_at, id) serves both, in place of the one on created_at.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('provisioning_log_created_id').on('provisioning_log').columns(['created_at desc', 'id desc']).execute();
  await db.schema.dropIndex('provisioning_log_created').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('provisioning_log_created').on('provisioning_log').column('created_at').execute();
  await db.schema.dropIndex('provisioning_log_created_id').execute();
}
