/**
 * Nothing is lost: an object that fails goes to escrow with the target's error in the log, and a
 * later cycle retries it once its retry time has come.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';
import { person } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function scimPost(baseUrl: string, body: object): Promise<string> {
  const response = await fetch(`${baseUrl}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...body }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

describe('escrow', () => {
  it('keeps a failed object with the reason and retries it on a later cycle', async () => {
    const app = await h.createApp({
      mappings: {
        user: [
          { type: 'direct', source: 'mailNickname', target: 'externalId', matchingPrecedence: 1 },
          { type: 'direct', source: 'userPrincipalName', target: 'userName' },
          { type: 'direct', source: 'displayName', target: 'displayName' },
          { type: 'direct', source: 'accountEnabled', target: 'active' },
        ],
      },
    });
    const first = await h.waitForCycle(app.id);
    expect(first.state).toBe('succeeded');
    // A new user whose externalId two target accounts already claim: scimflow must not guess.
    const ambiguous = h.graph.addUser({ ...person(9001), mailNickname: 'shared-nick' });
    const one = await scimPost(app.scimBaseUrl, { userName: 'copy-a@contoso.test', externalId: 'shared-nick' });
    const two = await scimPost(app.scimBaseUrl, { userName: 'copy-b@contoso.test', externalId: 'shared-nick' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second.counts.failed).toBe(1);

    const failed = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${ambiguous.id}&status=Failure`);
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0].error).toMatchObject({ code: 'DuplicateTargetEntries' });
    expect(failed.body.items[0].reason).toContain('2 target accounts match on externalId');
    expect(await h.store.escrow.count(app.id)).toBe(1);

    // The admin removes the stray copy; the retry is due (its time is moved, not waited for).
    await fetch(`${app.scimBaseUrl}/Users/${two}`, { method: 'DELETE', headers: { authorization: `Bearer ${testEnv.scimToken}` } });
    await h.store.db
      .updateTable('escrow')
      .set({ next_retry_at: new Date(Date.now() - 1000) })
      .where('app_id', '=', app.id)
      .execute();
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const third = await h.waitForCycle(app.id, second.id);
    expect(third.counts).toMatchObject({ failed: 0, updated: 1 });
    expect(await h.store.escrow.count(app.id)).toBe(0);
    const linked = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${ambiguous.id}&status=Success`);
    expect(linked.body.items[0]).toMatchObject({ action: 'Update', targetId: one });
  });
});
