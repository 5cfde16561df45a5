import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphSource, type GraphSource } from '../../src/graph/index';
import { ProvisioningError } from '../../src/errors/index';
import type { SourceObject, SourcePage } from '../../src/source/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

let fake: FakeGraph;
let source: GraphSource;

beforeEach(async () => {
  fake = await startFakeGraph({ pageSize: 2 });
  source = createGraphSource(fake.sourceConfig(), fake.clientSecret, {
    select: ['userPrincipalName', 'displayName', 'mobilePhone', 'jobTitle'],
  });
});
afterEach(async () => {
  await fake.close();
});

/** Reads a whole delta round from `link`; returns its objects, page count and deltaLink. */
async function round(link?: string): Promise<{ objects: SourceObject[]; pages: number; deltaLink: string }> {
  const pages: SourcePage[] = [await source.readUsersDelta(link)];
  while (pages.at(-1)!.nextLink) {
    expect(pages.at(-1)!.deltaLink).toBeUndefined();
    pages.push(await source.readUsersDelta(pages.at(-1)!.nextLink));
  }
  const deltaLink = pages.at(-1)!.deltaLink;
  expect(deltaLink).toBeDefined();
  return { objects: pages.flatMap((p) => p.objects), pages: pages.length, deltaLink: deltaLink! };
}

function addPerson(n: number) {
  return fake.addUser({
    userPrincipalName: `p${n}@contoso.test`,
    displayName: `Person ${n}`,
    mobilePhone: `+1 555 010${n}`,
    jobTitle: 'Engineer',
  }).id;
}

describe('readUsersDelta', () => {
  it('reads all users on the first round, then only the changes since the deltaLink', async () => {
    const [updated, softDeleted, hardDeleted, untouched] = [1, 2, 3, 4].map(addPerson);
    const first = await round();
    expect(first.pages).toBe(2);
    expect(first.objects.map((o) => o.id).sort()).toEqual([updated, softDeleted, hardDeleted, untouched].sort());
    expect(first.objects.every((o) => !o.partial && !o.removed)).toBe(true);
    expect(graphCalls()[0]).toBe('/v1.0/users/delta?$select=id,accountEnabled,userPrincipalName,displayName,mobilePhone,jobTitle');

    fake.updateUser(updated!, { displayName: 'Person One', mobilePhone: null });
    fake.softDeleteUser(softDeleted!);
    fake.hardDeleteUser(hardDeleted!);
    const created = addPerson(5);

    const second = await round(first.deltaLink);
    const byId = new Map(second.objects.map((o) => [o.id, o]));
    expect(second.objects).toHaveLength(4);
    expect(byId.get(updated!)).toEqual({
      id: updated,
      type: 'user',
      attributes: { displayName: 'Person One', mobilePhone: null },
      partial: true,
    });
    expect(byId.get(softDeleted!)).toEqual({ id: softDeleted, type: 'user', attributes: {}, removed: 'changed' });
    expect(byId.get(hardDeleted!)).toEqual({ id: hardDeleted, type: 'user', attributes: {}, removed: 'deleted' });
    expect(byId.get(created)).toMatchObject({ attributes: { displayName: 'Person 5', jobTitle: 'Engineer' } });
    expect(byId.get(created)!.partial).toBeUndefined();
    expect(byId.has(untouched!)).toBe(false);

    const third = await round(second.deltaLink);
    expect(third.objects).toEqual([]);
  });

  it('reports a restored user whole', async () => {
    const id = addPerson(1);
    const first = await round();
    fake.softDeleteUser(id);
    fake.restoreUser(id);
    const second = await round(first.deltaLink);
    expect(second.objects).toEqual([expect.objectContaining({ id, attributes: expect.objectContaining({ displayName: 'Person 1' }) })]);
    expect(second.objects[0]!.removed).toBeUndefined();
  });

  it.each([
    ['syncStateNotFound', 400],
    ['resyncRequired', 410],
  ] as const)('turns an expired delta token (%s) into DeltaTokenExpired, and a new first round works', async (style, status) => {
    addPerson(1);
    const first = await round();
    fake.expireDeltaTokens(style);

    const error = await source.readUsersDelta(first.deltaLink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'DeltaTokenExpired', status });
    expect((error as ProvisioningError).detail).toContain(style);

    expect((await round()).objects).toHaveLength(1);
  });
});

function graphCalls(): string[] {
  return fake.requests.filter((r) => r.path.startsWith('/v1.0/')).map((r) => r.path);
}
