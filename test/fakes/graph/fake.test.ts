/** The fake's wire shapes, checked raw, against Microsoft's documented examples. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from './index';

let fake: FakeGraph;
let token: string;

beforeAll(async () => {
  fake = await startFakeGraph({ pageSize: 1 });
  const response = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.clientId, client_secret: fake.clientSecret, scope: `${fake.url}/.default` }),
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
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { 'request-id': expect.any(String) } } });
  });

  it('answers a wrong secret like the identity platform', async () => {
    const response = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.clientId, client_secret: 'nope', scope: `${fake.url}/.default` }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/^AADSTS7000215: /), error_codes: [7000215] });
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

  it('rejects more than 15 ids in an in-filter', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `'id${i}'`).join(',');
    const response = await get(`/users?$filter=id in (${ids})`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('Max allowed: 15');
  });
});
