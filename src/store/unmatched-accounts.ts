/**
 * Unmatched accounts: the target's accounts that match no source object, as each app's last
 * scan found them, with the nearest source object and an admin's decision (left, linked), and
 * the state of each app's last scan. A scan records what it finds as it goes and, when it
 * finishes, forgets the accounts it did not see again (gone from the target, or matched now).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AccountView, Candidate } from '../discovery/candidates';
import type { ErrorInfo } from '../errors/index';
import type { ObjectType } from '../source/index';
import { iso, isoOrNull, json, toDate, type Instant, type JsonValue } from './columns';
import { decodeCursor, pageLimit, readCursor, toPage, type Page } from './cursor';
import type { Database, UnmatchedAccountsTable, UnmatchedScansTable } from './tables';

/** `local`: no anchor links the account; `orphan`: its anchor names a source object the directory no longer has. */
export type UnmatchedKind = 'local' | 'orphan';
/** `unmatched` until an admin decides: `left` (known, not listed by default) or `linked` (to a source object). */
export type UnmatchedStatus = 'unmatched' | 'left' | 'linked';

export interface UnmatchedAccount {
  appId: string;
  objectType: ObjectType;
  /** The account's id in the target. */
  targetId: string;
  kind: UnmatchedKind;
  status: UnmatchedStatus;
  account: AccountView;
  /** The managed values read from the account (what a link records as last written). */
  managed: Record<string, JsonValue>;
  /** For an orphan: the source object its anchor names, gone from the directory. */
  orphanedSourceId: string | null;
  candidate: Candidate | null;
  /** The source object an admin linked the account to. */
  linkedObjectId: string | null;
  /** When an admin left or linked it. */
  decidedAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** One account a scan found. */
export type FoundAccount = Pick<
  UnmatchedAccount,
  'objectType' | 'targetId' | 'kind' | 'account' | 'managed' | 'orphanedSourceId' | 'candidate'
>;

export interface ScanCounts {
  /** Accounts listed from the target. */
  listed: number;
  /** Of them, matching no source object. */
  unmatched: number;
  local: number;
  orphaned: number;
  /** Of the unmatched, those an admin left. */
  left: number;
}

export interface UnmatchedScan {
  appId: string;
  scanId: string;
  state: 'running' | 'finished' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  counts: ScanCounts | null;
  error: ErrorInfo | null;
}

export interface UnmatchedFilter {
  /** Default: `unmatched` only. */
  status?: UnmatchedStatus | 'all';
  objectType?: ObjectType;
  kind?: UnmatchedKind;
}

/** Whether a cursor is one `list` gave out. */
export function isUnmatchedCursor(cursor: string): boolean {
  return readCursor(cursor, ['string', 'string']) !== undefined;
}

function toAccount(row: Selectable<UnmatchedAccountsTable>): UnmatchedAccount {
  return {
    appId: row.app_id,
    objectType: row.object_type,
    targetId: row.target_id,
    kind: row.kind,
    status: row.status,
    account: row.account,
    managed: row.managed,
    orphanedSourceId: row.orphaned_source_id,
    candidate: row.candidate,
    linkedObjectId: row.linked_object_id,
    decidedAt: isoOrNull(row.decided_at),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
  };
}

function toScan(row: Selectable<UnmatchedScansTable>): UnmatchedScan {
  return {
    appId: row.app_id,
    scanId: row.scan_id,
    state: row.state,
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    counts: row.counts,
    error: row.error,
  };
}

export function createUnmatchedAccountsRepository(db: Kysely<Database>) {
  return {
    /** Records that a scan runs; the same scan again (a retried activity) keeps its start. */
    async beginScan(appId: string, scanId: string, at: Instant): Promise<void> {
      await db
        .insertInto('unmatched_scans')
        .values({ app_id: appId, scan_id: scanId, state: 'running', started_at: toDate(at) })
        .onConflict((oc) =>
          oc.column('app_id').doUpdateSet((eb) => ({
            scan_id: eb.ref('excluded.scan_id'),
            state: 'running',
            started_at: sql<Date>`case when unmatched_scans.scan_id = excluded.scan_id and unmatched_scans.state = 'running' then unmatched_scans.started_at else excluded.started_at end`,
            finished_at: null,
            counts: null,
            error: null,
          })),
        )
        .execute();
    },

    /**
     * Records accounts a scan found. One seen before keeps its first sighting and an admin's
     * `left`; one an admin had linked is unmatched again (its anchor is gone since).
     */
    async record(appId: string, scanId: string, found: readonly FoundAccount[], at: Instant): Promise<void> {
      if (found.length === 0) return;
      const seen = toDate(at);
      await db
        .insertInto('unmatched_accounts')
        .values(
          found.map((f) => ({
            app_id: appId,
            object_type: f.objectType,
            target_id: f.targetId,
            kind: f.kind,
            account: json(f.account),
            managed: json(f.managed),
            orphaned_source_id: f.orphanedSourceId,
            candidate: f.candidate === null ? null : json(f.candidate),
            first_seen_at: seen,
            last_seen_at: seen,
            last_scan_id: scanId,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['app_id', 'object_type', 'target_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            account: eb.ref('excluded.account'),
            managed: eb.ref('excluded.managed'),
            orphaned_source_id: eb.ref('excluded.orphaned_source_id'),
            candidate: eb.ref('excluded.candidate'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
            last_scan_id: eb.ref('excluded.last_scan_id'),
            status: sql<UnmatchedStatus>`case when unmatched_accounts.status = 'linked' then 'unmatched' else unmatched_accounts.status end`,
            linked_object_id: sql<null>`case when unmatched_accounts.status = 'linked' then null else unmatched_accounts.linked_object_id end`,
            decided_at: sql<Date | null>`case when unmatched_accounts.status = 'linked' then null else unmatched_accounts.decided_at end`,
          })),
        )
        .execute();
    },

    /**
     * Ends a scan: forgets the app's accounts it did not see, and records its counts (with how
     * many of the unmatched an admin left). A scan that is no longer the app's last changes nothing.
     */
    async finishScan(appId: string, scanId: string, counts: Omit<ScanCounts, 'left'>, at: Instant): Promise<ScanCounts | undefined> {
      const work = async (trx: Kysely<Database>) => {
        const scan = await trx.selectFrom('unmatched_scans').select('scan_id').where('app_id', '=', appId).forUpdate().executeTakeFirst();
        if (scan?.scan_id !== scanId) return undefined;
        await trx.deleteFrom('unmatched_accounts').where('app_id', '=', appId).where('last_scan_id', '<>', scanId).execute();
        const { left } = await trx
          .selectFrom('unmatched_accounts')
          .select((eb) => eb.fn.countAll<number>().as('left'))
          .where('app_id', '=', appId)
          .where('status', '=', 'left')
          .executeTakeFirstOrThrow();
        const all: ScanCounts = { ...counts, left };
        await trx
          .updateTable('unmatched_scans')
          .set({ state: 'finished', finished_at: toDate(at), counts: json(all), error: null })
          .where('app_id', '=', appId)
          .execute();
        return all;
      };
      return db.isTransaction ? work(db) : db.transaction().execute(work);
    },

    /** Records that a scan failed; the accounts of the scans before stay as they were found. */
    async failScan(appId: string, scanId: string, error: ErrorInfo, at: Instant): Promise<void> {
      await db
        .updateTable('unmatched_scans')
        .set({ state: 'failed', finished_at: toDate(at), error: json(error) })
        .where('app_id', '=', appId)
        .where('scan_id', '=', scanId)
        .execute();
    },

    /** The app's last scan, if it had one. */
    async scan(appId: string): Promise<UnmatchedScan | undefined> {
      const row = await db.selectFrom('unmatched_scans').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toScan(row);
    },

    /** The app's unmatched accounts in (object type, target id) order, a page at a time. */
    async list(appId: string, filter: UnmatchedFilter & { limit?: number; cursor?: string } = {}): Promise<Page<UnmatchedAccount>> {
      const limit = pageLimit(filter.limit, 1000, 100);
      let query = db.selectFrom('unmatched_accounts').selectAll().where('app_id', '=', appId);
      const status = filter.status ?? 'unmatched';
      if (status !== 'all') query = query.where('status', '=', status);
      if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      if (filter.cursor !== undefined) {
        const [objectType, targetId] = decodeCursor(filter.cursor, ['string', 'string']);
        query = query.where((eb) => eb(eb.refTuple('object_type', 'target_id'), '>', eb.tuple(objectType as ObjectType, targetId)));
      }
      const rows = await query
        .orderBy('object_type')
        .orderBy('target_id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, toAccount, (row) => [row.object_type, row.target_id]);
    },

    /** The accounts with this target id (a user and a group may share one), users first. */
    async get(appId: string, targetId: string, objectType?: ObjectType): Promise<UnmatchedAccount[]> {
      let query = db.selectFrom('unmatched_accounts').selectAll().where('app_id', '=', appId).where('target_id', '=', targetId);
      if (objectType !== undefined) query = query.where('object_type', '=', objectType);
      return (await query.orderBy('object_type', 'desc').execute()).map(toAccount);
    },

    /** An admin leaves the account: known, listed again only when asked for. Returns false when there is no such account. */
    async leave(appId: string, objectType: ObjectType, targetId: string, at: Instant): Promise<boolean> {
      const result = await db
        .updateTable('unmatched_accounts')
        .set({ status: 'left', decided_at: toDate(at), linked_object_id: null })
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('target_id', '=', targetId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** An admin linked the account to a source object (the anchor is written beside it). */
    async linked(appId: string, objectType: ObjectType, targetId: string, objectId: string, at: Instant): Promise<void> {
      await db
        .updateTable('unmatched_accounts')
        .set({ status: 'linked', decided_at: toDate(at), linked_object_id: objectId })
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('target_id', '=', targetId)
        .execute();
    },
  };
}

export type UnmatchedAccountsRepository = ReturnType<typeof createUnmatchedAccountsRepository>;
