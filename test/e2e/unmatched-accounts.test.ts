/**
 * Account discovery end to end (real Temporal dev server, scim2-server, the Graph fake): a
 * target with an account made in the app and an orphan whose source object is gone; the scan
 * lists both with their nearest source objects, leave hides one, and link makes the next cycle
 * update the other account instead of creating a second one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** Posts, waiting out a 409 while the job still reports the cycle that just ended as running. */
async function postWhenIdle(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await h.api('POST', path, body);
    if (response.status !== 409 || response.body?.error?.code === 'AlreadyLinked' || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function scanned(appId: string): Promise<any> {
  const started = await h.api('POST', `/api/v1/apps/${appId}/unmatched-accounts/scan`);
  expect(started.status).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = await h.api('GET', `/api/v1/apps/${appId}/unmatched-accounts`);
    if (list.body.scan?.scanId === started.body.runId && list.body.scan.state !== 'running') return list.body;
    if (Date.now() > deadline) throw new Error(`the scan did not finish: ${JSON.stringify(list.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('unmatched accounts', () => {
  it('lists a local account and an orphan with candidates, leaves one and links the other, which the next cycle updates', async () => {
    const [ada, bob] = addPeople(h.graph, 2, 8300);
    h.graph.assign(ada!.id, 'User');
    h.graph.assign(bob!.id, 'User');
    // Not assigned: a cycle reads them but provisions nothing for them.
    const zoe = h.graph.addUser({
      userPrincipalName: 'zangstrom@contoso.test',
      mail: 'zoe.angstrom@contoso.test',
      displayName: 'Zoe Angstrom',
      accountEnabled: true,
    });
    const bobAgain = h.graph.addUser({
      userPrincipalName: 'bob.again@contoso.test',
      mail: bob!.mail,
      displayName: 'Bob Again',
      accountEnabled: true,
    });
    const source = { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret };
    const app = await h.createApp({ displayName: 'Discovery', source });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ state: 'succeeded', counts: { created: 2 } });

    const made = await fetch(`${app.scimBaseUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'zoe@contoso.test',
        displayName: 'Zoe A.',
        emails: [{ value: 'zoe.angstrom@contoso.test', type: 'work', primary: true }],
        active: true,
      }),
    });
    expect(made.status).toBe(201);
    const localId = ((await made.json()) as { id: string }).id;
    h.graph.hardDeleteUser(bob!.id);
    const bobAccount = (await h.targetUsers(app.scimBaseUrl)).find((u) => u.userName === bob!.userPrincipalName)!;

    const result = await scanned(app.id);
    expect(result.scan).toMatchObject({ state: 'finished', counts: { listed: 3, unmatched: 2, local: 1, orphaned: 1, left: 0 } });
    const byId = new Map(result.items.map((a: any) => [a.targetId, a]));
    expect(byId.get(localId)).toMatchObject({
      kind: 'local',
      status: 'unmatched',
      account: { userName: 'zoe@contoso.test' },
      candidate: { objectId: zoe.id, basis: 'email', score: 0.9 },
    });
    expect(byId.get(bobAccount.id)).toMatchObject({
      kind: 'orphan',
      orphanedSourceId: bob!.id,
      candidate: { objectId: bobAgain.id, basis: 'email' },
    });

    // Leave the orphan: listed only when asked for, also after the next scan.
    expect((await postWhenIdle(`/api/v1/apps/${app.id}/unmatched-accounts/${bobAccount.id}/leave`)).status).toBe(204);
    expect((await h.api('GET', `/api/v1/apps/${app.id}/unmatched-accounts`)).body.items.map((a: any) => a.targetId)).toEqual([localId]);
    const again = await scanned(app.id);
    expect(again.items.map((a: any) => a.targetId)).toEqual([localId]);
    expect(again.scan.counts).toMatchObject({ unmatched: 2, left: 1 });
    const left = await h.api('GET', `/api/v1/apps/${app.id}/unmatched-accounts?status=left`);
    expect(left.body.items).toMatchObject([{ targetId: bobAccount.id, status: 'left' }]);

    // Bad links are refused, naming the field.
    const notGuid = await h.api('POST', `/api/v1/apps/${app.id}/unmatched-accounts/${localId}/link`, { objectId: 'zoe' });
    expect(notGuid.status).toBe(400);
    expect(notGuid.body.error.fields[0].path).toBe('objectId');
    const unknown = await postWhenIdle(`/api/v1/apps/${app.id}/unmatched-accounts/nope/link`, { objectId: zoe.id });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.fields[0].path).toBe('accountId');
    const taken = await postWhenIdle(`/api/v1/apps/${app.id}/unmatched-accounts/${localId}/link`, { objectId: ada!.id });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'AlreadyLinked', fields: [{ path: 'objectId' }] });

    // Link the local account to Zoe, then assign her: the next cycle updates that account.
    const linked = await postWhenIdle(`/api/v1/apps/${app.id}/unmatched-accounts/${localId}/link`, { objectId: zoe.id });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ status: 'linked', linkedObjectId: zoe.id });
    expect((await h.api('GET', `/api/v1/apps/${app.id}/anchors/user/${zoe.id}`)).body).toMatchObject({ targetId: localId });
    // Assigned, and changed so that the next incremental cycle reads her (her anchor exists now).
    h.graph.assign(zoe.id, 'User');
    h.graph.updateUser(zoe.id, { jobTitle: 'Lead Engineer' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ counts: { created: 0 } });
    const log = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${zoe.id}`);
    expect(log.body.items.map((e: any) => [e.action, e.status, e.targetId])).toContainEqual(['Update', 'Success', localId]);
    const users = await h.targetUsers(app.scimBaseUrl);
    expect(users.filter((u) => u.emails?.some((e: any) => e.value === 'zoe.angstrom@contoso.test'))).toHaveLength(1);
    expect(users.find((u) => u.id === localId)).toMatchObject({ userName: 'zangstrom@contoso.test', displayName: 'Zoe Angstrom' });
  });
});
