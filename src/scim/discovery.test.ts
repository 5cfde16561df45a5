import { describe, expect, it } from 'vitest';
import { FAKE_BASE_URL, routedFetch, scimJson, type Route } from '../../test/scim/routed-fetch';
import { CONSERVATIVE_PROFILE } from './capabilities';
import { ScimClient } from './client';
import { discoverCapabilities } from './discovery';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_GROUP, SCHEMA_LIST_RESPONSE, SCHEMA_USER } from './types';

const NOW = new Date('2026-03-04T05:06:07.000Z');

const fullConfig = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: true },
  bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: true },
};

const userType = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  schema: SCHEMA_USER,
  schemaExtensions: [{ schema: SCHEMA_ENTERPRISE_USER, required: false }],
};
const groupType = { id: 'Group', name: 'Group', endpoint: '/Groups', schema: SCHEMA_GROUP };

const userSchema = {
  id: SCHEMA_USER,
  name: 'User',
  attributes: [{ name: 'userName' }, { name: 'name', subAttributes: [{ name: 'givenName' }, { name: 'familyName' }] }, { name: 'emails' }],
};
const enterpriseSchema = { id: SCHEMA_ENTERPRISE_USER, attributes: [{ name: 'employeeNumber' }] };
const groupSchema = { id: SCHEMA_GROUP, attributes: [{ name: 'displayName' }, { name: 'members' }] };

function list(resources: unknown[]) {
  return scimJson(200, { schemas: [SCHEMA_LIST_RESPONSE], totalResults: resources.length, Resources: resources });
}

const wellBehaved: Record<string, Route> = {
  'GET /ServiceProviderConfig': scimJson(200, fullConfig),
  'GET /ResourceTypes': list([userType, groupType]),
  'GET /Schemas': list([userSchema, groupSchema, enterpriseSchema]),
};

async function discover(routes: Record<string, Route>) {
  const { fetch, calls } = routedFetch(routes);
  const scim = new ScimClient({ baseUrl: FAKE_BASE_URL, authorization: () => 'Bearer tok-1234567890abcdef', fetch, maxAttempts: 1 });
  return { ...(await discoverCapabilities(scim, { now: () => NOW })), calls };
}

describe('discoverCapabilities on a well-behaved target', () => {
  it('reads every feature, the resource types and the declared user attributes', async () => {
    const { profile, notes, reads, userAttributes, calls } = await discover(wellBehaved);
    expect(profile).toEqual({
      ...CONSERVATIVE_PROFILE,
      patch: true,
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
      etag: true,
      sort: true,
      changePassword: false,
      resourceTypes: { user: true, group: true, enterpriseUser: true },
      pageSize: 200,
      discoveredAt: NOW.toISOString(),
    });
    expect(notes).toEqual([]);
    expect(reads.map((read) => [read.endpoint, read.outcome])).toEqual([
      ['serviceProviderConfig', 'read'],
      ['resourceTypes', 'read'],
      ['schemas', 'read'],
    ]);
    expect(reads[0]?.summary).toMatch(/^PATCH: yes; bulk: up to 1000 operations .* \(from \/ServiceProviderConfig\)$/);
    expect(userAttributes).toEqual(
      expect.arrayContaining([
        'username',
        'name.givenname',
        `${SCHEMA_USER}:username`.toLowerCase(),
        `${SCHEMA_ENTERPRISE_USER}:employeenumber`.toLowerCase(),
      ]),
    );
    expect(userAttributes).not.toContain('displayname');
    expect(calls).toEqual(['GET /ServiceProviderConfig', 'GET /ResourceTypes', 'GET /Schemas']);
  });

  it('reads the page cap of RFC 9865 pagination when it is the smaller', async () => {
    const { profile } = await discover({
      ...wellBehaved,
      'GET /ServiceProviderConfig': scimJson(200, { ...fullConfig, pagination: { index: true, cursor: false, maxPageSize: 50 } }),
    });
    expect(profile.pageSize).toBe(50);
    expect(profile.filter.maxResults).toBe(200);
  });

  it('keeps the legacy forms and group member reads at their defaults: no endpoint announces them', async () => {
    const { profile } = await discover(wellBehaved);
    expect(profile).toMatchObject({ patchOpCasing: 'rfc', booleanEncoding: 'json', groupMembersOnGet: true, maxMembersPerPatch: 100 });
  });
});

describe('discoverCapabilities on odd targets', () => {
  it('reads the plural /ServiceProviderConfigs when the singular answers 404', async () => {
    const { profile, reads, calls } = await discover({
      'GET /ServiceProviderConfigs': list([fullConfig]),
      'GET /ResourceTypes': list([userType, groupType]),
      'GET /Schemas': list([userSchema]),
    });
    expect(calls.slice(0, 2)).toEqual(['GET /ServiceProviderConfig', 'GET /ServiceProviderConfigs']);
    expect(reads[0]).toMatchObject({ outcome: 'read', path: '/ServiceProviderConfigs', notes: [] });
    expect(reads[0]?.summary).toMatch(/\(from \/ServiceProviderConfigs\)$/);
    expect(profile.patch).toBe(true);
    expect(profile.bulk.maxOperations).toBe(1000);
  });

  it('keeps every default, with a note per endpoint, when nothing is served', async () => {
    const { profile, notes, reads, userAttributes } = await discover({});
    expect(profile).toEqual({ ...CONSERVATIVE_PROFILE, discoveredAt: NOW.toISOString() });
    expect(reads.map((read) => read.outcome)).toEqual(['absent', 'absent', 'absent']);
    expect(notes).toEqual([
      expect.stringMatching(
        /^GET \/ServiceProviderConfigs answered HTTP 404: the target does not serve it; the conservative defaults apply/,
      ),
      expect.stringMatching(/^GET \/ResourceTypes answered HTTP 404.*; users and groups are assumed/),
      expect.stringMatching(/^GET \/Schemas answered HTTP 404.*; the declared attributes are unknown/),
    ]);
    expect(userAttributes).toBeUndefined();
  });

  it('notes an HTML page instead of JSON and keeps the defaults', async () => {
    const html = new Response('<html><body>Sign in</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    const { profile, reads } = await discover({ ...wellBehaved, 'GET /ServiceProviderConfig': html });
    expect(reads[0]).toMatchObject({ outcome: 'unreadable', path: '/ServiceProviderConfig' });
    expect(reads[0]?.notes).toEqual([
      expect.stringMatching(/^GET \/ServiceProviderConfig answered HTTP 200 with a body that is not JSON; the conservative defaults apply/),
    ]);
    expect(profile.patch).toBe(false);
    expect(profile.resourceTypes.enterpriseUser).toBe(true);
  });

  it.each([
    [
      'a JSON array of strings',
      ['patch', 'bulk'],
      /^GET \/ServiceProviderConfig answered the string "patch" where a JSON object was expected/,
    ],
    ['a number', 42, /^GET \/ServiceProviderConfig answered the number 42 where a JSON object was expected/],
    ['null', null, /^GET \/ServiceProviderConfig answered null where a JSON object was expected/],
  ])('notes a configuration that is %s', async (_name, body, note) => {
    const { reads, profile } = await discover({ ...wellBehaved, 'GET /ServiceProviderConfig': scimJson(200, body) });
    expect(reads[0]?.outcome).toBe('unreadable');
    expect(reads[0]?.notes).toEqual([expect.stringMatching(note)]);
    expect(profile.patch).toBe(false);
  });

  it('reads what it can of a configuration with missing fields and wrong types, naming each', async () => {
    const { profile, reads } = await discover({
      ...wellBehaved,
      'GET /ServiceProviderConfig': scimJson(200, {
        PATCH: { Supported: 'True' },
        bulk: { supported: true, maxOperations: '100' },
        filter: { supported: 'sometimes', maxResults: 'lots' },
        etag: true,
        sort: { supported: false },
      }),
    });
    expect(profile).toMatchObject({
      patch: true,
      bulk: { supported: false },
      filter: { supported: true, maxResults: 100 },
      etag: false,
      sort: false,
      changePassword: false,
      pageSize: 100,
    });
    expect(reads[0]?.outcome).toBe('read');
    expect(reads[0]?.notes).toEqual([
      'GET /ServiceProviderConfig: patch.supported is the string "True"; read as a boolean',
      'GET /ServiceProviderConfig: etag is the boolean true, not an object',
      'GET /ServiceProviderConfig: no readable etag.supported; kept the default (unsupported)',
      'GET /ServiceProviderConfig: no readable changePassword.supported; kept the default (unsupported)',
      'GET /ServiceProviderConfig: bulk.maxOperations is the string "100"; read as a number',
      'GET /ServiceProviderConfig: bulk.maxPayloadSize is missing',
      'GET /ServiceProviderConfig: bulk is announced without a positive maxOperations and maxPayloadSize; bulk stays off',
      'GET /ServiceProviderConfig: filter.supported is the string "sometimes", not a boolean',
      'GET /ServiceProviderConfig: no readable filter.supported; kept the default (supported)',
      'GET /ServiceProviderConfig: filter.maxResults is the string "lots", not a count',
    ]);
  });

  it('takes no page cap from the maxResults 0 of a target without filtering', async () => {
    const { profile, notes } = await discover({
      ...wellBehaved,
      'GET /ServiceProviderConfig': scimJson(200, { ...fullConfig, filter: { supported: false, maxResults: 0 } }),
    });
    expect(profile.filter).toEqual({ supported: false, maxResults: 100 });
    expect(profile.pageSize).toBe(100);
    expect(notes).toEqual([]);
  });

  it('reads resource types and schemas served as bare arrays, in any letter case', async () => {
    const { profile, userAttributes } = await discover({
      ...wellBehaved,
      'GET /ResourceTypes': scimJson(200, [{ NAME: 'user', ENDPOINT: 'Users', schemaextensions: [{ SCHEMA: SCHEMA_ENTERPRISE_USER }] }]),
      'GET /Schemas': scimJson(200, [userSchema, enterpriseSchema]),
    });
    expect(profile.resourceTypes).toEqual({ user: true, group: false, enterpriseUser: true });
    expect(userAttributes).toEqual(expect.arrayContaining(['username', `${SCHEMA_ENTERPRISE_USER}:employeenumber`.toLowerCase()]));
  });

  it('notes a target that announces no User type', async () => {
    const { profile, reads } = await discover({ ...wellBehaved, 'GET /ResourceTypes': list([groupType]) });
    expect(profile.resourceTypes).toEqual({ user: false, group: true, enterpriseUser: false });
    expect(reads[1]?.notes).toEqual(['GET /ResourceTypes: no User resource type is announced: users cannot be provisioned']);
  });

  it.each([
    ['an object without Resources', { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 2 }, 'a JSON object without Resources'],
    ['Resources that is not an array', { Resources: { User: userType } }, 'Resources as an object, not an array'],
    ['entries that are not objects', { Resources: ['User', 'Group'] }, 'no readable resource type'],
  ])('notes resource types given as %s and keeps the defaults', async (_name, body, problem) => {
    const { profile, reads } = await discover({ ...wellBehaved, 'GET /ResourceTypes': scimJson(200, body) });
    expect(reads[1]).toMatchObject({
      outcome: 'unreadable',
      notes: [`GET /ResourceTypes answered ${problem}; users and groups are assumed, without the enterprise extension`],
    });
    expect(profile.resourceTypes.user).toBe(true);
  });

  it('takes the enterprise extension from /Schemas when the resource types are unreadable', async () => {
    const { profile, notes } = await discover({ ...wellBehaved, 'GET /ResourceTypes': scimJson(500, { detail: 'boom' }) });
    expect(profile.resourceTypes).toEqual({ user: true, group: true, enterpriseUser: true });
    expect(notes).toEqual([
      expect.stringMatching(/^GET \/ResourceTypes failed with HTTP 500: boom; users and groups are assumed/),
      'GET /Schemas: the enterprise User extension is taken from /Schemas, as the resource types could not be read',
    ]);
  });

  it('notes schemas without an id and a missing core User schema', async () => {
    const { reads, userAttributes } = await discover({ ...wellBehaved, 'GET /Schemas': list([{ name: 'nameless' }, 7, groupSchema]) });
    expect(reads[2]?.notes).toEqual([
      'GET /Schemas: entry 1 is a schema without an id; skipped',
      'GET /Schemas: entry 2 is the number 7; skipped',
      'GET /Schemas: the core User schema is not served',
    ]);
    expect(userAttributes).toBeUndefined();
  });

  it('notes a refused discovery read without the credential', async () => {
    const token = 'tok-1234567890abcdef';
    const { notes, reads } = await discover({
      ...wellBehaved,
      'GET /Schemas': ({ headers }) => scimJson(401, { detail: `bad token ${headers.authorization}` }),
    });
    expect(reads[2]?.outcome).toBe('unreadable');
    expect(notes.join('\n')).toMatch(/GET \/Schemas failed with HTTP 401/);
    expect(notes.join('\n')).not.toContain(token);
  });
});
