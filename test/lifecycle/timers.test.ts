/**
 * The lifecycle workflows' date waits on Temporal's time-skipping test server: lead times,
 * moved start dates, a 30-day retention, a leaver while a joiner waits and a rehire during
 * retention, each passing in seconds. The activities are an in-memory fake of one person's
 * accounts (the dev-server tests in test/e2e run the real ones); runs start without search
 * attributes, which this server cannot register (see workflows/lifecycle/search.ts).
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleActivities, LifecycleApp } from '../../src/lifecycle/contract';
import { toolPath } from '../../src/tools/index';
import {
  cancelHireSignal,
  lifecycleProgressQuery,
  pendingEventSignal,
  rehireSignal,
  setEffectiveAtSignal,
} from '../../workflows/lifecycle/definitions';
import { fakeWorld as createFakeWorld, lifecycleApp as app, type FakeWorldOptions } from '../fakes/lifecycle-world';
import { testEnv } from '../support/env';
import { testDataConverter } from '../support/payload-keys';

const DAY = 24 * 3_600_000;
let env: TestWorkflowEnvironment;
/** Workflow ids started by the current test. */
const started: string[] = [];

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: await toolPath('temporal-test-server') } },
    client: { dataConverter: testDataConverter },
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** One person's accounts in memory, on the test server's clock. */
const fakeWorld = (apps: LifecycleApp[], options?: FakeWorldOptions) => createFakeWorld(() => env.currentTimeMs(), apps, options);

/**
 * Runs `work` with a worker on a queue of its own. Runs the test left behind are terminated
 * afterwards: one waiting for a worker would hold the shared clock still for the next tests.
 */
async function withWorker<T>(activities: LifecycleActivities, work: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `lifecycle-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: testEnv.workflowBundlePath },
    dataConverter: testDataConverter,
    activities,
  });
  try {
    return await worker.runUntil(work(taskQueue));
  } finally {
    for (const workflowId of started.splice(0))
      await env.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => {});
  }
}

async function start(type: string, taskQueue: string, effectiveInMs: number, eventId = 'e1') {
  const objectId = randomUUID();
  const effectiveAt = new Date((await env.currentTimeMs()) + effectiveInMs).toISOString();
  const handle = await env.client.workflow.start(type, {
    taskQueue,
    workflowId: `person/${objectId}/${type}`,
    args: [{ objectId, eventId, effectiveAt }],
  });
  started.push(handle.workflowId);
  return { handle, effectiveAt: Date.parse(effectiveAt), objectId };
}

describe('lifecycle timers', () => {
  it("makes a joiner's accounts each app's lead time before a start date that moved", async () => {
    const world = fakeWorld([app('early', { leadTimeDays: 3 }), app('onTheDay')]);
    await withWorker(world.activities, async (taskQueue) => {
      const { handle, effectiveAt } = await start('joiner', taskQueue, 10 * DAY);
      await env.sleep('2 days');
      expect(world.calls).toEqual([]);
      const moved = effectiveAt + 10 * DAY;
      await handle.signal(setEffectiveAtSignal, { eventId: 'e2', effectiveAt: new Date(moved).toISOString() });
      const result = await handle.result();
      expect(result.state).toBe('done');
      const early = world.calls.find((c) => c.appId === 'early')!;
      const onTheDay = world.calls.find((c) => c.appId === 'onTheDay')!;
      expect(early.at).toBeGreaterThanOrEqual(moved - 3 * DAY);
      expect(early.at).toBeLessThan(moved);
      expect(onTheDay.at).toBeGreaterThanOrEqual(moved);
      expect(world.calls.find((c) => c.name === 'setPersonState')).toMatchObject({ state: 'active' });
      expect(world.calls.find((c) => c.name === 'setPersonState')!.at).toBeGreaterThanOrEqual(moved);
    });
  });

  it('creates the account disabled at the lead time where the app asks, enables it on the start date, and removes it on a cancelled hire', async () => {
    const world = fakeWorld([app('early', { leadTimeDays: 5, createDisabled: true }), app('onTheDay')]);
    await withWorker(world.activities, async (taskQueue) => {
      const { handle, effectiveAt } = await start('joiner', taskQueue, 10 * DAY);
      await env.sleep(7 * DAY);
      expect(world.calls.map((c) => [c.name, c.appId])).toEqual([['provisionDisabled', 'early']]);
      expect(world.calls[0]!.at).toBeGreaterThanOrEqual(effectiveAt - 5 * DAY);
      expect(await handle.query(lifecycleProgressQuery)).toMatchObject({
        apps: [
          { step: 'enable', state: 'waiting' },
          { step: 'provision', state: 'waiting' },
        ],
      });
      expect(world.accounts.get('early')).toBe('disabled');
      const result = await handle.result();
      expect(result.apps.map((a: { step: string; state: string }) => [a.step, a.state])).toEqual([
        ['enable', 'done'],
        ['provision', 'done'],
      ]);
      const enabled = world.calls.find((c) => c.name === 'provision' && c.appId === 'early')!;
      expect(enabled.at).toBeGreaterThanOrEqual(effectiveAt);
      expect(world.accounts.get('early')).toBe('active');
    });

    const cancelled = fakeWorld([app('early', { leadTimeDays: 5, createDisabled: true })]);
    await withWorker(cancelled.activities, async (taskQueue) => {
      const { handle } = await start('joiner', taskQueue, 10 * DAY);
      await env.sleep(6 * DAY);
      await handle.signal(cancelHireSignal, { eventId: 'c1', remove: true });
      expect(await handle.result()).toMatchObject({ state: 'cancelled', apps: [{ step: 'remove', state: 'done', action: 'Delete' }] });
      expect(cancelled.accounts.get('early')).toBe('deleted');
    });
  });

  it('looks a joiner known by employee id up from the first lead time until the directory has them', async () => {
    const now = await env.currentTimeMs();
    const world = fakeWorld([app('early', { leadTimeDays: 2 }), app('onTheDay')], { inDirectoryFrom: now + 8.6 * DAY });
    await withWorker(world.activities, async (taskQueue) => {
      const effectiveAt = new Date(now + 10 * DAY).toISOString();
      const handle = await env.client.workflow.start('joiner', {
        taskQueue,
        workflowId: `person/employee:4711/joiner`,
        args: [{ objectId: null, employeeId: '4711', eventId: 'j1', effectiveAt }],
      });
      started.push(handle.workflowId);
      await env.sleep(8.5 * DAY);
      const waitingForDirectory = await handle.query(lifecycleProgressQuery);
      expect(waitingForDirectory).toMatchObject({
        objectId: null,
        apps: [
          { state: 'failed', status: 'NotFound' },
          { state: 'failed', status: 'NotFound' },
        ],
      });
      const result = await handle.result();
      expect(result.apps.map((a: { state: string; action: string | null }) => [a.state, a.action])).toEqual([
        ['done', 'Create'],
        ['done', 'Create'],
      ]);
      const lookups = world.calls.filter((c) => c.name === 'resolveEmployee');
      expect(lookups[0]!.at).toBeGreaterThanOrEqual(now + 8 * DAY);
      expect(lookups.at(-1)!.at).toBeGreaterThanOrEqual(now + 8.6 * DAY);
      expect(world.calls.find((c) => c.appId === 'onTheDay')!.at).toBeGreaterThanOrEqual(Date.parse(effectiveAt));
      expect((await handle.query(lifecycleProgressQuery)).objectId).toBe('object-of-4711');
    });
  });

  it('holds events by employee id while the directory cannot be read, then carries them out in order', async () => {
    const now = await env.currentTimeMs();
    const world = fakeWorld([app('a')], { unreachableUntil: now + 3 * 3_600_000, inDirectoryFrom: now });
    await withWorker(world.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('pendingEvents', {
        taskQueue,
        workflowId: 'person/employee:4712/pending',
        args: [{ employeeId: '4712', events: [{ eventId: 'm1', type: 'mover', effectiveAt: new Date(now).toISOString() }] }],
      });
      started.push(handle.workflowId);
      await handle.signal(pendingEventSignal, { eventId: 'l1', type: 'leaver', effectiveAt: new Date(now).toISOString() });
      // A repeated delivery of an event it holds already changes nothing.
      await handle.signal(pendingEventSignal, { eventId: 'm1', type: 'mover', effectiveAt: new Date(now).toISOString() });
      await env.sleep('2 hours');
      const waiting = await handle.query(lifecycleProgressQuery);
      expect(waiting).toMatchObject({ kind: 'mover', objectId: null, phase: 'waiting' });
      expect(waiting.note).toMatch(/the directory could not be read: .*network_error.*; next try at /);
      const result = await handle.result();
      expect(result).toMatchObject({
        state: 'delivered',
        objectId: 'object-of-4712',
        events: [
          { eventId: 'm1', workflowId: 'person/object-of-4712/mover' },
          { eventId: 'l1', workflowId: 'person/object-of-4712/leaver' },
        ],
      });
      const lookups = world.calls.filter((c) => c.name === 'resolveEmployee').map((c) => c.at);
      const gaps = lookups.slice(1).map((at, i) => at - lookups[i]!);
      // Growing gaps (each activity try is retried a few times within a try of the run), at most 5 minutes in the first hour.
      expect(Math.max(...gaps)).toBeLessThanOrEqual(30 * 60_000 + 60_000);
      expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
      expect(lookups.length).toBeLessThan(100);
      expect(world.calls.filter((c) => c.name === 'deliverEvent').map((c) => c.state)).toEqual([
        'mover:m1:object-of-4712',
        'leaver:l1:object-of-4712',
      ]);
      expect(world.calls.find((c) => c.name === 'deliverEvent')!.at).toBeGreaterThanOrEqual(now + 3 * 3_600_000);
      expect(world.alerts).toEqual([]);
    });
  });

  it('gives up on held events after a week without the directory, and alerts', async () => {
    const now = await env.currentTimeMs();
    const world = fakeWorld([app('a')], { unreachableUntil: now + 30 * DAY });
    await withWorker(world.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('pendingEvents', {
        taskQueue,
        workflowId: 'person/employee:4713/pending',
        args: [{ employeeId: '4713', events: [{ eventId: 'l2', type: 'leaver', effectiveAt: new Date(now).toISOString() }] }],
      });
      started.push(handle.workflowId);
      const result = await handle.result();
      expect(result).toMatchObject({ state: 'given-up', objectId: null, events: [{ eventId: 'l2', workflowId: null }] });
      expect(result.reason).toMatch(/could not be read/);
      const lastTry = world.calls.filter((c) => c.name === 'resolveEmployee').at(-1)!.at;
      expect(lastTry - now).toBeGreaterThan(6.9 * DAY);
      expect(lastTry - now).toBeLessThanOrEqual(7 * DAY);
      expect(world.calls.some((c) => c.name === 'deliverEvent')).toBe(false);
      expect(world.alerts).toMatchObject([{ type: 'lifecycle-event-unresolved', reason: 'PersonNotResolved', eventId: 'l2' }]);
    });
  });

  it('disables a leaver at once and deletes after a 30-day retention where the app deletes', async () => {
    const world = fakeWorld([app('deletes', { deletesLeavers: true }), app('keeps')], { holding: ['deletes', 'keeps'] });
    await withWorker(world.activities, async (taskQueue) => {
      const startedAt = await env.currentTimeMs();
      const { handle } = await start('leaver', taskQueue, -DAY);
      const result = await handle.result();
      expect(result.state).toBe('done');
      const seen = world.calls.map((c) => [c.name, c.appId ?? c.state, c.action]);
      expect(seen[0]).toEqual(['setPersonState', 'left', undefined]);
      // Both apps at once, in any order; the delete last.
      expect(seen.slice(1, 3)).toEqual(
        expect.arrayContaining([
          ['deprovision', 'deletes', 'disable'],
          ['deprovision', 'keeps', 'disable'],
        ]),
      );
      expect(seen.slice(3)).toEqual([['deprovision', 'deletes', 'delete']]);
      const deleted = world.calls.at(-1)!;
      expect(deleted.at - startedAt).toBeGreaterThanOrEqual(30 * DAY);
      expect(world.calls[1]!.at - startedAt).toBeLessThan(DAY);
      expect([...world.accounts]).toEqual([
        ['deletes', 'deleted'],
        ['keeps', 'disabled'],
      ]);
    });
  });

  it('cancels pending deletions on a rehire during retention', async () => {
    const world = fakeWorld([app('deletes', { deletesLeavers: true, retentionDays: 30 })], { holding: ['deletes'] });
    await withWorker(world.activities, async (taskQueue) => {
      const { handle } = await start('leaver', taskQueue, 0);
      await env.sleep('10 days');
      const progress = await handle.query(lifecycleProgressQuery);
      expect(progress).toMatchObject({ phase: 'running', apps: [{ appId: 'deletes', step: 'delete', state: 'waiting' }] });
      expect(Date.parse(progress.apps[0]!.dueAt!)).toBeGreaterThan(await env.currentTimeMs());
      await handle.signal(rehireSignal, { eventId: 'r1' });
      const result = await handle.result();
      expect(result).toMatchObject({ state: 'cancelled', apps: [{ step: 'delete', state: 'cancelled' }] });
      expect(world.calls.filter((c) => c.action === 'delete')).toEqual([]);
      expect(world.accounts.get('deletes')).toBe('disabled');
    });
  });

  it('stops a waiting joiner when the person leaves before the start, and the leaver marks them left', async () => {
    const world = fakeWorld([app('a'), app('b', { leadTimeDays: 1 })]);
    await withWorker(world.activities, async (taskQueue) => {
      const joiner = await start('joiner', taskQueue, 20 * DAY);
      await env.sleep('5 days');
      // What the intake sends for a leaver while a joiner waits.
      await joiner.handle.signal(cancelHireSignal, { eventId: 'l1', remove: false });
      const leaver = await env.client.workflow.start('leaver', {
        taskQueue,
        workflowId: `person/${joiner.objectId}/leaver`,
        args: [{ objectId: joiner.objectId, eventId: 'l1', effectiveAt: new Date((await env.currentTimeMs()) + 2 * DAY).toISOString() }],
      });
      started.push(leaver.workflowId);
      expect(await joiner.handle.result()).toMatchObject({ state: 'cancelled', apps: [{ state: 'cancelled' }, { state: 'cancelled' }] });
      expect(await leaver.result()).toMatchObject({ state: 'done', apps: [] });
      expect(world.calls.map((c) => [c.name, c.state])).toEqual([['setPersonState', 'left']]);
      expect(world.person()).toBe('left');
    });
  });

  it('retries a leaver in an app that is down with growing gaps, alerts once after the timeout, and finishes when it is back', async () => {
    const world = fakeWorld([app('down', { leaverTimeoutMinutes: 10 }), app('up')], { holding: ['down', 'up'], failing: { down: 12 } });
    await withWorker(world.activities, async (taskQueue) => {
      const { handle } = await start('leaver', taskQueue, 0);
      const result = await handle.result();
      expect(result.apps).toEqual([
        expect.objectContaining({ appId: 'down', state: 'done', attempts: 13, error: null }),
        expect.objectContaining({ appId: 'up', state: 'done', attempts: 1 }),
      ]);
      const tries = world.calls.filter((c) => c.appId === 'down').map((c) => c.at);
      const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
      expect(gaps.slice(0, 4).map((g) => Math.round(g / 1000))).toEqual([1, 2, 4, 8]);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * 60_000 + 1000);
      expect(world.alerts).toEqual([
        expect.objectContaining({
          type: 'leaver-overdue',
          apps: [{ appId: 'down', displayName: 'App down', error: 'HTTP 503 from the target: down for maintenance' }],
        }),
      ]);
    });
  });

  it('tries an app that stays down every half hour after the first hour, and finishes when it is back', async () => {
    const world = fakeWorld([app('down', { leaverTimeoutMinutes: 10 }), app('up')], { holding: ['down', 'up'], failing: { down: 40 } });
    await withWorker(world.activities, async (taskQueue) => {
      const { handle } = await start('leaver', taskQueue, 0);
      const result = await handle.result();
      expect(result.apps[0]).toMatchObject({ appId: 'down', state: 'done', attempts: 41 });
      const tries = world.calls.filter((c) => c.appId === 'down').map((c) => c.at);
      const gaps = tries.slice(1).map((at, i) => ({ after: tries[i]! - tries[0]!, gap: at - tries[i]! }));
      expect(gaps.filter((g) => g.after < 3600_000).every((g) => g.gap <= 5 * 60_000 + 1000)).toBe(true);
      const late = gaps.filter((g) => g.after >= 3600_000 + 30 * 60_000);
      expect(late.length).toBeGreaterThan(10);
      expect(late.every((g) => Math.abs(g.gap - 30 * 60_000) <= 1000)).toBe(true);
    });
  });
});
