/**
 * The store against every backend it supports: PGlite in memory and a real PostgreSQL server
 * (a fresh database for this file). Each test works on apps of its own, so tests share one
 * store per backend.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv } from '../../test/support/env';
import { appInputSchema, splitSecrets, type AppInput } from '../config/app';
import { ProvisioningError, type ErrorInfo } from '../errors/index';
import { projectRoot } from '../tools/index';
import { createAppsRepository } from './apps';
import { createSecretCipher, SECRET_KEY_ENV } from './crypto';
import type { DatabaseLocation } from './dialect';
import {
  escrowRetryDelayMs,
  isLogCursor,
  migrateToLatest,
  migrations,
  openDatabase,
  type ProvisioningLogEntry,
  type ProvisioningLogInput,
  type Store,
} from './index';

const KEY = randomBytes(32);

interface Backend {
  name: string;
  /** Prepares the database and says where it is. */
  setUp(): Promise<DatabaseLocation>;
  tearDown(): Promise<void>;
}

function postgresBackend(): Backend {
  const database = `scimflow_store_${randomUUID().replaceAll('-', '')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testEnv.postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    async setUp() {
      await admin(`create database ${database}`);
      const url = new URL(testEnv.postgresUrl);
      url.pathname = `/${database}`;
      return { url: url.toString() };
    },
    async tearDown() {
      // The pool's connections end just after close() resolves: wait for them rather than
      // terminate them (a terminated connection would raise an error in this process).
      for (let attempt = 0; ; attempt++) {
        try {
          return await admin(`drop database if exists ${database}`);
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt === 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
  };
}

const memoryBackend: Backend = { name: 'PGlite in memory', setUp: async () => ({}), tearDown: async () => {} };

function appInput(overrides: Partial<AppInput> = {}): AppInput {
  return {
    displayName: `App ${randomUUID().slice(0, 8)}`,
    source: { type: 'graph', tenantId: 'tenant-1', clientId: 'client-1', clientSecret: `client-secret-${randomUUID()}` },
    target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: `target-token-${randomUUID()}` } },
    ...overrides,
  };
}

const userMappings = { user: [{ type: 'direct' as const, source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 }] };

const failure: ErrorInfo = { kind: 'transient', code: 'TooManyRequests', message: 'HTTP 429 from the target', status: 429 };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe.each([memoryBackend, postgresBackend()])('store on $name', (backend) => {
  let store: Store;

  beforeAll(async () => {
    store = await openDatabase({ ...(await backend.setUp()), secretKey: KEY });
  });

  afterAll(async () => {
    await store?.close();
    await backend.tearDown();
  });

  async function newApp(overrides: Partial<AppInput> = {}) {
    const { config, secrets } = splitSecrets(appInputSchema.parse(appInput(overrides)));
    return { app: await store.apps.create(config, secrets), secrets };
  }

  describe('migrations', () => {
    it('creates every table and applies nothing the second time', async () => {
      expect(await migrateToLatest(store.db)).toEqual([]);
      expect(await migrateToLatest(store.db)).toEqual([]);
      const tables = (await store.db.introspection.getTables()).map((table) => table.name);
      expect(tables).toEqual(expect.arrayContaining(['apps', 'anchors', 'provisioning_log', 'cycles', 'sync_state', 'escrow']));
    });

    it('names the migration that failed and keeps none of its changes', async () => {
      const broken = {
        ...migrations,
        '9999-broken': {
          up: async (db: Parameters<typeof migrateToLatest>[0]) => {
            await db.schema.createTable('half_done').addColumn('id', 'text').execute();
            await sql`select * from no_such_table`.execute(db);
          },
        },
      };
      await expect(migrateToLatest(store.db, broken)).rejects.toThrow(/migration "9999-broken" failed/);
      const tables = (await store.db.introspection.getTables()).map((table) => table.name);
      expect(tables).not.toContain('half_done');
      expect(await migrateToLatest(store.db)).toEqual([]);
    });
  });

  describe('apps', () => {
    it('creates, reads and lists an app without its secrets', async () => {
      const { app } = await newApp({ displayName: 'Slack' });
      expect(app).toMatchObject({
        displayName: 'Slack',
        source: { type: 'graph', tenantId: 'tenant-1', clientId: 'client-1', scope: 'all' },
        target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer' } },
        schedule: { intervalMinutes: 40 },
        configVersion: 1,
      });
      expect(app.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(JSON.stringify(app)).not.toMatch(/client-secret|target-token/);
      expect(await store.apps.get(app.id)).toEqual(app);
      expect((await store.apps.list()).map((listed) => listed.id)).toContain(app.id);
      expect(await store.apps.get(randomUUID())).toBeUndefined();
    });

    it('updates parts of the definition and bumps the config version only when asked', async () => {
      const { app } = await newApp();
      const renamed = await store.apps.update(app.id, { displayName: 'Renamed', schedule: { intervalMinutes: 10 } });
      expect(renamed).toMatchObject({ displayName: 'Renamed', schedule: { intervalMinutes: 10 }, source: app.source, configVersion: 1 });
      expect(Date.parse(renamed!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(app.updatedAt));

      const remapped = await store.apps.update(
        app.id,
        { mappings: appInputSchema.parse(appInput({ mappings: userMappings })).mappings },
        { bumpConfigVersion: true },
      );
      expect(remapped?.configVersion).toBe(2);
      expect(remapped?.mappings.user?.[0]).toMatchObject({ source: 'userPrincipalName', target: 'userName' });
      expect(remapped?.displayName).toBe('Renamed');
      expect(await store.apps.get(app.id)).toEqual(remapped);

      expect(await store.apps.update(randomUUID(), { displayName: 'x' })).toBeUndefined();
    });

    it('decrypts secrets, replaces them on update, and never stores them in clear', async () => {
      const { app, secrets } = await newApp();
      expect(await store.apps.getSecrets(app.id)).toEqual(secrets);

      const rotated = { clientSecret: 'rotated-client-secret', targetToken: 'rotated-target-token' };
      await store.apps.update(app.id, {}, { secrets: rotated });
      expect(await store.apps.getSecrets(app.id)).toEqual(rotated);

      const row = await store.db.selectFrom('apps').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
      const stored = JSON.stringify(row);
      for (const secret of [...Object.values(secrets), ...Object.values(rotated)]) expect(stored).not.toContain(secret);
      expect(row.secrets).toMatch(/^v1\./);
    });

    it('keeps no credential in the clear configuration even when one is passed inside it', async () => {
      const spec = appInputSchema.parse(appInput());
      const { config, secrets } = splitSecrets(spec);
      const app = await store.apps.create({ ...config, source: spec.source, target: spec.target }, secrets);
      await store.apps.update(app.id, { source: spec.source, target: spec.target });
      const row = await store.db.selectFrom('apps').select('config').where('id', '=', app.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row.config)).not.toMatch(/client-secret|target-token/);
      expect(row.config.target).toEqual({ type: 'scim', baseUrl: spec.target.baseUrl, auth: { type: 'bearer' } });
      expect(await store.apps.getSecrets(app.id)).toEqual(secrets);
    });

    it('refuses secrets under another key, altered, or copied from another app, without showing them', async () => {
      const { app, secrets } = await newApp();
      const otherKey = createAppsRepository(store.db, createSecretCipher(randomBytes(32)));
      const wrongKey = await rejection(otherKey.getSecrets(app.id));
      expect(wrongKey).toBeInstanceOf(ProvisioningError);
      expect(wrongKey).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
      expect((wrongKey as Error).message).toMatch(/secret key/);
      for (const secret of Object.values(secrets)) expect((wrongKey as Error).message).not.toContain(secret);

      const { secrets: stored } = await store.db.selectFrom('apps').select('secrets').where('id', '=', app.id).executeTakeFirstOrThrow();
      const bytes = Buffer.from(stored!.slice(3), 'base64');
      bytes[bytes.length - 1]! ^= 0x01;
      await store.db
        .updateTable('apps')
        .set({ secrets: `v1.${bytes.toString('base64')}` })
        .where('id', '=', app.id)
        .execute();
      await expect(store.apps.getSecrets(app.id)).rejects.toMatchObject({ kind: 'configuration' });

      const { app: other } = await newApp();
      await store.db.updateTable('apps').set({ secrets: stored }).where('id', '=', other.id).execute();
      await expect(store.apps.getSecrets(other.id)).rejects.toMatchObject({ kind: 'configuration' });
    });

    it('deletes an app and forgets its secrets', async () => {
      const { app } = await newApp();
      expect(await store.apps.delete(app.id)).toBe(true);
      expect(await store.apps.get(app.id)).toBeUndefined();
      expect((await store.apps.list()).map((listed) => listed.id)).not.toContain(app.id);
      await expect(store.apps.getSecrets(app.id)).rejects.toMatchObject({ kind: 'permanent', code: 'NotFound' });
      expect(await store.apps.update(app.id, { displayName: 'back' })).toBeUndefined();
      expect(await store.apps.delete(app.id)).toBe(false);
      const row = await store.db.selectFrom('apps').select(['secrets', 'deleted_at']).where('id', '=', app.id).executeTakeFirstOrThrow();
      expect(row.secrets).toBeNull();
      expect(row.deleted_at).toBeInstanceOf(Date);
    });
  });

  describe('anchors', () => {
    const anchor = (appId: string, sourceId: string, targetId = `t-${sourceId}`) => ({
      appId,
      objectType: 'user' as const,
      sourceId,
      targetId,
      lastExported: { userName: `${sourceId}@example.com`, active: true, 'emails[type eq "work"].value': null },
    });

    it('creates an anchor, then replaces what was exported and keeps state and snapshot unless given', async () => {
      const { app } = await newApp();
      const created = await store.anchors.upsert({ ...anchor(app.id, 's1'), sourceSnapshot: { displayName: 'Ada' } });
      expect(created).toMatchObject({ state: 'active', targetId: 't-s1', sourceSnapshot: { displayName: 'Ada' } });
      expect(created.lastExported).toEqual({ userName: 's1@example.com', active: true, 'emails[type eq "work"].value': null });

      expect(await store.anchors.markState(app.id, 'user', 's1', 'disabled')).toBe(true);
      const replaced = await store.anchors.upsert({ ...anchor(app.id, 's1', 't-new'), lastExported: { userName: 'renamed@example.com' } });
      expect(replaced).toMatchObject({
        state: 'disabled',
        targetId: 't-new',
        lastExported: { userName: 'renamed@example.com' },
        sourceSnapshot: { displayName: 'Ada' },
      });
      expect(replaced.createdAt).toBe(created.createdAt);

      const cleared = await store.anchors.upsert({ ...anchor(app.id, 's1', 't-new'), state: 'active', sourceSnapshot: null });
      expect(cleared).toMatchObject({ state: 'active', sourceSnapshot: null });
      expect(await store.anchors.get(app.id, 'user', 's1')).toEqual(cleared);
      expect(await store.anchors.get(app.id, 'group', 's1')).toBeUndefined();
    });

    it('refuses to link one target account to two source objects', async () => {
      const { app } = await newApp();
      await store.anchors.upsert(anchor(app.id, 's1', 'same-target'));
      const error = await rejection(store.anchors.upsert(anchor(app.id, 's2', 'same-target')));
      expect(error).toBeInstanceOf(ProvisioningError);
      expect(error).toMatchObject({ kind: 'conflict', code: 'Conflict' });
      expect(await store.anchors.get(app.id, 'user', 's2')).toBeUndefined();
    });

    it('reads many, marks, deletes and counts', async () => {
      const { app } = await newApp();
      for (const id of ['a', 'b', 'c']) await store.anchors.upsert(anchor(app.id, id));
      await store.anchors.upsert({ ...anchor(app.id, 'g1'), objectType: 'group' });

      const many = await store.anchors.getMany(app.id, 'user', ['a', 'c', 'missing', 'g1']);
      expect([...many.keys()].sort()).toEqual(['a', 'c']);
      expect(many.get('a')?.targetId).toBe('t-a');
      expect((await store.anchors.getMany(app.id, 'user', [])).size).toBe(0);

      expect(await store.anchors.markState(app.id, 'user', 'b', 'deleted')).toBe(true);
      expect(await store.anchors.markState(app.id, 'user', 'missing', 'deleted')).toBe(false);
      expect(await store.anchors.countByApp(app.id)).toBe(4);
      expect(await store.anchors.countByApp(app.id, { objectType: 'user' })).toBe(3);
      expect(await store.anchors.countByApp(app.id, { state: 'deleted' })).toBe(1);

      expect(await store.anchors.delete(app.id, 'user', 'b')).toBe(true);
      expect(await store.anchors.delete(app.id, 'user', 'b')).toBe(false);
      expect(await store.anchors.countByApp(app.id, { objectType: 'user' })).toBe(2);
    });

    it('lists an app’s anchors page by page', async () => {
      const { app } = await newApp();
      const ids = Array.from({ length: 11 }, (_, i) => `src-${String(i).padStart(2, '0')}`);
      for (const id of ids) await store.anchors.upsert(anchor(app.id, id));
      await store.anchors.upsert({ ...anchor(app.id, 'grp'), objectType: 'group' });

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.anchors.listByApp(app.id, { objectType: 'user', limit: 4, ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((item) => item.sourceId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);

      const all = await store.anchors.listByApp(app.id);
      expect(all.items.map((item) => `${item.objectType}:${item.sourceId}`)).toEqual(['group:grp', ...ids.map((id) => `user:${id}`)]);
      expect(all.nextCursor).toBeUndefined();
      await expect(store.anchors.listByApp(app.id, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BadRequest' });
    });
  });

  describe('accounts', () => {
    const exported = { userName: 'x@example.com' };
    const direct = { via: 'direct' as const, servicePrincipalId: 'sp-1', detail: 'assigned to service principal sp-1' };
    const viaGroup = { via: 'group' as const, servicePrincipalId: 'sp-1', groupIds: ['g-1'], detail: 'through group g-1' };
    const logged = (appId: string, sourceId: string, action: 'Create' | 'Update', display: string | null): ProvisioningLogInput => ({
      appId,
      cycleId: null,
      changeId: randomUUID(),
      objectType: 'user',
      sourceId,
      sourceDisplay: display,
      targetId: `t-${sourceId}`,
      action,
      status: 'Success',
      reason: null,
      modifiedProperties: [],
      steps: [],
      error: null,
      startedAt: '2026-01-02T03:04:05.678Z',
      durationMs: 1,
    });

    it('keeps the scope reason with the anchor; a write without one keeps the one before, anchors written before say null', async () => {
      const { app } = await newApp();
      const base = { appId: app.id, objectType: 'user' as const, lastExported: exported, state: 'active' as const };
      await store.anchors.upsert({ ...base, sourceId: 'old', targetId: 't-old' });
      expect(await store.anchors.upsertMany([{ ...base, sourceId: 'u1', targetId: 't-u1', scopeReason: direct }])).toEqual([]);
      expect((await store.anchors.get(app.id, 'user', 'u1'))?.scopeReason).toEqual(direct);
      await store.anchors.upsertMany([{ ...base, sourceId: 'u1', targetId: 't-u1', state: 'disabled' }]);
      expect(await store.anchors.get(app.id, 'user', 'u1')).toMatchObject({ state: 'disabled', scopeReason: direct });
      await store.anchors.upsertMany([{ ...base, sourceId: 'u1', targetId: 't-u1', scopeReason: viaGroup }]);
      expect((await store.anchors.get(app.id, 'user', 'u1'))?.scopeReason).toEqual(viaGroup);
      await store.anchors.upsert({ ...base, sourceId: 'u1', targetId: 't-u1' });
      expect((await store.anchors.get(app.id, 'user', 'u1'))?.scopeReason).toEqual(viaGroup);
      expect((await store.anchors.get(app.id, 'user', 'old'))?.scopeReason).toBeNull();
    });

    it('lists an app’s accounts with the last change and display name, filtered and page by page', async () => {
      const { app } = await newApp();
      const base = { appId: app.id, objectType: 'user' as const, lastExported: exported, state: 'active' as const };
      const ids = Array.from({ length: 5 }, (_, i) => `u${i}`);
      await store.anchors.upsertMany(ids.map((id) => ({ ...base, sourceId: id, targetId: `t-${id}`, scopeReason: direct })));
      await store.anchors.upsert({ ...base, sourceId: 'snap', targetId: 't-snap', sourceSnapshot: { displayName: 'From Snapshot' } });
      await store.anchors.upsert({ ...base, objectType: 'group', sourceId: 'g1', targetId: 't-g1' });
      await store.anchors.markState(app.id, 'user', 'u3', 'disabled');
      await store.provisioningLog.append([logged(app.id, 'u1', 'Create', 'Ada')]);
      await store.provisioningLog.append([logged(app.id, 'u1', 'Update', 'Ada L.')]);

      const [u1] = (await store.accounts.listByApp(app.id, { objectId: 'u1' })).items;
      expect(u1).toMatchObject({
        objectType: 'user',
        objectId: 'u1',
        displayName: 'Ada L.',
        targetId: 't-u1',
        state: 'active',
        reason: direct,
        lastChange: { action: 'Update', status: 'Success' },
      });
      const [snap] = (await store.accounts.listByApp(app.id, { objectId: 'snap' })).items;
      expect(snap).toMatchObject({ displayName: 'From Snapshot', lastChange: null, reason: null });

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.accounts.listByApp(app.id, { objectType: 'user', limit: 2, ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((a) => a.objectId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['snap', ...ids]);
      expect((await store.accounts.listByApp(app.id, { state: 'disabled' })).items.map((a) => a.objectId)).toEqual(['u3']);
      expect((await store.accounts.listByApp(app.id, { objectType: 'group' })).items.map((a) => a.objectId)).toEqual(['g1']);
      await expect(store.accounts.listByApp(app.id, { cursor: 'nope' })).rejects.toMatchObject({ code: 'BadRequest' });
    });

    it('lists the apps where a person has an account, leaving out deleted apps', async () => {
      const { app: one } = await newApp();
      const { app: two } = await newApp();
      const { app: gone } = await newApp();
      const person = `p-${randomUUID()}`;
      for (const app of [one, two, gone])
        await store.anchors.upsert({
          appId: app.id,
          objectType: 'user',
          sourceId: person,
          targetId: `t-${app.id}`,
          lastExported: exported,
        });
      await store.anchors.markState(two.id, 'user', person, 'disabled');
      await store.apps.delete(gone.id);
      const access = await store.accounts.ofPerson(person);
      expect(access.map((a) => [a.appId, a.state])).toEqual(
        [
          [one.id, 'active'],
          [two.id, 'disabled'],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      );
      expect(access[0]).toMatchObject({ appDisplayName: expect.any(String), lastChange: null, reason: null });
      expect(await store.accounts.ofPerson('nobody')).toEqual([]);
    });
  });

  describe('provisioning log', () => {
    function entry(appId: string, overrides: Partial<ProvisioningLogInput> = {}): ProvisioningLogInput {
      return {
        appId,
        cycleId: `${appId}:1`,
        changeId: randomUUID(),
        objectType: 'user',
        sourceId: 'src-1',
        sourceDisplay: 'Ada Lovelace',
        targetId: 'tgt-1',
        action: 'Update',
        status: 'Success',
        reason: null,
        modifiedProperties: [
          { name: 'title', old: 'Engineer', new: 'Lead' },
          { name: 'department', new: 'R&D' },
        ],
        steps: [
          { name: 'import', status: 'Success', detail: 'read from Graph' },
          { name: 'export', status: 'Success', detail: 'PATCH /Users/tgt-1', data: { operations: 2 } },
        ],
        error: null,
        startedAt: '2026-01-02T03:04:05.678Z',
        durationMs: 42,
        ...overrides,
      };
    }

    async function all(query: Omit<Parameters<Store['provisioningLog']['query']>[0], 'cursor'>): Promise<ProvisioningLogEntry[]> {
      const items: ProvisioningLogEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.provisioningLog.query({ ...query, ...(cursor && { cursor }) });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    }

    it('appends a batch and reads it back as written', async () => {
      const { app } = await newApp();
      const failed = entry(app.id, { action: 'Create', status: 'Failure', targetId: null, error: failure, reason: 'HTTP 429' });
      expect(await store.provisioningLog.append([entry(app.id), failed])).toBe(2);
      const { items, nextCursor } = await store.provisioningLog.query({ appId: app.id });
      expect(nextCursor).toBeUndefined();
      const read = items.find((item) => item.changeId === failed.changeId);
      expect(read).toEqual({
        ...failed,
        id: expect.any(String),
        createdAt: expect.stringMatching(/Z$/),
        steps: failed.steps,
      });
    });

    it('records a change once however often it is appended', async () => {
      const { app } = await newApp();
      const once = entry(app.id);
      expect(await store.provisioningLog.append([once])).toBe(1);
      expect(await store.provisioningLog.append([once, entry(app.id)])).toBe(1);
      expect((await store.provisioningLog.query({ appId: app.id })).items).toHaveLength(2);
    });

    it('counts a cycle from its entries, whatever retries appended', async () => {
      const { app } = await newApp();
      const cycle = await store.cycles.start({ appId: app.id, kind: 'initial' });
      const rows: [ProvisioningLogInput['action'], ProvisioningLogInput['status']][] = [
        ['Create', 'Success'],
        ['Create', 'Success'],
        ['Update', 'Success'],
        ['Disable', 'Success'],
        ['Disable', 'Warning'],
        ['Delete', 'Success'],
        ['Other', 'Skipped'],
        ['Create', 'Failure'],
        ['Other', 'Failure'],
      ];
      const entries = rows.map(([action, status], i) => entry(app.id, { cycleId: cycle.id, changeId: `${cycle.id}:${i}`, action, status }));
      await store.provisioningLog.append(entries);
      await store.provisioningLog.append(entries.slice(0, 3));
      await store.provisioningLog.append([entry(app.id, { cycleId: `${app.id}:other`, action: 'Create' })]);
      const { staged, ...counts } = await store.provisioningLog.countsByCycle(cycle.id);
      expect(counts).toEqual({ created: 2, updated: 1, disabled: 1, deleted: 1, skipped: 2, failed: 2 });
      expect(staged).toBe(0);
      const finished = await store.cycles.finish(cycle.id, { state: 'succeeded', counts });
      expect(finished?.counts).toEqual(counts);
    });

    it('filters by source, target, action, status and cycle', async () => {
      const { app } = await newApp();
      await store.provisioningLog.append(
        [
          entry(app.id, { changeId: 'f-1', sourceId: 'u1', targetId: 't1', action: 'Create', status: 'Success' }),
          entry(app.id, { changeId: 'f-2', sourceId: 'u1', targetId: 't1', action: 'Update', status: 'Failure', error: failure }),
          entry(app.id, { changeId: 'f-3', sourceId: 'u2', targetId: 't2', action: 'Disable', status: 'Success', cycleId: null }),
          entry(app.id, { changeId: 'f-4', sourceId: 'u3', targetId: null, action: 'Other', status: 'Skipped', reason: 'RedundantExport' }),
        ].map((input) => ({ ...input, changeId: `${app.id}:${input.changeId}` })),
      );
      const { app: other } = await newApp();
      await store.provisioningLog.append([entry(other.id, { sourceId: 'u1' })]);

      const changes = async (query: Omit<Parameters<Store['provisioningLog']['query']>[0], 'appId'>) =>
        (await all({ appId: app.id, ...query })).map((item) => item.changeId.split(':').at(-1)).sort();
      expect(await changes({ sourceId: 'u1' })).toEqual(['f-1', 'f-2']);
      expect(await changes({ targetId: 't2' })).toEqual(['f-3']);
      expect(await changes({ action: 'Disable' })).toEqual(['f-3']);
      expect(await changes({ action: ['Create', 'Other'] })).toEqual(['f-1', 'f-4']);
      expect(await changes({ status: 'Failure' })).toEqual(['f-2']);
      expect(await changes({ status: 'Success', sourceId: 'u1' })).toEqual(['f-1']);
      expect(await changes({ cycleId: `${app.id}:1` })).toEqual(['f-1', 'f-2', 'f-4']);
      expect(await changes({})).toEqual(['f-1', 'f-2', 'f-3', 'f-4']);
    });

    it('filters by the time an entry was recorded', async () => {
      const { app } = await newApp();
      const times = ['2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z', '2025-03-03T00:00:00.000Z'];
      const inputs = times.map(() => entry(app.id));
      await store.provisioningLog.append(inputs);
      for (const [i, input] of inputs.entries()) {
        await store.db.updateTable('provisioning_log').set({ created_at: times[i]! }).where('change_id', '=', input.changeId).execute();
      }
      const recorded = async (from?: string, to?: string) =>
        (await all({ appId: app.id, ...(from && { from }), ...(to && { to: new Date(to) }) })).map((item) => item.createdAt);
      expect(await recorded('2025-03-02T00:00:00.000Z')).toEqual([times[2], times[1]]);
      expect(await recorded(undefined, '2025-03-02T00:00:00.000Z')).toEqual([times[0]]);
      expect(await recorded('2025-03-01T12:00:00.000Z', '2025-03-03T00:00:00.000Z')).toEqual([times[1]]);
    });

    it('pages newest first with no entry skipped or repeated when many share a time', async () => {
      const { app } = await newApp();
      const shared = ['2025-05-01T10:00:00.000Z', '2025-05-01T10:00:00.001Z', '2025-05-01T10:00:00.001Z'];
      const batches = shared.map(() => Array.from({ length: 25 }, () => entry(app.id)));
      for (const batch of batches) expect(await store.provisioningLog.append(batch)).toBe(25);
      for (const [i, batch] of batches.entries()) {
        const ids = batch.map((input) => input.changeId);
        await store.db.updateTable('provisioning_log').set({ created_at: shared[i]! }).where('change_id', 'in', ids).execute();
      }

      const pages: ProvisioningLogEntry[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.provisioningLog.query({ appId: app.id, limit: 7, ...(cursor && { cursor }) });
        pages.push(page.items);
        cursor = page.nextCursor;
        // Entries recorded while paging are newer than any cursor: they never shift later pages.
        if (pages.length === 2) await store.provisioningLog.append([entry(app.id)]);
      } while (cursor);

      const read = pages.flat();
      expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
      expect(read).toHaveLength(75);
      expect(new Set(read.map((item) => item.id)).size).toBe(75);
      expect(new Set(read.map((item) => item.changeId))).toEqual(new Set(batches.flat().map((input) => input.changeId)));
      const order = read.map((item) => [Date.parse(item.createdAt), Number(item.id)] as const);
      for (let i = 1; i < order.length; i++) {
        const [time, id] = order[i]!;
        const [prevTime, prevId] = order[i - 1]!;
        expect(time < prevTime || (time === prevTime && id < prevId)).toBe(true);
      }
    });

    it('rejects a bad cursor or limit and caps the page size', async () => {
      const { app } = await newApp();
      await expect(store.provisioningLog.query({ appId: app.id, cursor: 'bogus' })).rejects.toMatchObject({ code: 'BadRequest' });
      const foreign = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
      await expect(store.provisioningLog.query({ appId: app.id, cursor: foreign })).rejects.toMatchObject({ code: 'BadRequest' });
      await expect(store.provisioningLog.query({ appId: app.id, limit: 0 })).rejects.toMatchObject({ code: 'BadRequest' });
      await store.provisioningLog.append(Array.from({ length: 501 }, () => entry(app.id)));
      const page = await store.provisioningLog.query({ appId: app.id, limit: 10_000 });
      expect(page.items).toHaveLength(500);
      expect(page.nextCursor).toBeDefined();
    });

    it('refuses a forged cursor as a bad request before the database sees it, and takes the ones it gave out', async () => {
      const { app } = await newApp();
      await store.provisioningLog.append([entry(app.id), entry(app.id)]);
      const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const key of [
        ['x', 1],
        ['2026-01-02T03:04:05.678Z', 1.5],
        ['2026-01-02T03:04:05.678Z', -1],
        ['0000-01-01T00:00:00.000Z', 1],
      ]) {
        expect(isLogCursor(forged(key))).toBe(false);
        await expect(store.provisioningLog.query({ appId: app.id, cursor: forged(key) })).rejects.toMatchObject({ code: 'BadRequest' });
      }
      const first = await store.provisioningLog.query({ appId: app.id, limit: 1 });
      expect(isLogCursor(first.nextCursor!)).toBe(true);
      expect((await store.provisioningLog.query({ appId: app.id, limit: 1, cursor: first.nextCursor! })).items).toHaveLength(1);
    });

    it('refuses times outside years 1 to 9999 before the database sees them', async () => {
      const { app } = await newApp();
      await expect(store.provisioningLog.query({ appId: app.id, from: '0000-01-01T00:00:00Z' })).rejects.toThrow(RangeError);
      expect((await store.provisioningLog.query({ appId: app.id, from: '0001-01-01T00:00:00Z' })).items).toEqual([]);
    });

    /** Records `count` entries of `appId` at `createdAt` (the store's clock is the database's). */
    async function recordAt(appId: string, createdAt: string, count = 1, overrides: Partial<ProvisioningLogInput> = {}) {
      const entries = Array.from({ length: count }, () => entry(appId, overrides));
      await store.provisioningLog.append(entries);
      await store.db
        .updateTable('provisioning_log')
        .set({ created_at: createdAt })
        .where(
          'change_id',
          'in',
          entries.map((e) => e.changeId),
        )
        .execute();
      return entries.map((e) => e.changeId);
    }

    const changeIdsOf = async (appId: string) =>
      (await store.provisioningLog.query({ appId, limit: 500 })).items.map((item) => item.changeId);

    it('streams every entry matching the filter newest first in keyset pages, one app or all', async () => {
      const [{ app: one }, { app: two }] = [await newApp(), await newApp()];
      const oneIds = await recordAt(one.id, '2026-02-01T00:00:00.000Z', 5);
      const twoIds = await recordAt(two.id, '2026-02-01T00:00:01.000Z', 3, { status: 'Failure', action: 'Create' });
      const streamed = async (filter: Parameters<Store['provisioningLog']['stream']>[0], pageSize: number) => {
        const ids: string[] = [];
        for await (const e of store.provisioningLog.stream(filter, pageSize)) ids.push(e.changeId);
        return ids;
      };
      // Same time within an app: the id breaks the tie, so pages of 2 skip and repeat nothing.
      expect(new Set(await streamed({ appId: one.id }, 2))).toEqual(new Set(oneIds));
      expect(await streamed({ appId: one.id }, 2)).toHaveLength(5);
      const window = { from: '2026-02-01T00:00:00.000Z', to: '2026-02-01T00:00:02.000Z' };
      const both = await streamed(window, 3);
      expect(both.slice(0, 3).sort()).toEqual([...twoIds].sort());
      expect(both.slice(3).sort()).toEqual([...oneIds].sort());
      expect((await streamed({ ...window, status: 'Failure' }, 2)).sort()).toEqual([...twoIds].sort());
      // The all-apps page is the same query as the stream, a page at a time.
      const first = await store.provisioningLog.query({ ...window, limit: 4 });
      const second = await store.provisioningLog.query({ ...window, limit: 4, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((e) => e.changeId)).toEqual(both);
      expect(second.nextCursor).toBeUndefined();
    });

    it('purges entries older than the cut-off in bounded batches, the cut-off itself kept, in every app', async () => {
      const [{ app: one }, { app: two }] = [await newApp(), await newApp()];
      const cutOff = '1990-06-01T00:00:00.000Z';
      await recordAt(one.id, '1990-01-01T00:00:00.000Z', 7);
      await recordAt(two.id, '1990-05-31T23:59:59.999Z', 5);
      const kept = [
        ...(await recordAt(one.id, cutOff)),
        ...(await recordAt(two.id, cutOff, 2)),
        ...(await recordAt(two.id, '1990-06-02T00:00:00.000Z')),
      ];
      const anchorsBefore = await store.db
        .selectFrom('anchors')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();

      expect(await store.retention.purgeBatch('provisioning-log', cutOff, 5)).toBe(5);
      const totals: number[] = [];
      expect(await store.retention.purge('provisioning-log', cutOff, { batchSize: 3, onBatch: (n) => totals.push(n) })).toBe(7);
      // 7 left: batches of 3, 3, 1; the short one says none older is left.
      expect(totals).toEqual([3, 6, 7]);
      expect(await store.retention.purge('provisioning-log', cutOff, { batchSize: 3 })).toBe(0);

      expect([...(await changeIdsOf(one.id)), ...(await changeIdsOf(two.id))].sort()).toEqual([...kept].sort());
      expect(
        await store.db
          .selectFrom('anchors')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ).toEqual(anchorsBefore);
    });
  });

  describe('cycles', () => {
    it('numbers cycles per app, and starting cycle n again returns it unchanged', async () => {
      const { app } = await newApp();
      expect(await store.cycles.latestNumber(app.id)).toBe(0);
      const first = await store.cycles.start({ appId: app.id, kind: 'initial', startedAt: '2026-02-01T00:00:00.000Z' });
      expect(first).toEqual({
        id: `${app.id}:1`,
        appId: app.id,
        n: 1,
        kind: 'initial',
        state: 'running',
        startedAt: '2026-02-01T00:00:00.000Z',
        finishedAt: null,
        counts: { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 },
        error: null,
        deprovisions: 0,
        forceDeletes: false,
      });
      const second = await store.cycles.start({ appId: app.id, kind: 'incremental' });
      expect(second.n).toBe(2);
      await store.cycles.addCounts(second.id, { updated: 1 });
      expect(await store.cycles.start({ appId: app.id, kind: 'incremental', n: 2 })).toEqual(await store.cycles.get(second.id));
      expect((await store.cycles.start({ appId: app.id, kind: 'incremental', n: 5 })).id).toBe(`${app.id}:5`);
      expect((await store.cycles.start({ appId: app.id, kind: 'incremental' })).n).toBe(6);
      expect(await store.cycles.latestNumber(app.id)).toBe(6);
      expect(await store.cycles.get(`${app.id}:3`)).toBeUndefined();
    });

    it('adds counts atomically under concurrency', async () => {
      const { app } = await newApp();
      const cycle = await store.cycles.start({ appId: app.id, kind: 'initial' });
      await Promise.all(Array.from({ length: 40 }, () => store.cycles.addCounts(cycle.id, { created: 1, failed: 2 })));
      const after = await store.cycles.addCounts(cycle.id, { skipped: 3 });
      expect(after).toEqual({ created: 40, updated: 0, disabled: 0, deleted: 0, skipped: 3, failed: 80 });
      expect((await store.cycles.get(cycle.id))?.counts).toEqual(after);
      expect(await store.cycles.addCounts(`${app.id}:99`, { created: 1 })).toBeUndefined();
    });

    it('grants deprovisionings up to the threshold, all of them when forced or unlimited', async () => {
      const { app } = await newApp();
      const guarded = await store.cycles.start({ appId: app.id, kind: 'incremental' });
      const grants = await Promise.all(Array.from({ length: 5 }, () => store.cycles.claimDeprovision(guarded.id, 2)));
      expect(grants.filter(Boolean)).toHaveLength(2);
      expect(await store.cycles.claimDeprovision(guarded.id, null)).toBe(true);
      const forced = await store.cycles.start({ appId: app.id, kind: 'incremental', forceDeletes: true });
      expect(forced.forceDeletes).toBe(true);
      for (let i = 0; i < 4; i++) expect(await store.cycles.claimDeprovision(forced.id, 1)).toBe(true);
      expect(await store.cycles.claimDeprovision(`${app.id}:99`, 10)).toBe(false);
    });

    it('finishes a cycle once and finds the last finished one', async () => {
      const { app } = await newApp();
      expect(await store.cycles.last(app.id)).toBeUndefined();
      const first = await store.cycles.start({ appId: app.id, kind: 'initial' });
      const done = await store.cycles.finish(first.id, { state: 'succeeded', finishedAt: '2026-02-01T01:00:00.000Z' });
      expect(done).toMatchObject({ state: 'succeeded', finishedAt: '2026-02-01T01:00:00.000Z', error: null });
      expect(await store.cycles.finish(first.id, { state: 'failed', error: failure })).toEqual(done);

      const second = await store.cycles.start({ appId: app.id, kind: 'incremental' });
      expect(await store.cycles.last(app.id)).toEqual(done);
      const failed = await store.cycles.finish(second.id, { state: 'failed', error: failure });
      expect(failed).toMatchObject({ state: 'failed', error: failure });
      await store.cycles.start({ appId: app.id, kind: 'incremental' });

      expect(await store.cycles.last(app.id)).toEqual(failed);
      expect(await store.cycles.last(app.id, 'succeeded')).toEqual(done);
      expect(await store.cycles.finish(`${app.id}:99`, { state: 'succeeded' })).toBeUndefined();
    });
  });

  describe('sync state', () => {
    it('saves, replaces and clears delta links per object type', async () => {
      const { app } = await newApp();
      expect(await store.syncState.get(app.id, 'user')).toBeUndefined();
      const link = 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc';
      expect(await store.syncState.set({ appId: app.id, objectType: 'user', deltaLink: link, configVersion: 1 })).toMatchObject({
        deltaLink: link,
        configVersion: 1,
      });
      await store.syncState.set({ appId: app.id, objectType: 'group', deltaLink: `${link}-groups`, configVersion: 1 });
      await store.syncState.set({ appId: app.id, objectType: 'user', deltaLink: `${link}2`, configVersion: 2 });
      expect(await store.syncState.get(app.id, 'user')).toMatchObject({
        appId: app.id,
        objectType: 'user',
        deltaLink: `${link}2`,
        configVersion: 2,
      });

      expect(await store.syncState.clear(app.id, 'user')).toBe(1);
      expect(await store.syncState.get(app.id, 'user')).toBeUndefined();
      expect(await store.syncState.get(app.id, 'group')).toBeDefined();
      await store.syncState.set({ appId: app.id, objectType: 'user', deltaLink: null, configVersion: 2 });
      expect(await store.syncState.clear(app.id)).toBe(2);
      expect(await store.syncState.get(app.id, 'group')).toBeUndefined();
    });
  });

  describe('group members and pending references', () => {
    const anchor = (appId: string, objectType: 'user' | 'group', sourceId: string, state: 'active' | 'deleted' = 'active') =>
      store.anchors.upsert({ appId, objectType, sourceId, targetId: `t-${sourceId}`, lastExported: {}, state });

    it('records wanted members, which are written, and which can be resolved now', async () => {
      const { app } = await newApp();
      await store.groupMembers.add(app.id, 'g1', ['u1', 'u2', 'u3', 'u1']);
      expect(await store.groupMembers.list(app.id, 'g1')).toEqual(['u1', 'u2', 'u3'].map((memberId) => ({ memberId, exported: false })));
      // Only members with a live account, in a group with a live account, can be resolved.
      await anchor(app.id, 'user', 'u1');
      await anchor(app.id, 'user', 'u2', 'deleted');
      expect(await store.groupMembers.resolvable(app.id, 10)).toEqual([]);
      await anchor(app.id, 'group', 'g1');
      expect(await store.groupMembers.resolvable(app.id, 10)).toEqual([
        { groupId: 'g1', groupTargetId: 't-g1', memberId: 'u1', memberTargetId: 't-u1' },
      ]);
      expect(await store.groupMembers.resolvable(app.id, 10, { memberId: 'u3' })).toEqual([]);
      expect(await store.groupMembers.countPending(app.id)).toBe(3);
      const { app: other } = await newApp();
      await store.groupMembers.add(other.id, 'g9', ['u9']);
      const pending = await store.groupMembers.countPendingByApp();
      expect([pending.get(app.id), pending.get(other.id)]).toEqual([3, 1]);

      await store.groupMembers.setExported(app.id, 'g1', ['u1'], true);
      expect(await store.groupMembers.resolvable(app.id, 10)).toEqual([]);
      expect(await store.groupMembers.states(app.id, 'g1', ['u1', 'u2', 'u9'])).toEqual(
        new Map([
          ['u1', true],
          ['u2', false],
        ]),
      );
      // Adding again keeps what is exported; removing reports what was.
      await store.groupMembers.add(app.id, 'g1', ['u1']);
      expect(await store.groupMembers.remove(app.id, 'g1', ['u1', 'u2'])).toEqual(['u1']);
      await store.groupMembers.removeGroup(app.id, 'g1');
      expect(await store.groupMembers.list(app.id, 'g1')).toEqual([]);
    });

    it('keeps one pending reference per holder and attribute, resolvable once the referenced user has an account', async () => {
      const { app } = await newApp();
      await store.references.setPending(app.id, 'h1', 'manager', 'm1');
      await store.references.setPending(app.id, 'h1', 'manager', 'm2');
      await store.references.setPending(app.id, 'h2', 'manager', 'm2');
      expect((await store.references.list(app.id)).map((r) => `${r.holderId}>${r.refId}`).sort()).toEqual(['h1>m2', 'h2>m2']);
      expect((await store.references.countByApp()).get(app.id)).toBe(2);
      expect(await store.references.resolvable(app.id, 10)).toEqual([]);
      await anchor(app.id, 'user', 'm2');
      expect(await store.references.resolvable(app.id, 10)).toEqual(['h1', 'h2']);
      expect(await store.references.resolvable(app.id, 10, { refId: 'm1' })).toEqual([]);
      await store.references.clearResolvable(app.id, ['h1']);
      expect(await store.references.resolvable(app.id, 10)).toEqual(['h2']);
      await store.references.clear(app.id, 'h2', 'manager');
      expect(await store.references.list(app.id)).toEqual([]);
    });

    it('keeps a snapshot of the roles each user holds', async () => {
      const { app } = await newApp();
      expect(await store.roleSnapshots.all(app.id)).toEqual(new Map());
      await store.roleSnapshots.apply(
        app.id,
        [
          ['u1', 'r1'],
          ['u2', 'r1,r2'],
        ],
        [],
      );
      await store.roleSnapshots.apply(app.id, [['u2', 'r2']], ['u1']);
      expect(await store.roleSnapshots.all(app.id)).toEqual(new Map([['u2', 'r2']]));
    });
  });

  describe('escrow', () => {
    it('retries with growing gaps up to a day', async () => {
      const { app } = await newApp();
      const start = Date.parse('2026-03-01T00:00:00.000Z');
      const gaps: number[] = [];
      let failedAt = start;
      for (let attempt = 1; attempt <= 12; attempt++) {
        const entry = await store.escrow.record(app.id, 'user', 'u1', { ...failure, message: `attempt ${attempt}` }, new Date(failedAt));
        expect(entry).toMatchObject({
          attempts: attempt,
          firstFailedAt: new Date(start).toISOString(),
          lastFailedAt: new Date(failedAt).toISOString(),
        });
        expect(entry.lastError.message).toBe(`attempt ${attempt}`);
        gaps.push((Date.parse(entry.nextRetryAt) - failedAt) / 60_000);
        failedAt = Date.parse(entry.nextRetryAt);
      }
      expect(gaps).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440, 1440]);
      expect(gaps.map((_, i) => escrowRetryDelayMs(i + 1) / 60_000)).toEqual(gaps);
    });

    it('makes held-back deprovisionings due once deletes are allowed', async () => {
      const { app } = await newApp();
      const now = new Date('2026-03-01T12:00:00.000Z');
      const staged: ErrorInfo = { kind: 'permanent', code: 'TooManyDeletes', message: 'held back' };
      await store.escrow.record(app.id, 'user', 'held', staged, now);
      await store.escrow.record(app.id, 'user', 'broken', failure, now);
      expect(await store.escrow.due(app.id, now)).toEqual([]);
      expect(await store.escrow.releaseStaged(app.id, now)).toBe(1);
      expect((await store.escrow.due(app.id, now)).map((e) => e.sourceId)).toEqual(['held']);
    });

    it('lists what is due, counts and clears', async () => {
      const { app } = await newApp();
      const now = Date.parse('2026-03-01T12:00:00.000Z');
      const minutes = (n: number) => new Date(now + n * 60_000);
      await store.escrow.record(app.id, 'user', 'late', failure, minutes(-30));
      await store.escrow.record(app.id, 'user', 'early', failure, minutes(-60));
      await store.escrow.record(app.id, 'group', 'g', failure, minutes(-10));
      await store.escrow.record(app.id, 'user', 'fresh', failure, minutes(-1));
      await store.escrow.record(app.id, 'user', 'fresh', failure, minutes(0));

      expect((await store.escrow.due(app.id, minutes(0))).map((entry) => entry.sourceId)).toEqual(['early', 'late', 'g']);
      expect((await store.escrow.due(app.id, minutes(0), 2)).map((entry) => entry.sourceId)).toEqual(['early', 'late']);
      expect((await store.escrow.due(app.id, minutes(10))).map((entry) => entry.sourceId)).toEqual(['early', 'late', 'g', 'fresh']);
      expect(await store.escrow.count(app.id)).toBe(4);

      expect(await store.escrow.clear(app.id, 'user', 'late')).toBe(1);
      expect(await store.escrow.clear(app.id, 'group')).toBe(1);
      expect(await store.escrow.count(app.id)).toBe(2);
      expect((await store.escrow.countByApp()).get(app.id)).toBe(2);
      expect(await store.escrow.clear(app.id, 'user', [])).toBe(0);
      expect(await store.escrow.clear(app.id, 'user', ['early', 'never-failed'])).toBe(1);
      expect(await store.escrow.clear(app.id)).toBe(1);
      expect(await store.escrow.due(app.id, minutes(60 * 24))).toEqual([]);
      expect((await store.escrow.countByApp()).has(app.id)).toBe(false);
    });
  });

  describe('transactions', () => {
    it('keeps nothing of a transaction that throws', async () => {
      const { app } = await newApp();
      const error = await rejection(
        store.transaction(async (tx) => {
          await tx.anchors.upsert({ appId: app.id, objectType: 'user', sourceId: 'tx', targetId: 'tx-t', lastExported: {} });
          await tx.provisioningLog.append([
            {
              appId: app.id,
              changeId: `${app.id}:tx`,
              objectType: 'user',
              sourceId: 'tx',
              action: 'Create',
              status: 'Success',
              startedAt: new Date(),
              durationMs: 1,
            },
          ]);
          throw new Error('crash before commit');
        }),
      );
      expect((error as Error).message).toBe('crash before commit');
      expect(await store.anchors.get(app.id, 'user', 'tx')).toBeUndefined();
      expect((await store.provisioningLog.query({ appId: app.id })).items).toEqual([]);

      await store.transaction(async (tx) => {
        await tx.anchors.upsert({ appId: app.id, objectType: 'user', sourceId: 'tx', targetId: 'tx-t', lastExported: {} });
      });
      expect(await store.anchors.get(app.id, 'user', 'tx')).toBeDefined();
    });
  });
});

describe('openDatabase', () => {
  const tmp = join(projectRoot, '.test-tmp', `store-${randomUUID()}`);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(tmp, { recursive: true, force: true });
  });

  it('keeps an embedded database and its key on disk across close and reopen', async () => {
    vi.stubEnv(SECRET_KEY_ENV, '');
    const dataDir = join(tmp, 'data');
    const first = await openDatabase({ dataDir });
    const { config, secrets } = splitSecrets(appInputSchema.parse(appInput()));
    const app = await first.apps.create(config, secrets);
    await first.anchors.upsert({ appId: app.id, objectType: 'user', sourceId: 's', targetId: 't', lastExported: { userName: 'u' } });
    await first.close();

    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    const second = await openDatabase({ dataDir });
    try {
      expect(await migrateToLatest(second.db)).toEqual([]);
      expect(await second.apps.get(app.id)).toEqual(app);
      expect(await second.apps.getSecrets(app.id)).toEqual(secrets);
      expect(await second.anchors.get(app.id, 'user', 's')).toMatchObject({ targetId: 't', lastExported: { userName: 'u' } });
    } finally {
      await second.close();
    }
  });

  it('refuses a URL that is not PostgreSQL, and a server database without a key', async () => {
    vi.stubEnv(SECRET_KEY_ENV, '');
    await expect(openDatabase({ url: 'mysql://localhost/x', secretKey: KEY })).rejects.toMatchObject({ kind: 'configuration' });
    await expect(openDatabase({ url: testEnv.postgresUrl })).rejects.toMatchObject({
      kind: 'configuration',
      message: expect.stringContaining(SECRET_KEY_ENV),
    });
  });
});
