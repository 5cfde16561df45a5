/**
 * Writes by PUT on a target with ETags: If-Match protects a change made between our read and our
 * write, and a 412 makes the writer read and apply again, keeping that change.
 */
import { describe, expect, it } from 'vitest';
import { CONSERVATIVE_PROFILE, ScimClient, profiledWriter, SCHEMA_USER } from '../../src/scim/index';
import { freshScimTenant, testEnv } from '../support/env';
import { scimHttp } from '../support/scim-http';

describe('PUT with If-Match against scim2-server', () => {
  it('reads again after a 412 and keeps the change made in between', async () => {
    const baseUrl = freshScimTenant();
    const client = new ScimClient({ baseUrl, authorization: () => `Bearer ${testEnv.scimToken}` });
    const raw = scimHttp(() => baseUrl);
    const id = await raw.create({ schemas: [SCHEMA_USER], userName: 'ada@contoso.test', displayName: 'Ada', active: true });

    let reads = 0;
    const meddling = {
      find: client.find.bind(client),
      create: client.create.bind(client),
      delete: client.delete.bind(client),
      patch: client.patch.bind(client),
      replace: client.replace.bind(client),
      async get(endpoint: 'Users' | 'Groups', userId: string) {
        const current = await client.get(endpoint, userId);
        // Someone else changes the account right after our first read.
        if (++reads === 1) await raw.patch(userId, [{ op: 'replace', path: 'nickName', value: 'Countess' }]);
        return current;
      },
    };
    const writer = profiledWriter(meddling, 'Users', { ...CONSERVATIVE_PROFILE, patch: false, etag: true });
    await writer.patch(id, [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }]);

    expect(reads).toBe(2);
    expect(await raw.getUser(id)).toMatchObject({ displayName: 'Ada Lovelace', nickName: 'Countess' });
  });

  it('is refused with a 412 for a stale version', async () => {
    const baseUrl = freshScimTenant();
    const client = new ScimClient({ baseUrl, authorization: () => `Bearer ${testEnv.scimToken}` });
    const raw = scimHttp(() => baseUrl);
    const id = await raw.create({ schemas: [SCHEMA_USER], userName: 'bob@contoso.test', active: true });
    const stale = (await client.getUser(id)).meta?.version;
    expect(stale).toBeTruthy();
    await raw.patch(id, [{ op: 'replace', path: 'displayName', value: 'Bob' }]);
    await expect(
      client.replaceUser(id, { schemas: [SCHEMA_USER], userName: 'bob@contoso.test', active: false }, { ifMatch: stale! }),
    ).rejects.toMatchObject({ code: 'PreconditionFailed' });
  });
});
