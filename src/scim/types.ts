/** SCIM 2.0 wire shapes (RFC 7643 / RFC 7644) that scimflow reads and writes. */

export const SCHEMA_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCHEMA_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCHEMA_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCHEMA_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCHEMA_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCHEMA_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A SCIM resource as JSON: `schemas`, `id`, `externalId`, core attributes and extension objects keyed by URN. */
export interface ScimResource {
  schemas: string[];
  id?: string;
  externalId?: string;
  meta?: { resourceType?: string; created?: string; lastModified?: string; location?: string; version?: string };
  [attribute: string]: unknown;
}

/** One operation of a PATCH request (RFC 7644 §3.5.2), RFC casing. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

export interface ListResponse<T = ScimResource> {
  schemas: string[];
  totalResults: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: T[];
}
