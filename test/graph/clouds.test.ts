import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGraphSource } from '../../src/graph/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

let fake: FakeGraph;

beforeEach(async () => {
  fake = await startFakeGraph({ maxPageSize: 2 });
});
afterEach(async () => {
  await fake.close();
});

it('reads from a Graph root on another host and path (national-cloud style), following its nextLinks with a token for it', async () => {
  const ids = Array.from({ length: 5 }, (_, i) => fake.addUser({ displayName: `u${i}` }).id);
  const graphHost = `127.0.0.1:${fake.port}`;
  const source = createGraphSource(fake.sourceConfig({ graphBaseUrl: `https://${graphHost}/usgov/v1.0` }), fake.clientSecret);

  const seen: string[] = [];
  let page = await source.readUsers();
  seen.push(...page.objects.map((o) => o.id));
  while (page.nextLink) {
    expect(page.nextLink.startsWith(`https://${graphHost}/usgov/v1.0/users?`)).toBe(true);
    page = await source.readUsers(page.nextLink);
    seen.push(...page.objects.map((o) => o.id));
  }

  expect(seen.sort()).toEqual([...ids].sort());
  const graphCalls = fake.requests.filter((r) => r.path.includes('/v1.0/'));
  expect(graphCalls).toHaveLength(3);
  expect(graphCalls.every((r) => r.host === graphHost && r.path.startsWith('/usgov/v1.0/users') && r.status === 200)).toBe(true);
  // The token came from the authority on the other host name.
  expect(fake.requests.some((r) => r.host === `localhost:${fake.port}` && r.path.startsWith(`/${fake.tenantId}/oauth2/v2.0/token`))).toBe(
    true,
  );
});
