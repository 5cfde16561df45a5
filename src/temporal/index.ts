export { startDevServer, freePort, stopProcess, waitForPort } from './dev-server';
export type { DevServer, DevServerOptions } from './dev-server';
export { registerSearchAttributes, SEARCH_ATTRIBUTES } from './search-attributes';
export { bundleWorkflows, createWorker, WORKFLOWS_PATH } from './worker';
export { installTemporalRuntime } from './runtime';
export { probeTemporal, RECONNECT_QUICKLY, type TemporalProbe } from './health';
export { startLocalTemporal, DEV_SERVER_RECORD } from './local-server';
export type { LocalTemporal, LocalTemporalOptions } from './local-server';
