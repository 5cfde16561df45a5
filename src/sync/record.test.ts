/**
 * The one record path, watched through the store: the order of its steps, and a worker that dies
 * at each of them. The retry (resumed where the dead try last reported, or from the start) leaves
 * each change logged once, no anchor without its log entry, no duplicate account, group or member
 * in the target, and a failed object in escrow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index';
import {
  leftovers,
  NOTHING_LEFT_OVER,
  openMemoryStore,
  person,
  startEngine,
  targetGroups,
  type EngineOptions,
  type TestEngine,
} from '../../test/support/engine';
import type { StoreCall } from '../../test/support/watched-store';
import { createMetrics, type Metrics } from '../metrics/index';
import { provisionOne } from './index';

let store: Store;

beforeAll(async () => {
  store = await openMemoryStore();
});

afterAll(async () => {
  await store?.close();
});

/** The store calls of the record path, consecutive repeats collapsed; reads and the wanted members of a group are left out. */
const RECORD_STEPS = new Set<StoreCall>([
  'provisioningLog.appendNew',
  'anchors.upsertMany',
  'groupMembers.remove',
  'groupMembers.setExported',
  'escrow.record',
  'escrow.clear',
]);

function recordSteps(calls: readonly StoreCall[]): StoreCall[] {
  const steps = calls.filter((call) => RECORD_STEPS.has(call));
  return steps.filter((call, i) => steps[i - 1] !== call);
}

const USER_IDS = ['u1', 'u2', 'u3', 'u4', 'u5'];
const BLOCKED_USER = 'userName u3@contoso.test is on the blocklist';
const BLOCKED_GROUP = 'displayName Group g4 is reserved';

/** Five users, three to a page; the target refuses u3 for good. */
async function usersApp(options: EngineOptions = {}): Promise<TestEngine> {
  const e = await startEngine(store, { pageSize: 3, groupSize: 2, ...options });
  for (const id of USER_IDS) e.directory.addUser(id, person(id));
  e.target.fail({ method: 'POST', path: '/Users', body: (user) => user.userName === 'u3@contoso.test' }, 400, {
    times: Infinity,
    detail: BLOCKED_USER,
  });
  return e;
}

/** Four users and four groups, three to a page; the target refuses group g4 for good. */
async function groupsApp(options: EngineOptions = {}): Promise<TestEngine> {
  const e = await startEngine(store, { app: { groups: { enabled: true } }, pageSize: 3, groupSize: 2, ...options });
  for (const id of ['u1', 'u2', 'u3', 'u4']) e.directory.addUser(id, person(id));
  e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1', 'u2']);
  e.directory.addGroup('g2', { displayName: 'Group g2' }, ['u2', 'u3']);
  e.directory.addGroup('g3', { displayName: 'Group g3' }, ['u4']);
  e.directory.addGroup('g4', { displayName: 'Group g4' }, ['u1']);
  e.target.fail({ method: 'POST', path: '/Groups', body: (group) => group.displayName === 'Group g4' }, 400, {
    times: Infinity,
    detail: BLOCKED_GROUP,
  });
  return e;
}

const FULL_GROUPS = {
  'Group g1': ['u1@contoso.test', 'u2@contoso.test'],
  'Group g2': ['u2@contoso.test', 'u3@contoso.test'],
  'Group g3': ['u4@contoso.test'],
};

/** The change ids of the objects' own reconciles in a cycle's rounds, sorted. */
async function ownChanges(e: TestEngine, cycleId: string, objectType: 'user' | 'group'): Promise<string[]> {
  return (await e.log())
    .filter((entry) => entry.cycleId === cycleId && entry.objectType === objectType && !entry.changeId.includes(':members:'))
    .map((entry) => entry.changeId)
    .sort();
}

/** Log entries by kind, action and status. */
function tally(entries: readonly { objectType: string; action: string; status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { objectType, action, status } of entries)
    counts[`${objectType}/${action}/${status}`] = (counts[`${objectType}/${action}/${status}`] ?? 0) + 1;
  return counts;
}

/** `scimflow_objects_processed_total` of an app by kind, action and status. */
async function countedByMetrics(metrics: Metrics, app: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { labels, value } of (await metrics.objectsProcessed.get()).values) {
    if (labels.app === app) counts[`${labels.object_kind}/${labels.action}/${labels.status}`] = value;
  }
  return counts;
}

/** How many cycles the duration histogram saw with these labels. */
async function cyclesObserved(metrics: Metrics, labels: Record<string, string>): Promise<number | undefined> {
  return (await metrics.cycleDuration.get()).values.find(
    (v) =>
      v.metricName === 'scimflow_cycle_duration_seconds_count' &&
      Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
  )?.value;
}

describe('the record order', () => {
  it('writes the log entries of a users round, then their anchors, then escrow', async () => {
    const e = await usersApp({ groupSize: 200 });
    const begun = await e.begin();
    const from = e.watched.calls.length;
    await e.round(begun.cycleId, 'user', begun.kind, begun.startLink);
    expect(recordSteps(e.watched.calls.slice(from))).toEqual([
      'provisioningLog.appendNew',
      'anchors.upsertMany',
      'escrow.record',
      'escrow.clear',
    ]);
  });

  it('writes the log entries of a groups round, then anchors, then each group’s member states, then escrow', async () => {
    const e = await groupsApp({ groupSize: 200 });
    const begun = await e.begin();
    await e.round(begun.cycleId, 'user', begun.kind, begun.startLink);
    const from = e.watched.calls.length;
    await e.round(begun.cycleId, 'group', begun.groups!.kind, begun.groups!.startLink);
    const memberStates = ['groupMembers.remove', 'groupMembers.setExported'] as const;
    expect(recordSteps(e.watched.calls.slice(from))).toEqual([
      'provisioningLog.appendNew',
      'anchors.upsertMany',
      ...memberStates,
      ...memberStates,
      ...memberStates,
      'escrow.record',
      'escrow.clear',
    ]);
    expect(targetGroups(e.target)).toEqual(FULL_GROUPS);
  });
});

/** Where the worker dies, and whether the first try had reported a resume point by then (undefined: it depends on timing). */
interface Crash {
  point: string;
  at: StoreCall;
  nth: number;
  resumes?: boolean;
}

describe('a worker that dies while recording a users round', () => {
  const crashes: Crash[] = [
    { point: 'after the target writes, before their log entries', at: 'provisioningLog.appendNew', nth: 1, resumes: false },
    {
      point: 'after the target writes of a second group, before their log entries',
      at: 'provisioningLog.appendNew',
      nth: 2,
      resumes: true,
    },
    { point: 'after the log entries, before the anchors', at: 'anchors.upsertMany', nth: 1, resumes: false },
    { point: 'after the log entries of a second group, before its anchors', at: 'anchors.upsertMany', nth: 2, resumes: true },
    { point: 'after the anchors, before the failed object goes to escrow', at: 'escrow.record', nth: 1 },
    { point: 'after the anchors, before escrow is cleared', at: 'escrow.clear', nth: 1, resumes: false },
    { point: 'after the anchors of a second group, before escrow is cleared', at: 'escrow.clear', nth: 2, resumes: true },
  ];

  it.each(crashes)('$point ($at #$nth): the retry logs each change once and duplicates nothing', async ({ at, nth, resumes }) => {
    const metrics = createMetrics({ defaultMetrics: false });
    const e = await usersApp({ metrics });
    const cycle = await e.cycle({ before: (activity) => activity === 'users' && e.watched.crashAt(at, nth) });

    // The round's activity died once; its retry started where the dead try had last reported.
    expect(e.retried).toHaveLength(1);
    const [first, retry] = e.retried[0]!;
    expect(retry!.resumed).toEqual(first!.latest);
    if (resumes !== undefined) expect(retry!.resumed.link !== undefined).toBe(resumes);

    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
    expect(await ownChanges(e, cycle.cycleId, 'user')).toEqual(USER_IDS.map((id) => `${cycle.cycleId}:sync:user:${id}`));
    const provisioned = ['u1', 'u2', 'u4', 'u5'];
    expect(
      e.target
        .list('Users')
        .map((user) => user.userName)
        .sort(),
    ).toEqual(provisioned.map((id) => `${id}@contoso.test`));
    expect((await e.anchors('user')).map((anchor) => [anchor.sourceId, anchor.state]).sort()).toEqual(
      provisioned.map((id) => [id, 'active']),
    );
    const u3 = (await e.log()).find((entry) => entry.sourceId === 'u3')!;
    expect(u3).toMatchObject({ status: 'Failure', error: { status: 400, detail: BLOCKED_USER } });
    expect(await store.escrow.due(e.appId, new Date('2100-01-01'))).toMatchObject([
      { objectType: 'user', sourceId: 'u3', lastError: { detail: BLOCKED_USER } },
    ]);
    expect(cycle).toMatchObject({ state: 'partial', counts: { failed: 1 } });
    expect(cycle.counts.created + cycle.counts.updated).toBe(4);
    // The metrics count each logged change once, as the log holds it, retry or not.
    expect(await countedByMetrics(metrics, e.appId)).toEqual(tally(await e.log()));
    expect(await cyclesObserved(metrics, { app: e.appId, kind: 'initial', state: 'partial' })).toBe(1);
  });
});

describe('a worker that dies while recording a groups round', () => {
  const crashes: Crash[] = [
    { point: 'after the group and member writes, before their log entries', at: 'provisioningLog.appendNew', nth: 1, resumes: false },
    {
      point: 'after the writes of a second group of outcomes, before their log entries',
      at: 'provisioningLog.appendNew',
      nth: 2,
      resumes: true,
    },
    { point: 'after the log entries, before the anchors', at: 'anchors.upsertMany', nth: 1, resumes: false },
    { point: 'after the log entries of a second group, before its anchors', at: 'anchors.upsertMany', nth: 2, resumes: true },
    { point: 'after the member PATCH, before the member states', at: 'groupMembers.setExported', nth: 1, resumes: false },
    { point: 'after the member PATCH of another group, before its member states', at: 'groupMembers.setExported', nth: 3 },
    { point: 'after the member states, before the failed group goes to escrow', at: 'escrow.record', nth: 1 },
    { point: 'after the member states, before escrow is cleared', at: 'escrow.clear', nth: 1, resumes: false },
  ];

  it.each(crashes)('$point ($at #$nth): the retry logs each change once and duplicates nothing', async ({ at, nth, resumes }) => {
    const e = await groupsApp();
    const cycle = await e.cycle({ before: (activity) => activity === 'groups' && e.watched.crashAt(at, nth) });

    expect(e.retried).toHaveLength(1);
    const [first, retry] = e.retried[0]!;
    expect(retry!.resumed).toEqual(first!.latest);
    if (resumes !== undefined) expect(retry!.resumed.link !== undefined).toBe(resumes);

    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
    expect(targetGroups(e.target)).toEqual(FULL_GROUPS);
    expect(await ownChanges(e, cycle.cycleId, 'group')).toEqual(['g1', 'g2', 'g3', 'g4'].map((id) => `${cycle.cycleId}:sync:group:${id}`));
    // A membership change is logged at most once: a retry finds the members the dead try wrote.
    const memberChanges = (await e.log()).filter((entry) => entry.changeId.includes(':members:')).map((entry) => entry.sourceId);
    expect(new Set(memberChanges).size).toBe(memberChanges.length);
    for (const group of ['g1', 'g2', 'g3']) {
      expect((await store.groupMembers.list(e.appId, group)).every((member) => member.exported)).toBe(true);
    }
    expect((await e.anchors('group')).map((anchor) => anchor.sourceId).sort()).toEqual(['g1', 'g2', 'g3']);
    expect(await store.escrow.due(e.appId, new Date('2100-01-01'))).toMatchObject([
      { objectType: 'group', sourceId: 'g4', lastError: { detail: BLOCKED_GROUP } },
    ]);
  });
});

describe('a worker that dies after writing member changes', () => {
  const incremental = {
    ...FULL_GROUPS,
    'Group g1': ['u2@contoso.test', 'u3@contoso.test'],
    'Group g3': ['u1@contoso.test', 'u2@contoso.test', 'u4@contoso.test'],
  };

  it.each<StoreCall>(['provisioningLog.appendNew', 'anchors.upsertMany', 'groupMembers.setExported'])(
    'of an incremental round, at %s: the retry adds no member twice',
    async (at) => {
      const e = await groupsApp();
      await e.cycle();
      e.directory.addMembers('g1', ['u3']);
      e.directory.removeMembers('g1', ['u1']);
      e.directory.addMembers('g3', ['u1', 'u2']);
      const cycle = await e.cycle({ before: (activity) => activity === 'groups' && e.watched.crashAt(at) });

      expect(e.retried).toHaveLength(1);
      expect(cycle).toMatchObject({ kind: 'incremental', state: 'succeeded' });
      expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
      expect(targetGroups(e.target)).toEqual(incremental);
      for (const group of ['g1', 'g3']) {
        expect((await store.groupMembers.list(e.appId, group)).every((member) => member.exported)).toBe(true);
      }
      const memberChanges = (await e.log()).filter((entry) => entry.cycleId === cycle.cycleId && entry.changeId.includes(':members:'));
      expect(memberChanges.map((entry) => entry.sourceId).sort()).toEqual(['g1', 'g3']);
    },
  );

  it('of the references phase: the retry adds no pending member twice', async () => {
    const e = await groupsApp();
    // u3 has no account through the first cycle, so g2 waits for it; the escrow retry of the next cycle creates it.
    e.target.fail({ method: 'POST', path: '/Users', body: (user) => user.userName === 'u3@contoso.test' }, 503);
    await e.cycle();
    expect(targetGroups(e.target)['Group g2']).toEqual(['u2@contoso.test']);
    e.clock.advance(6 * 60_000);
    await e.cycle({ before: (activity) => activity === 'references' && e.watched.crashAt('groupMembers.setExported') });

    expect(e.retried).toHaveLength(1);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
    expect(targetGroups(e.target)).toEqual(FULL_GROUPS);
    expect((await store.groupMembers.list(e.appId, 'g2')).every((member) => member.exported)).toBe(true);
  });
});

describe('a worker that dies while recording an on-demand request', () => {
  const run = { cycleId: null, phase: 'on-demand', request: 'run-1/activity-1' };

  it.each<StoreCall>(['provisioningLog.appendNew', 'anchors.upsertMany', 'escrow.clear'])(
    'a user, at %s: its retry logs the request once and creates one account',
    async (at) => {
      const e = await usersApp();
      e.watched.crashAt(at);
      const { result, tries } = await e.activity((env) => provisionOne(env, e.appId, 'u1', run));

      expect(tries).toHaveLength(2);
      // The retry reports what it did itself: nothing left to do when the dead try got as far as its anchor.
      expect(['Success', 'Skipped']).toContain(result.status);
      expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
      expect(e.target.list('Users').map((user) => user.userName)).toEqual(['u1@contoso.test']);
      expect((await e.log()).map((entry) => [entry.changeId, entry.status])).toEqual([
        [`${e.appId}:${run.request}:on-demand:user:u1`, 'Success'],
      ]);
    },
  );

  it.each<StoreCall>(['provisioningLog.appendNew', 'anchors.upsertMany', 'groupMembers.setExported', 'escrow.clear'])(
    'a group, at %s: its retry logs the request once and writes each member once',
    async (at) => {
      const e = await groupsApp();
      const begun = await e.begin();
      await e.round(begun.cycleId, 'user', begun.kind, begun.startLink);
      e.watched.crashAt(at);
      const { tries } = await e.activity((env) => provisionOne(env, e.appId, 'g1', run));

      expect(tries).toHaveLength(2);
      expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
      expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test', 'u2@contoso.test'] });
      const logged = (await e.log()).filter((entry) => entry.cycleId === null).map((entry) => entry.changeId);
      expect(logged.filter((id) => !id.includes(':members:'))).toEqual([`${e.appId}:${run.request}:on-demand:group:g1`]);
      expect(logged.length).toBeLessThanOrEqual(2);
    },
  );
});
