/**
 * Accounts: what scimflow holds in each app, read from the anchors with the last provisioning-log
 * entry of each object (its display name and last change) beside it.
 */
import type { Kysely } from 'kysely';
import type { ScopeReason } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import type { AnchorState } from './anchors';
import { iso } from './columns';
import { decodeCursor, pageLimit, readCursor, toPage, type Page } from './cursor';
import type { ProvisioningAction, ProvisioningStatus } from './provisioning-log';
import type { Database } from './tables';

/** The last provisioning-log entry of an object in an app. */
export interface LastChange {
  at: string;
  action: ProvisioningAction;
  status: ProvisioningStatus;
  changeId: string;
}

/** One account scimflow holds in an app. */
export interface Account {
  appId: string;
  objectType: ObjectType;
  /** The source object's id (Entra object id). */
  objectId: string;
  /** The display name last logged or seen; null when neither is known. */
  displayName: string | null;
  /** The account's id in the target. */
  targetId: string;
  state: AnchorState;
  /** When the anchor was created. */
  since: string;
  /** When the anchor was last written. */
  updatedAt: string;
  /** The last provisioning-log entry of the object; null when the log holds none (purged, or written before logging). */
  lastChange: LastChange | null;
  /** Why the account is in scope, as decided by the last write that scoped it; null for anchors written before it was recorded. */
  reason: ScopeReason | null;
}

export interface AccountFilter {
  objectType?: ObjectType;
  state?: AnchorState;
  /** One source object's id. */
  objectId?: string;
}

/** A person's account in one app. */
export type PersonAccount = Pick<Account, 'appId' | 'targetId' | 'state' | 'since' | 'updatedAt' | 'lastChange' | 'reason'> & {
  appDisplayName: string;
};

/** Whether a cursor is one `listByApp` gave out. */
export function isAccountCursor(cursor: string): boolean {
  return readCursor(cursor, ['string', 'string']) !== undefined;
}

/** The accounts repository. */
export function createAccountsRepository(db: Kysely<Database>) {
  /** Anchors of an app (or of a person) with each object's last provisioning-log entry, by a lateral join on the log's (app, source) index. */
  const withLastChange = () =>
    db
      .selectFrom('anchors')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('provisioning_log as log')
            .select(['log.created_at', 'log.action', 'log.status', 'log.change_id', 'log.source_display'])
            .whereRef('log.app_id', '=', 'anchors.app_id')
            .whereRef('log.source_id', '=', 'anchors.source_id')
            .whereRef('log.object_type', '=', 'anchors.object_type')
            .orderBy('log.id', 'desc')
            .limit(1)
            .as('last'),
        (join) => join.onTrue(),
      )
      .selectAll('anchors')
      .select([
        'last.created_at as last_at',
        'last.action as last_action',
        'last.status as last_status',
        'last.change_id as last_change_id',
      ])
      .select((eb) =>
        eb.fn
          .coalesce('last.source_display', eb.cast<string | null>(eb.ref('anchors.source_snapshot', '->>').key('displayName'), 'text'))
          .as('display_name'),
      );

  type Row = Awaited<ReturnType<ReturnType<typeof withLastChange>['execute']>>[number];
  const lastChange = (row: Row): LastChange | null =>
    row.last_at === null || row.last_action === null || row.last_status === null || row.last_change_id === null
      ? null
      : { at: iso(row.last_at), action: row.last_action, status: row.last_status, changeId: row.last_change_id };

  return {
    /** An app's accounts in (object type, object id) order, a page at a time, filtered by type, state or object. */
    async listByApp(appId: string, filter: AccountFilter & { limit?: number; cursor?: string } = {}): Promise<Page<Account>> {
      const limit = pageLimit(filter.limit, 1000, 100);
      let query = withLastChange().where('anchors.app_id', '=', appId);
      if (filter.objectType !== undefined) query = query.where('anchors.object_type', '=', filter.objectType);
      if (filter.state !== undefined) query = query.where('anchors.state', '=', filter.state);
      if (filter.objectId !== undefined) query = query.where('anchors.source_id', '=', filter.objectId);
      if (filter.cursor !== undefined) {
        const [objectType, sourceId] = decodeCursor(filter.cursor, ['string', 'string']);
        query = query.where((eb) =>
          eb(eb.refTuple('anchors.object_type', 'anchors.source_id'), '>', eb.tuple(objectType as ObjectType, sourceId)),
        );
      }
      const rows = await query
        .orderBy('anchors.object_type')
        .orderBy('anchors.source_id')
        .limit(limit + 1)
        .execute();
      return toPage(
        rows,
        limit,
        (row): Account => ({
          appId: row.app_id,
          objectType: row.object_type,
          objectId: row.source_id,
          displayName: row.display_name ?? null,
          targetId: row.target_id,
          state: row.state,
          since: iso(row.created_at),
          updatedAt: iso(row.updated_at),
          lastChange: lastChange(row),
          reason: row.scope_reason,
        }),
        (row) => [row.object_type, row.source_id],
      );
    },

    /**
     * Every account of the app matching the filter, read in pages of `pageSize`: an export of
     * any size holds one page at a time. The first page is read before this resolves, so a
     * store failure is still an error answer rather than a cut one.
     */
    async stream(appId: string, filter: AccountFilter = {}, pageSize = 500): Promise<AsyncIterable<Account>> {
      const first = await this.listByApp(appId, { ...filter, limit: pageSize });
      const next = (cursor: string) => this.listByApp(appId, { ...filter, limit: pageSize, cursor });
      return (async function* () {
        for (let page = first; ; page = await next(page.nextCursor)) {
          yield* page.items;
          if (!page.nextCursor) return;
        }
      })();
    },

    /** Every app (not deleted) where the person (a user's object id) has an account, in app id order. */
    async ofPerson(objectId: string): Promise<PersonAccount[]> {
      const rows = await withLastChange()
        .innerJoin('apps', 'apps.id', 'anchors.app_id')
        .select('apps.display_name as app_display_name')
        .where('anchors.object_type', '=', 'user')
        .where('anchors.source_id', '=', objectId)
        .where('apps.deleted_at', 'is', null)
        .orderBy('anchors.app_id')
        .execute();
      return rows.map((row) => ({
        appId: row.app_id,
        appDisplayName: row.app_display_name,
        targetId: row.target_id,
        state: row.state,
        since: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        lastChange: lastChange(row),
        reason: row.scope_reason,
      }));
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
