/**
 * Groups and memberships converge on different targets: scim2-server with every feature, without
 * PATCH (GET, apply, PUT), without ETags and bulk, SCIMMY (another implementation), and
 * scim2-server behind a proxy that throttles, fails and drops answers after the target did the
 * work. Each case runs an initial cycle and an incremental one (members added and removed, a
 * rename, a deletion, a member provisioned in the same cycle) and ends with exactly the expected
 * groups and members: no duplicate user, group or member. A target without a Group resource type
 * keeps provisioning users and says why groups are not written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/tools/index';
import type { UserRecord } from '../fakes/graph/index';
import { freshScimTenant, testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { startScimServer, type ScimServer } from '../support/scim-server';
import { startScimmyServer, type ScimmyServer } from '../support/scimmy-server';

let h: Harness;
let noPatch: ScimServer;
let noEtag: ScimServer;
let usersOnly: ScimServer;
let scimmy: ScimmyServer;
let scimmyBehindProxy: ScimmyServer;
let proxy: FaultProxy;
let scimmyProxy: FaultProxy;
let dir = '';

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const config = (patch: boolean) => ({
  schemas: [SPC],
  patch: { supported: patch },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 1000 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
});

beforeAll(async () => {
  await mkdir(join(projectRoot, '.test-tmp'), { recursive: true });
  dir = await mkdtemp(join(projectRoot, '.test-tmp', 'group-targets-'));
  const [noPatchSpc, noEtagSpc, userTypes] = [join(dir, 'no-patch.json'), join(dir, 'no-etag.json'), join(dir, 'user-type.json')];
  await writeFile(noPatchSpc, JSON.stringify(config(false)));
  await writeFile(noEtagSpc, JSON.stringify(config(true)));
  await writeFile(
    userTypes,
    JSON.stringify([
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
        schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
      },
    ]),
  );
  const token = () => randomBytes(16).toString('hex');
  [h, noPatch, noEtag, usersOnly, scimmy, proxy] = await Promise.all([
    startHarness(),
    startScimServer({ token: token(), serviceProviderConfig: noPatchSpc }),
    startScimServer({ token: token(), serviceProviderConfig: noEtagSpc }),
    startScimServer({ token: token(), extraArgs: ['--resource-type', userTypes] }),
    startScimmyServer({ token: token() }),
    startFaultProxy({ target: testEnv.scimUrl }),
  ]);
  scimmyBehindProxy = await startScimmyServer({ token: token() });
  scimmyProxy = await startFaultProxy({ target: scimmyBehindProxy.url });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([
    noPatch?.stop(),
    noEtag?.stop(),
    usersOnly?.stop(),
    scimmy?.stop(),
    scimmyBehindProxy?.stop(),
    proxy?.stop(),
    scimmyProxy?.stop(),
  ]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Where an app writes, and how the test reads that target back. */
interface Target {
  baseUrl: string;
  token: string;
  users(): Promise<any[]>;
  groups(): Promise<any[]>;
}

async function listAll(baseUrl: string, token: string, endpoint: 'Users' | 'Groups'): Promise<any[]> {
  const resources: any[] = [];
  for (let startIndex = 1; ;) {
    const response = await fetch(`${baseUrl}/${endpoint}?startIndex=${startIndex}&count=500`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status, `listing ${endpoint}`).toBe(200);
    const page = (await response.json()) as { Resources?: any[]; totalResults: number };
    resources.push(...(page.Resources ?? []));
    if (!page.Resources?.length || resources.length >= page.totalResults) return resources;
    startIndex += page.Resources.length;
  }
}

/** A fresh tenant of a scim2-server (the shared one unless given), read directly, not through a proxy. */
function scim2Tenant(server?: ScimServer, writeThrough?: string): Target {
  const tenant = new URL(freshScimTenant()).pathname;
  const direct = `${server?.url ?? testEnv.scimUrl}${tenant}`;
  const token = server?.token ?? testEnv.scimToken;
  return {
    baseUrl: writeThrough ? `${writeThrough}${tenant}` : direct,
    token,
    users: () => listAll(direct, token, 'Users'),
    groups: () => listAll(direct, token, 'Groups'),
  };
}

/**
 * The target's groups as "displayName: member userNames, sorted", after checking that its users'
 * userNames are unique, no two groups share a displayName and no group lists a member twice.
 */
async function stateOf(target: Target): Promise<{ users: string[]; groups: Record<string, string[]> }> {
  const users = await target.users();
  const userNames = users.map((u) => u.userName as string).sort();
  expect(new Set(userNames).size, 'duplicate users in the target').toBe(userNames.length);
  const byId = new Map(users.map((u) => [u.id as string, u.userName as string]));
  const groups: Record<string, string[]> = {};
  for (const group of await target.groups()) {
    expect(groups[group.displayName], `two target groups named ${group.displayName}`).toBeUndefined();
    const ids = ((group.members ?? []) as { value: string }[]).map((m) => m.value);
    expect(new Set(ids).size, `${group.displayName} lists a member twice`).toBe(ids.length);
    groups[group.displayName] = ids.map((id) => byId.get(id) ?? `unknown:${id}`).sort();
  }
  return { users: userNames, groups };
}

const run = async (appId: string, previous: string) => {
  await h.api('POST', `/api/v1/apps/${appId}/run`);
  return h.waitForCycle(appId, previous);
};

/** Capability overrides that keep each write its own request (no SCIM Bulk), so faults hit single PATCHes. */
const SINGLE_REQUESTS = (maxMembersPerPatch: number) => ({ maxMembersPerPatch, bulk: { supported: false } });

/** What member PATCHes carry: `add` to and `remove` from `members`. */
const MEMBERS = '"path":"members';

/**
 * Plans faults per cycle on a proxy (`before` plans those of the cycle about to run) and counts
 * those injected since, so a test sees that every fault it planned hit a request.
 */
function planFaults(on: FaultProxy, perCycle: Record<number, FaultRule[]>) {
  const seen = on.requests.length;
  return {
    before: (n: number) => (perCycle[n] ?? []).forEach((rule) => on.plan(rule)),
    total: Object.values(perCycle)
      .flat()
      .reduce((sum, rule) => sum + rule.times, 0),
    injected: () => on.requests.slice(seen).filter((r) => r.fault).length,
  };
}

const upns = (people: (UserRecord | undefined)[]) => people.map((p) => p!.userPrincipalName).sort();

interface Scenario {
  /** First person number; the case's users are `user<from>`... and its groups `G<from> ...`. */
  from: number;
  /** Members of an extra large group. */
  big?: number;
  overrides?: Record<string, unknown>;
  /** Runs before each cycle, with the cycle's number (1 or 2). */
  beforeCycle?: (n: number) => void;
}

/**
 * An app with groups enabled writes into `target` over an initial and an incremental cycle; the
 * target must hold exactly the expected users, groups and members after each.
 */
async function converges(target: Target, scenario: Scenario) {
  const { from, big = 0 } = scenario;
  const prefix = `G${from}`;
  const people = addPeople(h.graph, 6 + big, from);
  const [ada, bob, cy, dee, eve, fay] = people;
  const crowd = people.slice(6);
  const sales = h.graph.addGroup({ displayName: `${prefix} Sales` });
  const ops = h.graph.addGroup({ displayName: `${prefix} Ops` });
  const quiet = h.graph.addGroup({ displayName: `${prefix} Quiet` });
  h.graph.addMembers(sales.id, [ada!.id, bob!.id, cy!.id]);
  h.graph.addMembers(ops.id, [dee!.id, ada!.id]);
  const large = big ? h.graph.addGroup({ displayName: `${prefix} All hands` }) : undefined;
  if (large) h.graph.addMembers(large.id, [ada!.id, ...crowd.map((p) => p.id)]);

  scenario.beforeCycle?.(1);
  const app = await h.createApp({
    target: { type: 'scim', baseUrl: target.baseUrl, auth: { type: 'bearer', token: target.token } },
    groups: { enabled: true },
    scoping: {
      user: {
        groups: [
          { clauses: [{ attribute: 'userPrincipalName', operator: 'REGEX MATCH', value: `^user${Math.floor(from / 1000)}\\d{3}@` }] },
        ],
      },
      group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: `^${prefix} ` }] }] },
    },
    ...scenario.overrides,
  });
  const first = await h.waitForCycle(app.id);
  expect(first, JSON.stringify(first)).toMatchObject({ kind: 'initial', state: 'succeeded', counts: { failed: 0 } });
  expect(await stateOf(target)).toEqual({
    users: upns(people),
    groups: {
      [`${prefix} Sales`]: upns([ada, bob, cy]),
      [`${prefix} Ops`]: upns([ada, dee]),
      [`${prefix} Quiet`]: [],
      ...(large && { [`${prefix} All hands`]: upns([ada, ...crowd]) }),
    },
  });

  // Members move, a group is renamed, another deleted, and a new person joins in the same cycle.
  const [newcomer] = addPeople(h.graph, 1, from + 900);
  h.graph.updateGroup(sales.id, { displayName: `${prefix} Revenue` });
  h.graph.removeMember(sales.id, bob!.id);
  h.graph.addMembers(sales.id, [dee!.id, newcomer!.id]);
  h.graph.addMembers(quiet.id, [eve!.id, fay!.id]);
  h.graph.deleteGroup(ops.id, true);
  const leaving = crowd.slice(0, 40);
  if (large) {
    for (const p of leaving) h.graph.removeMember(large.id, p.id);
    h.graph.addMembers(large.id, [bob!.id, newcomer!.id]);
  }
  scenario.beforeCycle?.(2);
  const second = await run(app.id, first.id);
  expect(second, JSON.stringify(second)).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { failed: 0 } });
  expect(await stateOf(target)).toEqual({
    users: upns([...people, newcomer]),
    groups: {
      [`${prefix} Revenue`]: upns([ada, cy, dee, newcomer]),
      [`${prefix} Quiet`]: upns([eve, fay]),
      ...(large && { [`${prefix} All hands`]: upns([ada, bob, newcomer, ...crowd.slice(40)]) }),
    },
  });
  return { app, first, second };
}

describe('groups on targets that differ', () => {
  it('converges on scim2-server with every feature, a large group in chunks of 50', async () => {
    const target = scim2Tenant();
    const { app } = await converges(target, {
      from: 20_000,
      big: 300,
      overrides: { capabilities: { overrides: { maxMembersPerPatch: 50 } } },
    });
    const status = await h.api('GET', `/api/v1/apps/${app.id}`);
    expect(status.body.capabilities.discovered).toMatchObject({ patch: true, etag: true, bulk: { supported: true } });
  });

  it('converges on scim2-server without PATCH, by GET and PUT of the group, in chunks', async () => {
    const target = scim2Tenant(noPatch);
    const before = h.scimRequests.length;
    const { app } = await converges(target, {
      from: 21_000,
      big: 120,
      overrides: { capabilities: { overrides: { maxMembersPerPatch: 50 } } },
    });
    const status = await h.api('GET', `/api/v1/apps/${app.id}`);
    expect(status.body.capabilities.discovered).toMatchObject({ patch: false });
    const writes = h.scimRequests.slice(before).filter((r) => r.path.startsWith('/Groups/') && r.method !== 'GET');
    expect(writes.some((r) => r.method === 'PATCH')).toBe(false);
    // The large group's 121 members take three writes of at most 50 on the initial cycle alone.
    expect(writes.filter((r) => r.method === 'PUT').length).toBeGreaterThanOrEqual(3 + 2);
  });

  it('converges on scim2-server without ETags or bulk, a large group in PATCHes of at most 50 members', async () => {
    const target = scim2Tenant(noEtag);
    const before = h.scimRequests.length;
    const { app } = await converges(target, {
      from: 22_000,
      big: 150,
      overrides: { capabilities: { overrides: { maxMembersPerPatch: 50 } } },
    });
    const status = await h.api('GET', `/api/v1/apps/${app.id}`);
    expect(status.body.capabilities.discovered).toMatchObject({ patch: true, etag: false, bulk: { supported: false } });
    const patches = h.scimRequests.slice(before).filter((r) => r.path.startsWith('/Groups/') && r.method === 'PATCH');
    // 151 members: four PATCHes on the initial cycle; then a rename and member changes.
    expect(patches.length).toBeGreaterThanOrEqual(4 + 3);
  });

  it('converges on SCIMMY', async () => {
    const target: Target = {
      baseUrl: scimmy.url,
      token: scimmy.token,
      users: async () => scimmy.users(),
      groups: async () => scimmy.groups(),
    };
    await converges(target, { from: 23_000 });
  });

  it('converges through throttling, server errors and answers lost after scim2-server did the work', async () => {
    const target = scim2Tenant(undefined, proxy.url);
    const planned = planFaults(proxy, {
      1: [
        { times: 2, match: { method: 'GET', pathIncludes: '/Groups' }, fault: { kind: 'status', status: 429, retryAfter: '0.1' } },
        { times: 1, match: { method: 'POST', pathIncludes: '/Groups' }, fault: { kind: 'drop', when: 'after' } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: MEMBERS }, fault: { kind: 'status', status: 503, retryAfter: '0.1' } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: MEMBERS }, fault: { kind: 'drop', when: 'after' } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: MEMBERS }, fault: { kind: 'status', status: 500 } },
      ],
      2: [
        { times: 1, match: { method: 'PATCH', bodyIncludes: '"path":"displayName"' }, fault: { kind: 'drop', when: 'after' } },
        { times: 2, match: { method: 'PATCH', bodyIncludes: '"path":"displayName"' }, fault: { kind: 'status', status: 500 } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: MEMBERS }, fault: { kind: 'drop', when: 'after' } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: MEMBERS }, fault: { kind: 'status', status: 500 } },
        { times: 1, match: { method: 'DELETE', pathIncludes: '/Groups' }, fault: { kind: 'drop', when: 'after' } },
        { times: 1, match: { method: 'GET', pathIncludes: '/Groups' }, fault: { kind: 'status', status: 429, retryAfter: '0.1' } },
      ],
    });
    await converges(target, {
      from: 24_000,
      big: 60,
      overrides: { capabilities: { overrides: SINGLE_REQUESTS(25) } },
      beforeCycle: planned.before,
    });
    expect(planned.injected()).toEqual(planned.total);
  });

  it('converges on SCIMMY, which lists a member twice when it is added twice, when member answers are lost', async () => {
    const target: Target = {
      baseUrl: `${scimmyProxy.url}`,
      token: scimmyBehindProxy.token,
      users: async () => scimmyBehindProxy.users(),
      groups: async () => scimmyBehindProxy.groups(),
    };
    const addsMembers = '"op":"add","path":"members"';
    const planned = planFaults(scimmyProxy, {
      1: [{ times: 2, match: { method: 'PATCH', bodyIncludes: addsMembers }, fault: { kind: 'drop', when: 'after' } }],
      2: [
        { times: 2, match: { method: 'PATCH', bodyIncludes: addsMembers }, fault: { kind: 'drop', when: 'after' } },
        { times: 1, match: { method: 'PATCH', bodyIncludes: addsMembers }, fault: { kind: 'status', status: 502 } },
      ],
    });
    await converges(target, {
      from: 25_000,
      big: 40,
      overrides: { capabilities: { overrides: SINGLE_REQUESTS(10) } },
      beforeCycle: planned.before,
    });
    expect(planned.injected()).toEqual(planned.total);
  });

  it('provisions users into a target without a Group resource type and logs why its groups are skipped', async () => {
    const target = scim2Tenant(usersOnly);
    const people = addPeople(h.graph, 3, 26_000);
    const team = h.graph.addGroup({ displayName: 'G26000 Team' });
    h.graph.addMembers(
      team.id,
      people.slice(0, 2).map((p) => p.id),
    );
    const before = h.scimRequests.length;
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: target.baseUrl, auth: { type: 'bearer', token: target.token } },
      groups: { enabled: true },
      scoping: {
        user: { groups: [{ clauses: [{ attribute: 'userPrincipalName', operator: 'REGEX MATCH', value: '^user26\\d{3}@' }] }] },
        group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^G26000 ' }] }] },
      },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ state: 'succeeded', counts: { created: 3, failed: 0 } });
    expect((await h.api('GET', `/api/v1/apps/${app.id}`)).body.capabilities.discovered.resourceTypes).toMatchObject({
      user: true,
      group: false,
    });

    const [late] = addPeople(h.graph, 1, 26_900);
    h.graph.addMember(team.id, late!.id);
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ state: 'succeeded', counts: { created: 1, failed: 0 } });
    expect((await target.users()).map((u) => u.userName).sort()).toEqual(upns([...people, late]));
    expect(h.scimRequests.slice(before).filter((r) => r.path.startsWith('/Groups'))).toEqual([]);
    const logs = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${team.id}`);
    expect(logs.body.items).toHaveLength(2);
    for (const entry of logs.body.items) {
      expect(entry).toMatchObject({
        objectType: 'group',
        action: 'Other',
        status: 'Skipped',
        steps: expect.arrayContaining([expect.objectContaining({ name: 'scoping', status: 'Success' })]),
      });
      expect(entry.reason).toMatch(/^GroupsNotSupported: the target announces no Group resource type/);
    }
  });

  it('writes the membership changes of a group whose own update the target refuses', async () => {
    const target = scim2Tenant(undefined, proxy.url);
    const [ann, ben, cat] = addPeople(h.graph, 3, 27_000);
    const crew = h.graph.addGroup({ displayName: 'G27000 Crew' });
    h.graph.addMembers(crew.id, [ann!.id, ben!.id]);
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: target.baseUrl, auth: { type: 'bearer', token: target.token } },
      groups: { enabled: true },
      capabilities: { overrides: SINGLE_REQUESTS(100) },
      scoping: {
        user: { groups: [{ clauses: [{ attribute: 'userPrincipalName', operator: 'REGEX MATCH', value: '^user27\\d{3}@' }] }] },
        group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^G27000 ' }] }] },
      },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ state: 'succeeded', counts: { failed: 0 } });

    // Every attempt at the rename fails; the members still move.
    const planned = planFaults(proxy, {
      2: [{ times: 6, match: { method: 'PATCH', bodyIncludes: '"path":"displayName"' }, fault: { kind: 'status', status: 500 } }],
    });
    planned.before(2);
    h.graph.updateGroup(crew.id, { displayName: 'G27000 Team' });
    h.graph.removeMember(crew.id, ann!.id);
    h.graph.addMember(crew.id, cat!.id);
    const second = await run(app.id, first.id);
    // One object failed and the others went through: the cycle is partial, not succeeded.
    expect(second).toMatchObject({ state: 'partial', counts: { failed: 1 } });
    expect(planned.injected()).toBe(planned.total);
    expect((await stateOf(target)).groups).toEqual({ 'G27000 Crew': upns([ben, cat]) });
  });
});
