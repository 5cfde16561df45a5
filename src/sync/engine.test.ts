/**
 * The sync engine called as its activities call it, without Temporal, on an in-memory directory,
 * an in-memory SCIM target behind the real client and the real store: escrow after a target
 * failure, the resume point of a stream stopped mid-page, the scope decision, and previews.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningLogInput, Store } from '../store/index';
import {
  leftovers,
  NOTHING_LEFT_OVER,
  openMemoryStore,
  person,
  startEngine,
  targetGroups,
  testProgress,
  type TestEngine,
} from '../../test/support/engine';
import type { StoreCall } from '../../test/support/watched-store';
import { WorkerDied } from '../../test/support/watched-store';
import { finishCycle, PERSON_LEFT, previewOne, processPage } from './index';

let store: Store;

beforeAll(async () => {
  store = await openMemoryStore();
});

afterEach(async () => {
  // Lifecycle states are the tenant's, not an app's: each test starts without leavers.
  await store.db.deleteFrom('persons').execute();
});

afterAll(async () => {
  await store?.close();
});

const FAR_FUTURE = new Date('2100-01-01');
/** Past the first escrow gaps (5 and 10 minutes). */
const ESCROW_WAIT_MS = 11 * 60_000;

async function escrowed(e: TestEngine): Promise<string[]> {
  return (await store.escrow.due(e.appId, FAR_FUTURE)).map((entry) => `${entry.objectType}:${entry.sourceId}`);
}

describe('a target failure', () => {
  it('puts a user whose create failed in escrow with the target’s error, and the escrow retry provisions it', async () => {
    const e = await startEngine(store);
    for (const id of ['u1', 'u2', 'u3']) e.directory.addUser(id, person(id));
    const detail = 'the user store is in maintenance until 10:00';
    e.target.fail({ method: 'POST', path: '/Users', body: (user) => user.userName === 'u2@contoso.test' }, 500, { detail });

    const first = await e.cycle();
    expect(first.counts).toMatchObject({ created: 2, failed: 1 });
    const failed = (await e.log()).find((entry) => entry.sourceId === 'u2')!;
    expect(failed).toMatchObject({ action: 'Other', status: 'Failure', error: { kind: 'transient', status: 500, detail } });
    expect(failed.steps.at(-1)).toMatchObject({ name: 'export', status: 'Failure', detail: expect.stringContaining(detail) });
    const [entry] = await store.escrow.due(e.appId, FAR_FUTURE);
    expect(entry).toMatchObject({ objectType: 'user', sourceId: 'u2', attempts: 1, lastError: { status: 500, detail } });
    expect(e.target.list('Users').map((user) => user.userName)).not.toContain('u2@contoso.test');

    e.clock.advance(ESCROW_WAIT_MS);
    const second = await e.cycle();
    expect(await escrowed(e)).toEqual([]);
    expect((await e.log()).filter((x) => x.cycleId === second.cycleId)).toMatchObject([
      { changeId: `${second.cycleId}:escrow:user:u2`, action: 'Create', status: 'Success' },
    ]);
    expect(e.target.list('Users').map((user) => user.userName)).toEqual(['u1@contoso.test', 'u3@contoso.test', 'u2@contoso.test']);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });

  it('puts a user whose create lost its answer in escrow, and the escrow retry links the account it made', async () => {
    const e = await startEngine(store);
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.target.loseAnswer({ method: 'POST', path: '/Users', body: (user) => user.userName === 'u2@contoso.test' });

    await e.cycle();
    expect(await escrowed(e)).toEqual(['user:u2']);
    expect(e.target.list('Users')).toHaveLength(2);

    e.clock.advance(ESCROW_WAIT_MS);
    const second = await e.cycle();
    expect(await escrowed(e)).toEqual([]);
    expect((await e.log()).filter((x) => x.cycleId === second.cycleId)).toMatchObject([{ sourceId: 'u2', status: 'Success' }]);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
    expect((await e.anchors('user')).map((anchor) => anchor.targetId).sort()).toEqual(
      e.target
        .list('Users')
        .map((user) => user.id)
        .sort(),
    );
  });

  it('puts a group whose member PATCH is refused in escrow with the target’s error, and the escrow retry writes its members', async () => {
    const e = await startEngine(store, { app: { groups: { enabled: true } } });
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1', 'u2']);
    const detail = 'members of Group g1 are managed by a rule';
    e.target.fail({ method: 'PATCH', path: /^\/Groups\// }, 400, { times: Infinity, detail });

    const first = await e.cycle();
    expect(first.counts.failed).toBeGreaterThan(0);
    const refused = (await e.log()).filter((entry) => entry.sourceId === 'g1' && entry.status === 'Failure');
    expect(refused.length).toBeGreaterThan(0);
    for (const entry of refused) expect(entry).toMatchObject({ action: 'Update', error: { kind: 'permanent', status: 400, detail } });
    expect(await escrowed(e)).toEqual(['group:g1']);
    expect(targetGroups(e.target)).toEqual({ 'Group g1': [] });
    expect((await store.groupMembers.list(e.appId, 'g1')).map((member) => member.exported)).toEqual([false, false]);

    e.target.recover();
    e.clock.advance(ESCROW_WAIT_MS);
    await e.cycle();
    expect(await escrowed(e)).toEqual([]);
    expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test', 'u2@contoso.test'] });
    expect((await store.groupMembers.list(e.appId, 'g1')).map((member) => member.exported)).toEqual([true, true]);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });

  it.each([
    { failure: 'is refused for now (503)', arm: (e: TestEngine) => e.target.fail({ method: 'PATCH', path: /^\/Groups\// }, 503) },
    { failure: 'loses its answer', arm: (e: TestEngine) => e.target.loseAnswer({ method: 'PATCH', path: /^\/Groups\// }) },
  ])('stops the round when a member PATCH $failure, and the retry gets every member written once', async ({ arm }) => {
    const e = await startEngine(store, { app: { groups: { enabled: true } } });
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1', 'u2']);
    arm(e);

    const cycle = await e.cycle();
    // The group is not reported done: the retry starts before it.
    expect(e.retried).toHaveLength(1);
    expect(e.retried[0]![1]!.resumed).toMatchObject({ link: null, done: 0 });
    expect(cycle).toMatchObject({ state: 'succeeded', counts: { failed: 0 } });
    expect(await escrowed(e)).toEqual([]);
    expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test', 'u2@contoso.test'] });
    expect((await store.groupMembers.list(e.appId, 'g1')).map((member) => member.exported)).toEqual([true, true]);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });

  it('retries a group whose create lost its answer at once, linking the group it made and writing its members', async () => {
    const e = await startEngine(store, { app: { groups: { enabled: true } } });
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1', 'u2']);
    e.target.loseAnswer({ method: 'POST', path: '/Groups' });

    await e.cycle();
    expect(await escrowed(e)).toEqual([]);
    expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test', 'u2@contoso.test'] });
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });
});

describe('a quarantine past its limit', () => {
  it('disables the job and drops its escrows once the series has lasted 28 days, and alerts once', async () => {
    const e = await startEngine(store);
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.target.fail({ method: 'POST', path: '/Users' }, 503, { times: 100 });
    const first = await e.cycle();
    expect(first).toMatchObject({ state: 'failed', counts: { failed: 2 } });
    expect(await escrowed(e)).toEqual(['user:u1', 'user:u2']);
    const seriesBegan = e.clock.now().toISOString();

    // An attempt 27 days into the series stays quarantined; one past 28 days disables the job.
    const attempt = async (daysLater: number) => {
      e.clock.advance(daysLater * 24 * 3_600_000);
      const begun = await e.begin();
      return (
        await e.activity((env) =>
          finishCycle(env, {
            appId: e.appId,
            cycleId: begun.cycleId,
            kind: begun.kind,
            startedAt: begun.startedAt,
            deltaLink: null,
            error: { kind: 'transient', code: 'ServiceUnavailable', message: 'HTTP 503 from the target', peer: 'target' },
            quarantined: { reason: 'EncounteredQuarantineException', seriesBegan },
          }),
        )
      ).result;
    };
    const within = (await attempt(27)).quarantine;
    expect(within).toMatchObject({ reason: 'EncounteredQuarantineException' });
    expect(within).not.toHaveProperty('disable');
    expect(await escrowed(e)).toEqual(['user:u1', 'user:u2']);
    const last = await attempt(1.5);
    expect(last.quarantine).toMatchObject({ reason: 'EncounteredQuarantineException', disable: true });
    expect(await escrowed(e)).toEqual([]);
    expect(await store.escrow.count(e.appId)).toBe(0);
    expect(e.alerts.filter((alert) => alert.reason === 'Disabled')).toMatchObject([
      { type: 'quarantine', message: expect.stringContaining('2 escrowed objects were dropped') },
    ]);
  });
});

describe('an incremental round', () => {
  it('reads whole the objects that carry only their changed properties, and writes only what changed', async () => {
    const e = await startEngine(store, { app: { groups: { enabled: true } } });
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1']);
    await e.cycle();
    const before = e.target.list('Users')[0]!;
    e.directory.updateUser('u1', { displayName: 'Ada Lovelace' });
    e.directory.updateGroup('g1', { displayName: 'Analysts' });
    e.directory.addMembers('g1', ['u2']);
    const [reads, requests] = [e.directory.calls.length, e.target.requests.length];

    const second = await e.cycle();
    expect(second.kind).toBe('incremental');
    // Read whole, the group keeps its member changes: they are applied, not the whole membership compared.
    expect(e.directory.calls.slice(reads)).toEqual(expect.arrayContaining(['getUsers u1', 'getGroups g1']));
    expect(e.directory.calls.slice(reads)).not.toContain('readGroupMembers g1');
    const writes = e.target.requests.slice(requests).filter((request) => request.method !== 'GET');
    expect(writes.map((request) => [request.method, request.body.Operations])).toEqual([
      ['PATCH', [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }]],
      ['PATCH', [{ op: 'replace', path: 'displayName', value: 'Analysts' }]],
      ['PATCH', [{ op: 'add', path: 'members', value: [{ value: e.target.list('Users')[1]!.id }] }]],
    ]);
    const { meta: _meta, ...after } = e.target.list('Users')[0]!;
    expect(after).toEqual({ ...before, meta: undefined, displayName: 'Ada Lovelace' });
    expect(targetGroups(e.target)).toEqual({ Analysts: ['u1@contoso.test', 'u2@contoso.test'] });
  });
});

describe('the resume point', () => {
  /** Five objects of `kind`, three to a page, recorded two at a time, one at once. */
  async function fivePerKind(kind: 'user' | 'group'): Promise<TestEngine> {
    const e = await startEngine(store, { app: { groups: { enabled: true } }, pageSize: 3, groupSize: 2, concurrency: 1 });
    for (const id of ['u1', 'u2', 'u3', 'u4', 'u5']) e.directory.addUser(id, person(id));
    if (kind === 'group') for (const n of [1, 2, 3, 4, 5]) e.directory.addGroup(`g${n}`, { displayName: `Group g${n}` }, [`u${n}`]);
    return e;
  }

  /** The change ids the engine asked the log to record from call `from` on. */
  function appended(e: TestEngine, from: number): string[] {
    return e.watched.calls.flatMap((call, i) =>
      i >= from && call === 'provisioningLog.appendNew'
        ? (e.watched.args[i]![0] as ProvisioningLogInput[])
            .filter((entry) => !entry.changeId.includes(':members:'))
            .map((entry) => entry.changeId)
        : [],
    );
  }

  const kinds = [
    { kind: 'user' as const, ids: ['u1', 'u2', 'u3', 'u4', 'u5'], read: 'readUsersDelta', match: 'userName eq "u5@contoso.test"' },
    { kind: 'group' as const, ids: ['g1', 'g2', 'g3', 'g4', 'g5'], read: 'readGroupsDelta', match: 'displayName eq "Group g5"' },
  ];

  /** A segment of an initial round whose worker dies recording the fifth object: [1, 2] and [3, 4] are recorded. */
  async function diedAtTheFifth(kind: 'user' | 'group') {
    const e = await fivePerKind(kind);
    const begun = await e.begin();
    if (kind === 'group') await e.round(begun.cycleId, 'user', begun.kind, begun.startLink);
    const input = { appId: e.appId, cycleId: begun.cycleId, objectType: kind, kind: 'initial' as const, link: null };
    e.watched.crashAt('provisioningLog.appendNew', 3);
    const first = testProgress();
    await expect(processPage(e.env, input, first)).rejects.toBeInstanceOf(WorkerDied);
    e.watched.revive();
    e.restart();
    return { e, input, first, cycleId: begun.cycleId };
  }

  it.each(kinds)(
    'of a $kind stream stopped mid-page is where its retry continues, skipping what was recorded',
    async ({ kind, ids, read, match }) => {
      const { e, input, first, cycleId } = await diedAtTheFifth(kind);
      // The fourth object, the first of the second page, was the last recorded.
      const pages = e.directory.calls.filter((call) => call.startsWith(read)).map((call) => call.slice(read.length + 1));
      expect(pages).toEqual(['(first)', expect.any(String)]);
      expect(first.latest).toMatchObject({ link: pages[1], done: 1 });

      const [reads, requests, calls] = [e.directory.calls.length, e.target.requests.length, e.watched.calls.length];
      const result = await processPage(e.env, input, testProgress(first));

      expect(result).toMatchObject({ resync: false, nextLink: null, deltaLink: expect.any(String), processed: 2 });
      expect(e.directory.calls.slice(reads).filter((call) => call.startsWith(read))).toEqual([`${read} ${pages[1]}`]);
      // Only the fifth is done again: matched to the account the dead try made, and recorded.
      expect(appended(e, calls)).toEqual([`${cycleId}:sync:${kind}:${ids[4]}`]);
      const retried = e.target.requests.slice(requests);
      expect(retried.filter((request) => request.query.filter !== undefined).map((request) => request.query.filter)).toEqual([match]);
      expect(retried.filter((request) => request.method !== 'GET')).toEqual([]);

      expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
      const logged = (await e.log()).filter((entry) => entry.objectType === kind && !entry.changeId.includes(':members:'));
      expect(logged.map((entry) => entry.changeId).sort()).toEqual(ids.map((id) => `${cycleId}:sync:${kind}:${id}`));
      expect((await e.anchors(kind)).map((anchor) => anchor.sourceId).sort()).toEqual(ids);
    },
  );

  it.each(kinds)('absent, a $kind stream starts over, and what was recorded is found and left as it is', async ({ kind, ids, read }) => {
    const { e, input, cycleId } = await diedAtTheFifth(kind);
    const [reads, requests, calls] = [e.directory.calls.length, e.target.requests.length, e.watched.calls.length];
    await processPage(e.env, input, { ...testProgress(), attempt: 2 });

    expect(e.directory.calls.slice(reads).filter((call) => call.startsWith(read))).toEqual([`${read} (first)`, expect.any(String)]);
    expect(appended(e, calls)).toEqual(ids.map((id) => `${cycleId}:sync:${kind}:${id}`));
    expect(e.target.requests.slice(requests).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
    // The log keeps the first entry of each change: the creates of the dead try.
    const logged = (await e.log()).filter((entry) => entry.objectType === kind && !entry.changeId.includes(':members:'));
    expect(logged.map((entry) => [entry.sourceId, entry.action]).sort()).toEqual([
      ...ids.slice(0, 4).map((id) => [id, 'Create']),
      [ids[4], 'Update'],
    ]);
    expect((await e.anchors(kind)).map((anchor) => anchor.sourceId).sort()).toEqual(ids);
  });
});

describe('the scope decision', () => {
  it('disables a person who has left, and neither creates nor re-enables one', async () => {
    const e = await startEngine(store);
    for (const id of ['leaver-1', 'stayer-1']) e.directory.addUser(id, person(id));
    await e.cycle();
    for (const objectId of ['leaver-1', 'leaver-2']) await store.persons.ensure({ objectId, state: 'left' });
    e.directory.updateUser('leaver-1', { jobTitle: 'Former engineer' });
    e.directory.addUser('leaver-2', person('leaver-2'));

    const second = await e.cycle();
    const account = (name: string) => e.target.list('Users').find((user) => user.userName === `${name}@contoso.test`);
    expect(account('leaver-1')).toMatchObject({ active: false });
    expect(account('leaver-2')).toBeUndefined();
    expect(account('stayer-1')).toMatchObject({ active: true });
    const logged = (await e.log()).filter((entry) => entry.cycleId === second.cycleId).sort((a, b) => a.sourceId.localeCompare(b.sourceId));
    expect(logged.map((entry) => [entry.sourceId, entry.action, entry.status])).toEqual([
      ['leaver-1', 'Disable', 'Success'],
      ['leaver-2', 'Other', 'Skipped'],
    ]);
    expect(logged[1]!.steps).toContainEqual({ name: 'scoping', status: 'Skipped', detail: PERSON_LEFT });
    expect((await store.anchors.get(e.appId, 'user', 'leaver-1'))?.state).toBe('disabled');

    // Enabled again in the directory: still left, so the account stays disabled.
    e.directory.updateUser('leaver-1', { accountEnabled: true, displayName: 'Back again' });
    const requests = e.target.requests.length;
    await e.cycle();
    expect(e.target.requests.slice(requests).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(account('leaver-1')).toMatchObject({ active: false });
  });

  it('refuses to create a person who leaves after the round decided the scope', async () => {
    const e = await startEngine(store);
    e.directory.addUser('leaver-3', person('leaver-3'));
    // The person leaves while the round lists the target, after it read the scope.
    e.target.before({ method: 'GET', path: '/Users' }, async () => {
      await store.persons.ensure({ objectId: 'leaver-3', state: 'left' });
    });

    const cycle = await e.cycle();
    expect(e.target.list('Users')).toEqual([]);
    const [entry] = (await e.log()).filter((x) => x.cycleId === cycle.cycleId);
    expect(entry).toMatchObject({ sourceId: 'leaver-3', action: 'Other', status: 'Skipped' });
    expect(entry!.reason).toContain(PERSON_LEFT);
  });

  it('deprovisions a user no longer assigned to the app, and provisions none that is not assigned', async () => {
    const e = await startEngine(store, { app: { source: { ...SOURCE, scope: 'assigned', servicePrincipalId: 'sp-1' } } });
    for (const id of ['u1', 'u2', 'u3']) e.directory.addUser(id, person(id));
    e.directory.assign('u1', 'u2');
    await e.cycle();
    expect(e.target.list('Users').map((user) => user.userName)).toEqual(['u1@contoso.test', 'u2@contoso.test']);

    e.directory.unassign('u2');
    const second = await e.cycle();
    expect(second.kind).toBe('incremental');
    expect(e.target.list('Users').map((user) => [user.userName, user.active])).toEqual([
      ['u1@contoso.test', true],
      ['u2@contoso.test', false],
    ]);
    expect((await e.log()).filter((entry) => entry.cycleId === second.cycleId)).toMatchObject([
      { changeId: `${second.cycleId}:scope:user:u2`, action: 'Disable', status: 'Success' },
    ]);
    expect((await store.anchors.get(e.appId, 'user', 'u2'))?.state).toBe('disabled');
  });

  it('provisions no group that is not assigned, and a group once it is', async () => {
    const e = await startEngine(store, {
      app: { source: { ...SOURCE, scope: 'assigned', servicePrincipalId: 'sp-1' }, groups: { enabled: true } },
    });
    for (const id of ['u1', 'u2']) e.directory.addUser(id, person(id));
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1']);
    e.directory.addGroup('g2', { displayName: 'Group g2' }, ['u2']);
    e.directory.assign('g1');

    const first = await e.cycle();
    expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test'] });
    expect(e.target.list('Users').map((user) => user.userName)).toEqual(['u1@contoso.test']);
    const g2 = (await e.log()).filter((entry) => entry.cycleId === first.cycleId && entry.sourceId === 'g2');
    expect(g2).toMatchObject([{ action: 'Other', status: 'Skipped' }]);
    expect(await store.anchors.get(e.appId, 'group', 'g2')).toBeUndefined();

    e.directory.assign('g2');
    await e.cycle();
    expect(targetGroups(e.target)).toEqual({ 'Group g1': ['u1@contoso.test'], 'Group g2': ['u2@contoso.test'] });
  });
});

const SOURCE = { type: 'graph' as const, tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'graph-client-secret' };

describe('a preview', () => {
  /** Store calls that only read. */
  const READS = /\.(get|getMany|getSecrets|list|listByApp|allLeft|leftAmong|states|due|count\w*|resolvable|query)$/;

  it('records nothing and writes nothing, for a new user, a changed user and a new group', async () => {
    const e = await startEngine(store, { app: { groups: { enabled: true } } });
    e.directory.addUser('u1', person('u1'));
    await e.cycle();
    e.directory.updateUser('u1', { displayName: 'Renamed' });
    e.directory.addUser('u2', { ...person('u2'), manager: 'u9' });
    e.directory.addGroup('g1', { displayName: 'Group g1' }, ['u1', 'u2']);
    const log = await e.log();
    const anchors = await e.anchors();
    const calls = e.watched.calls.length;
    const requests = e.target.requests.length;

    const previews = await Promise.all(['u1', 'u2', 'g1'].map((id) => previewOne(e.env, e.appId, id)));

    expect(previews.map((p) => [p.objectId, p.outcome?.action, p.outcome?.request?.method])).toEqual([
      ['u1', 'Update', 'PATCH'],
      ['u2', 'Create', 'POST'],
      ['g1', 'Create', 'POST'],
    ]);
    expect(e.target.requests.slice(requests).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(e.watched.calls.slice(calls).filter((call: StoreCall) => !READS.test(call))).toEqual([]);
    expect(await e.log()).toEqual(log);
    expect(await e.anchors()).toEqual(anchors);
    expect(await store.references.count(e.appId)).toBe(0);
    expect(await store.groupMembers.list(e.appId, 'g1')).toEqual([]);
  });
});
