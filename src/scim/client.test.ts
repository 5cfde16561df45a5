import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ProvisioningError } from '../errors/index';
import { ScimClient, type ScimClientOptions, type ScimRequestInfo } from './client';
import { SCHEMA_LIST_RESPONSE, SCHEMA_PATCH_OP, SCHEMA_USER } from './types';
import { rejection } from '../../test/support/rejection';

const TOKEN = 'tok-9f8e7d6c5b4a3f2e1d0c';
const BASE = 'https://target.example/scim/v2';

type Step = Response | Error | 'hang';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  redirect: RequestInit['redirect'];
}

/** A fetch that answers with the scripted steps in order and records each call. */
function scripted(...steps: Step[]) {
  const calls: Call[] = [];
  const fake: typeof globalThis.fetch = async (input, init) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
      redirect: init?.redirect,
    });
    const step = steps.shift();
    if (step === undefined) throw new Error('no scripted answer left');
    if (step === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    }
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch: fake, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/scim+json', ...headers } });
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers });
}

function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

function refused(): TypeError {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  return new TypeError('fetch failed', { cause });
}

const user = { schemas: [SCHEMA_USER], id: 'u1', userName: 'ada@example.com' };

function client(fetch: typeof globalThis.fetch, options: Partial<ScimClientOptions> = {}) {
  const sleeps: number[] = [];
  const requests: ScimRequestInfo[] = [];
  const scim = new ScimClient({
    baseUrl: BASE,
    authorization: () => `Bearer ${TOKEN}`,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRequest: (info) => requests.push(info),
    ...options,
  });
  return { scim, sleeps, requests };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('requests on the wire', () => {
  it('finds users with an encoded eq filter and SCIM headers', async () => {
    const { fetch, calls } = scripted(json(200, { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 1, Resources: [user] }));
    const { scim } = client(fetch, { userAgent: 'scimflow-test' });
    expect(await scim.findUsers('userName', 'a"b c&d')).toEqual([user]);
    expect(calls[0]?.url).toBe(`${BASE}/Users?filter=userName%20eq%20%22a%5C%22b%20c%26d%22`);
    expect(calls[0]?.headers).toEqual({
      accept: 'application/scim+json, application/json',
      authorization: `Bearer ${TOKEN}`,
      'user-agent': 'scimflow-test',
    });
    expect(calls[0]?.redirect).toBe('manual');
  });

  it('reads a ListResponse without Resources as no match', async () => {
    const { fetch } = scripted(json(200, { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 0 }));
    expect(await client(fetch).scim.findUsers('userName', 'nobody')).toEqual([]);
  });

  it('accepts application/json answers', async () => {
    const { fetch } = scripted(
      new Response(JSON.stringify(user), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    expect(await client(fetch).scim.getUser('u1')).toEqual(user);
  });

  it('creates with a SCIM body and content type', async () => {
    const { fetch, calls } = scripted(json(201, user));
    const { scim } = client(fetch);
    const created = await scim.createUser({ schemas: [SCHEMA_USER], userName: 'ada@example.com' });
    expect(created.id).toBe('u1');
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE}/Users` });
    expect(calls[0]?.headers['content-type']).toBe('application/scim+json');
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({ schemas: [SCHEMA_USER], userName: 'ada@example.com' });
  });

  it('patches with the PatchOp message and an encoded id', async () => {
    const { fetch, calls } = scripted(empty(204));
    const operations = [{ op: 'replace' as const, path: 'active', value: false }];
    expect(await client(fetch).scim.patchUser('a/b', operations)).toBeUndefined();
    expect(calls[0]).toMatchObject({ method: 'PATCH', url: `${BASE}/Users/a%2Fb` });
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({ schemas: [SCHEMA_PATCH_OP], Operations: operations });
  });

  it.each([
    ['204', empty(204), undefined],
    ['200 without a body', empty(200), undefined],
    ['200 with the resource', json(200, user), user],
  ])('returns what a PATCH answered with %s', async (_name, response, expected) => {
    const { fetch } = scripted(response);
    expect(await client(fetch).scim.patchUser('u1', [{ op: 'replace', path: 'title', value: 'x' }])).toEqual(expected);
  });

  it('sends no PATCH without operations', async () => {
    const { fetch, calls } = scripted();
    expect(await client(fetch).scim.patchUser('u1', [])).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('replaces with PUT', async () => {
    const { fetch, calls } = scripted(json(200, user));
    expect(await client(fetch).scim.replaceUser('u1', user)).toEqual(user);
    expect(calls[0]).toMatchObject({ method: 'PUT', url: `${BASE}/Users/u1` });
  });

  it('pages with startIndex and count', async () => {
    const { fetch, calls } = scripted(
      json(200, { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [user] }),
    );
    const page = await client(fetch).scim.listUsers({ startIndex: 2, count: 1 });
    expect(page).toMatchObject({ totalResults: 3, startIndex: 2, Resources: [user] });
    expect(calls[0]?.url).toBe(`${BASE}/Users?startIndex=2&count=1`);
  });

  it.each([[{ startIndex: 0 }], [{ count: -1 }], [{ count: 1.5 }]])('refuses the page request %j', (page) => {
    const { fetch } = scripted();
    expect(() => client(fetch).scim.listUsers(page)).toThrow(RangeError);
  });

  it('asks for the Authorization value on every attempt', async () => {
    const { fetch, calls } = scripted(empty(502), json(200, user));
    let n = 0;
    const { scim } = client(fetch, { authorization: () => `Bearer ${TOKEN}-${++n}` });
    await scim.getUser('u1');
    expect(calls.map((c) => c.headers.authorization)).toEqual([`Bearer ${TOKEN}-1`, `Bearer ${TOKEN}-2`]);
  });
});

describe('delete', () => {
  it.each([
    ['204', [empty(204)]],
    ['404 (already gone)', [json(404, { detail: 'User not found' })]],
    ['a 500 then a 404', [empty(500), json(404, { detail: 'User not found' })]],
  ])('succeeds on %s', async (_name, steps) => {
    const { fetch, calls } = scripted(...steps);
    await expect(client(fetch).scim.deleteUser('u1')).resolves.toBeUndefined();
    expect(calls.every((c) => c.method === 'DELETE')).toBe(true);
  });

  it('throws other failures', async () => {
    const { fetch } = scripted(json(403, { detail: 'forbidden' }));
    expect(await rejection(client(fetch).scim.deleteUser('u1'))).toMatchObject({ kind: 'configuration', code: 'NotPermitted' });
  });
});

describe('error classification', () => {
  it.each([
    [
      400,
      { scimType: 'invalidValue', detail: 'bad email' },
      { kind: 'permanent', code: 'BadRequest', scimType: 'invalidValue', detail: 'bad email' },
    ],
    [400, { scimType: 'invalidFilter', detail: 'nope' }, { kind: 'permanent', code: 'BadRequest', scimType: 'invalidFilter' }],
    [401, { detail: 'Authorization failure' }, { kind: 'configuration', code: 'Unauthorized' }],
    [403, { detail: 'no' }, { kind: 'configuration', code: 'NotPermitted' }],
    [404, { detail: 'User not found' }, { kind: 'permanent', code: 'NotFound' }],
    [409, { scimType: 'uniqueness', detail: 'taken' }, { kind: 'conflict', code: 'Conflict', scimType: 'uniqueness' }],
    [412, { detail: 'changed' }, { kind: 'transient', code: 'PreconditionFailed' }],
    [413, { detail: 'too big' }, { kind: 'permanent', code: 'BadRequest', status: 413 }],
    [501, { detail: 'PATCH not supported' }, { kind: 'configuration', code: 'NotImplemented' }],
  ])('%i answers a ProvisioningError %j (not retried)', async (status, body, expected) => {
    const { fetch, calls } = scripted(
      json(status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...body }),
    );
    const error = await rejection(client(fetch).scim.getUser('u1'));
    expect(error).toMatchObject({ status, ...expected });
    expect(error.message).toContain(`GET /Users/u1 failed with HTTP ${status}`);
    expect(calls).toHaveLength(1);
  });

  it.each([
    [500, 'InternalServerError'],
    [502, 'InternalServerError'],
    [504, 'InternalServerError'],
    [503, 'ServiceUnavailable'],
  ])('%i is transient %s and retried up to maxAttempts', async (status, code) => {
    const { fetch, calls } = scripted(text(status, '<html>oops</html>'), text(status, 'oops'), text(status, 'Upstream down'));
    const { scim, sleeps } = client(fetch);
    const error = await rejection(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', code, status, detail: 'Upstream down' });
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('keeps a non-SCIM JSON error body (Zoom) as the detail', async () => {
    const { fetch } = scripted(
      json(
        429,
        { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
        { 'retry-after': '120' },
      ),
    );
    const error = await rejection(client(fetch).scim.findUsers('userName', 'x'));
    expect(error).toMatchObject({ kind: 'transient', code: 'TooManyRequests', retryAfterMs: 120_000 });
    expect(error.detail).toContain('maximum per-second rate limit');
  });

  it.each([
    ['HTML on a 200', text(200, '<html><body>Login</body></html>', { 'content-type': 'text/html' })],
    ['a ListResponse that is not one', json(200, { totalResults: 'many' })],
  ])('calls %s an InvalidResponse', async (_name, response) => {
    const { fetch, calls } = scripted(response);
    expect(await rejection(client(fetch).scim.findUsers('userName', 'x'))).toMatchObject({
      kind: 'permanent',
      code: 'InvalidResponse',
      status: 200,
    });
    expect(calls).toHaveLength(1);
  });

  it('calls a created user without an id an InvalidResponse', async () => {
    const { fetch } = scripted(json(201, { schemas: [SCHEMA_USER], userName: 'x' }));
    expect(await rejection(client(fetch).scim.createUser({ schemas: [SCHEMA_USER], userName: 'x' }))).toMatchObject({
      code: 'InvalidResponse',
    });
  });

  it('does not follow a redirect', async () => {
    const { fetch, calls } = scripted(empty(301, { location: 'https://elsewhere.example/scim/v2/Users/u1' }));
    expect(await rejection(client(fetch).scim.getUser('u1'))).toMatchObject({
      kind: 'configuration',
      code: 'InvalidConfiguration',
      status: 301,
    });
    expect(calls).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it.each([
    ['fractional seconds', '1.5', 1500],
    ['whole seconds', '2', 2000],
    ['zero', '0', 0],
  ])('waits %s on a 429 and retries', async (_name, header, expected) => {
    const { fetch, calls } = scripted(empty(429, { 'retry-after': header }), json(200, user));
    const { scim, sleeps } = client(fetch);
    expect(await scim.getUser('u1')).toEqual(user);
    expect(sleeps).toEqual([expected]);
    expect(calls).toHaveLength(2);
  });

  it('waits until an HTTP date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
    const { fetch } = scripted(empty(503, { 'retry-after': 'Sun, 01 Mar 2026 12:00:07 GMT' }), json(200, user));
    const { scim, sleeps } = client(fetch);
    await scim.getUser('u1');
    expect(sleeps).toEqual([7000]);
  });

  it('backs off with jitter when Retry-After is absent', async () => {
    const { fetch } = scripted(empty(429), empty(429), json(200, user));
    const { scim, sleeps } = client(fetch);
    await scim.getUser('u1');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it('throws at once, carrying retryAfterMs, when the wait is beyond the cap', async () => {
    const { fetch, calls } = scripted(empty(429, { 'retry-after': '3600' }));
    const { scim, sleeps } = client(fetch);
    const error = await rejection(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', code: 'TooManyRequests', retryAfterMs: 3_600_000 });
    expect(sleeps).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('honours a lower cap from the options', async () => {
    const { fetch } = scripted(empty(503, { 'retry-after': '5' }));
    const { scim, sleeps } = client(fetch, { maxRetryAfterMs: 1000 });
    expect(await rejection(scim.getUser('u1'))).toMatchObject({ code: 'ServiceUnavailable', retryAfterMs: 5000 });
    expect(sleeps).toEqual([]);
  });
});

describe('timeouts, network errors and POST', () => {
  it('retries a GET that timed out, then throws Timeout', async () => {
    const { fetch, calls } = scripted('hang', 'hang');
    const { scim } = client(fetch, { timeoutMs: 10, maxAttempts: 2 });
    const error = await rejection(scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'transient', code: 'Timeout' });
    expect(error.message).toBe('GET /Users/u1 got no answer within 10 ms');
    expect(calls).toHaveLength(2);
  });

  it('does not retry a POST that timed out: it may have created the user', async () => {
    const { fetch, calls } = scripted('hang', json(201, user));
    const { scim, sleeps } = client(fetch, { timeoutMs: 10 });
    expect(await rejection(scim.createUser({ schemas: [SCHEMA_USER], userName: 'ada' }))).toMatchObject({
      kind: 'transient',
      code: 'Timeout',
    });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['a network error', refused(), 'NetworkError'],
    ['a 500', empty(500), 'InternalServerError'],
    ['a 503 without Retry-After', empty(503), 'ServiceUnavailable'],
  ])('does not retry a POST after %s', async (_name, step, code) => {
    const { fetch, calls } = scripted(step, json(201, user));
    expect(await rejection(client(fetch).scim.createUser({ schemas: [SCHEMA_USER], userName: 'ada' }))).toMatchObject({
      kind: 'transient',
      code,
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['429', empty(429, { 'retry-after': '1' })],
    ['503', empty(503, { 'retry-after': '1' })],
  ])('retries a POST the target refused with %s and Retry-After', async (_name, step) => {
    const { fetch, calls } = scripted(step, json(201, user));
    const { scim, sleeps } = client(fetch);
    expect(await scim.createUser({ schemas: [SCHEMA_USER], userName: 'ada' })).toEqual(user);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('retries a GET after a network error and names the socket error', async () => {
    const { fetch, calls } = scripted(refused(), refused(), refused());
    const error = await rejection(client(fetch).scim.findUsers('userName', 'x'));
    expect(error).toMatchObject({ kind: 'transient', code: 'NetworkError' });
    expect(error.detail).toContain('ECONNREFUSED');
    expect(error.message).toMatch(/^GET \/Users failed on the network/);
    expect(calls).toHaveLength(3);
  });

  it('respects maxAttempts 1', async () => {
    const { fetch, calls } = scripted(empty(500), json(200, user));
    expect(await rejection(client(fetch, { maxAttempts: 1 }).scim.getUser('u1'))).toMatchObject({ code: 'InternalServerError' });
    expect(calls).toHaveLength(1);
  });
});

describe('no secret in errors or hooks', () => {
  function expectNoToken(error: ProvisioningError) {
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN);
    expect(error.stack ?? '').not.toContain(TOKEN);
    expect(error.detail ?? '').not.toContain(TOKEN);
  }

  it('keeps the token out of a 401', async () => {
    const { fetch } = scripted(json(401, { detail: 'Authorization failure. The authorization header is invalid or missing' }));
    const error = await rejection(client(fetch).scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized' });
    expectNoToken(error);
  });

  it.each([
    ['an error page that echoes the header', text(400, `Bad request. Headers: {"authorization":"Bearer ${TOKEN}"}`)],
    ['a non-JSON 200 that echoes the token', text(200, `token=${TOKEN}`)],
    ['a network error that names the token', new TypeError(`fetch failed`, { cause: new Error(`proxy refused Bearer ${TOKEN}`) })],
  ])('scrubs %s', async (_name, step) => {
    const { fetch } = scripted(step);
    const error = await rejection(client(fetch, { maxAttempts: 1 }).scim.getUser('u1'));
    expect(error.detail).toContain('[redacted]');
    expectNoToken(error);
  });

  it('scrubs a token cut in half at the excerpt limit', async () => {
    const { fetch } = scripted(text(400, `${'x'.repeat(490)} ${TOKEN} and more`));
    const error = await rejection(client(fetch).scim.getUser('u1'));
    expect(`${JSON.stringify(error)} ${error.stack}`).not.toContain(TOKEN.slice(0, 8));
  });

  it.each([
    ['a line break', `Bearer ${TOKEN}\nX-Injected: 1`],
    ['nothing', ''],
  ])('refuses an Authorization value with %s before sending it, without echoing it', async (_name, authorization) => {
    const { fetch, calls } = scripted(json(200, user));
    const error = await rejection(client(fetch, { authorization: () => authorization }).scim.getUser('u1'));
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
    expect(`${JSON.stringify(error)} ${error.stack}`).not.toContain(TOKEN);
    expect(calls).toHaveLength(0);
  });

  it('gives the hook method, path without query, status, attempt and duration only', async () => {
    const { fetch } = scripted(empty(502), json(200, { totalResults: 0 }));
    const { scim, requests } = client(fetch);
    await scim.findUsers('userName', 'ada@example.com');
    expect(requests.map(({ durationMs: _d, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/Users', status: 502, attempt: 1 },
      { method: 'GET', path: '/Users', status: 200, attempt: 2 },
    ]);
    expect(Object.keys(requests[0] ?? {}).sort()).toEqual(['attempt', 'durationMs', 'method', 'path', 'status']);
    expect(JSON.stringify(requests)).not.toContain(TOKEN);
  });

  it('reports an attempt without an answer with status undefined', async () => {
    const { fetch } = scripted(refused(), json(200, user));
    const { scim, requests } = client(fetch);
    await scim.getUser('u1');
    expect(requests.map((r) => r.status)).toEqual([undefined, 200]);
  });

  it.each([
    ['credentials in the URL', 'https://admin:hunter2-secret@target.example/scim/v2'],
    ['a query', 'https://target.example/scim/v2?token=hunter2-secret'],
    ['another protocol', 'ftp://target.example/scim'],
    ['no URL at all', 'hunter2-secret'],
  ])('refuses a base URL with %s without echoing it', (_name, baseUrl) => {
    let error: unknown;
    try {
      new ScimClient({ baseUrl, authorization: () => 'Bearer x' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});
