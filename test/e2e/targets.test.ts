/**
 * Provisioning converges on different targets: a SCIM server without PATCH (writes by PUT,
 * keeping what scimflow does not manage), SCIMMY (another SCIM implementation), and a target
 * behind a proxy that throttles and drops answers. Each ends in the exact expected state with no
 * duplicate account.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/tools/index';
import { freshScimTenant, testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { startScimServer, type ScimServer } from '../support/scim-server';
import { startScimmyServer, type ScimmyServer } from '../support/scimmy-server';

let h: Harness;
let noPatch: ScimServer;
let scimmy: ScimmyServer;
let proxy: FaultProxy;
let dir = '';

beforeAll(async () => {
  await mkdir(join(projectRoot, '.test-tmp'), { recursive: true });
  dir = await mkdtemp(join(projectRoot, '.test-tmp', 'targets-'));
  const spc = join(dir, 'no-patch.json');
  await writeFile(
    spc,
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: false },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
    }),
  );
  [h, noPatch, scimmy, proxy] = await Promise.all([
    startHarness(),
    startScimServer({ token: randomBytes(16).toString('hex'), serviceProviderConfig: spc }),
    startScimmyServer({ token: randomBytes(16).toString('hex') }),
    startFaultProxy({ target: testEnv.scimUrl }),
  ]);
});

afterAll(async () => {
  await h?.close();
  await Promise.all([noPatch?.stop(), scimmy?.stop(), proxy?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function listUsers(baseUrl: string, token: string): Promise<any[]> {
  const response = await fetch(`${baseUrl}/Users?count=1000`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { Resources?: any[] }).Resources ?? [];
}

async function runAndWait(appId: string, previous: string): Promise<any> {
  await h.api('POST', `/api/v1/apps/${appId}/run`);
  return h.waitForCycle(appId, previous);
}

describe('targets that differ', () => {
  it('writes by GET and PUT where the target has no PATCH, keeping attributes it does not manage', async () => {
    const people = addPeople(h.graph, 3, 11_000);
    const baseUrl = `${noPatch.url}/nopatch${randomBytes(4).toString('hex')}/v2`;
    const app = await h.createApp({ target: { type: 'scim', baseUrl, auth: { type: 'bearer', token: noPatch.token } } });
    const first = await h.waitForCycle(app.id);
    expect(first.counts.failed).toBe(0);
    const status = await h.api('GET', `/api/v1/apps/${app.id}`);
    expect(status.body.capabilities.discovered).toMatchObject({ patch: false });

    // Somebody sets an attribute scimflow does not manage; a later PUT must keep it.
    const ada = (await listUsers(baseUrl, noPatch.token)).find((u) => u.userName === people[0]!.userPrincipalName);
    await fetch(`${baseUrl}/Users/${ada.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${noPatch.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ ...ada, meta: undefined, nickName: 'Countess' }),
    });
    const before = h.scimRequests.length;
    h.graph.updateUser(people[0]!.id, { jobTitle: 'Analyst of Engines' });
    h.graph.updateUser(people[1]!.id, { accountEnabled: false });
    const second = await runAndWait(app.id, first.id);
    expect(second.counts).toMatchObject({ updated: 1, disabled: 1, failed: 0 });
    const methods = h.scimRequests.slice(before).map((r) => r.method);
    expect(methods).toContain('PUT');
    expect(methods).not.toContain('PATCH');
    const after = await listUsers(baseUrl, noPatch.token);
    expect(after.find((u) => u.id === ada.id)).toMatchObject({
      title: 'Analyst of Engines',
      nickName: 'Countess',
      userName: people[0]!.userPrincipalName,
    });
    expect(after.find((u) => u.userName === people[1]!.userPrincipalName)?.active).toBe(false);
  });

  it('converges on SCIMMY, another SCIM implementation', async () => {
    const people = addPeople(h.graph, 4, 12_000);
    const app = await h.createApp({ target: { type: 'scim', baseUrl: scimmy.url, auth: { type: 'bearer', token: scimmy.token } } });
    const first = await h.waitForCycle(app.id);
    expect(first.counts.failed).toBe(0);
    h.graph.updateUser(people[0]!.id, { surname: 'Renamed', mail: 'renamed@contoso.test' });
    h.graph.hardDeleteUser(people[1]!.id);
    const second = await runAndWait(app.id, first.id);
    expect(second.counts).toMatchObject({ updated: 1, deleted: 1, failed: 0 });
    const users = scimmy.users() as any[];
    const mine = users.filter((u) => people.some((p) => p.userPrincipalName === u.userName));
    expect(mine).toHaveLength(3);
    expect(new Set(users.map((u) => u.userName)).size).toBe(users.length);
    const renamed = mine.find((u) => u.userName === people[0]!.userPrincipalName);
    expect(renamed.name.familyName).toBe('Renamed');
    expect(renamed.emails).toEqual([expect.objectContaining({ type: 'work', value: 'renamed@contoso.test' })]);
  });

  it('converges through throttling and lost answers with no duplicate', async () => {
    const people = addPeople(h.graph, 6, 13_000);
    const tenant = new URL(freshScimTenant()).pathname;
    const baseUrl = `${proxy.url}${tenant}`;
    proxy.plan({ times: 3, match: { method: 'GET' }, fault: { kind: 'status', status: 429, retryAfter: '0.1' } });
    proxy.plan({ times: 2, match: { method: 'POST' }, fault: { kind: 'drop', when: 'after' } });
    proxy.plan({ times: 1, match: { method: 'POST' }, fault: { kind: 'status', status: 503, retryAfter: '0.1' } });
    const app = await h.createApp({ target: { type: 'scim', baseUrl, auth: { type: 'bearer', token: testEnv.scimToken } } });
    const first = await h.waitForCycle(app.id);
    // Two creates lost their answers: those objects failed and wait in escrow.
    expect(first.counts.failed).toBe(2);
    expect(proxy.requests.some((r) => r.fault?.kind === 'drop')).toBe(true);

    await h.store.db
      .updateTable('escrow')
      .set({ next_retry_at: new Date(Date.now() - 1000) })
      .where('app_id', '=', app.id)
      .execute();
    proxy.plan({ times: 2, match: { method: 'PATCH' }, fault: { kind: 'status', status: 500 } });
    h.graph.updateUser(people[2]!.id, { jobTitle: 'Survivor' });
    const second = await runAndWait(app.id, first.id);
    expect(second.counts.failed).toBe(0);
    expect(await h.store.escrow.count(app.id)).toBe(0);

    const users = (await listUsers(`${testEnv.scimUrl}${tenant}`, testEnv.scimToken)).filter((u) =>
      people.some((p) => p.userPrincipalName === u.userName),
    );
    expect(users).toHaveLength(6);
    expect(new Set(users.map((u) => u.userName)).size).toBe(6);
    expect(users.find((u) => u.userName === people[2]!.userPrincipalName)?.title).toBe('Survivor');
  });
});
