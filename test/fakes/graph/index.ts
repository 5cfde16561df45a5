/**
 * The Graph fake of the tests: the sandbox tenant (src/sandbox) on the test CA that the global
 * setup wrote and every test process trusts.
 *
 * @example
 * const fake = await startFakeGraph();
 * const alice = fake.addUser({ userPrincipalName: 'alice@contoso.test', displayName: 'Alice' });
 * // ... fake.updateUser(alice.id, { displayName: 'Alice B' }); fake.expireDeltaTokens(); ...
 * await fake.close();
 */
import {
  startSandboxGraph,
  type SandboxGraph,
  type SandboxGraphOptions,
  type SandboxRequestLog,
  type SandboxSourceConfig,
} from '../../../src/sandbox/index';
import { testEnv } from '../../support/env';

export type { AppRole, AppRoleAssignment, GroupProperties, GroupRecord, Json, UserRecord } from '../../../src/sandbox/index';
export type FakeGraph = SandboxGraph;
export type FakeGraphOptions = Omit<SandboxGraphOptions, 'tlsDir'>;
export type FakeRequestLog = SandboxRequestLog;
export type FakeSourceConfig = SandboxSourceConfig;

/** Starts a fake tenant on a free loopback port. */
export function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  return startSandboxGraph({ tlsDir: testEnv.tlsDir, ...options });
}
