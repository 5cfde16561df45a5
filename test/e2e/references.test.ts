/**
 * Manager references against scim2-server: the enterprise `manager` carries the manager's id in
 * the target. A manager without an account yet (later in the same round, or out of scope) is
 * recorded as pending and written once the manager has one: later in the same cycle, in the
 * cycle that brings the manager into scope, or right after provisioning the manager on demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER } from '../../src/scim/types';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ concurrency: 4 });
});

afterAll(async () => {
  await h?.close();
});

/** userName → the userName of the manager the target holds (by the manager's target id). */
async function managersOf(scimBaseUrl: string, userNames: unknown[]): Promise<Record<string, string | null>> {
  const users = await h.targetUsers(scimBaseUrl);
  const byId = new Map(users.map((u) => [u.id as string, u.userName as string]));
  const out: Record<string, string | null> = {};
  for (const user of users) {
    if (!userNames.includes(user.userName)) continue;
    const value = user[SCHEMA_ENTERPRISE_USER]?.manager?.value as string | undefined;
    out[user.userName] = value === undefined ? null : (byId.get(value) ?? `unknown:${value}`);
  }
  return out;
}

const run = async (appId: string, previous: string) => {
  await h.api('POST', `/api/v1/apps/${appId}/run`);
  return h.waitForCycle(appId, previous);
};

describe('manager references', () => {
  it('writes managers provisioned after their reports in the same cycle, and follows a change of manager', async () => {
    // Reports come before their manager in the round, so the first write cannot name the manager yet.
    const [report1, report2, boss, nextBoss] = addPeople(h.graph, 4, 9000);
    for (const person of [report1!, report2!, boss!, nextBoss!]) h.graph.updateUser(person.id, { department: 'D9000' });
    h.graph.setManager(report1!.id, boss!.id);
    h.graph.setManager(report2!.id, boss!.id);
    h.graph.setManager(boss!.id, nextBoss!.id);
    const app = await h.createApp({
      scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'D9000' }] }] } },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ state: 'succeeded', counts: { created: 4, failed: 0 } });
    const names = [report1, report2, boss, nextBoss].map((p) => p!.userPrincipalName);
    expect(await managersOf(app.scimBaseUrl, names)).toEqual({
      [report1!.userPrincipalName as string]: boss!.userPrincipalName,
      [report2!.userPrincipalName as string]: boss!.userPrincipalName,
      [boss!.userPrincipalName as string]: nextBoss!.userPrincipalName,
      [nextBoss!.userPrincipalName as string]: null,
    });
    expect(await h.store.references.list(app.id)).toEqual([]);

    h.graph.setManager(report1!.id, nextBoss!.id);
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { updated: 1, failed: 0 } });
    expect((await managersOf(app.scimBaseUrl, names))[report1!.userPrincipalName as string]).toBe(nextBoss!.userPrincipalName);
  });

  it('holds a reference to a manager out of scope until the manager enters it, then writes it with no restart', async () => {
    const [report, manager] = addPeople(h.graph, 2, 9100);
    h.graph.updateUser(report!.id, { department: 'D9100' });
    h.graph.updateUser(manager!.id, { department: 'Elsewhere' });
    h.graph.setManager(report!.id, manager!.id);
    const app = await h.createApp({
      scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'D9100' }] }] } },
    });
    const first = await h.waitForCycle(app.id);
    const names = [report!.userPrincipalName, manager!.userPrincipalName];
    expect(await managersOf(app.scimBaseUrl, names)).toEqual({ [report!.userPrincipalName as string]: null });
    expect(await h.store.references.list(app.id)).toMatchObject([{ holderId: report!.id, attribute: 'manager', refId: manager!.id }]);
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body.pendingReferences).toEqual({ members: 0, managers: 1 });
    const log = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${report!.id}`);
    expect(
      log.body.items[0].steps.some((s: { status: string; detail: string }) => s.status === 'Warning' && s.detail.includes(manager!.id)),
    ).toBe(true);

    h.graph.updateUser(manager!.id, { department: 'D9100' });
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ state: 'succeeded', counts: { created: 1, updated: 1, failed: 0 } });
    expect(await managersOf(app.scimBaseUrl, names)).toEqual({
      [report!.userPrincipalName as string]: manager!.userPrincipalName,
      [manager!.userPrincipalName as string]: null,
    });
    expect(await h.store.references.list(app.id)).toEqual([]);
  });

  it('writes waiting references right after the manager is provisioned on demand', async () => {
    const [report, manager] = addPeople(h.graph, 2, 9200);
    h.graph.updateUser(report!.id, { department: 'D9200' });
    h.graph.updateUser(manager!.id, { department: 'Elsewhere' });
    h.graph.setManager(report!.id, manager!.id);
    const app = await h.createApp({
      scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'D9200' }] }] } },
    });
    await h.waitForCycle(app.id);
    h.graph.updateUser(manager!.id, { department: 'D9200' });
    const onDemand = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: manager!.id });
    expect(onDemand.status).toBe(200);
    expect(onDemand.body).toMatchObject({ status: 'Success', action: 'Create' });
    expect((await managersOf(app.scimBaseUrl, [report!.userPrincipalName]))[report!.userPrincipalName as string]).toBe(
      manager!.userPrincipalName,
    );
  });
});
