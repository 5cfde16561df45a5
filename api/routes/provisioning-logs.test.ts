/**
 * The provisioning-log routes on a real app instance over an embedded database of their own:
 * the all-apps list with its filters and pages, and both export formats, parsed back (CSV with
 * a real RFC 4180 parser) and compared with the entries in the store.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema, splitSecrets } from '../../src/config/app';
import { createLogger } from '../../src/log/index';
import { openDatabase, type ProvisioningLogEntry, type ProvisioningLogInput, type Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';
import { CSV_COLUMNS, toExportRecord } from '../log-export';

const TOKEN = 'admin-token-for-tests-0123456789';
let store: Store;
let api: ReturnType<typeof createApi>;
let appA: string;
let appB: string;

const get = (path: string) => api.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

async function newApp(): Promise<string> {
  const { config, secrets } = splitSecrets(
    appInputSchema.parse({
      displayName: `App ${randomUUID().slice(0, 8)}`,
      source: { type: 'graph', tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'not-a-secret' },
      target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'not-a-token' } },
    }),
  );
  return (await store.apps.create(config, secrets)).id;
}

function entry(appId: string, n: number, overrides: Partial<ProvisioningLogInput> = {}): ProvisioningLogInput {
  return {
    appId,
    cycleId: `${appId}:1`,
    changeId: `${appId}:change-${n}`,
    objectType: 'user',
    sourceId: `src-${n}`,
    sourceDisplay: `User ${n}`,
    targetId: `tgt-${n}`,
    action: 'Update',
    status: 'Success',
    modifiedProperties: [{ name: 'title', old: 'Engineer', new: 'Lead' }],
    steps: [{ name: 'export', status: 'Success', detail: 'PATCH /Users/tgt' }],
    startedAt: '2026-05-01T00:00:00.000Z',
    durationMs: n,
    ...overrides,
  };
}

/** Every entry of the store matching the filter, newest first, as the store gives them. */
async function stored(filter: { appId?: string; status?: 'Failure' } = {}): Promise<ProvisioningLogEntry[]> {
  const all: ProvisioningLogEntry[] = [];
  for await (const e of store.provisioningLog.stream(filter)) all.push(e);
  return all;
}

beforeAll(async () => {
  store = await openDatabase();
  api = createApi({ store, jobs: {} as JobControl, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });
  [appA, appB] = [await newApp(), await newApp()];
  // 2,500 entries in A (more than two of the stream's pages), a few awkward ones in B.
  for (let start = 0; start < 2500; start += 500)
    await store.provisioningLog.append(Array.from({ length: 500 }, (_, i) => entry(appA, start + i)));
  await store.provisioningLog.append([
    entry(appB, 1, {
      sourceDisplay: 'Zoë "Z" Ångström, PhD\r\nsecond line',
      action: 'Create',
      status: 'Failure',
      targetId: null,
      error: {
        kind: 'permanent',
        code: 'UnprocessableEntity',
        message: 'HTTP 400, "userName" is taken',
        status: 400,
        scimType: 'uniqueness',
      },
      modifiedProperties: [
        { name: 'emails[type eq "work"].value', new: 'zoe@example.com' },
        { name: 'active', old: true },
      ],
    }),
    entry(appB, 2, { objectType: 'group', sourceDisplay: null, steps: [{ name: 'scoping', status: 'Skipped', data: { groups: [1] } }] }),
  ]);
});

afterAll(async () => {
  await store?.close();
});

describe('GET /provisioning-logs (every app)', () => {
  it('pages through every app newest first, with the per-app filters', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/provisioning-logs?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: ProvisioningLogEntry[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.changeId));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual((await stored()).map((e) => e.changeId));
    expect(seen).toHaveLength(2502);

    const failures = (await (await get('/provisioning-logs?status=Failure')).json()) as { items: ProvisioningLogEntry[] };
    expect(failures.items.map((item) => [item.appId, item.changeId])).toEqual([[appB, `${appB}:change-1`]]);
    const bySource = (await (await get('/provisioning-logs?objectId=src-2&action=Update')).json()) as { items: ProvisioningLogEntry[] };
    expect(bySource.items.map((item) => item.appId).sort()).toEqual([appA, appB].sort());
  });

  it.each([
    ['/provisioning-logs?status=Great', 'status'],
    ['/provisioning-logs?limit=0', 'limit'],
    ['/provisioning-logs?from=yesterday', 'from'],
    ['/provisioning-logs?cursor=garbage', 'cursor'],
    ['/provisioning-logs/export?format=xml', 'format'],
    ['/provisioning-logs/export?action=Rename', 'action'],
    ['/provisioning-logs/export?to=2026-13-01T00:00:00Z', 'to'],
  ])('answers %s with 400 naming %s', async (path, field) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; fields: { path: string }[] } };
    expect(body.error.code).toBe('ValidationFailed');
    expect(body.error.fields.map((f) => f.path)).toEqual([field]);
  });
});

describe('the export', () => {
  it('is CSV per RFC 4180 with a header row, the fields of AADProvisioningLogs, every entry once', async () => {
    const response = await get(`/apps/${appB}/provisioning-logs/export?format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="provisioning-log-${appB}-\\d{8}T\\d{6}Z\\.csv"$`),
    );
    const text = await response.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse<Record<string, string>>(text, { columns: true });
    const expected = (await stored({ appId: appB })).map(toExportRecord);
    expect(rows).toEqual(
      expected.map((record) => Object.fromEntries(CSV_COLUMNS.map(([header, read]) => [header, String(read(record) ?? '')]))),
    );
    const failure = rows.find((row) => row['statusInfo.status'] === 'Failure')!;
    expect(failure['sourceIdentity.displayName']).toBe('Zoë "Z" Ångström, PhD\r\nsecond line');
    expect(failure).toMatchObject({
      errorCode: 'UnprocessableEntity',
      'statusInfo.errorInformation.reason': 'HTTP 400, "userName" is taken',
      'statusInfo.errorInformation.additionalDetails': 'uniqueness',
      'targetIdentity.id': '',
      jobId: `app/${appB}`,
    });
    expect(JSON.parse(failure.modifiedProperties!)).toEqual([
      { displayName: 'emails[type eq "work"].value', oldValue: null, newValue: 'zoe@example.com' },
      { displayName: 'active', oldValue: 'true', newValue: null },
    ]);
  });

  it('is NDJSON, one entry per line, across the store pages of every app', async () => {
    const response = await get('/provisioning-logs/export?format=ndjson');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="provisioning-log-all-apps-\d{8}T\d{6}Z\.ndjson"$/);
    const lines = (await response.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual((await stored()).map(toExportRecord));
    expect(lines).toHaveLength(2502);
  });

  it('takes the filters, and is NDJSON when no format is named', async () => {
    const response = await get(`/provisioning-logs/export?status=Failure&cycleId=${appB}:1`);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual((await stored({ status: 'Failure' })).map(toExportRecord));
    expect(lines[0]).toMatchObject({
      appId: appB,
      statusInfo: { status: 'Failure', errorInformation: { errorCode: 'UnprocessableEntity' } },
    });
  });

  it('ends with an error, logged, when the database fails part way', async () => {
    const logged: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const failing: Store = {
      ...store,
      provisioningLog: {
        ...store.provisioningLog,
        async *stream(filter) {
          let n = 0;
          for await (const e of store.provisioningLog.stream(filter)) {
            if (++n > 1500) throw new Error('Connection terminated unexpectedly');
            yield e;
          }
        },
      },
    };
    const broken = createApi({
      store: failing,
      jobs: {} as JobControl,
      adminToken: TOKEN,
      logger: createLogger({ level: 'error', destination }),
    });
    const response = await broken.request('/api/v1/provisioning-logs/export?format=csv', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(logged.join('')).toContain('a provisioning-log export stopped part way');
    expect(logged.join('')).toContain('Connection terminated unexpectedly');
  });

  it('answers 404 for an app that does not exist, before streaming anything', async () => {
    const response = await get(`/apps/${randomUUID()}/provisioning-logs/export?format=csv`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/json/);
  });

  it('is in the OpenAPI document with both formats and its 400 and 404', async () => {
    const spec = (await (await get('/openapi.json')).json()) as { paths: Record<string, any> };
    const perApp = spec.paths['/apps/{id}/provisioning-logs/export'].get;
    expect(Object.keys(perApp.responses['200'].content)).toEqual(['application/x-ndjson', 'text/csv']);
    expect(perApp.responses['200'].content['text/csv'].example).toMatch(/^id,activityDateTime,jobId/);
    expect(Object.keys(perApp.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(spec.paths['/provisioning-logs'].get.tags).toEqual(['provisioning logs']);
    expect(spec.paths['/provisioning-logs/export'].get.parameters.map((p: { name: string }) => p.name)).toContain('format');
  });
});
