import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPeopleDirectory } from '../../src/graph/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

let fake: FakeGraph;

beforeEach(async () => {
  fake = await startFakeGraph();
});
afterEach(async () => {
  await fake.close();
});

describe('the people directory', () => {
  it("finds users by employee id with Graph's $filter, quoting the value", async () => {
    const ada = fake.addUser({ userPrincipalName: 'ada@contoso.test', displayName: 'Ada Lovelace', employeeId: '4711' });
    fake.addUser({ userPrincipalName: 'obrien@contoso.test', displayName: "Miles O'Brien", employeeId: "O'1" });
    fake.addUser({ userPrincipalName: 'nobody@contoso.test', displayName: 'No Number' });
    const people = createPeopleDirectory(fake.sourceConfig(), fake.clientSecret);

    expect(await people.findByEmployeeId('4711')).toEqual([{ objectId: ada.id, employeeId: '4711', displayName: 'Ada Lovelace' }]);
    expect((await people.findByEmployeeId("O'1")).map((p) => p.displayName)).toEqual(["Miles O'Brien"]);
    expect(await people.findByEmployeeId('0000')).toEqual([]);
    const call = fake.requests.find((r) => r.path.includes('employeeId'))!;
    expect(decodeURIComponent(call.path)).toBe("/v1.0/users?$filter=employeeId eq '4711'&$select=id,employeeId,displayName");
  });

  it('reads one user by object id, undefined when Graph does not know it', async () => {
    const ada = fake.addUser({ displayName: 'Ada Lovelace', employeeId: '4711' });
    const people = createPeopleDirectory(fake.sourceConfig(), fake.clientSecret);
    expect(await people.get(ada.id)).toEqual({ objectId: ada.id, employeeId: '4711', displayName: 'Ada Lovelace' });
    expect(await people.get('6a1f2a7e-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
