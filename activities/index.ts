export { createActivities, toFailure, type ActivityDeps } from './activities';
export type { ClientFactories, TargetClient, UserSource } from './ports';
export type * from './types';
export { realClients, type ClientOptions } from './clients';
