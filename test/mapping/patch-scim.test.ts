/**
 * The PATCH forms diffToPatch builds, applied by a strict RFC 7644 server (scim2-server): after
 * each PATCH the target holds exactly the desired values and a second diff finds nothing to do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourceObject, SourceValue } from '../../src/source/index';
import type { PatchOperation, ScimResource } from '../../src/scim/types';
import {
  DEFAULT_USER_MAPPINGS,
  attributeMappingSchema,
  diffToPatch,
  exportedValues,
  mapToTarget,
  readManagedValues,
  type AttributeMapping,
} from '../../src/mapping/index';
import { freshScimTenant } from '../support/env';
import { scimHttp } from '../support/scim-http';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const mappings: AttributeMapping[] = [
  ...DEFAULT_USER_MAPPINGS,
  attributeMappingSchema.parse({ type: 'direct', source: 'mobile', target: 'phoneNumbers[type eq "mobile"].value', clearWhenEmpty: true }),
];

const ada: SourceObject = {
  id: '5f1c3a52-0d7e-4a55-9a43-7c1d0f6b2e10',
  type: 'user',
  attributes: {
    userPrincipalName: 'ada@contoso.com',
    mail: 'ada@contoso.com',
    givenName: 'Ada',
    surname: 'Byron',
    displayName: 'Ada Byron',
    jobTitle: 'Analyst',
    mailNickname: 'ada',
    employeeId: 'E-1815',
    department: 'Research',
    accountEnabled: true,
  },
};

let baseUrl: string;
const { scim, getUser } = scimHttp(() => baseUrl);

describe('diffToPatch against scim2-server', () => {
  let id: string;
  let attributes: Record<string, SourceValue>;

  beforeAll(async () => {
    baseUrl = freshScimTenant('mapping');
    attributes = { ...ada.attributes };
    const created = mapToTarget(ada, mappings, { operation: 'create' });
    const { status, json } = await scim('POST', '/Users', created.resource);
    expect(status, JSON.stringify(json)).toBe(201);
    id = (json as ScimResource).id as string;
    const held = readManagedValues(await getUser(id), created.values.keys());
    expect(held).toEqual(exportedValues(created.values));
  });

  // Each step changes the source, then PATCHes the account from what it holds now.
  const steps: { name: string; change: Record<string, SourceValue>; expected: PatchOperation[] }[] = [
    {
      name: 'a changed family name',
      change: { surname: 'Lovelace' },
      expected: [{ op: 'replace', path: 'name.familyName', value: 'Lovelace' }],
    },
    {
      name: 'a changed work email',
      change: { mail: 'ada.lovelace@contoso.com' },
      expected: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'ada.lovelace@contoso.com' }],
    },
    {
      name: 'an added mobile phone',
      change: { mobile: '+44 20 7946 0018' },
      expected: [{ op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', value: '+44 20 7946 0018' }] }],
    },
    {
      name: 'a changed mobile phone',
      change: { mobile: '+44 20 7946 0019' },
      expected: [{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 20 7946 0019' }],
    },
    {
      name: 'a cleared mobile phone',
      change: { mobile: null },
      expected: [{ op: 'remove', path: 'phoneNumbers[type eq "mobile"]' }],
    },
    {
      name: 'a changed enterprise department',
      change: { department: 'Analytical Engines' },
      expected: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Analytical Engines' }],
    },
    {
      name: 'a disabled account',
      change: { accountEnabled: false },
      expected: [{ op: 'replace', path: 'active', value: false }],
    },
  ];

  for (const step of steps) {
    it(`applies ${step.name}`, async () => {
      const lastExported = exportedValues(mapToTarget({ ...ada, attributes }, mappings, { operation: 'update' }).values);
      attributes = { ...attributes, ...step.change };
      const desired = mapToTarget({ ...ada, attributes }, mappings, { operation: 'update' }).values;

      const held = readManagedValues(await getUser(id), desired.keys());
      const plan = diffToPatch(held, desired);
      expect(plan.operations).toEqual(step.expected);
      expect(diffToPatch(lastExported, desired).operations).toEqual(step.expected);

      const { status, json } = await scim('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: plan.operations,
      });
      expect([200, 204], JSON.stringify(json)).toContain(status);

      const after = await getUser(id);
      expect(readManagedValues(after, desired.keys())).toEqual(exportedValues(desired));
      expect(diffToPatch(readManagedValues(after, desired.keys()), desired).operations).toEqual([]);
      // No duplicate elements: one work email, and a mobile phone only while the source has one.
      expect((after.emails as unknown[]).length).toBe(1);
      expect(((after.phoneNumbers as unknown[] | undefined) ?? []).length).toBe(attributes.mobile ? 1 : 0);
    });
  }
});
