/** Operating an app's job through the API: pause, resume, run now, mapping changes, expired delta links. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;

/** Polls `read` until it gives a value, for at most 20 s. */
async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the condition did not hold within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('job control', () => {
  it('pauses, resumes and runs on request', async () => {
    addPeople(h.graph, 5, 8000);
    const app = await h.createApp();
    const first = await h.waitForCycle(app.id);

    expect((await h.api('POST', `/api/v1/apps/${app.id}/pause`)).status).toBe(200);
    const paused = await h.api('GET', `/api/v1/apps/${app.id}/status`);
    expect(paused.body).toMatchObject({ state: 'paused', lastCycle: { id: first.id } });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    // A paused job keeps the request without starting a cycle (an active job would start one in
    // the same workflow task and never show the request waiting), and runs it once resumed.
    const waiting = await until(async () => {
      const status = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body;
      return status.runRequested ? status : undefined;
    });
    expect(waiting).toMatchObject({ state: 'paused', runRequested: true, currentCycle: null, lastCycle: { id: first.id } });
    expect(await h.store.cycles.latestNumber(app.id)).toBe(1);

    const resumedAt = Date.now();
    expect((await h.api('POST', `/api/v1/apps/${app.id}/resume`)).status).toBe(200);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second.kind).toBe('incremental');
    // The next scheduled cycle is an hour away: only the kept request starts one, after the resume.
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(resumedAt - 1000);
    const status = await h.api('GET', `/api/v1/apps/${app.id}/status`);
    expect(status.body).toMatchObject({ state: 'active', currentCycle: null, intervalMinutes: 60 });
    expect(Date.parse(status.body.nextRunAt)).toBeGreaterThan(Date.parse(second.finishedAt));
  });

  it('re-evaluates everything after a mapping change, and recovers from an expired delta link', async () => {
    const people = addPeople(h.graph, 3, 8100);
    const app = await h.createApp();
    const first = await h.waitForCycle(app.id);

    const changed = await h.api('PATCH', `/api/v1/apps/${app.id}`, {
      mappings: {
        user: [
          { type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 },
          { type: 'direct', source: 'displayName', target: 'displayName' },
          { type: 'constant', value: 'Contractor', target: 'title' },
          { type: 'direct', source: 'accountEnabled', target: 'active' },
        ],
      },
    });
    expect(changed.status).toBe(200);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second.kind).toBe('initial');
    const titles = (await h.targetUsers(app.scimBaseUrl))
      .filter((u) => people.some((p) => p.userPrincipalName === u.userName))
      .map((u) => u.title);
    expect(titles).toEqual(['Contractor', 'Contractor', 'Contractor']);

    h.graph.expireDeltaTokens();
    h.graph.updateUser(people[0]!.id, { displayName: 'Renamed After Expiry' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const third = await h.waitForCycle(app.id, second.id);
    expect(third).toMatchObject({ state: 'succeeded', counts: { updated: 1, failed: 0 } });
    const renamed = (await h.targetUsers(app.scimBaseUrl)).find((u) => u.userName === people[0]!.userPrincipalName);
    expect(renamed.displayName).toBe('Renamed After Expiry');
  });
});
