/**
 * A worker killed with SIGKILL in the middle of a leaver (one app down, the others done), then
 * started again: the leaver resumes where it was and every account ends disabled, each with one
 * successful Disable in the provisioning log and nothing done twice.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { eventually, personView, runResult, sendEvents, targetUser } from '../support/lifecycle';
import { addPeople } from '../support/people';
import { startWorkerChild } from '../support/worker-child';

let h: Harness;
const children: ChildProcess[] = [];

const startWorker = () => startWorkerChild(h, children);

beforeAll(async () => {
  h = await startHarness({ worker: false });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await h?.close();
});

describe('a worker killed mid-leaver', () => {
  it('resumes the leaver after a restart, with nothing missed and nothing done twice', async () => {
    const [leaving] = addPeople(h.graph, 3, 6000);
    const first = await startWorker();
    const apps = [await h.createApp(), await h.createApp(), await h.createApp()];
    for (const app of apps) await h.waitForCycle(app.id);
    const down = apps[2]!;
    await h.api('PATCH', `/api/v1/apps/${down.id}`, { target: { baseUrl: 'http://127.0.0.1:9/down/v2' } });

    await sendEvents(h, [{ eventId: 'crash-leave', type: 'leaver', person: { objectId: leaving!.id } }]);
    await eventually(
      () => personView(h, leaving!.id),
      (view) => {
        const progress = view.workflows[0]?.progress?.apps ?? [];
        return (
          progress.filter((a: any) => a.state === 'done').length === 2 && progress.some((a: any) => a.appId === down.id && a.attempts >= 1)
        );
      },
      'two apps done and the third retrying',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    await h.api('PATCH', `/api/v1/apps/${down.id}`, { target: { baseUrl: down.scimBaseUrl } });
    await startWorker();
    const result = await runResult(h, `person/${leaving!.id}/leaver`, 120_000);
    expect(result).toMatchObject({ state: 'done' });
    expect(result.apps.map((a: any) => a.state)).toEqual(['done', 'done', 'done']);
    for (const app of apps) {
      expect((await targetUser(h, app.scimBaseUrl, leaving!.userPrincipalName as string)).active).toBe(false);
      const log = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${leaving!.id}&action=Disable&status=Success`);
      expect(log.body.items).toHaveLength(1);
      expect(await h.store.anchors.get(app.id, 'user', leaving!.id)).toMatchObject({ state: 'disabled' });
    }
    expect((await personView(h, leaving!.id)).state).toBe('left');
  });
});
