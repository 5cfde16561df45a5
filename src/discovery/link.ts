/**
 * Linking an unmatched account to a source object: the anchor a matching cycle would write
 * (the account's managed values as last written, so the next cycle updates only what differs),
 * and the account marked linked, in one transaction. An orphan's anchor, which names a source
 * object the directory no longer has, is replaced.
 */
import { ProvisioningError } from '../errors/index';
import type { ObjectType } from '../source/index';
import type { Anchor, Instant, Store, UnmatchedAccount } from '../store/index';

export interface LinkInput {
  appId: string;
  /** The account's id in the target. */
  targetId: string;
  /** Needed only when a user and a group of the target share the id. */
  objectType?: ObjectType;
  /** The source object to link it to. */
  objectId: string;
  at: Instant;
}

/** Why a link was refused: the HTTP status, a code and the field at fault. */
export interface LinkRefusal {
  status: 404 | 409;
  code: 'NotFound' | 'AmbiguousAccount' | 'AlreadyLinked' | 'AccountLinked';
  field: 'accountId' | 'objectType' | 'objectId';
  message: string;
}

export type LinkOutcome = { linked: true; anchor: Anchor; account: UnmatchedAccount } | { linked: false; refusal: LinkRefusal };

const refused = (refusal: LinkRefusal): LinkOutcome => ({ linked: false, refusal });

/** The one unmatched account a link or leave names, or why there is none. */
export async function accountFor(
  store: Pick<Store, 'unmatchedAccounts'>,
  appId: string,
  targetId: string,
  objectType?: ObjectType,
): Promise<{ account: UnmatchedAccount } | { refusal: LinkRefusal }> {
  const accounts = await store.unmatchedAccounts.get(appId, targetId, objectType);
  if (accounts.length === 0) {
    return {
      refusal: {
        status: 404,
        code: 'NotFound',
        field: 'accountId',
        message: `accountId: the last scan found no unmatched ${objectType ?? 'account'} ${targetId} in the app`,
      },
    };
  }
  if (accounts.length > 1) {
    return {
      refusal: {
        status: 409,
        code: 'AmbiguousAccount',
        field: 'objectType',
        message: `objectType: a user and a group of the target both have id ${targetId}; name the one meant`,
      },
    };
  }
  return { account: accounts[0]! };
}

export async function linkAccount(store: Store, input: LinkInput): Promise<LinkOutcome> {
  const { appId, targetId, objectId } = input;
  return store.transaction(async (r) => {
    const found = await accountFor(r, appId, targetId, input.objectType);
    if ('refusal' in found) return refused(found.refusal);
    const { account } = found;
    const type = account.objectType;
    if (account.status === 'linked') {
      return refused({
        status: 409,
        code: 'AccountLinked',
        field: 'accountId',
        message: `accountId: ${type} ${targetId} is linked to ${account.linkedObjectId} already`,
      });
    }
    const existing = await r.anchors.get(appId, type, objectId);
    if (existing && existing.targetId !== targetId) {
      return refused({
        status: 409,
        code: 'AlreadyLinked',
        field: 'objectId',
        message: `objectId: ${type} ${objectId} has account ${existing.targetId} in the app already; remove its anchor first to link another`,
      });
    }
    const holder = (await r.anchors.byTargetIds(appId, type, [targetId])).get(targetId);
    if (holder && holder.sourceId !== objectId) {
      if (holder.sourceId !== account.orphanedSourceId) {
        return refused({
          status: 409,
          code: 'AccountLinked',
          field: 'accountId',
          message: `accountId: ${type} ${targetId} was linked to source object ${holder.sourceId} since the scan`,
        });
      }
      await r.anchors.delete(appId, type, holder.sourceId);
    }
    let anchor: Anchor;
    try {
      anchor = await r.anchors.upsert({
        appId,
        objectType: type,
        sourceId: objectId,
        targetId,
        lastExported: account.managed,
        state: account.account.active === false ? 'disabled' : 'active',
      });
    } catch (error) {
      if (!(error instanceof ProvisioningError && error.kind === 'conflict')) throw error;
      return refused({ status: 409, code: 'AccountLinked', field: 'accountId', message: `accountId: ${error.message}` });
    }
    await r.unmatchedAccounts.linked(appId, type, targetId, objectId, input.at);
    return { linked: true, anchor, account: { ...account, status: 'linked', linkedObjectId: objectId } };
  });
}
