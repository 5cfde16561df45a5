/** Microsoft Graph as a provisioning source: users, delta rounds and app assignments of an Entra tenant. */
export { createGraphSource, type GraphSource, type GraphSourceOptions } from './source';
export type { AssignedPrincipals } from './assignments';
export type { GraphConnection } from './reader';
export { DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL } from './endpoint';
