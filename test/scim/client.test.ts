/**
 * The SCIM client against the real scim2-server, one fresh tenant per test. The PATCH table at
 * the end records which path forms this target accepts; PATCH generation relies on it.
 */
import { describe, expect, it } from 'vitest';
import {
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_USER,
  ScimClient,
  type PatchOperation,
  type ScimResource,
} from '../../src/scim/index';
import { freshScimTenant, testEnv, uniqueName } from '../support/env';
import { rejection } from '../support/rejection';

function scimClient(token = testEnv.scimToken): ScimClient {
  return new ScimClient({ baseUrl: freshScimTenant('scim'), authorization: () => `Bearer ${token}` });
}

function newUser(userName: string, extra: Record<string, unknown> = {}): ScimResource {
  return { schemas: [SCHEMA_USER], userName, ...extra };
}

const workEmail = { type: 'work', value: 'ada.work@example.com', primary: true };

describe('ScimClient against scim2-server', () => {
  it('creates a user with core and enterprise attributes and reads it back', async () => {
    const scim = scimClient();
    const created = await scim.createUser({
      schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
      externalId: 'ada',
      userName: 'ada@example.com',
      active: true,
      displayName: 'Ada Lovelace',
      name: { formatted: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
      emails: [workEmail],
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 'E-1', department: 'Analytical Engines' },
    });
    expect(created.id).toEqual(expect.any(String));
    const read = await scim.getUser(created.id ?? '');
    expect(read).toMatchObject({
      externalId: 'ada',
      userName: 'ada@example.com',
      active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [workEmail],
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 'E-1', department: 'Analytical Engines' },
    });
    expect(read.schemas).toEqual(expect.arrayContaining([SCHEMA_USER, SCHEMA_ENTERPRISE_USER]));
  });

  it('finds exactly the user whose userName holds quotes and backslashes', async () => {
    const scim = scimClient();
    const tricky = 'o"brien\\x';
    const injection = 'a" or userName pr or userName eq "b';
    const names = [tricky, 'o"brienx', 'obrien\\x', 'o\\"brien\\x', 'a', 'b', injection];
    const ids = new Map<string, string>();
    for (const userName of names) ids.set(userName, (await scim.createUser(newUser(userName))).id ?? '');

    for (const userName of [tricky, injection, 'o\\"brien\\x']) {
      const found = await scim.findUsers('userName', userName);
      expect(found.map((u) => u.id)).toEqual([ids.get(userName)]);
      expect(found[0]?.userName).toBe(userName);
    }
    expect(await scim.findUsers('userName', 'x" or userName pr or userName eq "y')).toEqual([]);
  });

  it('finds nothing in an empty tenant and on unknown values', async () => {
    const scim = scimClient();
    expect(await scim.findUsers('userName', 'nobody@example.com')).toEqual([]);
    expect(await scim.findUsers('externalId', 'f1b3c5d7-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('classifies a filter on an undeclared attribute as BadRequest invalidFilter', async () => {
    const error = await rejection(scimClient().findUsers('costCenterCode', 'x'));
    expect(error).toMatchObject({ kind: 'permanent', code: 'BadRequest', status: 400, scimType: 'invalidFilter' });
    expect(error.message).toMatch(/^GET \/Users failed with HTTP 400/);
  });

  it('patches name.familyName, the work email and active; the target answers 204', async () => {
    const scim = scimClient();
    const { id = '' } = await scim.createUser(
      newUser('grace@example.com', { active: true, name: { givenName: 'Grace', familyName: 'Murray' }, emails: [workEmail] }),
    );
    const answers = [
      await scim.patchUser(id, [{ op: 'replace', path: 'name.familyName', value: 'Hopper' }]),
      await scim.patchUser(id, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'grace.work@example.com' }]),
      await scim.patchUser(id, [{ op: 'replace', path: 'active', value: false }]),
    ];
    expect(answers).toEqual([undefined, undefined, undefined]);
    expect(await scim.getUser(id)).toMatchObject({
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ type: 'work', value: 'grace.work@example.com', primary: true }],
      active: false,
    });
  });

  it('replaces a user with PUT', async () => {
    const scim = scimClient();
    const { id = '' } = await scim.createUser(newUser('linus@example.com', { title: 'Engineer' }));
    const replaced = await scim.replaceUser(id, newUser('linus@example.com', { displayName: 'Linus' }));
    expect(replaced).toMatchObject({ id, displayName: 'Linus' });
    expect(replaced?.title).toBeUndefined();
  });

  it('deletes a user, and deleting it again is no error', async () => {
    const scim = scimClient();
    const { id = '' } = await scim.createUser(newUser('gone@example.com'));
    await scim.deleteUser(id);
    await scim.deleteUser(id);
    expect(await rejection(scim.getUser(id))).toMatchObject({ kind: 'permanent', code: 'NotFound', status: 404 });
  });

  it('classifies a duplicate userName as a conflict', async () => {
    const scim = scimClient();
    await scim.createUser(newUser('dup@example.com'));
    const error = await rejection(scim.createUser(newUser('dup@example.com')));
    expect(error).toMatchObject({ kind: 'conflict', code: 'Conflict', status: 409, scimType: 'uniqueness' });
    expect(error.message).toMatch(/^POST \/Users failed with HTTP 409: /);
  });

  it('classifies an attribute no schema declares as BadRequest', async () => {
    const error = await rejection(scimClient().createUser(newUser('x@example.com', { favouriteColour: 'blue' })));
    expect(error).toMatchObject({ kind: 'permanent', code: 'BadRequest', status: 400 });
    expect(error.detail).toContain('favouriteColour');
  });

  it('classifies a wrong token as configuration and keeps both tokens out of the error', async () => {
    const wrong = `wrong-${testEnv.scimToken}-token`;
    const error = await rejection(scimClient(wrong).findUsers('userName', 'ada@example.com'));
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    for (const secret of [wrong, testEnv.scimToken]) {
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(error.message).not.toContain(secret);
      expect(error.stack ?? '').not.toContain(secret);
    }
  });

  it('pages through users', async () => {
    const scim = scimClient();
    for (const userName of ['p1', 'p2', 'p3']) await scim.createUser(newUser(userName));
    const seen: string[] = [];
    for (let startIndex = 1; ;) {
      const page = await scim.listUsers({ startIndex, count: 2 });
      expect(page.totalResults).toBe(3);
      if (page.Resources.length === 0) break;
      seen.push(...page.Resources.map((u) => String(u.userName)));
      startIndex += page.Resources.length;
    }
    expect(seen.sort()).toEqual(['p1', 'p2', 'p3']);
  });

  it('serves groups through the same generic operations', async () => {
    const scim = scimClient();
    const { id: userId = '' } = await scim.createUser(newUser('member@example.com'));
    const { id: groupId = '' } = await scim.create('Groups', { schemas: [SCHEMA_GROUP], displayName: uniqueName('group') });
    const add: PatchOperation = { op: 'add', path: 'members', value: [{ value: userId }] };
    await scim.patch('Groups', groupId, [add]);
    await scim.patch('Groups', groupId, [add]);
    expect((await scim.get('Groups', groupId)).members).toEqual([{ value: userId }]);
    await scim.patch('Groups', groupId, [{ op: 'remove', path: `members[value eq "${userId}"]` }]);
    expect((await scim.get('Groups', groupId)).members).toBeUndefined();
    await scim.delete('Groups', groupId);
    await scim.delete('Groups', groupId);
  });

  describe('PATCH path forms scim2-server accepts', () => {
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
      ['add emails with the same value twice', { emails: [work] }, [{ op: 'add', path: 'emails', value: [work] }], { emails: [work] }],
      [
        'replace emails[type eq "work"] (the whole element)',
        { emails: [work] },
        [{ op: 'replace', path: 'emails[type eq "work"]', value: { type: 'work', value: 'new@example.com' } }],
        { emails: [{ type: 'work', value: 'new@example.com', primary: true }] },
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
      ['legacy: boolean as the string "False"', { active: true }, [{ op: 'replace', path: 'active', value: 'False' }], { active: false }],
      ['an undeclared attribute', {}, [{ op: 'replace', path: 'favouriteColour', value: 'blue' }], 'invalidPath'],
      ['remove without a path', {}, [{ op: 'remove' }], 'noTarget'],
    ];

    it.each(cases)('%s', async (_what, initial, operations, expected) => {
      const scim = scimClient();
      const { id = '' } = await scim.createUser(newUser(uniqueName('patch'), initial));
      if (typeof expected === 'string') {
        const error = await rejection(scim.patchUser(id, operations));
        expect(error).toMatchObject({ kind: 'permanent', code: 'BadRequest', status: 400, scimType: expected });
        return;
      }
      expect(await scim.patchUser(id, operations)).toBeUndefined();
      const after = await scim.getUser(id);
      for (const [attribute, value] of Object.entries(expected)) expect(after[attribute]).toEqual(value);
    });
  });
});
