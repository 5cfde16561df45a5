/**
 * End to end: Graph fake → Temporal (dev server) → reconcile → scim2-server, with the store on
 * real PostgreSQL, driven through the HTTP API as an operator would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER } from '../../src/scim/types';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';
import { addPeople, person } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ graphPageSize: 7 });
});

afterAll(async () => {
  await h?.close();
});

function patchesTo(scimBaseUrl: string, since: number) {
  const path = new URL(scimBaseUrl).pathname;
  return h.scimRequests.slice(since).filter((r) => r.method === 'PATCH' && `${path}${r.path}`.includes('/Users/'));
}

describe('provisioning cycles', () => {
  it('creates every user with exactly the mapped attributes, then patches only what changed', async () => {
    const people = addPeople(h.graph, 20);
    // One request per write, to count them (bulk writes are covered in bulk.test.ts).
    const app = await h.createApp({ capabilities: { overrides: { bulk: { supported: false } } } });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ kind: 'initial', state: 'succeeded', counts: { created: 20, failed: 0 } });

    const users = await h.targetUsers(app.scimBaseUrl);
    expect(users).toHaveLength(20);
    const ada = users.find((u) => u.userName === people[3]!.userPrincipalName)!;
    const p = person(3);
    expect(ada).toMatchObject({
      userName: p.userPrincipalName,
      displayName: p.displayName,
      title: p.jobTitle,
      externalId: p.mailNickname,
      active: true,
      name: { givenName: p.givenName, familyName: p.surname },
      emails: [expect.objectContaining({ type: 'work', value: p.mail })],
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: p.employeeId, department: p.department },
    });
    // Exactly the mapped attributes: nothing else was written.
    const written = Object.keys(ada)
      .filter((k) => !['id', 'meta', 'schemas'].includes(k))
      .sort();
    expect(written).toEqual(['active', 'displayName', 'emails', 'externalId', 'name', SCHEMA_ENTERPRISE_USER, 'title', 'userName'].sort());

    // One changed user: one PATCH with only the changed attributes.
    const before = h.scimRequests.length;
    h.graph.updateUser(people[3]!.id, { jobTitle: 'Principal Engineer', surname: 'Lovelace' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { created: 0, updated: 1, failed: 0 } });
    const patches = patchesTo(app.scimBaseUrl, before);
    expect(patches).toHaveLength(1);
    const updated = (await h.targetUsers(app.scimBaseUrl)).find((u) => u.id === ada.id);
    expect(updated).toMatchObject({ title: 'Principal Engineer', name: { familyName: 'Lovelace', givenName: p.givenName } });

    const logs = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${people[3]!.id}&action=Update`);
    expect(logs.status).toBe(200);
    expect(logs.body.items).toHaveLength(1);
    expect(logs.body.items[0].modifiedProperties.map((m: { name: string }) => m.name).sort()).toEqual(['name.familyName', 'title']);

    // A disabled user becomes active: false; soft and hard deletes follow the app's settings.
    h.graph.updateUser(people[4]!.id, { accountEnabled: false });
    h.graph.softDeleteUser(people[5]!.id);
    h.graph.hardDeleteUser(people[6]!.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const third = await h.waitForCycle(app.id, second.id);
    expect(third.counts).toMatchObject({ disabled: 2, deleted: 1, failed: 0 });
    const after = await h.targetUsers(app.scimBaseUrl);
    expect(after).toHaveLength(19);
    expect(after.find((u) => u.userName === people[4]!.userPrincipalName)?.active).toBe(false);
    expect(after.find((u) => u.userName === people[5]!.userPrincipalName)?.active).toBe(false);
    expect(after.find((u) => u.userName === people[6]!.userPrincipalName)).toBeUndefined();
  });

  it('deletes soft-deleted users when the app says so, and links accounts that already exist', async () => {
    const people = addPeople(h.graph, 3, 1000);
    const app = await h.createApp({ deprovisioning: { softDeleted: 'delete', hardDeleted: 'delete', outOfScope: 'disable' } });
    // Users of the other test are in the same fake tenant; only count this app's own users below.
    const first = await h.waitForCycle(app.id);
    expect(first.state).toBe('succeeded');
    h.graph.softDeleteUser(people[0]!.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    await h.waitForCycle(app.id, first.id);
    const users = await h.targetUsers(app.scimBaseUrl);
    expect(users.find((u) => u.userName === people[0]!.userPrincipalName)).toBeUndefined();
    expect(users.find((u) => u.userName === people[1]!.userPrincipalName)).toBeDefined();
  });

  it('links a user that already exists in the target instead of creating a second account', async () => {
    const [existing] = addPeople(h.graph, 1, 2000);
    const app = await h.createApp({ schedule: { intervalMinutes: 60 } });
    // Race the first cycle is not possible to avoid here, so pre-create on a new tenant via a second app.
    const tenant = app.scimBaseUrl.replace(/\/v2$/, 'b/v2');
    const pre = await fetch(`${tenant}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: existing!.userPrincipalName,
        displayName: 'Stale Name',
      }),
    });
    expect(pre.status).toBe(201);
    const preId = ((await pre.json()) as { id: string }).id;
    const second = await h.createApp({ target: { type: 'scim', baseUrl: tenant, auth: { type: 'bearer', token: testEnv.scimToken } } });
    const cycle = await h.waitForCycle(second.id);
    expect(cycle.state).toBe('succeeded');
    const users = (await h.targetUsers(tenant)).filter((u) => u.userName === existing!.userPrincipalName);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: preId, displayName: existing!.displayName });
    const log = await h.api('GET', `/api/v1/apps/${second.id}/provisioning-logs?objectId=${existing!.id}`);
    expect(log.body.items[0]).toMatchObject({ action: 'Update', status: 'Success', targetId: preId });
    await h.waitForCycle(app.id);
  });

  it('provisions one user on demand and returns the steps', async () => {
    const app = await h.createApp();
    const first = await h.waitForCycle(app.id);
    expect(first.state).toBe('succeeded');
    const newcomer = h.graph.addUser(person(3000));
    const preview = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: newcomer.id });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      found: true,
      scope: { inScope: true },
      action: 'Create',
      request: { method: 'POST', path: '/Users', body: { userName: newcomer.userPrincipalName, active: true } },
      source: { userPrincipalName: newcomer.userPrincipalName },
    });
    expect((await h.targetUsers(app.scimBaseUrl)).some((u) => u.userName === newcomer.userPrincipalName)).toBe(false);
    expect((await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${newcomer.id}`)).body.items).toEqual([]);

    const result = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: newcomer.id });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ objectId: newcomer.id, status: 'Success', action: 'Create' });
    expect(result.body.steps.map((s: { name: string }) => s.name)).toEqual(['import', 'scoping', 'matching', 'processing', 'export']);
    const users = (await h.targetUsers(app.scimBaseUrl)).filter((u) => u.userName === newcomer.userPrincipalName);
    expect(users).toHaveLength(1);
    expect(result.body.targetId).toBe(users[0].id);

    h.graph.updateUser(newcomer.id, { jobTitle: 'Head of Preview' });
    const change = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: newcomer.id });
    expect(change.body).toMatchObject({
      action: 'Update',
      targetId: users[0].id,
      request: {
        method: 'PATCH',
        path: `/Users/${users[0].id}`,
        body: { Operations: [{ op: 'replace', path: 'title', value: 'Head of Preview' }] },
      },
      modifiedProperties: [{ name: 'title', old: newcomer.jobTitle, new: 'Head of Preview' }],
    });

    const unknown = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: '00000000-0000-0000-0000-000000000000' });
    expect(unknown.body).toMatchObject({ status: 'Failure', error: { code: 'NotFound' } });
  });
});
