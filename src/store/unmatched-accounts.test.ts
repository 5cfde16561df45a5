/** Unmatched accounts and their scans on every backend: PGlite in memory and PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { storeApp } from '../../test/support/engine';
import { openDatabase, type FoundAccount, type Store } from './index';

const backends = [
  { name: 'PGlite in memory', database: async () => undefined },
  { name: 'PostgreSQL', database: () => createTestDatabase('scimflow_unmatched') },
];

const AT = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-02T10:00:00.000Z';

function found(targetId: string, overrides: Partial<FoundAccount> = {}): FoundAccount {
  return {
    objectType: 'user',
    targetId,
    kind: 'local',
    account: { userName: `${targetId}@contoso.test`, displayName: null, externalId: null, emails: [], matching: {}, active: true },
    managed: { userName: `${targetId}@contoso.test`, active: true },
    orphanedSourceId: null,
    candidate: null,
    ...overrides,
  };
}

const counts = { listed: 3, unmatched: 2, local: 2, orphaned: 0 };

describe.each(backends)('unmatched accounts on $name', (backend) => {
  let store: Store;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await backend.database();
    store = await openDatabase({ ...(database && { url: database.url }), secretKey: randomBytes(32) });
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('records a scan, keeps an admin’s leave across scans and forgets what a later scan did not see', async () => {
    const appId = randomUUID();
    const repo = store.unmatchedAccounts;
    await repo.beginScan(appId, 'scan-1', AT);
    expect(await repo.scan(appId)).toMatchObject({ scanId: 'scan-1', state: 'running', startedAt: AT, finishedAt: null, counts: null });
    await repo.record(appId, 'scan-1', [found('a'), found('b'), found('c', { kind: 'orphan', orphanedSourceId: 'gone' })], AT);
    expect(await repo.finishScan(appId, 'scan-1', counts, AT)).toEqual({ ...counts, left: 0 });
    expect(await repo.scan(appId)).toMatchObject({ state: 'finished', finishedAt: AT, counts: { ...counts, left: 0 } });

    expect(await repo.leave(appId, 'user', 'b', AT)).toBe(true);
    expect(await repo.leave(appId, 'user', 'nope', AT)).toBe(false);
    expect((await repo.list(appId)).items.map((a) => a.targetId)).toEqual(['a', 'c']);
    expect((await repo.list(appId, { status: 'left' })).items).toMatchObject([{ targetId: 'b', status: 'left', decidedAt: AT }]);
    expect((await repo.list(appId, { kind: 'orphan' })).items).toMatchObject([{ targetId: 'c', orphanedSourceId: 'gone' }]);

    // The second scan sees b (still left) and c, not a.
    await repo.beginScan(appId, 'scan-2', LATER);
    await repo.record(appId, 'scan-2', [found('b'), found('c')], LATER);
    expect(await repo.finishScan(appId, 'scan-2', { ...counts, unmatched: 2 }, LATER)).toMatchObject({ left: 1 });
    const all = await repo.list(appId, { status: 'all' });
    expect(all.items.map((a) => [a.targetId, a.status, a.kind, a.firstSeenAt, a.lastSeenAt])).toEqual([
      ['b', 'left', 'local', AT, LATER],
      ['c', 'unmatched', 'local', AT, LATER],
    ]);
  });

  it('makes a linked account unmatched again when a scan finds it so, and pages with a cursor', async () => {
    const appId = randomUUID();
    const repo = store.unmatchedAccounts;
    await repo.beginScan(appId, 's1', AT);
    await repo.record(appId, 's1', ['t1', 't2', 't3'].map((id) => found(id)).concat(found('t1', { objectType: 'group' })), AT);
    await repo.linked(appId, 'user', 't2', 'object-2', AT);
    expect((await repo.get(appId, 't2'))[0]).toMatchObject({ status: 'linked', linkedObjectId: 'object-2' });
    expect((await repo.get(appId, 't1')).map((a) => a.objectType)).toEqual(['user', 'group']);
    expect((await repo.get(appId, 't1', 'group')).map((a) => a.objectType)).toEqual(['group']);

    const first = await repo.list(appId, { limit: 2 });
    expect(first.items.map((a) => `${a.objectType}:${a.targetId}`)).toEqual(['group:t1', 'user:t1']);
    const second = await repo.list(appId, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((a) => a.targetId)).toEqual(['t3']);
    expect(second.nextCursor).toBeUndefined();

    await repo.record(appId, 's1', [found('t2')], LATER);
    expect((await repo.get(appId, 't2'))[0]).toMatchObject({ status: 'unmatched', linkedObjectId: null, decidedAt: null });
  });

  it('keeps the start of a retried scan, records a failure, and lets an outdated scan change nothing', async () => {
    const appId = randomUUID();
    const repo = store.unmatchedAccounts;
    await repo.beginScan(appId, 's1', AT);
    await repo.beginScan(appId, 's1', LATER);
    expect((await repo.scan(appId))?.startedAt).toBe(AT);
    await repo.failScan(appId, 's1', { kind: 'transient', code: 'ServiceUnavailable', message: 'HTTP 503 from the target' }, LATER);
    expect(await repo.scan(appId)).toMatchObject({ state: 'failed', error: { code: 'ServiceUnavailable' }, finishedAt: LATER });

    await repo.beginScan(appId, 's2', LATER);
    await repo.record(appId, 's2', [found('x')], LATER);
    expect(await repo.finishScan(appId, 's1', counts, LATER)).toBeUndefined();
    expect(await repo.scan(appId)).toMatchObject({ scanId: 's2', state: 'running' });
    expect((await repo.list(appId)).items).toHaveLength(1);
  });

  it('finds anchors by their target ids', async () => {
    const { id: appId } = await storeApp(store);
    await store.anchors.upsert({ appId, objectType: 'user', sourceId: 'src-1', targetId: 'tgt-1', lastExported: {} });
    const found = await store.anchors.byTargetIds(appId, 'user', ['tgt-1', 'tgt-2']);
    expect([...found.keys()]).toEqual(['tgt-1']);
    expect(found.get('tgt-1')?.sourceId).toBe('src-1');
    expect((await store.anchors.byTargetIds(appId, 'group', ['tgt-1'])).size).toBe(0);
  });
});
