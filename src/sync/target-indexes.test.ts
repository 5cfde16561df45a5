/**
 * How rounds match new objects with the target's accounts, on the engine without Temporal: an
 * index kept from the initial listing, a listing for a large incremental page, filter queries
 * for a few new objects, and a target that cannot filter matched only through the index, also
 * on a retried activity and after a conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index';
import { NOTHING_LEFT_OVER, leftovers, openMemoryStore, person, startEngine, type TestEngine } from '../../test/support/engine';
import { NEW_OBJECTS_FOR_A_LISTING } from './target-indexes';

let store: Store;

beforeAll(async () => {
  store = await openMemoryStore();
});

afterAll(async () => {
  await store?.close();
});

function addUsers(e: TestEngine, from: number, count: number): void {
  for (let i = from; i < from + count; i += 1) e.directory.addUser(`u${i}`, person(`u${i}`));
}

/** The target's requests from `since` on: filter queries and listings of Users. */
function reads(e: TestEngine, since: number) {
  const gets = e.target.requests.slice(since).filter((r) => r.method === 'GET' && r.path === '/Users');
  return {
    filters: gets.filter((r) => r.query.filter !== undefined).length,
    listings: gets.filter((r) => r.query.filter === undefined).length,
  };
}

describe('a target that filters', () => {
  it('matches a few new objects of an incremental round with filter queries, which find accounts made after the listing', async () => {
    const e = await startEngine(store, { target: { unique: true } });
    addUsers(e, 0, 20);
    // In the app from the start, for a person who comes later: matched, and updated.
    const early = e.target.seed('Users', { schemas: [], userName: 'u23@contoso.test', displayName: 'Early' });
    await e.cycle();
    addUsers(e, 20, 5);
    // Made in the app by someone else after the listing: its filter query finds it.
    const meanwhile = e.target.seed('Users', { schemas: [], userName: 'u22@contoso.test' });
    const since = e.target.requests.length;

    const second = await e.cycle();
    expect(second.kind).toBe('incremental');
    expect(reads(e, since)).toEqual({ filters: 5, listings: 0 });
    expect(e.target.list('Users')).toHaveLength(25);
    expect((await store.anchors.get(e.appId, 'user', 'u22'))?.targetId).toBe(meanwhile);
    expect((await store.anchors.get(e.appId, 'user', 'u23'))?.targetId).toBe(early);
    expect(e.target.list('Users').find((u) => u.id === early)).toMatchObject({ displayName: 'Person u23' });
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });

  it('on a fresh worker, lists the target for a page of many new objects and sends a filter query for each of a few', async () => {
    const e = await startEngine(store);
    addUsers(e, 0, 10);
    await e.cycle();

    e.restart();
    addUsers(e, 10, NEW_OBJECTS_FOR_A_LISTING);
    let since = e.target.requests.length;
    await e.cycle();
    expect(reads(e, since).filters).toBe(0);
    expect(reads(e, since).listings).toBeGreaterThan(0);

    e.restart();
    addUsers(e, 10 + NEW_OBJECTS_FOR_A_LISTING, 3);
    since = e.target.requests.length;
    await e.cycle();
    expect(reads(e, since)).toEqual({ filters: 3, listings: 0 });
    expect(e.target.list('Users')).toHaveLength(13 + NEW_OBJECTS_FOR_A_LISTING);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });
});

describe('a target that cannot filter', () => {
  const NO_FILTER = { capabilities: { overrides: { filter: { supported: false } } } };

  it('sends no filter query: a fresh worker lists the target, a conflict, a retried activity and an escrow retry list it again', async () => {
    const e = await startEngine(store, { app: NO_FILTER, target: { unique: true } });
    addUsers(e, 0, 5);
    e.target.seed('Users', { schemas: [], userName: 'u1@contoso.test' });
    await e.cycle();
    expect(e.target.list('Users')).toHaveLength(5);

    // A fresh worker with one new person, whose account someone made meanwhile.
    e.restart();
    addUsers(e, 5, 2);
    const meanwhile = e.target.seed('Users', { schemas: [], userName: 'u6@contoso.test' });
    await e.cycle();
    expect((await store.anchors.get(e.appId, 'user', 'u6'))?.targetId).toBe(meanwhile);

    // The worker dies after a create, before recording it: the retry lists the target again and links what the dead try made.
    addUsers(e, 7, 1);
    e.watched.crashAt('provisioningLog.appendNew');
    await e.cycle();
    expect(e.retried.length).toBeGreaterThan(0);

    // A create whose answer is lost goes to escrow; its retry lists the target again and links what it made.
    addUsers(e, 8, 1);
    e.target.loseAnswer({ method: 'POST', path: '/Users' });
    await e.cycle();
    e.clock.advance(11 * 60_000);
    await e.cycle();
    expect((await store.anchors.get(e.appId, 'user', 'u8'))?.state).toBe('active');

    expect(e.target.requests.filter((r) => r.query.filter !== undefined)).toEqual([]);
    const users = e.target.list('Users');
    expect(users).toHaveLength(9);
    expect(new Set(users.map((u) => u.userName)).size).toBe(9);
    expect(await leftovers(e)).toEqual(NOTHING_LEFT_OVER);
  });
});
