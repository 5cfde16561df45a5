/**
 * Capability discovery and the connection test against the real scim2-server, one server per
 * announced configuration. Each configuration is also checked against what the server does,
 * so that a profile that matches the announcement but not the behaviour would show.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSERVATIVE_PROFILE,
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_USER,
  ScimClient,
  discoverCapabilities,
  testConnection,
  type CapabilityProfile,
} from '../../src/scim/index';
import { projectRoot } from '../../src/tools/index';
import { uniqueName } from '../support/env';
import { startScimServer, type ScimServer } from '../support/scim-server';
import { rejection } from '../support/rejection';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

const fullConfig = {
  schemas: [SPC_SCHEMA],
  patch: { supported: true },
  bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
  filter: { supported: true, maxResults: 1000 },
  changePassword: { supported: true },
  sort: { supported: true },
  etag: { supported: true },
};

/** The scim2-server `--resource-type` file: a JSON list of RFC 7643 §6 resource types. */
const usersOnlyTypes = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: SCHEMA_USER,
  },
];

type ConfigName = 'full' | 'no PATCH' | 'no bulk, no ETags' | 'no filter' | 'users only';

const configurations: Record<ConfigName, { config: object; resourceTypes?: object[] }> = {
  full: { config: fullConfig },
  'no PATCH': { config: { ...fullConfig, patch: { supported: false } } },
  'no bulk, no ETags': {
    config: { ...fullConfig, bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 }, etag: { supported: false } },
  },
  'no filter': { config: { ...fullConfig, filter: { supported: false, maxResults: 0 } } },
  'users only': { config: fullConfig, resourceTypes: usersOnlyTypes },
};

const token = randomBytes(16).toString('hex');
const servers = new Map<ConfigName, ScimServer>();
let dir = '';

beforeAll(async () => {
  await mkdir(join(projectRoot, '.test-tmp'), { recursive: true });
  dir = await mkdtemp(join(projectRoot, '.test-tmp', 'capabilities-'));
  await Promise.all(
    Object.entries(configurations).map(async ([name, { config, resourceTypes }], index) => {
      const serviceProviderConfig = join(dir, `spc-${index}.json`);
      await writeFile(serviceProviderConfig, JSON.stringify(config));
      const extraArgs: string[] = [];
      if (resourceTypes) {
        const file = join(dir, `resource-types-${index}.json`);
        await writeFile(file, JSON.stringify(resourceTypes));
        extraArgs.push('--resource-type', file);
      }
      servers.set(name as ConfigName, await startScimServer({ token, serviceProviderConfig, extraArgs }));
    }),
  );
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.stop()));
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

function client(name: ConfigName, credential = token): ScimClient {
  const server = servers.get(name);
  if (!server) throw new Error(`no server for ${name}`);
  return new ScimClient({
    baseUrl: `${server.url}/${uniqueName('cap').replace('-', '')}/v2`,
    authorization: () => `Bearer ${credential}`,
    maxAttempts: 1,
  });
}

const fullProfile: Omit<CapabilityProfile, 'discoveredAt'> = {
  ...CONSERVATIVE_PROFILE,
  patch: true,
  bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
  filter: { supported: true, maxResults: 1000 },
  etag: true,
  sort: true,
  changePassword: true,
  resourceTypes: { user: true, group: true, enterpriseUser: true },
  pageSize: 1000,
};

describe('discoverCapabilities against scim2-server', () => {
  it.each<[ConfigName, Partial<CapabilityProfile>]>([
    ['full', {}],
    ['no PATCH', { patch: false }],
    ['no bulk, no ETags', { bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 }, etag: false }],
    // maxResults 0 of a target without filtering is no page cap.
    ['no filter', { filter: { supported: false, maxResults: 100 }, pageSize: 100 }],
    ['users only', { resourceTypes: { user: true, group: false, enterpriseUser: false } }],
  ])('reads the profile of the %s configuration', async (name, differences) => {
    const { profile, notes, reads } = await discoverCapabilities(client(name));
    expect(profile).toEqual({ ...fullProfile, ...differences, discoveredAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(profile.discoveredAt ?? ''))).toBe(false);
    expect(notes).toEqual([]);
    expect(reads.map((read) => read.outcome)).toEqual(['read', 'read', 'read']);
  });

  it('learns the declared user attributes from /Schemas', async () => {
    const { userAttributes } = await discoverCapabilities(client('full'));
    expect(userAttributes).toEqual(
      expect.arrayContaining(['username', 'name.givenname', `${SCHEMA_ENTERPRISE_USER}:employeenumber`.toLowerCase()]),
    );
  });
});

describe('scim2-server behaves as it announces', () => {
  it('answers a PATCH with 501 when PATCH is off, and accepts PUT', async () => {
    const scim = client('no PATCH');
    const { id = '' } = await scim.createUser({ schemas: [SCHEMA_USER], userName: 'put-only@example.com' });
    const error = await rejection(scim.patchUser(id, [{ op: 'replace', path: 'displayName', value: 'X' }]));
    expect(error).toMatchObject({ status: 501, code: 'NotImplemented' });
    expect(await scim.replaceUser(id, { schemas: [SCHEMA_USER], userName: 'put-only@example.com', displayName: 'X' })).toMatchObject({
      displayName: 'X',
    });
  });

  it('answers /Bulk with 501 and sends no ETag when both are off', async () => {
    const scim = client('no bulk, no ETags');
    const created = await scim.createUser({ schemas: [SCHEMA_USER], userName: 'no-etag@example.com' });
    expect(created.meta?.version).toBeUndefined();
    const error = await rejection(
      scim.request('POST', '/Bulk', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] } }),
    );
    expect(error.status).toBe(501);
  });

  it('sends an ETag when ETags are on', async () => {
    const created = await client('full').createUser({ schemas: [SCHEMA_USER], userName: 'etag@example.com' });
    expect(created.meta?.version).toEqual(expect.any(String));
  });

  it('answers a filter with 501 when filtering is off', async () => {
    const error = await rejection(client('no filter').findUsers('userName', 'x'));
    expect(error).toMatchObject({ status: 501, code: 'NotImplemented', detail: 'Filtering is not supported' });
  });

  it('serves no /Groups when only users are announced', async () => {
    const error = await rejection(client('users only').create('Groups', { schemas: [SCHEMA_GROUP], displayName: 'g' }));
    expect(error.status).toBe(404);
  });
});

describe('testConnection against scim2-server', () => {
  it('passes every check on the full configuration', async () => {
    const result = await testConnection(client('full'));
    expect(result.checks.map((check) => [check.name, check.status])).toEqual([
      ['authenticate', 'passed'],
      ['match query', 'passed'],
      ['service provider config', 'passed'],
      ['resource types', 'passed'],
      ['schemas', 'passed'],
    ]);
    expect(result.ok).toBe(true);
    expect(result.profile).toMatchObject({ patch: true, bulk: { supported: true } });
  });

  it('passes with externalId as the matching attribute', async () => {
    const result = await testConnection(client('full'), { matchingAttribute: 'externalId' });
    expect(result.ok).toBe(true);
  });

  it('finds nothing for the random value even when the tenant has users', async () => {
    const scim = client('full');
    await scim.createUser({ schemas: [SCHEMA_USER], userName: 'someone@example.com' });
    const result = await testConnection(scim);
    expect(result.checks[1]).toMatchObject({ name: 'match query', status: 'passed' });
  });

  it('passes the configuration without filtering, which is matched through a listing instead', async () => {
    const result = await testConnection(client('no filter'));
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => [check.name, check.status])).toEqual([
      ['authenticate', 'passed'],
      ['match query', 'passed'],
      ['service provider config', 'passed'],
      ['resource types', 'passed'],
      ['schemas', 'passed'],
    ]);
    expect(result.checks[1]?.detail).toMatch(
      /^the target announces no filtering \(ServiceProviderConfig filter\.supported false\): accounts are matched against a listing of the target, kept current between cycles; it answered GET \/Users\?filter=userName eq "[^"]+" with 501$/,
    );
    expect(result.profile?.filter.supported).toBe(false);
  });

  it('fails authentication with a wrong token and reports no secret', async () => {
    const wrong = randomBytes(16).toString('hex');
    const result = await testConnection(client('full', wrong));
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({ name: 'authenticate', status: 'failed', detail: expect.stringMatching(/HTTP 401/) });
    expect(result.profile).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(token);
  });
});
