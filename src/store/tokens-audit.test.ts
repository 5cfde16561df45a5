/** API tokens and the audit log on every backend: PGlite in memory and PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { openDatabase, type AuditEntryInput, type Store } from './index';

const backends = [
  { name: 'PGlite in memory', database: async () => undefined },
  { name: 'PostgreSQL', database: () => createTestDatabase('scimflow_tokens_audit') },
];

describe.each(backends)('tokens and audit log on $name', (backend) => {
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

  describe('tokens', () => {
    it('finds a token by its hash, lists it, records its use and revokes it once', async () => {
      const id = randomUUID();
      const hash = randomBytes(32).toString('hex');
      const created = await store.tokens.create({
        id,
        name: 'hr-system',
        role: 'lifecycle',
        hash,
        expiresAt: '2027-01-01T00:00:00Z',
        createdBy: 'bootstrap',
        createdAt: '2026-03-01T10:00:00Z',
      });
      expect(created).toEqual({
        id,
        name: 'hr-system',
        role: 'lifecycle',
        createdAt: '2026-03-01T10:00:00.000Z',
        expiresAt: '2027-01-01T00:00:00.000Z',
        lastUsedAt: null,
        revokedAt: null,
        createdBy: 'bootstrap',
      });
      expect(await store.tokens.findByHash(hash)).toEqual(created);
      expect(await store.tokens.findByHash(randomBytes(32).toString('hex'))).toBeUndefined();
      expect((await store.tokens.list()).map((t) => t.id)).toContain(id);

      await store.tokens.touch(id, '2026-03-02T10:00:00Z');
      await store.tokens.touch(id, '2026-03-02T09:00:00Z');
      expect((await store.tokens.get(id))?.lastUsedAt).toBe('2026-03-02T10:00:00.000Z');

      expect((await store.tokens.revoke(id, '2026-03-03T10:00:00Z'))?.revokedAt).toBe('2026-03-03T10:00:00.000Z');
      expect((await store.tokens.revoke(id, '2026-03-04T10:00:00Z'))?.revokedAt).toBe('2026-03-03T10:00:00.000Z');
      expect(await store.tokens.revoke(randomUUID(), '2026-03-04T10:00:00Z')).toBeUndefined();
    });

    it('keeps hashes unique', async () => {
      const hash = randomBytes(32).toString('hex');
      const token = { name: 'a', role: 'admin' as const, hash, createdBy: 'bootstrap' };
      await store.tokens.create({ ...token, id: randomUUID() });
      await expect(store.tokens.create({ ...token, id: randomUUID() })).rejects.toThrow();
    });
  });

  describe('audit log', () => {
    const appId = randomUUID();
    const entry = (at: string, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
      actor: { id: 't1', name: 'ops-oncall', role: 'operator' },
      client: '10.0.0.7',
      method: 'POST',
      route: '/apps/{id}/pause',
      appId,
      action: 'app.pause',
      status: 200,
      before: { state: 'active' },
      after: { state: 'paused' },
      at,
      ...overrides,
    });

    beforeAll(async () => {
      await store.audit.record(entry('2026-03-01T10:00:00Z'));
      await store.audit.record(
        entry('2026-03-01T11:00:00Z', {
          actor: { id: 'bootstrap', name: 'bootstrap', role: 'admin' },
          method: 'PUT',
          route: '/apps/{id}/config',
          action: 'config.apply',
          before: { schedule: { intervalMinutes: 40 } },
          after: { schedule: { intervalMinutes: 20 } },
          changes: [
            { path: 'schedule.intervalMinutes', before: 40, after: 20 },
            { path: 'target.auth.token', secret: 'replaced' },
          ],
        }),
      );
      await store.audit.record(entry('2026-03-01T12:00:00Z', { status: 403, action: 'config.apply', route: '/apps/{id}/config' }));
      await store.audit.record(entry('2026-03-01T13:00:00Z', { appId: null, action: 'token.create', detail: { tokenId: 'x' } }));
    });

    it('records every field and reads entries back newest first', async () => {
      const { items, nextCursor } = await store.audit.query({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' });
      expect(nextCursor).toBeUndefined();
      expect(items.map((e) => e.at)).toEqual([
        '2026-03-01T13:00:00.000Z',
        '2026-03-01T12:00:00.000Z',
        '2026-03-01T11:00:00.000Z',
        '2026-03-01T10:00:00.000Z',
      ]);
      expect(items[3]).toEqual({
        id: expect.any(String),
        at: '2026-03-01T10:00:00.000Z',
        actor: { id: 't1', name: 'ops-oncall', role: 'operator' },
        client: '10.0.0.7',
        method: 'POST',
        route: '/apps/{id}/pause',
        appId,
        action: 'app.pause',
        status: 200,
        before: { state: 'active' },
        after: { state: 'paused' },
        changes: null,
        detail: null,
      });
      expect(items[2]?.changes).toEqual([
        { path: 'schedule.intervalMinutes', before: 40, after: 20 },
        { path: 'target.auth.token', secret: 'replaced' },
      ]);
    });

    it('filters by app, actor name or id, action and time, and pages with a stable cursor', async () => {
      const ids = async (filter: Parameters<Store['audit']['query']>[0]) =>
        (await store.audit.query(filter)).items.map((e) => e.at.slice(11, 13));
      expect(await ids({ appId })).toEqual(['12', '11', '10']);
      expect(await ids({ actor: 'bootstrap' })).toEqual(['11']);
      expect(await ids({ actor: 't1', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' })).toEqual(['13', '12', '10']);
      expect(await ids({ action: 'config.apply', appId })).toEqual(['12', '11']);
      expect(await ids({ appId, from: '2026-03-01T11:00:00Z', to: '2026-03-01T12:00:00Z' })).toEqual(['11']);
      const first = await store.audit.query({ appId, limit: 2 });
      expect(first.items).toHaveLength(2);
      await store.audit.record(entry('2026-03-01T14:00:00Z'));
      const second = await store.audit.query({ appId, limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((e) => e.at)).toEqual(['2026-03-01T10:00:00.000Z']);
      expect(second.nextCursor).toBeUndefined();
      await expect(store.audit.query({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(/cursor/);
    });

    it('streams every entry in pages', async () => {
      const streamed = [];
      for await (const e of store.audit.stream({ appId }, 2)) streamed.push(e.at.slice(11, 13));
      expect(streamed).toEqual(['14', '12', '11', '10']);
    });

    it('is purged by the retention, the cut-off itself kept', async () => {
      const old = randomUUID();
      await store.audit.record(entry('2020-01-01T00:00:00Z', { appId: old }));
      await store.audit.record(entry('2020-01-02T00:00:00Z', { appId: old }));
      expect(await store.retention.purge('audit-log', '2020-01-02T00:00:00Z')).toBe(1);
      expect((await store.audit.query({ appId: old })).items.map((e) => e.at)).toEqual(['2020-01-02T00:00:00.000Z']);
    });
  });
});
