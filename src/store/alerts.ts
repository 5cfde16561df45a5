/**
 * Alerts in the store: the condition each rule last alerted about (so a condition alerts once,
 * until it changes) and the outbox of deliveries, claimed by whichever worker delivers them and
 * retried until delivered.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { iso, isoOrNull, json, toDate, type Instant, type JsonValue } from './columns';
import type { AlertOutboxTable, Database } from './tables';

/** An alert to raise: the rule's condition now, and the event each channel delivers when it is new. */
export interface RaiseInput {
  appId: string;
  rule: string;
  /** What the condition is about within the rule (a leaver's event id); default: the app as a whole. */
  subject?: string;
  /** The condition, e.g. a quarantine reason; the same condition again raises nothing. */
  condition: string;
  alertId: string;
  event: Record<string, JsonValue>;
  channels: readonly string[];
  at: Instant;
}

export interface AlertDelivery {
  id: number;
  alertId: string;
  channel: string;
  appId: string;
  rule: string;
  event: Record<string, JsonValue>;
  /** Attempts started so far (a claim starts one). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

function toDelivery(row: Selectable<AlertOutboxTable>): AlertDelivery {
  return {
    id: Number(row.id),
    alertId: row.alert_id,
    channel: row.channel,
    appId: row.app_id,
    rule: row.rule,
    event: row.event,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    lastError: row.last_error,
    deliveredAt: isoOrNull(row.delivered_at),
    createdAt: iso(row.created_at),
  };
}

export function createAlertsRepository(db: Kysely<Database>) {
  return {
    /**
     * Records the rule's condition and queues the alert on every channel, unless the rule last
     * alerted about this same condition. One statement, so a condition recorded always has its
     * deliveries queued (and a retried call raises nothing twice).
     *
     * @returns whether the condition is new, and the deliveries queued
     */
    async raise(input: RaiseInput): Promise<{ raised: boolean; deliveries: number[] }> {
      const at = toDate(input.at);
      const { rows } = await sql<{ raised: string; ids: string[] | null }>`
        with upserted as (
          insert into alert_conditions (app_id, rule, subject, condition, raised_at)
          values (${input.appId}, ${input.rule}, ${input.subject ?? ''}, ${input.condition}, ${at})
          on conflict (app_id, rule, subject) do update set condition = excluded.condition, raised_at = excluded.raised_at
            where alert_conditions.condition <> excluded.condition
          returning 1
        ),
        queued as (
          insert into alert_outbox (alert_id, channel, app_id, rule, event, next_attempt_at)
          select ${input.alertId}, channel, ${input.appId}, ${input.rule}, ${json(input.event)}::jsonb, ${at}
          from jsonb_array_elements_text(${json(input.channels)}::jsonb) as channels(channel)
          where exists (select 1 from upserted)
          on conflict (alert_id, channel) do nothing
          returning id
        )
        select (select count(*) from upserted) as raised, (select array_agg(id::text) from queued) as ids
      `.execute(db);
      const row = rows[0]!;
      return { raised: Number(row.raised) > 0, deliveries: (row.ids ?? []).map(Number) };
    },

    /** Forgets the rule's condition (it is over): the next time it holds, it alerts again. */
    async clear(appId: string, rule: string, subject = ''): Promise<void> {
      await db.deleteFrom('alert_conditions').where('app_id', '=', appId).where('rule', '=', rule).where('subject', '=', subject).execute();
    },

    /** The condition the rule last alerted about, if it still holds. */
    async condition(appId: string, rule: string, subject = ''): Promise<string | undefined> {
      const row = await db
        .selectFrom('alert_conditions')
        .select('condition')
        .where('app_id', '=', appId)
        .where('rule', '=', rule)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return row?.condition;
    },

    /**
     * Claims undelivered deliveries that are due (only `ids`, when given): each counts one more
     * attempt and is not due again for `leaseMs`, so two workers never deliver one at once.
     */
    async claimDue(options: { now: Instant; leaseMs: number; limit: number; ids?: readonly number[] }): Promise<AlertDelivery[]> {
      const now = toDate(options.now);
      const leased = new Date(now.getTime() + options.leaseMs);
      const { ids } = options;
      if (ids?.length === 0) return [];
      const rows = await db
        .updateTable('alert_outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leased }))
        .where('id', 'in', (eb) => {
          let due = eb
            .selectFrom('alert_outbox')
            .select('id')
            .where('delivered_at', 'is', null)
            .where('next_attempt_at', '<=', now)
            .orderBy('id')
            .limit(options.limit)
            .forUpdate()
            .skipLocked();
          if (ids) due = due.where('id', 'in', ids);
          return due;
        })
        .returningAll()
        .execute();
      return rows.map(toDelivery).sort((a, b) => a.id - b.id);
    },

    async delivered(id: number, at: Instant): Promise<void> {
      await db
        .updateTable('alert_outbox')
        .set({ delivered_at: toDate(at), last_error: null })
        .where('id', '=', id)
        .execute();
    },

    /** Records a failed attempt and when to try again. */
    async failed(id: number, error: string, nextAttemptAt: Instant): Promise<void> {
      await db
        .updateTable('alert_outbox')
        .set({ last_error: error.slice(0, 1000), next_attempt_at: toDate(nextAttemptAt) })
        .where('id', '=', id)
        .execute();
    },

    /** The app's deliveries, oldest first. */
    async list(appId: string): Promise<AlertDelivery[]> {
      const rows = await db.selectFrom('alert_outbox').selectAll().where('app_id', '=', appId).orderBy('id').execute();
      return rows.map(toDelivery);
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;
