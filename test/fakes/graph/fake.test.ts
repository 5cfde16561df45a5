/** The fake's wire shapes, checked raw, against Microsoft's documented examples. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from './index';

let fake: FakeGraph;
let token: string;

beforeAll(async () => {
  fake = await startFakeGraph({ pageSize: 1 });
  const response = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      scope: `${fake.url}/.default`,
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
  token = body.access_token as string;
});
afterAll(async () => {
  await fake.close();
});

async function get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${fake.graphBaseUrl}${pathOrUrl}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: response.status, body: await response.json() };
}

async function drain(first: string, headers: Record<string, string> = {}): Promise<{ values: any[]; deltaLink: string }> {
  const values: any[] = [];
  let page = await get(first, headers);
  values.push(...page.body.value);
  while (page.body['@odata.nextLink']) {
    expect(page.body['@odata.deltaLink']).toBeUndefined();
    page = await get(page.body['@odata.nextLink'], headers);
    values.push(...page.body.value);
  }
  return { values, deltaLink: page.body['@odata.deltaLink'] };
}

describe('fake Graph', () => {
  it('refuses calls without a bearer token with a Graph error body', async () => {
    const response = await fetch(`${fake.graphBaseUrl}/users`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { 'request-id': expect.any(String) } },
    });
  });

  it('answers a wrong secret like the identity platform', async () => {
    const response = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: fake.clientId,
        client_secret: 'nope',
        scope: `${fake.url}/.default`,
      }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/^AADSTS7000215: /),
      error_codes: [7000215],
    });
  });

  it('serves delta rounds in the documented shapes', async () => {
    const a = fake.addUser({ displayName: 'A', mobilePhone: '1', jobTitle: 'x' }).id;
    const b = fake.addUser({ displayName: 'B' }).id;
    const c = fake.addUser({ displayName: 'C' }).id;
    const first = await drain('/users/delta?$select=displayName,mobilePhone,jobTitle');
    expect(first.values).toContainEqual({ id: b, displayName: 'B', mobilePhone: null, jobTitle: null });
    expect(first.deltaLink).toMatch(new RegExp(`^${fake.graphBaseUrl.replaceAll('.', '\\.')}/users/delta\\?\\$deltatoken=`));

    fake.updateUser(a, { mobilePhone: null });
    fake.softDeleteUser(b);
    fake.hardDeleteUser(c);
    const minimal = await drain(first.deltaLink, { prefer: 'return=minimal' });
    expect(minimal.values).toEqual([
      { id: a, mobilePhone: null },
      { id: b, '@removed': { reason: 'changed' } },
      { id: c, '@removed': { reason: 'deleted' } },
    ]);

    // Without return=minimal Graph sends the selected properties that have values (unset ones absent).
    const representation = await drain(first.deltaLink);
    expect(representation.values[0]).toEqual({ id: a, displayName: 'A', jobTitle: 'x', mobilePhone: null });
  });

  it('serves groups delta rounds with members@delta in the documented shapes', async () => {
    const [u1, u2, u3] = ['G1', 'G2', 'G3'].map((displayName) => fake.addUser({ displayName }).id);
    const full = fake.addGroup({ displayName: 'Full', description: 'three members' }).id;
    const empty = fake.addGroup({ displayName: 'Empty' }).id;
    fake.addMembers(full, [u1!, u2!, u3!]);
    const other = fake.addGroup({ displayName: 'Other' }).id;

    // Pages of one group object: a group appears on one page, its members all listed.
    const first = await drain('/groups/delta?$select=displayName,description,members');
    const ours = first.values.filter((v) => [full, empty, other].includes(v.id));
    expect(ours).toEqual([
      {
        id: full,
        displayName: 'Full',
        description: 'three members',
        'members@delta': [u1, u2, u3].map((id) => ({ '@odata.type': '#microsoft.graph.user', id })),
      },
      // A group without members carries no members@delta.
      { id: empty, displayName: 'Empty', description: null },
      { id: other, displayName: 'Other', description: null },
    ]);

    fake.removeMember(full, u1!);
    fake.addMember(full, other);
    fake.updateGroup(empty, { description: 'now described' });
    fake.deleteGroup(other);
    const minimal = await drain(first.deltaLink, { prefer: 'return=minimal' });
    expect(minimal.values).toEqual([
      {
        id: full,
        'members@delta': [
          { '@odata.type': '#microsoft.graph.user', id: u1, '@removed': { reason: 'deleted' } },
          { '@odata.type': '#microsoft.graph.group', id: other },
        ],
      },
      { id: empty, description: 'now described' },
      { id: other, '@removed': { reason: 'deleted' } },
    ]);
    // Without return=minimal the selected properties that have values come along.
    const representation = await drain(first.deltaLink);
    expect(representation.values[1]).toEqual({ id: empty, displayName: 'Empty', description: 'now described' });
  });

  it('lists group members with @odata.type, direct and transitive', async () => {
    const [a, b] = ['M1', 'M2'].map((displayName) => fake.addUser({ displayName }).id);
    const outer = fake.addGroup({ displayName: 'Outer' }).id;
    const inner = fake.addGroup({ displayName: 'Inner' }).id;
    fake.addMembers(outer, [a!, inner]);
    fake.addMember(inner, b!);
    const direct = await drain(`/groups/${outer}/members?$select=id`);
    expect(direct.values).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: a },
      { '@odata.type': '#microsoft.graph.group', id: inner },
    ]);
    const transitive = await drain(`/groups/${outer}/transitiveMembers?$select=id`);
    expect(transitive.values.map((v) => v.id)).toEqual([a, inner, b]);
    const users = await drain(`/groups/${outer}/transitiveMembers/microsoft.graph.user?$select=id`);
    expect(users.values.map((v) => v.id)).toEqual([a, b]);
    const page = await get(`/groups/${outer}/members?$select=id`);
    expect(page.body['@odata.context']).toBe(`${fake.graphBaseUrl}/$metadata#directoryObjects`);
  });

  it('rejects more than 15 ids in an in-filter', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `'id${i}'`).join(',');
    const response = await get(`/users?$filter=id in (${ids})`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('Max allowed: 15');
  });
});
