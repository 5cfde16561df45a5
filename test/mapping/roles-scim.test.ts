/**
 * App roles written to a strict RFC 7644 server (scim2-server): AppRoleAssignmentsComplex →
 * `roles` on create, then the PATCH diffToPatch builds for each changed role set; after each the
 * target holds exactly the desired roles and a second diff finds nothing to do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourceObject } from '../../src/source/index';
import type { PatchOperation, ScimResource } from '../../src/scim/types';
import {
  DEFAULT_USER_MAPPINGS,
  attributeMappingSchema,
  diffToPatch,
  exportedValues,
  mapToTarget,
  readManagedValues,
  type AppRoleAssignmentValue,
  type AttributeMapping,
} from '../../src/mapping/index';
import { freshScimTenant } from '../support/env';
import { scimHttp } from '../support/scim-http';

const ADMIN: AppRoleAssignmentValue = { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' };
const READER: AppRoleAssignmentValue = { id: '9b0c2d41-5d3e-4e0f-8a51-0c6a7f2e3b84', value: 'reader', displayName: 'Reader' };
const WRITER: AppRoleAssignmentValue = { id: 'c3d5e7f9-1a2b-4c3d-8e4f-5a6b7c8d9e0f', value: 'writer', displayName: 'Writer' };

/** The SCIM role a held app role should become. */
function scimRole(role: AppRoleAssignmentValue) {
  return { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: role.displayName, value: role.value };
}

function byValue<T>(roles: T[]): T[] {
  return [...roles].sort((a, b) => String((a as { value: unknown }).value).localeCompare(String((b as { value: unknown }).value)));
}

const ada = (userName: string, appRoleAssignments: AppRoleAssignmentValue[]): SourceObject => ({
  id: '7a3e9c10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
  type: 'user',
  attributes: {
    userPrincipalName: userName,
    mail: userName,
    givenName: 'Ada',
    surname: 'Lovelace',
    displayName: 'Ada Lovelace',
    accountEnabled: true,
    appRoleAssignments,
  },
});

let baseUrl: string;
const { getUser, patch, create } = scimHttp(() => baseUrl);

describe('AppRoleAssignmentsComplex → roles against scim2-server', () => {
  const mappings: AttributeMapping[] = [
    ...DEFAULT_USER_MAPPINGS,
    attributeMappingSchema.parse({
      type: 'expression',
      expression: 'AppRoleAssignmentsComplex([appRoleAssignments])',
      target: 'roles',
      clearWhenEmpty: true,
    }),
  ];
  const userName = 'ada.roles@contoso.com';
  let id: string;
  let held: AppRoleAssignmentValue[] = [ADMIN, READER];

  beforeAll(async () => {
    baseUrl = freshScimTenant('roles');
    const created = mapToTarget(ada(userName, held), mappings, { operation: 'create' });
    expect(created.resource.roles).toEqual([scimRole(ADMIN), scimRole(READER)]);
    id = await create(created.resource);
    const user = await getUser(id);
    expect(byValue(user.roles as unknown[])).toEqual([scimRole(ADMIN), scimRole(READER)]);
    expect(readManagedValues(user, created.values.keys())).toEqual(exportedValues(created.values));
    expect(diffToPatch(readManagedValues(user, created.values.keys()), created.values).operations).toEqual([]);
  });

  // Each step changes the roles the user holds, then PATCHes the account from what it holds now.
  const steps: { name: string; roles: AppRoleAssignmentValue[]; expected: PatchOperation[] }[] = [
    {
      name: 'a role removed and one added',
      roles: [READER, WRITER],
      expected: [{ op: 'replace', path: 'roles', value: [scimRole(READER), scimRole(WRITER)] }],
    },
    { name: 'the same roles in another order', roles: [WRITER, READER], expected: [] },
    { name: 'the same roles, one held directly and through a group', roles: [READER, WRITER, READER], expected: [] },
    {
      name: 'a renamed role',
      roles: [READER, { ...WRITER, displayName: 'Editor' }],
      expected: [{ op: 'replace', path: 'roles', value: [scimRole(READER), scimRole({ ...WRITER, displayName: 'Editor' })] }],
    },
    { name: 'every role removed', roles: [], expected: [{ op: 'remove', path: 'roles' }] },
    { name: 'still no role', roles: [], expected: [] },
    {
      name: 'roles again',
      roles: [ADMIN, READER, WRITER],
      expected: [{ op: 'replace', path: 'roles', value: [scimRole(ADMIN), scimRole(READER), scimRole(WRITER)] }],
    },
  ];

  for (const step of steps) {
    it(`applies ${step.name}`, async () => {
      const lastExported = exportedValues(mapToTarget(ada(userName, held), mappings, { operation: 'update' }).values);
      held = step.roles;
      const desired = mapToTarget(ada(userName, held), mappings, { operation: 'update' }).values;

      const plan = diffToPatch(readManagedValues(await getUser(id), desired.keys()), desired);
      expect(plan.operations).toEqual(step.expected);
      expect(diffToPatch(lastExported, desired).operations).toEqual(step.expected);
      if (plan.operations.length > 0) await patch(id, plan.operations);

      const after = await getUser(id);
      const wanted = byValue([...new Map(held.map((role) => [role.value, scimRole(role)])).values()]);
      expect(byValue((after.roles as unknown[] | undefined) ?? [])).toEqual(wanted);
      // The target keeps its own order of roles: the same set reads back as no change.
      expect(new Set(readManagedValues(after, desired.keys()).keys())).toEqual(new Set(exportedValues(desired).keys()));
      expect(diffToPatch(readManagedValues(after, desired.keys()), desired).operations).toEqual([]);
    });
  }
});

describe('SingleAppRoleAssignment → roles[primary eq "True"].value against scim2-server', () => {
  const mappings: AttributeMapping[] = [
    ...DEFAULT_USER_MAPPINGS,
    attributeMappingSchema.parse({
      type: 'expression',
      expression: 'SingleAppRoleAssignment([appRoleAssignments])',
      target: 'roles[primary eq "True"].value',
    }),
  ];
  const userName = 'ada.single@contoso.com';

  it('creates the primary role and replaces its value when the role changes', async () => {
    baseUrl = freshScimTenant('roles');
    const created = mapToTarget(ada(userName, [ADMIN]), mappings, { operation: 'create' });
    const id = await create(created.resource);
    const primaryOf = (user: ScimResource) =>
      (user.roles as { primary?: unknown; value?: unknown }[]).map(({ primary, value }) => ({ primary, value }));
    expect(primaryOf(await getUser(id))).toEqual([{ primary: true, value: 'admin' }]);

    const desired = mapToTarget(ada(userName, [READER]), mappings, { operation: 'update' }).values;
    const plan = diffToPatch(readManagedValues(await getUser(id), desired.keys()), desired);
    expect(plan.operations).toEqual([{ op: 'replace', path: 'roles[primary eq "True"].value', value: 'reader' }]);
    await patch(id, plan.operations);

    const after = await getUser(id);
    expect(primaryOf(after)).toEqual([{ primary: true, value: 'reader' }]);
    expect(diffToPatch(readManagedValues(after, desired.keys()), desired).operations).toEqual([]);
  });
});
