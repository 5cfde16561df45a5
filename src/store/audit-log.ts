/**
 * The audit log: who (token id, name, role) did what (method, route, app, action) when, with
 * the configuration before and after (never a secret) and the answer's status. Append-only:
 * nothing here changes or deletes an entry; only the retention purge removes old ones.
 */
import type { Kysely, Selectable } from 'kysely';
import { iso, json, toDate, type Instant, type JsonValue } from './columns';
import { decodeLogCursor, pageLimit, toPage, type Page } from './cursor';
import type { AuditLogTable, Database } from './tables';

export interface AuditActor {
  /** The token's id (`bootstrap` for the bootstrap admin token). */
  id: string;
  name: string;
  role: string;
}

export interface AuditEntryInput {
  actor: AuditActor;
  /** The client's address, when known. */
  client?: string | null;
  method: string;
  /** The route as the OpenAPI document names it: `/apps/{id}/pause`. */
  route: string;
  appId?: string | null;
  /** A short name of what was done: `app.pause`, `config.apply`, `token.create`. */
  action: string;
  /** The answer's HTTP status. */
  status: number;
  before?: Record<string, JsonValue> | null;
  after?: Record<string, JsonValue> | null;
  /** The changed fields, as `PUT /apps/{id}/config` answers them (secrets only as replaced, set or removed). */
  changes?: JsonValue[] | null;
  /** More about the call: a restart's scopes, the ids of lifecycle events, a created token's id. */
  detail?: Record<string, JsonValue> | null;
  at?: Instant;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: AuditActor;
  client: string | null;
  method: string;
  route: string;
  appId: string | null;
  action: string;
  status: number;
  before: Record<string, JsonValue> | null;
  after: Record<string, JsonValue> | null;
  changes: JsonValue[] | null;
  detail: Record<string, JsonValue> | null;
}

export interface AuditFilter {
  from?: Instant;
  to?: Instant;
  appId?: string;
  /** The actor's token name or token id. */
  actor?: string;
  action?: string;
}

export interface AuditQuery extends AuditFilter {
  /** Page size, 1..500 (default 100). */
  limit?: number;
  cursor?: string;
}

const STREAM_PAGE = 1000;

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: String(row.id),
    at: iso(row.at),
    actor: { id: row.actor_id, name: row.actor_name, role: row.actor_role },
    client: row.client,
    method: row.method,
    route: row.route,
    appId: row.app_id,
    action: row.action,
    status: row.status,
    before: row.before,
    after: row.after,
    changes: row.changes,
    detail: row.detail,
  };
}

function selectPage(db: Kysely<Database>, filter: AuditFilter, after: readonly [Instant, number] | undefined, limit: number) {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.actor !== undefined) {
    const actor = filter.actor;
    query = query.where((eb) => eb.or([eb('actor_name', '=', actor), eb('actor_id', '=', actor)]));
  }
  if (filter.from !== undefined) query = query.where('at', '>=', toDate(filter.from));
  if (filter.to !== undefined) query = query.where('at', '<', toDate(filter.to));
  if (after !== undefined) {
    const [at, id] = after;
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(toDate(at), id)));
  }
  return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

const jsonOrNull = <T>(value: T | null | undefined) => (value == null ? null : json(value));

export function createAuditLogRepository(db: Kysely<Database>) {
  return {
    async record(entry: AuditEntryInput): Promise<AuditEntry> {
      const row = await db
        .insertInto('audit_log')
        .values({
          ...(entry.at !== undefined && { at: toDate(entry.at) }),
          actor_id: entry.actor.id,
          actor_name: entry.actor.name,
          actor_role: entry.actor.role,
          client: entry.client ?? null,
          method: entry.method,
          route: entry.route,
          app_id: entry.appId ?? null,
          action: entry.action,
          status: entry.status,
          before: jsonOrNull(entry.before),
          after: jsonOrNull(entry.after),
          changes: jsonOrNull(entry.changes),
          detail: jsonOrNull(entry.detail),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEntry(row);
    },

    /** Entries matching every given filter, newest first, a page at a time (a stable cursor, as the provisioning log's). */
    async query(filter: AuditQuery): Promise<Page<AuditEntry>> {
      const limit = pageLimit(filter.limit, 500, 100);
      const after = filter.cursor === undefined ? undefined : decodeLogCursor(filter.cursor);
      const rows = await selectPage(db, filter, after, limit + 1);
      return toPage(rows, limit, toEntry, (row) => [iso(row.at), row.id]);
    },

    /** Every entry matching the filter, newest first, read in keyset pages: an export holds one page at a time. */
    async *stream(filter: AuditFilter, pageSize = STREAM_PAGE): AsyncGenerator<AuditEntry> {
      let after: readonly [Date, number] | undefined;
      for (;;) {
        const rows = await selectPage(db, filter, after, pageSize);
        for (const row of rows) yield toEntry(row);
        const last = rows[rows.length - 1];
        if (rows.length < pageSize || last === undefined) return;
        after = [last.at, last.id];
      }
    },
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
