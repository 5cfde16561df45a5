/**
 * Mappings saved through the API, expressions included, down to the SCIM request scim2-server
 * receives: what an admin pastes from Entra is what the target gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER } from '../../src/scim/types';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const mappings = {
  user: [
    { type: 'direct', source: 'mailNickname', target: 'externalId', matchingPrecedence: 1 },
    {
      type: 'expression',
      expression:
        'SelectUniqueValue(Join("@", NormalizeDiacritics(ToLower([givenName])), "contoso.test"), Join("@", NormalizeDiacritics(ToLower(Join(".", [givenName], [surname]))), "contoso.test"))',
      target: 'userName',
      applyOn: 'create',
    },
    { type: 'expression', expression: 'Join(" ", [givenName], [surname])', target: 'displayName' },
    { type: 'expression', expression: 'Switch([department], "Staff", "R&D", "Engineering", "Sales", "Revenue")', target: 'title' },
    { type: 'expression', expression: 'IgnoreFlowIfNullOrEmpty([employeeId])', target: `${SCHEMA_ENTERPRISE_USER}:employeeNumber` },
    { type: 'direct', source: 'accountEnabled', target: 'active' },
  ],
};

describe('mappings with expressions', () => {
  it('writes what the expressions give, choosing a unique userName on create', async () => {
    const app = await h.createApp({ mappings });
    await h.waitForCycle(app.id);
    // Ada's first choice of userName is already taken in the target.
    const taken = await fetch(`${app.scimBaseUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'zoe@contoso.test',
        externalId: 'somebody-else',
      }),
    });
    expect(taken.status).toBe(201);
    const zoe = h.graph.addUser({
      givenName: 'Zoë',
      surname: 'Ångström',
      mailNickname: 'zangstrom',
      department: 'R&D',
      accountEnabled: true,
      userPrincipalName: 'zoe.a@contoso.test',
    });
    h.graph.addUser({
      givenName: 'Bob',
      surname: 'Lee',
      mailNickname: 'blee',
      department: 'Legal',
      employeeId: '42',
      accountEnabled: true,
      userPrincipalName: 'bob@contoso.test',
    });

    const preview = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: zoe.id });
    expect(preview.body.request.body).toMatchObject({
      userName: 'zoe.angstrom@contoso.test',
      displayName: 'Zoë Ångström',
      title: 'Engineering',
    });

    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const cycle = await h.waitForCycle(app.id, (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body.lastCycle.id);
    expect(cycle.counts).toMatchObject({ created: 2, failed: 0 });
    const users = await h.targetUsers(app.scimBaseUrl);
    const z = users.find((u) => u.externalId === 'zangstrom');
    expect(z).toMatchObject({ userName: 'zoe.angstrom@contoso.test', displayName: 'Zoë Ångström', title: 'Engineering', active: true });
    expect(z[SCHEMA_ENTERPRISE_USER]).toBeUndefined();
    const b = users.find((u) => u.externalId === 'blee');
    expect(b).toMatchObject({ userName: 'bob@contoso.test', title: 'Staff', [SCHEMA_ENTERPRISE_USER]: { employeeNumber: '42' } });

    // userName is create-only: a rename changes the display name, never the chosen userName.
    h.graph.updateUser(zoe.id, { surname: 'Berg' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const after = await h.waitForCycle(app.id, cycle.id);
    expect(after.counts).toMatchObject({ updated: 1, failed: 0 });
    const renamed = (await h.targetUsers(app.scimBaseUrl)).find((u) => u.externalId === 'zangstrom');
    expect(renamed).toMatchObject({ userName: 'zoe.angstrom@contoso.test', displayName: 'Zoë Berg' });
  });

  it('rejects a mapping whose expression does not parse, naming the mapping and the position', async () => {
    const bad = await h.api('POST', '/api/v1/apps', {
      displayName: 'broken',
      source: { ...h.graph.sourceConfig(), clientSecret: h.graph.clientSecret },
      target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 't' } },
      mappings: { user: [{ type: 'expression', expression: 'Join(".", [givenName]', target: 'userName', matchingPrecedence: 1 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0]).toMatchObject({ path: 'mappings.user.0.expression' });
    expect(bad.body.error.fields[0].message).toMatch(/at \d+: expected/);
  });
});

describe('app roles', () => {
  it('writes the roles users hold in the app, directly or through a group, as SCIM roles', async () => {
    const [ada, bob] = [
      h.graph.addUser({
        userPrincipalName: 'ada.roles@contoso.test',
        mailNickname: 'ada-roles',
        givenName: 'Ada',
        surname: 'L',
        accountEnabled: true,
      }),
      h.graph.addUser({
        userPrincipalName: 'bob.roles@contoso.test',
        mailNickname: 'bob-roles',
        givenName: 'Bob',
        surname: 'K',
        accountEnabled: true,
      }),
    ];
    const [admin, reader] = h.graph.defineAppRoles([
      { value: 'Admin', displayName: 'Administrator' },
      { value: 'Reader', displayName: 'Read only' },
    ]);
    const readers = h.graph.addGroup({ displayName: 'Readers' });
    h.graph.addMember(readers.id, bob.id);
    h.graph.assign(ada.id, 'User', undefined, admin!.id);
    h.graph.assign(ada.id, 'User', undefined, reader!.id);
    h.graph.assign(readers.id, 'Group', undefined, reader!.id);
    const app = await h.createApp({
      source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret },
      mappings: {
        user: [
          { type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 },
          { type: 'direct', source: 'accountEnabled', target: 'active' },
          { type: 'expression', expression: 'AppRoleAssignmentsComplex([appRoleAssignments])', target: 'roles', clearWhenEmpty: true },
        ],
      },
    });
    const first = await h.waitForCycle(app.id);
    expect(first.counts).toMatchObject({ created: 2, failed: 0 });
    const roles = async (userName: string) =>
      ((await h.targetUsers(app.scimBaseUrl)).find((u) => u.userName === userName)?.roles ?? [])
        .map((r: { value: string; display: string }) => `${r.value}/${r.display}`)
        .sort();
    expect(await roles('ada.roles@contoso.test')).toEqual(['Admin/Administrator', 'Reader/Read only']);
    expect(await roles('bob.roles@contoso.test')).toEqual(['Reader/Read only']);

    const preview = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: bob.id });
    expect(preview.body).toMatchObject({ action: 'Other', reason: expect.stringContaining('RedundantExport') });

    // Only an assignment changes (the user does not): the next incremental cycle writes the new roles.
    h.graph.assign(bob.id, 'User', undefined, admin!.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { updated: 1, failed: 0 } });
    expect(await roles('bob.roles@contoso.test')).toEqual(['Admin/Administrator', 'Reader/Read only']);
    expect(await roles('ada.roles@contoso.test')).toEqual(['Admin/Administrator', 'Reader/Read only']);
  });
});
