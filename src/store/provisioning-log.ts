/**
 * The provisioning log: one entry per action on an object, shaped like Entra's provisioning
 * log (identity, action, status, modified properties, steps, error), newest first.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ErrorInfo } from '../errors/index';
import type { ObjectType } from '../source/index';
import { iso, json, toDate, type Instant, type JsonValue } from './columns';
import { decodeLogCursor, pageLimit, readLogCursor, toPage, type Page } from './cursor';
import type { CycleCounts } from './cycles';
import type { Database, ProvisioningLogTable } from './tables';

/** Entra's provisioning actions. A skip is action `Other` with status `Skipped`. */
export type ProvisioningAction = 'Create' | 'Update' | 'Delete' | 'Disable' | 'StagedDelete' | 'Other';

export type ProvisioningStatus = 'Success' | 'Failure' | 'Skipped' | 'Warning';

/** One exported attribute: its value before and after (absent = no value). */
export interface ModifiedProperty {
  name: string;
  old?: JsonValue;
  new?: JsonValue;
}

/** One step of the processing of an object: import, scoping, matching, processing, referenceResolution, export. */
export interface ProvisioningStep {
  name: string;
  status: ProvisioningStatus;
  detail?: string;
  /** Structured detail (e.g. the scoping clauses evaluated), stored as JSON. */
  data?: unknown;
}

/** What the reconcile path records about one action. */
export interface ProvisioningLogInput {
  appId: string;
  /** Null for on-demand provisioning outside a cycle. */
  cycleId?: string | null;
  /** Unique per change; appending the same change again is a no-op. */
  changeId: string;
  objectType: ObjectType;
  sourceId: string;
  sourceDisplay?: string | null;
  targetId?: string | null;
  action: ProvisioningAction;
  status: ProvisioningStatus;
  reason?: string | null;
  modifiedProperties?: ModifiedProperty[];
  steps?: ProvisioningStep[];
  error?: ErrorInfo | null;
  startedAt: Instant;
  durationMs: number;
}

export interface ProvisioningLogEntry {
  id: string;
  appId: string;
  cycleId: string | null;
  changeId: string;
  objectType: ObjectType;
  sourceId: string;
  sourceDisplay: string | null;
  targetId: string | null;
  action: ProvisioningAction;
  status: ProvisioningStatus;
  reason: string | null;
  modifiedProperties: ModifiedProperty[];
  steps: ProvisioningStep[];
  error: ErrorInfo | null;
  startedAt: string;
  durationMs: number;
  /** When the entry was recorded; the log's order. */
  createdAt: string;
}

export interface ProvisioningLogFilter {
  /** One app's entries; every app's when absent. */
  appId?: string;
  sourceId?: string;
  targetId?: string;
  action?: ProvisioningAction | ProvisioningAction[];
  status?: ProvisioningStatus | ProvisioningStatus[];
  cycleId?: string;
  /** Entries recorded at or after this time. */
  from?: Instant;
  /** Entries recorded before this time. */
  to?: Instant;
}

export interface ProvisioningLogQuery extends ProvisioningLogFilter {
  /** Page size, 1..500 (default 100). */
  limit?: number;
  cursor?: string;
}

/** Whether a cursor is one a provisioning-log page gave out (its time and id as the store wrote them). */
export function isLogCursor(cursor: string): boolean {
  return readLogCursor(cursor) !== undefined;
}

/** Entries per page of {@link ProvisioningLogRepository.stream}. */
const STREAM_PAGE = 1000;

/** Rows per INSERT statement: well under PostgreSQL's 65,535 bind parameters. */
const APPEND_CHUNK = 500;

function toEntry(row: Selectable<ProvisioningLogTable>): ProvisioningLogEntry {
  return {
    id: String(row.id),
    appId: row.app_id,
    cycleId: row.cycle_id,
    changeId: row.change_id,
    objectType: row.object_type,
    sourceId: row.source_id,
    sourceDisplay: row.source_display,
    targetId: row.target_id,
    action: row.action,
    status: row.status,
    reason: row.reason,
    modifiedProperties: row.modified_properties,
    steps: row.steps,
    error: row.error,
    startedAt: iso(row.started_at),
    durationMs: row.duration_ms,
    createdAt: iso(row.created_at),
  };
}

const SUCCESS_COUNT: Record<ProvisioningAction, keyof CycleCounts> = {
  Create: 'created',
  Update: 'updated',
  Disable: 'disabled',
  Delete: 'deleted',
  StagedDelete: 'skipped',
  Other: 'skipped',
};

/** The cycle count an entry adds to. */
export function countKey(action: ProvisioningAction, status: ProvisioningStatus): keyof CycleCounts {
  if (status === 'Failure') return 'failed';
  if (status === 'Success') return SUCCESS_COUNT[action];
  return 'skipped';
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Up to `limit` entries matching `filter`, newest first, after the key `after` (time and id). */
function selectPage(
  db: Kysely<Database>,
  filter: ProvisioningLogFilter,
  after: readonly [Instant, number] | undefined,
  limit: number,
): Promise<Selectable<ProvisioningLogTable>[]> {
  let query = db.selectFrom('provisioning_log').selectAll();
  if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
  if (filter.sourceId !== undefined) query = query.where('source_id', '=', filter.sourceId);
  if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
  if (filter.cycleId !== undefined) query = query.where('cycle_id', '=', filter.cycleId);
  if (filter.action !== undefined) query = query.where('action', 'in', asList(filter.action));
  if (filter.status !== undefined) query = query.where('status', 'in', asList(filter.status));
  if (filter.from !== undefined) query = query.where('created_at', '>=', toDate(filter.from));
  if (filter.to !== undefined) query = query.where('created_at', '<', toDate(filter.to));
  if (after !== undefined) {
    const [createdAt, id] = after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(toDate(createdAt), id)));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The provisioning-log repository. */
export function createProvisioningLogRepository(db: Kysely<Database>) {
  async function appendNew(entries: readonly ProvisioningLogInput[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let start = 0; start < entries.length; start += APPEND_CHUNK) {
      const rows = entries.slice(start, start + APPEND_CHUNK).map((entry) => ({
        app_id: entry.appId,
        cycle_id: entry.cycleId ?? null,
        change_id: entry.changeId,
        object_type: entry.objectType,
        source_id: entry.sourceId,
        source_display: entry.sourceDisplay ?? null,
        target_id: entry.targetId ?? null,
        action: entry.action,
        status: entry.status,
        reason: entry.reason ?? null,
        modified_properties: json(entry.modifiedProperties ?? []),
        steps: json(entry.steps ?? []),
        error: entry.error == null ? null : json(entry.error),
        started_at: toDate(entry.startedAt),
        duration_ms: Math.max(0, Math.round(entry.durationMs)),
      }));
      const added = await db
        .insertInto('provisioning_log')
        .values(rows)
        .onConflict((oc) => oc.column('change_id').doNothing())
        .returning('change_id')
        .execute();
      for (const { change_id } of added) inserted.add(change_id);
    }
    return inserted;
  }

  return {
    /**
     * Records entries in batch. Entries whose change id is already recorded are left as they
     * are, so a retried activity logs each change once.
     *
     * @returns how many entries were new
     */
    async append(entries: readonly ProvisioningLogInput[]): Promise<number> {
      return (await appendNew(entries)).size;
    },

    /** Like `append`; returns the change ids of the entries that were new. */
    appendNew,

    /**
     * Entries matching every given filter, newest first, a page at a time. The cursor is stable:
     * entries recorded after the first page do not shift later pages.
     */
    async query(filter: ProvisioningLogQuery): Promise<Page<ProvisioningLogEntry>> {
      const limit = pageLimit(filter.limit, 500, 100);
      const after = filter.cursor === undefined ? undefined : decodeLogCursor(filter.cursor);
      const rows = await selectPage(db, filter, after, limit + 1);
      return toPage(rows, limit, toEntry, (row) => [iso(row.created_at), row.id]);
    },

    /**
     * Every entry matching the filter, newest first, read from the database in keyset pages of
     * `pageSize` (default 1,000): an export of any size holds one page at a time.
     */
    async *stream(filter: ProvisioningLogFilter, pageSize = STREAM_PAGE): AsyncGenerator<ProvisioningLogEntry> {
      let after: readonly [Date, number] | undefined;
      for (;;) {
        const rows = await selectPage(db, filter, after, pageSize);
        for (const row of rows) yield toEntry(row);
        const last = rows[rows.length - 1];
        if (rows.length < pageSize || last === undefined) return;
        after = [last.created_at, last.id];
      }
    },

    /**
     * What a cycle did, counted from its entries: successes by action, failures, and skips
     * (warnings and held-back deprovisionings count as skips; `staged` counts the latter).
     * Exact even when activities were retried.
     */
    async countsByCycle(cycleId: string): Promise<CycleCounts & { staged: number }> {
      const rows = await db
        .selectFrom('provisioning_log')
        .select((eb) => ['action', 'status', eb.fn.countAll<number>().as('n')])
        .where('cycle_id', '=', cycleId)
        .groupBy(['action', 'status'])
        .execute();
      const counts = { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0, staged: 0 };
      for (const row of rows) {
        counts[countKey(row.action, row.status)] += Number(row.n);
        if (row.action === 'StagedDelete') counts.staged += Number(row.n);
      }
      return counts;
    },

    /** How many of a cycle's failures have a change id matching one of `patterns` (SQL LIKE). */
    async failuresMatching(cycleId: string, patterns: readonly string[]): Promise<number> {
      if (patterns.length === 0) return 0;
      const row = await db
        .selectFrom('provisioning_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cycle_id', '=', cycleId)
        .where('status', '=', 'Failure')
        .where((eb) => eb.or(patterns.map((pattern) => eb('change_id', 'like', pattern))))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type ProvisioningLogRepository = ReturnType<typeof createProvisioningLogRepository>;
