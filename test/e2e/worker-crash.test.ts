/**
 * A worker killed with SIGKILL in the middle of an initial cycle, then started again: the
 * cycle completes with every user provisioned exactly once and nothing skipped.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { startWorkerChild } from '../support/worker-child';

const USERS = 400;
let h: Harness;
const children: ChildProcess[] = [];

const startWorker = () => startWorkerChild(h, children, { WORKER_GRAPH_PAGE_SIZE: '50', WORKER_CONCURRENCY: '2' });

beforeAll(async () => {
  h = await startHarness({ worker: false });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await h?.close();
});

describe('a worker killed mid-cycle', () => {
  it('leaves no duplicate and no missing account after a restart', async () => {
    const people = addPeople(h.graph, USERS, 5000);
    const first = await startWorker();
    const app = await h.createApp();

    // Kill the worker once part of the users exist in the target.
    let running: { kind: string; processed: number; total: number } | null = null;
    for (;;) {
      const current = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body.currentCycle;
      if (current?.total !== null && current?.total !== undefined) running ??= current;
      const provisioned = (await h.targetUsers(app.scimBaseUrl)).length;
      if (provisioned >= USERS / 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The status shows the running cycle's progress against the tenant's user count.
    expect(running).toMatchObject({ kind: 'initial', total: USERS });
    first.kill('SIGKILL');
    const atKill = (await h.targetUsers(app.scimBaseUrl)).length;
    expect(atKill).toBeLessThan(USERS);

    await startWorker();
    const cycle = await h.waitForCycle(app.id, null, 120_000);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);
    expect(cycle.counts.created + cycle.counts.updated).toBe(USERS);

    const users = await h.targetUsers(app.scimBaseUrl);
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName.toLowerCase())).size).toBe(USERS);
    expect(new Set(users.map((u) => u.userName))).toEqual(new Set(people.map((p) => p.userPrincipalName)));
    expect(await h.store.anchors.countByApp(app.id, { state: 'active' })).toBe(USERS);
  });
});
