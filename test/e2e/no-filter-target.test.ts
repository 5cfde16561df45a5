/**
 * A target that cannot filter (scim2-server announcing `filter.supported: false`, and answering
 * every filter query with 501) takes new users on every cycle, not only the first: accounts are
 * matched against a listing of the target, kept between cycles and current through scimflow's
 * own writes. An account made in the target by someone else meanwhile is found by the conflict
 * its create meets, and linked, never duplicated.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/tools/index';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { startScimServer, type ScimServer } from '../support/scim-server';

let h: Harness;
let server: ScimServer;
let dir = '';

beforeAll(async () => {
  await mkdir(join(projectRoot, '.test-tmp'), { recursive: true });
  dir = await mkdtemp(join(projectRoot, '.test-tmp', 'no-filter-'));
  const spc = join(dir, 'no-filter.json');
  await writeFile(
    spc,
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: false, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
    }),
  );
  [h, server] = await Promise.all([
    startHarness(),
    startScimServer({ token: randomBytes(16).toString('hex'), serviceProviderConfig: spc }),
  ]);
});

afterAll(async () => {
  await h?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const headers = () => ({ authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' });

async function users(baseUrl: string): Promise<any[]> {
  const response = await fetch(`${baseUrl}/Users?count=1000`, { headers: headers() });
  return ((await response.json()) as { Resources?: any[] }).Resources ?? [];
}

async function createInTarget(baseUrl: string, userName: string): Promise<string> {
  const response = await fetch(`${baseUrl}/Users`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName: 'made in the app' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

describe('a target without filtering', () => {
  it('matches against its listing on the initial cycle and after it, links accounts made meanwhile, and sends no filter query', async () => {
    const baseUrl = `${server.url}/nofilter${randomBytes(4).toString('hex')}/v2`;
    const first = addPeople(h.graph, 4, 21_000);
    // One person already has an account, made before scimflow came.
    const before = await createInTarget(baseUrl, String(first[0]!.userPrincipalName));
    const requestsBefore = h.scimRequests.length;

    const app = await h.api('POST', '/api/v1/apps', {
      displayName: 'no filter',
      source: { ...h.graph.sourceConfig(), clientSecret: h.graph.clientSecret },
      target: { type: 'scim', baseUrl, auth: { type: 'bearer', token: server.token } },
      schedule: { intervalMinutes: 60 },
    });
    expect(app.status).toBe(201);
    const id = app.body.id as string;

    const connection = await h.api('POST', `/api/v1/apps/${id}/test-connection`);
    expect(connection.status).toBe(200);
    expect(connection.body.checks.find((c: any) => c.name === 'match query')).toMatchObject({ status: 'passed' });

    const initial = await h.waitForCycle(id);
    console.log('DEBUG', JSON.stringify((await h.api('GET', `/api/v1/apps/${id}/provisioning-logs?status=Failure`)).body).slice(0, 3000));
    expect(initial).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(initial.counts.failed).toBe(0);
    let held = await users(baseUrl);
    expect(held).toHaveLength(4);
    expect(held.find((u) => u.userName === first[0]!.userPrincipalName)!.id).toBe(before);

    // Later: new people, one of whom someone made an account for in the app in the meantime.
    const later = addPeople(h.graph, 3, 21_100);
    const madeMeanwhile = await createInTarget(baseUrl, String(later[1]!.userPrincipalName));
    await h.api('POST', `/api/v1/apps/${id}/run`);
    const incremental = await h.waitForCycle(id, initial.id);
    console.log(
      'DEBUG2',
      JSON.stringify(incremental),
      JSON.stringify((await h.api('GET', `/api/v1/apps/${id}/provisioning-logs?status=Failure`)).body).slice(0, 3000),
    );
    expect(incremental).toMatchObject({ kind: 'incremental', state: 'succeeded' });
    expect(incremental.counts.failed).toBe(0);
    held = await users(baseUrl);
    expect(held).toHaveLength(7);
    expect(new Set(held.map((u) => u.userName)).size).toBe(7);
    expect(held.find((u) => u.userName === later[1]!.userPrincipalName)).toMatchObject({
      id: madeMeanwhile,
      displayName: later[1]!.displayName,
    });

    // One more, on demand.
    const [onDemand] = addPeople(h.graph, 1, 21_200);
    const provisioned = await h.api('POST', `/api/v1/apps/${id}/provision-on-demand`, { objectId: onDemand!.id });
    expect(provisioned.status).toBe(200);
    expect(provisioned.body.status).toBe('Success');
    expect(await users(baseUrl)).toHaveLength(8);

    // The target never had to refuse a filter query: nothing answered 501.
    const ours = h.scimRequests.slice(requestsBefore).filter((r) => r.path.includes('/Users'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((r) => r.status === 501)).toEqual([]);
  }, 120_000);
});
