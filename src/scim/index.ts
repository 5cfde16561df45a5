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
export {
  CONSERVATIVE_PROFILE,
  DEFAULT_MAX_MEMBERS_PER_PATCH,
  DEFAULT_PAGE_SIZE,
  capabilityOverridesSchema,
  capabilityProfileSchema,
  mergeProfile,
  parseCapabilityOverrides,
  type CapabilityOverrides,
  type CapabilityProfile,
} from './capabilities';
export {
  discoverCapabilities,
  type CapabilityDiscovery,
  type DiscoveryEndpoint,
  type DiscoveryOptions,
  type DiscoveryRead,
} from './discovery';
export {
  testConnection,
  type ConnectionCheck,
  type ConnectionCheckName,
  type ConnectionTestOptions,
  type ConnectionTestResult,
} from './test-connection';
export { scimClientFor } from './for-app';
export { authorizationFor, type AuthorizationOptions, type TargetAuthorization } from './auth';
export {
  DEFAULT_CONCURRENCY,
  RateBudget,
  rateBudgetFor,
  type AcquireOptions,
  type RateBudgetClock,
  type RateBudgetPermit,
  type RateLimitSettings,
  type RequestOutcome,
} from './rate-budget';
export { shareRateBudgets, type BudgetBoard, type SharedBudgets, type SharedBudgetsOptions } from './shared-budgets';
export { encodePatchOperations, profiledWriter, replacementFor } from './target';
export {
  BulkBatcher,
  createdId,
  sendBulk,
  SCHEMA_BULK_REQUEST,
  type BulkLimits,
  type BulkOperation,
  type BulkResult,
  type BulkTransport,
} from './bulk';
