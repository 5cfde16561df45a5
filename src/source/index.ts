/**
 * What every source (Microsoft Graph, HR events) hands to the reconcile path: a normalised
 * object with the source's own attribute names (Graph property names for Entra).
 */

/** A source attribute's value. Absent, null, empty string and empty array are distinct. */
export type SourceValue = string | number | boolean | null | SourceValue[] | { [key: string]: SourceValue };

export type ObjectType = 'user' | 'group';

export interface SourceObject {
  /** The source's immutable id (Entra object id). */
  id: string;
  type: ObjectType;
  /** Graph property names → values, e.g. `userPrincipalName`, `accountEnabled`, `mail`. */
  attributes: Record<string, SourceValue>;
  /**
   * Set when the source reported the object gone: `changed` (soft-deleted, restorable) or
   * `deleted` (permanently deleted). Such objects carry no attributes.
   */
  removed?: 'changed' | 'deleted';
  /**
   * For a group read in an incremental delta round: its member changes since the last round.
   * Absent when the group was read whole (an initial round, a retry, on demand): then its whole
   * membership is compared with the target.
   */
  memberDelta?: MemberDelta;
  /**
   * Set when the source sent only some attributes (a Graph delta round after the first carries
   * the changed properties only): the caller reads the full object before mapping it.
   */
  partial?: boolean;
}

/** A page of source objects and where to continue. */
export interface SourcePage {
  objects: SourceObject[];
  /** Absolute URL of the next page (Graph `@odata.nextLink`), absent on the last page. */
  nextLink?: string;
  /** Absolute URL to start the next incremental round from (Graph `@odata.deltaLink`), on the last page of a delta round. */
  deltaLink?: string;
}

/** A group's member changes as a delta round reports them. */
export interface MemberDelta {
  /** Ids of members added: users, nested groups or other directory objects (see `types`). */
  added: string[];
  /** Ids of members removed (the membership ended or the member was deleted). */
  removed: string[];
  /** The type of every listed member that is not a user: `group` (nested) or `other` (devices, contacts, ...). */
  types: Record<string, 'group' | 'other'>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is an Entra object id: a GUID such as `9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11`. */
export function isObjectId(id: string): boolean {
  return GUID.test(id);
}
