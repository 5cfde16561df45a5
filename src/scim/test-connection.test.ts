import { describe, expect, it } from 'vitest';
import { FAKE_BASE_URL, routedFetch, scimJson, type Route } from '../../test/scim/routed-fetch';
import { ScimClient } from './client';
import { testConnection, type ConnectionCheck } from './test-connection';
import { SCHEMA_LIST_RESPONSE, SCHEMA_USER } from './types';

const TOKEN = 'tok-a1b2c3d4e5f60718';
const GUID = '0b9a1c52-7d1e-4f7b-9c4e-1f2a3b4c5d6e';
const FILTER_QUERY = `?filter=${encodeURIComponent(`userName eq "${GUID}"`)}`;

const emptyList = scimJson(200, { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 0, Resources: [] });

const discovery: Record<string, Route> = {
  'GET /ServiceProviderConfig': scimJson(200, {
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 100 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
  }),
  'GET /ResourceTypes': scimJson(200, [{ name: 'User', endpoint: '/Users', schema: SCHEMA_USER }]),
  'GET /Schemas': scimJson(200, [
    { id: SCHEMA_USER, attributes: [{ name: 'userName' }, { name: 'emails', subAttributes: [{ name: 'value' }] }] },
  ]),
};

async function run(usersRoute: Route, options: { matchingAttribute?: string; routes?: Record<string, Route> } = {}) {
  const { fetch, calls } = routedFetch({ ...discovery, ...options.routes, 'GET /Users': usersRoute });
  const scim = new ScimClient({ baseUrl: FAKE_BASE_URL, authorization: () => `Bearer ${TOKEN}`, fetch, maxAttempts: 1 });
  const result = await testConnection(scim, {
    randomId: () => GUID,
    ...(options.matchingAttribute && { matchingAttribute: options.matchingAttribute }),
  });
  const check = (name: ConnectionCheck['name']) => result.checks.find((candidate) => candidate.name === name);
  return { result, calls, check };
}

describe('testConnection', () => {
  it('passes every check on a target that filters and announces itself', async () => {
    const { result, calls } = await run(emptyList);
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => [check.name, check.status])).toEqual([
      ['authenticate', 'passed'],
      ['match query', 'passed'],
      ['service provider config', 'passed'],
      ['resource types', 'passed'],
      ['schemas', 'passed'],
    ]);
    for (const check of result.checks) expect(check.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.checks[1]?.detail).toBe(`GET /Users?filter=userName eq "${GUID}" returned an empty ListResponse`);
    expect(result.profile).toMatchObject({ patch: true, resourceTypes: { user: true, group: false } });
    expect(calls[0]).toBe(`GET /Users${FILTER_QUERY}`);
  });

  it('filters on the matching attribute asked for', async () => {
    const { result, calls } = await run(emptyList, { matchingAttribute: 'emails.value' });
    expect(calls[0]).toBe(`GET /Users?filter=${encodeURIComponent(`emails.value eq "${GUID}"`)}`);
    expect(result.ok).toBe(true);
  });

  it.each([
    [
      'returns every user',
      {
        totalResults: 2,
        Resources: [
          { id: '1', userName: 'a' },
          { id: '2', userName: 'b' },
        ],
      },
      /returned 2 resource\(s\) of 2/,
    ],
    ['counts results it does not list', { totalResults: 7, itemsPerPage: 0 }, /returned 0 resource\(s\) of 7/],
  ])('fails the match query when the target %s for a value nobody has', async (_name, body, detail) => {
    const { result, check } = await run(scimJson(200, { schemas: [SCHEMA_LIST_RESPONSE], ...body }));
    expect(result.ok).toBe(false);
    expect(check('authenticate')?.status).toBe('passed');
    expect(check('match query')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^the target ignores filters: /) });
    expect(check('match query')?.detail).toMatch(detail);
  });

  it('fails the match query on a target without filtering (501)', async () => {
    const { result, check } = await run(scimJson(501, { detail: 'Filtering is not supported' }));
    expect(result.ok).toBe(false);
    expect(check('authenticate')?.status).toBe('passed');
    expect(check('match query')).toMatchObject({
      status: 'failed',
      detail:
        'the target does not support filtering, and matching before create needs it: GET /Users failed with HTTP 501: Filtering is not supported',
    });
  });

  it('fails the match query when the target refuses a filter on the attribute', async () => {
    const { check } = await run(scimJson(400, { scimType: 'invalidFilter', detail: 'unknown attribute' }), {
      matchingAttribute: 'employeeId',
    });
    expect(check('match query')).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^the target refuses a filter on employeeId: /),
    });
  });

  it('fails the match query on a 200 that is not a ListResponse', async () => {
    const html = new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    const { result, check } = await run(html);
    expect(result.ok).toBe(false);
    expect(check('authenticate')?.status).toBe('passed');
    expect(check('match query')?.detail).toMatch(
      /did not return a ListResponse: GET \/Users answered HTTP 200 with a body that is not JSON/,
    );
  });

  it('fails authentication on 401 without echoing the credential, and keeps no profile', async () => {
    const { result, check } = await run(({ headers }) => scimJson(401, { detail: `invalid token ${headers.authorization}` }));
    expect(result.ok).toBe(false);
    expect(check('authenticate')).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^the target refused the credentials: GET \/Users failed with HTTP 401/),
    });
    expect(check('match query')).toMatchObject({ status: 'failed', detail: 'not checked: the target refused the credentials' });
    expect(result.profile).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('fails authentication when the target cannot be reached', async () => {
    const scim = new ScimClient({
      baseUrl: FAKE_BASE_URL,
      authorization: () => `Bearer ${TOKEN}`,
      maxAttempts: 1,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      },
    });
    const result = await testConnection(scim, { randomId: () => GUID });
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({
      name: 'authenticate',
      status: 'failed',
      detail: expect.stringMatching(/^the target could not be reached: .*ECONNREFUSED/),
    });
    expect(result.checks.slice(2).map((check) => check.status)).toEqual(['warning', 'warning', 'warning']);
  });

  it('leaves authentication unconfirmed when /Users is not found', async () => {
    const { result, check } = await run(scimJson(404, { detail: 'no such endpoint' }));
    expect(check('authenticate')?.status).toBe('warning');
    expect(check('match query')?.status).toBe('failed');
    expect(result.ok).toBe(false);
  });

  it('warns when the matching attribute is not declared by the target schemas', async () => {
    const { result, check } = await run(emptyList, { matchingAttribute: 'employeeId' });
    expect(result.ok).toBe(true);
    expect(check('match query')).toMatchObject({ status: 'warning', detail: expect.stringMatching(/do not declare employeeId/) });
  });

  it('counts common attributes as declared', async () => {
    const { check } = await run(emptyList, { matchingAttribute: 'externalId' });
    expect(check('match query')?.status).toBe('passed');
  });

  it('refuses a matching attribute that is no attribute path without sending it', async () => {
    const { result, calls, check } = await run(emptyList, { matchingAttribute: 'userName or 1' });
    expect(result.ok).toBe(false);
    expect(check('authenticate')?.status).toBe('warning');
    expect(check('match query')).toMatchObject({
      status: 'failed',
      detail: '"userName or 1" is not a SCIM attribute path, so no filter can match on it',
    });
    expect(calls.some((call) => call.startsWith('GET /Users'))).toBe(false);
  });

  it('warns, and still passes, when discovery endpoints are missing', async () => {
    const { result, check } = await run(emptyList, {
      routes: { 'GET /ServiceProviderConfig': scimJson(404, {}), 'GET /Schemas': scimJson(404, {}) },
    });
    expect(result.ok).toBe(true);
    expect(check('service provider config')).toMatchObject({
      status: 'warning',
      detail: expect.stringMatching(/HTTP 404.*conservative defaults apply/),
    });
    expect(check('resource types')?.status).toBe('passed');
    expect(check('schemas')?.status).toBe('warning');
    expect(result.profile?.patch).toBe(false);
    expect(result.notes).toHaveLength(2);
  });
});
