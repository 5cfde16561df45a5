/** The in-memory SCIM target answers the real client as a SCIM server would, and fails when told to. */
import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../../src/errors/index';
import { scimClientFor, SCHEMA_GROUP, SCHEMA_USER } from '../../src/scim/index';
import { memoryTarget, MEMORY_TARGET_URL } from './memory-target';

function clientOf(target = memoryTarget()) {
  const app = {
    id: 'memory-target-test',
    target: { type: 'scim' as const, baseUrl: MEMORY_TARGET_URL, auth: { type: 'bearer' as const } },
  };
  return { target, scim: scimClientFor(app, { targetToken: 'token-of-the-target' }, { fetch: target.fetch }) };
}

const user = (name: string) => ({ schemas: [SCHEMA_USER], userName: name, emails: [{ type: 'work', value: name }] });

describe('the memory target', () => {
  it('creates, reads, filters, lists in pages, and deletes', async () => {
    const { target, scim } = clientOf(memoryTarget({ pageCap: 2 }));
    const ids: string[] = [];
    for (const name of ['a@x.test', 'b@x.test', 'c@x.test']) ids.push((await scim.create('Users', user(name))).id!);

    expect(await scim.get('Users', ids[1]!)).toMatchObject({ id: ids[1], userName: 'b@x.test', meta: { resourceType: 'User' } });
    expect((await scim.find('Users', 'userName', 'B@X.TEST')).map((u) => u.id)).toEqual([ids[1]]);
    expect((await scim.find('Users', 'emails.value', 'c@x.test')).map((u) => u.id)).toEqual([ids[2]]);
    const first = await scim.list('Users', { startIndex: 1, count: 10 });
    expect(first).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
    expect((await scim.list('Users', { startIndex: 3, count: 10 })).Resources.map((u) => u.id)).toEqual([ids[2]]);

    await scim.delete('Users', ids[0]!);
    await expect(scim.get('Users', ids[0]!)).rejects.toMatchObject({ code: 'NotFound', status: 404 });
    expect(target.list('Users').map((u) => u.userName)).toEqual(['b@x.test', 'c@x.test']);
  });

  it('patches with scim-patch, appends members on add, removes them by filter, and leaves members out on request', async () => {
    const { target, scim } = clientOf();
    const id = (await scim.create('Groups', { schemas: [SCHEMA_GROUP], displayName: 'G' })).id!;
    await scim.patch('Groups', id, [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }]);
    await scim.patch('Groups', id, [{ op: 'add', path: 'members', value: [{ value: 'u2' }] }]);
    expect(target.get('Groups', id)?.members).toEqual([{ value: 'u1' }, { value: 'u2' }, { value: 'u2' }]);

    await scim.patch('Groups', id, [
      { op: 'remove', path: 'members[value eq "u2"]' },
      { op: 'replace', path: 'displayName', value: 'Renamed' },
    ]);
    expect(target.get('Groups', id)).toMatchObject({ displayName: 'Renamed', members: [{ value: 'u1' }] });
    expect((await scim.list('Groups', { excludedAttributes: ['members'] })).Resources[0]).not.toHaveProperty('members');
  });

  it('takes duplicates unless asked to refuse them', async () => {
    const loose = clientOf();
    await loose.scim.create('Users', user('a@x.test'));
    await loose.scim.create('Users', user('A@x.test'));
    expect(loose.target.list('Users')).toHaveLength(2);

    const strict = clientOf(memoryTarget({ unique: true }));
    await strict.scim.create('Users', user('a@x.test'));
    await expect(strict.scim.create('Users', user('A@x.test'))).rejects.toMatchObject({ kind: 'conflict', status: 409 });
  });

  it('fails the next matching requests with a status, and then answers again', async () => {
    const { target, scim } = clientOf();
    target.fail({ method: 'POST', path: '/Users', body: (body) => body.userName === 'b@x.test' }, 400, { times: 2, detail: 'no b' });
    await scim.create('Users', user('a@x.test'));
    for (let i = 0; i < 2; i++) await expect(scim.create('Users', user('b@x.test'))).rejects.toMatchObject({ status: 400, detail: 'no b' });
    await scim.create('Users', user('b@x.test'));
    expect(target.list('Users').map((u) => u.userName)).toEqual(['a@x.test', 'b@x.test']);
    expect(target.requests.map((r) => r.status)).toEqual([201, 400, 400, 201]);
  });

  it('carries out a request whose answer it then loses', async () => {
    const { target, scim } = clientOf();
    target.loseAnswer({ method: 'POST', path: '/Users' });
    const error: unknown = await scim.create('Users', user('a@x.test')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'transient' });
    expect(target.list('Users').map((u) => u.userName)).toEqual(['a@x.test']);
    expect(target.requests).toMatchObject([{ method: 'POST', status: 201, lost: true }]);
  });
});
