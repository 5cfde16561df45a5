import { describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_USER, type ScimResource } from '../scim/types';
import { getValue, setValue } from './access';
import { PathSyntaxError } from './errors';

const user = (): ScimResource => ({
  schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
  userName: 'ada@contoso.com',
  Active: true,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { type: 'Work', value: 'ada@contoso.com', primary: true },
    { type: 'home', value: 'ada@example.org' },
  ],
  roles: [{ value: 'admin', primary: 'True' }, { value: 'reader' }],
  [SCHEMA_ENTERPRISE_USER]: { department: 'Research', manager: { value: 'm-1' } },
});

describe('getValue', () => {
  it.each([
    ['userName', 'ada@contoso.com'],
    ['USERNAME', 'ada@contoso.com'],
    ['active', true],
    ['name.givenName', 'Ada'],
    ['Name.FamilyName', 'Lovelace'],
    ['name.middleName', undefined],
    ['title', undefined],
    ['emails[type eq "work"].value', 'ada@contoso.com'],
    ['emails[type eq "home"].value', 'ada@example.org'],
    ['emails[type eq "other"].value', undefined],
    ['emails[primary eq true].value', 'ada@contoso.com'],
    ['emails[type eq "work"]', { type: 'Work', value: 'ada@contoso.com', primary: true }],
    ['emails.value', ['ada@contoso.com', 'ada@example.org']],
    ['roles[primary eq true].value', 'admin'],
    ['roles[primary eq "True"].value', 'admin'],
    ['phoneNumbers[type eq "mobile"].value', undefined],
    [`${SCHEMA_ENTERPRISE_USER}:department`, 'Research'],
    [`${SCHEMA_ENTERPRISE_USER}:manager.value`, 'm-1'],
    [`${SCHEMA_ENTERPRISE_USER}:employeeNumber`, undefined],
    ['urn:contoso:scim:ext:1.0:User:badge', undefined],
  ])('reads %s', (path, expected) => {
    expect(getValue(user(), path)).toEqual(expected);
  });

  it('throws a PathSyntaxError for a path that does not parse', () => {
    expect(() => getValue(user(), 'emails[type')).toThrow(PathSyntaxError);
  });
});

describe('setValue', () => {
  const cases: { name: string; start: ScimResource; path: string; value: unknown; expected: ScimResource }[] = [
    {
      name: 'a simple attribute',
      start: { schemas: [SCHEMA_USER] },
      path: 'title',
      value: 'Analyst',
      expected: { schemas: [SCHEMA_USER], title: 'Analyst' },
    },
    {
      name: 'an existing attribute under its own spelling',
      start: { schemas: [SCHEMA_USER], DisplayName: 'old' },
      path: 'displayName',
      value: 'new',
      expected: { schemas: [SCHEMA_USER], DisplayName: 'new' },
    },
    {
      name: 'a sub-attribute of a new complex attribute',
      start: { schemas: [SCHEMA_USER] },
      path: 'name.familyName',
      value: 'Lovelace',
      expected: { schemas: [SCHEMA_USER], name: { familyName: 'Lovelace' } },
    },
    {
      name: 'a sub-attribute beside others',
      start: { schemas: [SCHEMA_USER], name: { givenName: 'Ada' } },
      path: 'name.familyName',
      value: 'Lovelace',
      expected: { schemas: [SCHEMA_USER], name: { givenName: 'Ada', familyName: 'Lovelace' } },
    },
    {
      name: 'a new filtered element',
      start: { schemas: [SCHEMA_USER] },
      path: 'emails[type eq "work"].value',
      value: 'ada@contoso.com',
      expected: { schemas: [SCHEMA_USER], emails: [{ type: 'work', value: 'ada@contoso.com' }] },
    },
    {
      name: 'a filtered element appended beside another type',
      start: { schemas: [SCHEMA_USER], phoneNumbers: [{ type: 'work', value: '1' }] },
      path: 'phoneNumbers[type eq "mobile"].value',
      value: '2',
      expected: {
        schemas: [SCHEMA_USER],
        phoneNumbers: [
          { type: 'work', value: '1' },
          { type: 'mobile', value: '2' },
        ],
      },
    },
    {
      name: 'the matching element, keeping its other sub-attributes and spelling',
      start: { schemas: [SCHEMA_USER], emails: [{ Type: 'Work', Value: 'old', primary: true }] },
      path: 'emails[type eq "work"].value',
      value: 'new',
      expected: { schemas: [SCHEMA_USER], emails: [{ Type: 'Work', Value: 'new', primary: true }] },
    },
    {
      name: 'a new element from a boolean-string filter',
      start: { schemas: [SCHEMA_USER] },
      path: 'roles[primary eq "True"].value',
      value: 'admin',
      expected: { schemas: [SCHEMA_USER], roles: [{ primary: 'True', value: 'admin' }] },
    },
    {
      name: 'the element a boolean filter matches through a "True" string',
      start: { schemas: [SCHEMA_USER], roles: [{ primary: 'True', value: 'reader' }] },
      path: 'roles[primary eq true].value',
      value: 'admin',
      expected: { schemas: [SCHEMA_USER], roles: [{ primary: 'True', value: 'admin' }] },
    },
    {
      name: 'an object into a filtered element',
      start: { schemas: [SCHEMA_USER], addresses: [{ type: 'work', locality: 'London' }] },
      path: 'addresses[type eq "work"]',
      value: { country: 'GB' },
      expected: { schemas: [SCHEMA_USER], addresses: [{ type: 'work', locality: 'London', country: 'GB' }] },
    },
    {
      name: 'an enterprise attribute, adding the extension schema',
      start: { schemas: [SCHEMA_USER] },
      path: `${SCHEMA_ENTERPRISE_USER}:department`,
      value: 'Research',
      expected: { schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER], [SCHEMA_ENTERPRISE_USER]: { department: 'Research' } },
    },
    {
      name: 'an enterprise sub-attribute beside existing ones',
      start: { schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER], [SCHEMA_ENTERPRISE_USER]: { department: 'Research' } },
      path: `${SCHEMA_ENTERPRISE_USER}:manager.value`,
      value: 'm-1',
      expected: {
        schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
        [SCHEMA_ENTERPRISE_USER]: { department: 'Research', manager: { value: 'm-1' } },
      },
    },
    {
      name: 'a custom extension with a filter',
      start: { schemas: [SCHEMA_USER] },
      path: 'urn:contoso:scim:ext:1.0:User:badges[kind eq "door"].code',
      value: 'B7',
      expected: {
        schemas: [SCHEMA_USER, 'urn:contoso:scim:ext:1.0:User'],
        'urn:contoso:scim:ext:1.0:User': { badges: [{ kind: 'door', code: 'B7' }] },
      },
    },
  ];

  it.each(cases)('writes $name', ({ start, path, value, expected }) => {
    const resource = structuredClone(start);
    setValue(resource, path, value);
    expect(resource).toEqual(expected);
    expect(getValue(resource, path)).toEqual(typeof value === 'object' ? expect.objectContaining(value as object) : value);
  });

  it('refuses a scalar for a path that selects a whole element', () => {
    expect(() => setValue({ schemas: [SCHEMA_USER] }, 'emails[type eq "work"]', 'x')).toThrow(/selects a whole element/);
  });
});
