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
  /** Member object ids, for groups. */
  memberIds?: string[];
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
