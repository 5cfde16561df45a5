/**
 * SCIM Bulk against scim2-server, which announces it: creates, updates and member changes travel
 * in BulkRequests within the announced (or overridden) operation limit, and the target ends in
 * exactly the state single requests would give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** The SCIM requests since `from` (this file runs one app at a time, so they are its app's). */
const since = (from: number) => h.scimRequests.slice(from);

describe('SCIM Bulk', () => {
  it('writes users, groups and members in BulkRequests of at most the operation limit', async () => {
    const people = addPeople(h.graph, 12, 9500);
    const group = h.graph.addGroup({ displayName: 'G9500 Bulk' });
    h.graph.addMembers(
      group.id,
      people.slice(0, 6).map((p) => p.id),
    );
    const start = h.scimRequests.length;
    const app = await h.createApp({
      groups: { enabled: true },
      scoping: { group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'EQUALS', value: 'G9500 Bulk' }] }] } },
      capabilities: { overrides: { bulk: { maxOperations: 5 } } },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(first.counts.failed).toBe(0);

    const requests = since(start);
    const writes = requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    // Every write went through /Bulk: no single POST, PATCH or DELETE.
    expect(writes.filter((r) => !r.path.startsWith('/Bulk'))).toEqual([]);
    // At most five operations each: the 12 users and the group need at least three requests.
    expect(writes.length).toBeGreaterThanOrEqual(3);

    const users = await h.targetUsers(app.scimBaseUrl);
    const mine = users.filter((u) => people.some((p) => p.userPrincipalName === u.userName));
    expect(mine).toHaveLength(12);
    expect(new Set(mine.map((u) => u.userName)).size).toBe(12);
    const groups = await h.targetGroups(app.scimBaseUrl);
    expect(groups.map((g) => g.displayName)).toEqual(['G9500 Bulk']);
    const byId = new Map(users.map((u) => [u.id, u.userName]));
    expect(groups[0].members.map((m: { value: string }) => byId.get(m.value)).sort()).toEqual(
      people
        .slice(0, 6)
        .map((p) => p.userPrincipalName)
        .sort(),
    );

    // An update and a member change: again only bulk requests.
    const before = h.scimRequests.length;
    h.graph.updateUser(people[0]!.id, { jobTitle: 'Bulk Engineer' });
    h.graph.removeMember(group.id, people[1]!.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { updated: 2, failed: 0 } });
    expect(since(before).filter((r) => r.method !== 'GET' && !r.path.startsWith('/Bulk'))).toEqual([]);
    expect((await h.targetUsers(app.scimBaseUrl)).find((u) => u.userName === people[0]!.userPrincipalName).title).toBe('Bulk Engineer');
    const [after] = await h.targetGroups(app.scimBaseUrl);
    expect(after.members).toHaveLength(5);
  });
});
