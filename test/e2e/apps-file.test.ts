/**
 * `SCIMFLOW_APPS_FILE` on the real service (`src/main.ts`): the apps it declares are created at
 * start and provision; a second start with the same file changes nothing; a bad file stops
 * start-up with one line naming the file, the app and the field, and exit status 2.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';
import { freshScimTenant, testEnv } from '../support/env';
import { listTarget } from '../support/harness';
import { addPeople } from '../support/people';
import {
  killServiceChildren,
  lastCycle,
  localServiceSettings,
  showOutputOnFailure,
  startServiceChild,
  until,
  type ServiceChild,
} from '../support/service-child';

const children: ServiceChild[] = [];
const dataDirs: string[] = [];
let tmp: string;
let graph: FakeGraph;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-apps-file-'));
  graph = await startFakeGraph({ maxPageSize: 999 });
  addPeople(graph, 5);
});

afterAll(async () => {
  await killServiceChildren(children, dataDirs);
  await graph.close();
  await rm(tmp, { recursive: true, force: true });
});

/** An apps file of one app, `servicenow`, on `tenant`, its secrets in GRAPH_SECRET and SCIM_TOKEN. */
function appsFile(tenant: string) {
  const { clientSecret: _inline, ...source } = { ...graph.sourceConfig(), clientSecret: undefined };
  return {
    apps: {
      servicenow: {
        displayName: 'Contoso ServiceNow',
        source: { ...source, clientSecret: { env: 'GRAPH_SECRET' } },
        target: { type: 'scim', baseUrl: tenant, auth: { type: 'bearer', token: { env: 'SCIM_TOKEN' } } },
        schedule: { intervalMinutes: 60 },
      },
    },
  };
}

describe('SCIMFLOW_APPS_FILE', () => {
  it('creates the declared app at start, which provisions; a second start with the same file changes nothing', async () => {
    showOutputOnFailure(children);
    const tenant = freshScimTenant();
    const file = join(tmp, 'apps.yaml');
    await writeFile(file, stringify(appsFile(tenant)));
    const dataDir = join(tmp, 'good');
    dataDirs.push(dataDir);
    const env = {
      ...(await localServiceSettings(dataDir)),
      SCIMFLOW_APPS_FILE: file,
      GRAPH_SECRET: graph.clientSecret,
      SCIM_TOKEN: testEnv.scimToken,
    };

    const first = startServiceChild(env, children);
    await first.ready;
    expect(await first.waitForLog((l) => l.msg === 'apps file: app created', 10_000)).toMatchObject({
      appId: 'servicenow',
      appsFile: file,
    });
    const app = await first.api('GET', '/api/v1/apps/servicenow');
    expect(app.status).toBe(200);
    expect(app.body).toMatchObject({ displayName: 'Contoso ServiceNow', schedule: { intervalMinutes: 60 } });
    const cycle = await until('the first cycle', () => lastCycle(first, 'servicenow'), 90_000, 500);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(await listTarget(tenant, 'Users')).toHaveLength(5);
    expect(first.output.join('\n')).not.toContain(testEnv.scimToken);
    // As the first run left it (a cycle keeps what it discovers of the target with the app).
    const left = (await first.api('GET', '/api/v1/apps/servicenow')).body;
    first.process.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = startServiceChild(env, children);
    await second.ready;
    // The banner and the log are two writes: the line may come just after it.
    expect(await second.waitForLog((l) => l.msg.startsWith('apps file: app'), 10_000)).toMatchObject({
      appId: 'servicenow',
      outcome: 'unchanged',
    });
    const again = await second.api('GET', '/api/v1/apps/servicenow');
    expect(again.body.updatedAt).toBe(left.updatedAt);
    expect(again.body.configVersion).toBe(left.configVersion);
    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 180_000);

  it('a bad file stops start-up with one line naming the file, the app and the field, exit status 2, before anything is written', async () => {
    const file = join(tmp, 'bad.yaml');
    await writeFile(file, stringify(appsFile(freshScimTenant())));
    const dataDir = join(tmp, 'never');
    const child = startServiceChild({ ...(await localServiceSettings(dataDir)), SCIMFLOW_APPS_FILE: file, GRAPH_SECRET: 'x' }, children);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.output.filter((l) => l !== '')).toEqual([
      `scimflow: bad apps file ${file}: app "servicenow": target.auth.token: the environment variable SCIM_TOKEN is not set`,
    ]);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
