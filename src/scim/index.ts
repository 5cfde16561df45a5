/** SCIM 2.0: wire types, filters and the HTTP client for one target. */
export * from './types';
export { eqFilter, isAttributePath, type FilterValue } from './filter';
export {
  ScimClient,
  type PageRequest,
  type ResourceEndpoint,
  type ScimClientOptions,
  type ScimRequestInfo,
  type ScimRequestOptions,
} from './client';
export type { ScimPage, ScimResponse } from './responses';
export { classifyStatus } from './errors';
