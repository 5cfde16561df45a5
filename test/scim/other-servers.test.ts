/**
 * The SCIM client against targets other than the shared scim2-server: SCIMMY (an independent
 * implementation, in process) and scim2-server behind a fault-injecting proxy. The SCIMMY tables
 * record what that implementation accepts; the proxy tests show which failures the client
 * retries, which it leaves to the caller, and why a create is always preceded by a match.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_USER,
  ScimClient,
  type PatchOperation,
  type ScimClientOptions,
  type ScimResource,
} from '../../src/scim/index';
import { freshScimTenant, testEnv, uniqueName } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startScimmyServer, type ScimmyServer } from '../support/scimmy-server';

function newUser(userName: string, extra: Record<string, unknown> = {}): ScimResource {
  return { schemas: [SCHEMA_USER], userName, ...extra };
}

/** A sleep that waits for real and remembers each wait, to check that Retry-After was honoured. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), new Promise((resolve) => setTimeout(resolve, ms))) };
}

const workEmail = { type: 'work', value: 'ada.work@example.com', primary: true };

describe('ScimClient against SCIMMY', () => {
  let target: ScimmyServer;
  let scim: ScimClient;

  beforeAll(async () => {
    target = await startScimmyServer({ token: `scimmy-${uniqueName('token')}` });
    scim = new ScimClient({ baseUrl: target.url, authorization: () => `Bearer ${target.token}` });
  });
  afterAll(() => target.stop());

  it('creates a user with core and enterprise attributes and reads it back', async () => {
    const created = await scim.createUser({
      schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
      externalId: 'ada',
      userName: 'ada@example.com',
      active: true,
      displayName: 'Ada Lovelace',
      name: { formatted: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
      emails: [workEmail],
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 'E-1', department: 'Analytical Engines', manager: { value: 'm-1' } },
    });
    expect(created).toMatchObject({
      id: expect.any(String),
      meta: { resourceType: 'User', created: expect.any(String), version: 'W/"1"' },
    });
    expect(created.meta?.location).toBe(`${target.url}/Users/${created.id}`);
    const read = await scim.getUser(created.id ?? '');
    expect(read).toMatchObject({
      externalId: 'ada',
      userName: 'ada@example.com',
      active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [workEmail],
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 'E-1', department: 'Analytical Engines', manager: { value: 'm-1' } },
    });
    expect(read.schemas).toEqual([SCHEMA_USER, SCHEMA_ENTERPRISE_USER]);
  });

  it('drops an attribute no schema declares on create instead of refusing it', async () => {
    const created = await scim.createUser(newUser(uniqueName('colour'), { favouriteColour: 'blue' }));
    expect(created.favouriteColour).toBeUndefined();
    expect(target.users().find((user) => user.id === created.id)).not.toHaveProperty('favouriteColour');
  });

  it('finds by userName with an exact, case-sensitive match', async () => {
    const userName = `${uniqueName('Grace')}@Example.com`;
    const { id } = await scim.createUser(newUser(userName));
    expect((await scim.findUsers('userName', userName)).map((user) => user.id)).toEqual([id]);
    // `eq` compares exactly although userName is caseExact false; uniqueness (host code) does not.
    expect(await scim.findUsers('userName', userName.toLowerCase())).toEqual([]);
    await expect(scim.createUser(newUser(userName.toLowerCase()))).rejects.toMatchObject({
      kind: 'conflict',
      status: 409,
      scimType: 'uniqueness',
    });
  });

  it('does not unescape filter strings: a quote is invalidFilter, a backslash finds nothing', async () => {
    const quoted = `o"brien-${uniqueName('q')}`;
    const backslashed = `obrien\\x-${uniqueName('b')}`;
    await scim.createUser(newUser(quoted));
    await scim.createUser(newUser(backslashed));
    await expect(scim.findUsers('userName', quoted)).rejects.toMatchObject({
      kind: 'permanent',
      code: 'BadRequest',
      status: 400,
      scimType: 'invalidFilter',
    });
    // `\\` reaches the comparison as two backslashes, so the stored name never matches...
    expect(await scim.findUsers('userName', backslashed)).toEqual([]);
    // ...and a create after that miss is the conflict a reconcile has to resolve by listing.
    await expect(scim.createUser(newUser(backslashed))).rejects.toMatchObject({ kind: 'conflict', code: 'Conflict', status: 409 });
  });

  it('answers a filter on an undeclared attribute with no results, not an error', async () => {
    expect(await scim.findUsers('costCenterCode', 'x')).toEqual([]);
  });

  it('patches name.familyName, the work email and active; the target answers 200 with the resource', async () => {
    const { id = '' } = await scim.createUser(
      newUser(uniqueName('grace'), { active: true, name: { givenName: 'Grace', familyName: 'Murray' }, emails: [workEmail] }),
    );
    const answers = [
      await scim.patchUser(id, [{ op: 'replace', path: 'name.familyName', value: 'Hopper' }]),
      await scim.patchUser(id, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'grace.work@example.com' }]),
      await scim.patchUser(id, [{ op: 'replace', path: 'active', value: false }]),
    ];
    expect(answers.map((answer) => answer?.id)).toEqual([id, id, id]);
    expect(answers.map((answer) => answer?.meta?.version)).toEqual(['W/"2"', 'W/"3"', 'W/"4"']);
    expect(await scim.getUser(id)).toMatchObject({
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ type: 'work', value: 'grace.work@example.com', primary: true }],
      active: false,
    });
  });

  it('answers 204 to a PATCH that changes nothing', async () => {
    const { id = '' } = await scim.createUser(newUser(uniqueName('same'), { title: 'Engineer' }));
    expect(await scim.patchUser(id, [{ op: 'replace', path: 'title', value: 'Engineer' }])).toBeUndefined();
  });

  it('replaces a user with PUT', async () => {
    const { id = '' } = await scim.createUser(newUser(uniqueName('linus'), { title: 'Engineer' }));
    const replaced = await scim.replaceUser(id, newUser('linus.put@example.com', { displayName: 'Linus' }));
    expect(replaced).toMatchObject({ id, userName: 'linus.put@example.com', displayName: 'Linus' });
    expect(replaced?.title).toBeUndefined();
  });

  it('deletes a user, and deleting it again is no error', async () => {
    const { id = '' } = await scim.createUser(newUser(uniqueName('gone')));
    await scim.deleteUser(id);
    await scim.deleteUser(id);
    await expect(scim.getUser(id)).rejects.toMatchObject({ kind: 'permanent', code: 'NotFound', status: 404 });
    expect(target.users().some((user) => user.id === id)).toBe(false);
  });

  it('classifies a duplicate userName as a conflict', async () => {
    const userName = uniqueName('dup');
    await scim.createUser(newUser(userName));
    await expect(scim.createUser(newUser(userName))).rejects.toMatchObject({
      kind: 'conflict',
      code: 'Conflict',
      status: 409,
      scimType: 'uniqueness',
      message: expect.stringMatching(/^POST \/Users failed with HTTP 409: /),
    });
    expect(target.users().filter((user) => user.userName === userName)).toHaveLength(1);
  });

  it('classifies a wrong token as configuration and keeps both tokens out of the error', async () => {
    const wrong = `wrong-${target.token}-token`;
    const client = new ScimClient({ baseUrl: target.url, authorization: () => `Bearer ${wrong}` });
    const error = await client.findUsers('userName', 'ada@example.com').catch((failure: unknown) => failure);
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    for (const secret of [wrong, target.token]) expect(JSON.stringify(error)).not.toContain(secret);
  });

  it('pages with startIndex and count, but repeats a page past the end instead of an empty one', async () => {
    const server = await startScimmyServer({ token: target.token });
    try {
      const client = new ScimClient({ baseUrl: server.url, authorization: () => `Bearer ${server.token}` });
      for (const userName of ['p1', 'p2', 'p3']) await client.createUser(newUser(userName));
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 3;) {
        const page = await client.listUsers({ startIndex, count: 2 });
        expect(page.totalResults).toBe(3);
        seen.push(...page.Resources.map((user) => String(user.userName)));
        startIndex += page.Resources.length;
      }
      expect(seen).toEqual(['p1', 'p2', 'p3']);
      // A client that pages until an empty page would never stop: stop at totalResults.
      const beyond = await client.listUsers({ startIndex: 4, count: 2 });
      expect(beyond.Resources.map((user) => user.userName)).toEqual(['p1', 'p2']);
      // Without `count`, at most 20 come back.
      for (let n = 4; n <= 25; n++) await client.createUser(newUser(`p${n}`));
      expect((await client.listUsers()).Resources).toHaveLength(20);
    } finally {
      await server.stop();
    }
  });

  it('adds a member that is already present a second time', async () => {
    const { id: userId = '' } = await scim.createUser(newUser(uniqueName('member')));
    const { id: groupId = '' } = await scim.create('Groups', { schemas: [SCHEMA_GROUP], displayName: uniqueName('group') });
    const add: PatchOperation = { op: 'add', path: 'members', value: [{ value: userId }] };
    await scim.patch('Groups', groupId, [add]);
    await scim.patch('Groups', groupId, [add]);
    expect((await scim.get('Groups', groupId)).members).toEqual([{ value: userId }, { value: userId }]);
    // Removing by filter takes every copy.
    await scim.patch('Groups', groupId, [{ op: 'remove', path: `members[value eq "${userId}"]` }]);
    expect((await scim.get('Groups', groupId)).members).toBeUndefined();
    await scim.delete('Groups', groupId);
    expect(target.groups().some((group) => group.id === groupId)).toBe(false);
  });

  it('serves ServiceProviderConfig with the bearer scheme', async () => {
    const { body } = await scim.request('GET', '/ServiceProviderConfig');
    expect(body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      sort: { supported: true },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
  });

  describe('PATCH path forms SCIMMY accepts', () => {
    const enterprise = SCHEMA_ENTERPRISE_USER;
    const home = { type: 'home', value: 'home@example.com' };
    const work = { type: 'work', value: 'old@example.com', primary: true };
    // [what, initial attributes, operations, expected attributes after, or the scimType of the 400]
    const cases: [string, Record<string, unknown>, PatchOperation[], Record<string, unknown> | string][] = [
      [
        'replace emails[type eq "work"].value with a work email present',
        { emails: [work] },
        [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        { emails: [{ ...work, value: 'new@example.com' }] },
      ],
      [
        'add emails[type eq "work"].value with a work email present',
        { emails: [work] },
        [{ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        { emails: [{ ...work, value: 'new@example.com' }] },
      ],
      [
        'replace emails[type eq "work"].value without a work email',
        { emails: [home] },
        [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        'noTarget',
      ],
      [
        'add emails[type eq "work"].value without a work email',
        { emails: [home] },
        [{ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        'noTarget',
      ],
      [
        'replace emails[type eq "work"].value without any email',
        {},
        [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        'noTarget',
      ],
      [
        'add emails[type eq "work"].value without any email',
        {},
        [{ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
        'noTarget',
      ],
      [
        'add phoneNumbers[type eq "mobile"].value without phones',
        {},
        [{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }],
        'noTarget',
      ],
      [
        'add emails with a new work email',
        { emails: [home] },
        [{ op: 'add', path: 'emails', value: [{ type: 'work', value: 'new@example.com' }] }],
        { emails: [home, { type: 'work', value: 'new@example.com' }] },
      ],
      [
        'add emails with the same value twice: a duplicate',
        { emails: [work] },
        [{ op: 'add', path: 'emails', value: [work] }],
        { emails: [work, work] },
      ],
      [
        'replace emails[type eq "work"] (the whole element; primary is lost)',
        { emails: [work] },
        [{ op: 'replace', path: 'emails[type eq "work"]', value: { type: 'work', value: 'new@example.com' } }],
        { emails: [{ type: 'work', value: 'new@example.com' }] },
      ],
      ['remove emails[type eq "work"]', { emails: [home, work] }, [{ op: 'remove', path: 'emails[type eq "work"]' }], { emails: [home] }],
      [
        'remove emails[type eq "work"] with no match',
        { emails: [home] },
        [{ op: 'remove', path: 'emails[type eq "work"]' }],
        { emails: [home] },
      ],
      [
        'replace name.familyName without a name',
        {},
        [{ op: 'replace', path: 'name.familyName', value: 'Hopper' }],
        { name: { familyName: 'Hopper' } },
      ],
      [
        'remove name.familyName',
        { name: { givenName: 'G', familyName: 'F' } },
        [{ op: 'remove', path: 'name.familyName' }],
        { name: { givenName: 'G' } },
      ],
      [
        'replace an enterprise attribute by URN path',
        {},
        [{ op: 'replace', path: `${enterprise}:department`, value: 'Ops' }],
        { [enterprise]: { department: 'Ops' } },
      ],
      [
        'add the enterprise manager as {value}',
        {},
        [{ op: 'add', path: `${enterprise}:manager`, value: { value: 'm1' } }],
        { [enterprise]: { manager: { value: 'm1' } } },
      ],
      ['add the enterprise manager as a bare string', {}, [{ op: 'add', path: `${enterprise}:manager`, value: 'm1' }], 'invalidValue'],
      [
        'replace without a path, with an object value',
        {},
        [{ op: 'replace', value: { title: 'T', active: false } }],
        { title: 'T', active: false },
      ],
      [
        'legacy: replace without a path, with dotted keys',
        {},
        [{ op: 'replace', value: { 'name.givenName': 'G' } }],
        { name: { givenName: 'G' } },
      ],
      [
        'legacy: capitalised op',
        { active: true },
        [{ op: 'Replace' as PatchOperation['op'], path: 'active', value: false }],
        { active: false },
      ],
      ['legacy: boolean as the string "False"', { active: true }, [{ op: 'replace', path: 'active', value: 'False' }], 'invalidValue'],
      ['an undeclared attribute', {}, [{ op: 'replace', path: 'favouriteColour', value: 'blue' }], 'invalidPath'],
      ['remove without a path', {}, [{ op: 'remove' }], 'noTarget'],
    ];

    it.each(cases)('%s', async (_what, initial, operations, expected) => {
      const { id = '' } = await scim.createUser(newUser(uniqueName('patch'), initial));
      if (typeof expected === 'string') {
        await expect(scim.patchUser(id, operations)).rejects.toMatchObject({
          kind: 'permanent',
          code: 'BadRequest',
          status: 400,
          scimType: expected,
        });
        return;
      }
      await scim.patchUser(id, operations);
      const after = await scim.getUser(id);
      for (const [attribute, value] of Object.entries(expected)) expect(after[attribute]).toEqual(value);
    });
  });
});

describe('ScimClient through the fault proxy', () => {
  let proxy: FaultProxy;
  /** A fresh tenant on scim2-server, for reading the target without the proxy. */
  let tenant: string;
  let direct: ScimClient;

  /** A client for the tenant through the proxy. */
  function proxied(options: Partial<ScimClientOptions> = {}): ScimClient {
    return new ScimClient({
      baseUrl: `${proxy.url}${new URL(tenant).pathname}`,
      authorization: () => `Bearer ${testEnv.scimToken}`,
      ...options,
    });
  }

  /** Every user in the tenant, read directly from scim2-server. */
  async function tenantUsers(): Promise<ScimResource[]> {
    return (await direct.listUsers({ count: 1000 })).Resources;
  }

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: testEnv.scimUrl });
  });
  afterAll(() => proxy.stop());
  beforeEach(() => {
    tenant = freshScimTenant('fault');
    direct = new ScimClient({ baseUrl: tenant, authorization: () => `Bearer ${testEnv.scimToken}` });
    proxy.requests.length = 0;
  });

  function statuses(): (number | undefined)[] {
    return proxy.requests.map((request) => request.status);
  }

  it('forwards method, path, query, headers and body verbatim', async () => {
    const scim = proxied();
    const created = await scim.createUser(newUser('verbatim@example.com', { displayName: 'V' }));
    expect(await scim.findUsers('userName', 'verbatim@example.com')).toEqual([
      expect.objectContaining({ id: created.id, displayName: 'V' }),
    ]);
    expect(proxy.requests).toEqual([
      { method: 'POST', path: `${new URL(tenant).pathname}/Users`, fault: undefined, forwarded: true, status: 201 },
      { method: 'GET', path: expect.stringContaining('/Users?filter=userName%20eq%20'), fault: undefined, forwarded: true, status: 200 },
    ]);
  });

  it('honours a 429 with Retry-After 0.2 and retries once', async () => {
    const { waits, sleep } = recordingSleep();
    proxy.plan({ times: 1, match: { method: 'GET' }, fault: { kind: 'status', status: 429, retryAfter: '0.2' } });
    expect(await proxied({ sleep }).findUsers('userName', 'nobody@example.com')).toEqual([]);
    expect(waits).toEqual([200]);
    expect(statuses()).toEqual([429, 200]);
  });

  it('retries a POST refused with 429 and a Zoom-style body after backoff, creating one user', async () => {
    const { waits, sleep } = recordingSleep();
    const zoom = JSON.stringify({
      code: 429,
      message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
    });
    proxy.plan({ times: 1, match: { method: 'POST' }, fault: { kind: 'status', status: 429, body: zoom } });
    await proxied({ sleep }).createUser(newUser('zoom@example.com'));
    expect(waits).toHaveLength(1);
    expect(statuses()).toEqual([429, 201]);
    expect((await tenantUsers()).map((user) => user.userName)).toEqual(['zoom@example.com']);
  });

  it('honours a 503 with Retry-After as an HTTP date on a POST (refused, so safe to repeat)', async () => {
    const { waits, sleep } = recordingSleep();
    proxy.plan({
      times: 1,
      match: { method: 'POST' },
      fault: { kind: 'status', status: 503, retryAfter: new Date(Date.now() + 1000).toUTCString() },
    });
    await proxied({ sleep }).createUser(newUser('busy@example.com'));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(statuses()).toEqual([503, 201]);
    expect(await tenantUsers()).toHaveLength(1);
  });

  it('gives up after maxAttempts of 503 with Retry-After and reports the last one', async () => {
    proxy.plan({ times: 3, fault: { kind: 'status', status: 503, retryAfter: '0.05' } });
    await expect(proxied().findUsers('userName', 'x@example.com')).rejects.toMatchObject({
      kind: 'transient',
      code: 'ServiceUnavailable',
      status: 503,
      retryAfterMs: 50,
    });
    expect(statuses()).toEqual([503, 503, 503]);
  });

  it('retries a PATCH after a 500 with an HTML body', async () => {
    const { id = '' } = await direct.createUser(newUser('patched@example.com'));
    const { waits, sleep } = recordingSleep();
    proxy.plan({
      times: 1,
      match: { method: 'PATCH' },
      fault: { kind: 'status', status: 500, body: '<html><body><h1>Internal Server Error</h1></body></html>' },
    });
    await proxied({ sleep }).patchUser(id, [{ op: 'replace', path: 'title', value: 'Engineer' }]);
    expect(waits).toHaveLength(1);
    expect(statuses()).toEqual([500, 204]);
    expect((await direct.getUser(id)).title).toBe('Engineer');
  });

  it('does not retry a POST after a 500: the target may have created the user', async () => {
    proxy.plan({ times: 1, match: { method: 'POST' }, fault: { kind: 'status', status: 500, body: '<html>oops</html>' } });
    await expect(proxied().createUser(newUser('once@example.com'))).rejects.toMatchObject({
      kind: 'transient',
      code: 'InternalServerError',
      status: 500,
      detail: '<html>oops</html>',
    });
    expect(statuses()).toEqual([500]);
  });

  it('reports a 502 from a gateway as transient and retries a GET', async () => {
    proxy.plan({ times: 1, fault: { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' } });
    expect(await proxied({ sleep: async () => {} }).findUsers('userName', 'x@example.com')).toEqual([]);
    expect(statuses()).toEqual([502, 200]);
  });

  it('times out on an answer slower than timeoutMs', async () => {
    proxy.plan({ times: 1, fault: { kind: 'delay', ms: 1000 } });
    const started = performance.now();
    await expect(proxied({ timeoutMs: 100, maxAttempts: 1 }).findUsers('userName', 'slow@example.com')).rejects.toMatchObject({
      kind: 'transient',
      code: 'Timeout',
    });
    expect(performance.now() - started).toBeLessThan(900);
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'GET', forwarded: true, status: undefined })]);
  });

  it('retries a GET that timed out and gets the answer the second time', async () => {
    proxy.plan({ times: 1, fault: { kind: 'delay', ms: 500 } });
    expect(await proxied({ timeoutMs: 200, sleep: async () => {} }).findUsers('userName', 'x@example.com')).toEqual([]);
    expect(statuses()).toEqual([undefined, 200]);
  });

  it('passes a slow answer within timeoutMs through', async () => {
    proxy.plan({ times: 1, fault: { kind: 'delay', ms: 100 } });
    expect(await proxied({ timeoutMs: 2000 }).findUsers('userName', 'x@example.com')).toEqual([]);
    expect(statuses()).toEqual([200]);
  });

  it('retries a GET whose connection was dropped', async () => {
    proxy.plan({ times: 1, match: { method: 'GET' }, fault: { kind: 'drop', when: 'before' } });
    expect(await proxied({ sleep: async () => {} }).findUsers('userName', 'x@example.com')).toEqual([]);
    expect(proxy.requests.map(({ forwarded, status }) => ({ forwarded, status }))).toEqual([
      { forwarded: false, status: undefined },
      { forwarded: true, status: 200 },
    ]);
  });

  it('a POST dropped before the target saw it creates nothing; find-then-create creates it once', async () => {
    const scim = proxied();
    const user = newUser('dropped.before@example.com');
    proxy.plan({ times: 1, match: { method: 'POST' }, fault: { kind: 'drop', when: 'before' } });
    await expect(scim.createUser(user)).rejects.toMatchObject({ kind: 'transient', code: 'NetworkError' });
    expect(await scim.findUsers('userName', 'dropped.before@example.com')).toEqual([]);
    await scim.createUser(user);
    expect((await tenantUsers()).map((u) => u.userName)).toEqual(['dropped.before@example.com']);
  });

  it('a POST dropped after the target created the user: transient error, one user, and the next find finds it', async () => {
    const scim = proxied();
    const userName = 'dropped.after@example.com';
    proxy.plan({ times: 1, match: { method: 'POST' }, fault: { kind: 'drop', when: 'after' } });
    await expect(scim.createUser(newUser(userName))).rejects.toMatchObject({ kind: 'transient', code: 'NetworkError' });
    // Not retried: a second POST would meet a 409 here, and a duplicate on targets without uniqueness.
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'POST', forwarded: true, status: undefined })]);
    expect((await tenantUsers()).map((u) => u.userName)).toEqual([userName]);
    // The caller's next attempt matches before creating, and links instead of creating again.
    const found = await scim.findUsers('userName', userName);
    expect(found).toHaveLength(1);
    expect((await tenantUsers()).map((u) => u.id)).toEqual([found[0]?.id]);
  });

  it('a PATCH adding a member whose answer was lost is not sent again, and the member is there once', async () => {
    const { id: userId = '' } = await direct.createUser(newUser('member@example.com'));
    const { id: groupId = '' } = await direct.create('Groups', { schemas: [SCHEMA_GROUP], displayName: 'team' });
    proxy.plan({ times: 1, match: { method: 'PATCH' }, fault: { kind: 'drop', when: 'after' } });
    await expect(
      proxied({ sleep: async () => {} }).patch('Groups', groupId, [{ op: 'add', path: 'members', value: [{ value: userId }] }]),
    ).rejects.toMatchObject({
      kind: 'transient',
      code: 'NetworkError',
    });
    expect(proxy.requests.map(({ forwarded, status }) => ({ forwarded, status }))).toEqual([{ forwarded: true, status: undefined }]);
    expect((await direct.get('Groups', groupId)).members).toEqual([{ value: userId }]);
  });

  it('a PATCH that only replaces is sent again after a lost answer', async () => {
    const { id: userId = '' } = await direct.createUser(newUser('replace@example.com'));
    proxy.plan({ times: 1, match: { method: 'PATCH' }, fault: { kind: 'drop', when: 'after' } });
    await proxied({ sleep: async () => {} }).patchUser(userId, [{ op: 'replace', path: 'displayName', value: 'Replaced' }]);
    expect(proxy.requests.map(({ status }) => status)).toEqual([undefined, 204]);
    expect((await direct.getUser(userId)).displayName).toBe('Replaced');
  });
});

describe('ScimClient through the fault proxy in front of SCIMMY', () => {
  let target: ScimmyServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    target = await startScimmyServer({ token: `scimmy-${uniqueName('token')}` });
    proxy = await startFaultProxy({ target: new URL(target.url).origin });
  });
  afterAll(async () => {
    await proxy.stop();
    await target.stop();
  });
  afterEach(() => {
    proxy.requests.length = 0;
  });

  it('a PATCH adding a member whose answer was lost is not sent again, so SCIMMY does not hold the member twice', async () => {
    const scim = new ScimClient({
      baseUrl: `${proxy.url}${new URL(target.url).pathname}`,
      authorization: () => `Bearer ${target.token}`,
      sleep: async () => {},
    });
    const { id: userId = '' } = await scim.createUser(newUser(uniqueName('member')));
    const { id: groupId = '' } = await scim.create('Groups', { schemas: [SCHEMA_GROUP], displayName: uniqueName('team') });
    proxy.plan({ times: 1, match: { method: 'PATCH' }, fault: { kind: 'drop', when: 'after' } });
    await expect(scim.patch('Groups', groupId, [{ op: 'add', path: 'members', value: [{ value: userId }] }])).rejects.toMatchObject({
      code: 'NetworkError',
    });
    expect(proxy.requests.filter((request) => request.method === 'PATCH').map((request) => request.status)).toEqual([undefined]);
    // SCIMMY appends on a repeated add (RFC 7644 §3.5.2.1 says it should not): one PATCH, one member.
    expect(target.groups().find((group) => group.id === groupId)?.members).toEqual([{ value: userId }]);
  });
});
