import { describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_USER } from '../scim/types';
import type { SourceObject, SourceValue } from '../source/index';
import { DEFAULT_USER_MAPPINGS } from './defaults';
import { exportedValues, mapToTarget, type MappedValue } from './map';
import { sourceAttributesOf, type Operation } from './mapping-types';
import type { AppRoleAssignmentValue } from './expression/index';
import { attributeMappingSchema, type AttributeMapping, type AttributeMappingInput } from './schema';

const mapping = (input: AttributeMappingInput): AttributeMapping => attributeMappingSchema.parse(input);

function source(attributes: Record<string, SourceValue>): SourceObject {
  return { id: '0c9d4f55-8f0e-4d7a-b0b1-2f6a5d6c7e81', type: 'user', attributes };
}

const ada = source({
  userPrincipalName: 'ada@contoso.com',
  mail: 'ada@contoso.com',
  givenName: 'Ada',
  surname: 'Lovelace',
  displayName: 'Ada Lovelace',
  jobTitle: 'Analyst',
  mailNickname: 'ada',
  employeeId: 'E-1815',
  department: 'Research',
  accountEnabled: true,
});

describe('mapToTarget with the default user mappings', () => {
  it('builds the resource Entra would create', () => {
    const { resource, matching } = mapToTarget(ada, DEFAULT_USER_MAPPINGS, { operation: 'create' });
    expect(resource).toEqual({
      schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
      userName: 'ada@contoso.com',
      emails: [{ type: 'work', value: 'ada@contoso.com' }],
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      displayName: 'Ada Lovelace',
      title: 'Analyst',
      externalId: 'ada',
      active: true,
      [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 'E-1815', department: 'Research' },
    });
    expect(matching).toEqual([{ path: 'userName', value: 'ada@contoso.com' }]);
  });

  it('keys values by formatted target path', () => {
    const { values } = mapToTarget(ada, DEFAULT_USER_MAPPINGS, { operation: 'update' });
    expect([...exportedValues(values)]).toEqual([
      ['userName', 'ada@contoso.com'],
      ['emails[type eq "work"].value', 'ada@contoso.com'],
      ['name.givenName', 'Ada'],
      ['name.familyName', 'Lovelace'],
      ['displayName', 'Ada Lovelace'],
      ['title', 'Analyst'],
      ['externalId', 'ada'],
      [`${SCHEMA_ENTERPRISE_USER}:employeeNumber`, 'E-1815'],
      [`${SCHEMA_ENTERPRISE_USER}:department`, 'Research'],
      ['active', true],
    ]);
  });

  it('names only the core schema when no extension value is written', () => {
    const { resource } = mapToTarget(source({ userPrincipalName: 'bob@contoso.com', accountEnabled: false }), DEFAULT_USER_MAPPINGS, {
      operation: 'create',
    });
    expect(resource).toEqual({ schemas: [SCHEMA_USER], userName: 'bob@contoso.com', active: false });
  });

  it('reads the source attributes Graph must $select', () => {
    expect(sourceAttributesOf(DEFAULT_USER_MAPPINGS)).toEqual([
      'userPrincipalName',
      'mail',
      'givenName',
      'surname',
      'displayName',
      'jobTitle',
      'mailNickname',
      'employeeId',
      'department',
      'manager',
      'accountEnabled',
    ]);
  });
});

const admin: AppRoleAssignmentValue = { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' };
const reader: AppRoleAssignmentValue = { id: '9b0c2d41-5d3e-4e0f-8a51-0c6a7f2e3b84', value: 'reader', displayName: 'Reader' };
const ROLE_ADMIN = { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'admin' };
const ROLE_READER = { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'reader' };
const roles: AttributeMappingInput = { type: 'expression', expression: 'AppRoleAssignmentsComplex([appRoleAssignments])', target: 'roles' };

describe('mapToTarget, one mapping at a time', () => {
  const cases: {
    name: string;
    mapping: AttributeMappingInput;
    attributes: Record<string, SourceValue>;
    operation: Operation;
    expected: MappedValue | undefined;
  }[] = [
    {
      name: 'a string',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title' },
      attributes: { jobTitle: 'Analyst' },
      operation: 'update',
      expected: { kind: 'value', value: 'Analyst' },
    },
    {
      name: 'false, which is a value',
      mapping: { type: 'direct', source: 'accountEnabled', target: 'active' },
      attributes: { accountEnabled: false },
      operation: 'update',
      expected: { kind: 'value', value: false },
    },
    {
      name: 'a number',
      mapping: { type: 'direct', source: 'floor', target: 'floor' },
      attributes: { floor: 0 },
      operation: 'update',
      expected: { kind: 'value', value: 0 },
    },
    {
      name: 'source names case-sensitively',
      mapping: { type: 'direct', source: 'jobtitle', target: 'title' },
      attributes: { jobTitle: 'Analyst' },
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'nothing for an absent value',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title' },
      attributes: {},
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'nothing for null',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title' },
      attributes: { jobTitle: null },
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'nothing for an empty string',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title' },
      attributes: { jobTitle: '' },
      operation: 'create',
      expected: undefined,
    },
    {
      name: 'a clear for absent with clearWhenEmpty',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title', clearWhenEmpty: true },
      attributes: {},
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'a clear for null with clearWhenEmpty',
      mapping: { type: 'direct', source: 'mobile', target: 'phoneNumbers[type eq "mobile"].value', clearWhenEmpty: true },
      attributes: { mobile: null },
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'a clear for an empty string with clearWhenEmpty',
      mapping: { type: 'direct', source: 'jobTitle', target: 'title', clearWhenEmpty: true },
      attributes: { jobTitle: '' },
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'the default on create for an absent value',
      mapping: { type: 'direct', source: 'usageLocation', target: 'locale', defaultValue: 'en-GB' },
      attributes: {},
      operation: 'create',
      expected: { kind: 'value', value: 'en-GB' },
    },
    {
      name: 'the default on create for null',
      mapping: { type: 'direct', source: 'usageLocation', target: 'locale', defaultValue: 'en-GB' },
      attributes: { usageLocation: null },
      operation: 'create',
      expected: { kind: 'value', value: 'en-GB' },
    },
    {
      name: 'no default on update',
      mapping: { type: 'direct', source: 'usageLocation', target: 'locale', defaultValue: 'en-GB' },
      attributes: {},
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'the source value over the default',
      mapping: { type: 'direct', source: 'usageLocation', target: 'locale', defaultValue: 'en-GB' },
      attributes: { usageLocation: 'fr-FR' },
      operation: 'create',
      expected: { kind: 'value', value: 'fr-FR' },
    },
    {
      name: 'an inverted boolean',
      mapping: { type: 'direct', source: 'isSoftDeleted', target: 'active', invert: true },
      attributes: { isSoftDeleted: true },
      operation: 'update',
      expected: { kind: 'value', value: false },
    },
    {
      name: 'an inverted boolean string',
      mapping: { type: 'direct', source: 'isSoftDeleted', target: 'active', invert: true },
      attributes: { isSoftDeleted: 'False' },
      operation: 'update',
      expected: { kind: 'value', value: true },
    },
    {
      name: 'the default as given, not inverted',
      mapping: { type: 'direct', source: 'isSoftDeleted', target: 'active', invert: true, defaultValue: true },
      attributes: {},
      operation: 'create',
      expected: { kind: 'value', value: true },
    },
    {
      name: 'a constant on create',
      mapping: { type: 'constant', value: 'Contoso', target: 'urn:contoso:scim:ext:1.0:User:tenant' },
      attributes: {},
      operation: 'create',
      expected: { kind: 'value', value: 'Contoso' },
    },
    {
      name: 'a constant on update',
      mapping: { type: 'constant', value: false, target: 'active' },
      attributes: {},
      operation: 'update',
      expected: { kind: 'value', value: false },
    },
    {
      name: 'a create-only mapping on create',
      mapping: { type: 'direct', source: 'mail', target: 'nickName', applyOn: 'create' },
      attributes: { mail: 'a@b' },
      operation: 'create',
      expected: { kind: 'value', value: 'a@b' },
    },
    {
      name: 'nothing from a create-only mapping on update',
      mapping: { type: 'direct', source: 'mail', target: 'nickName', applyOn: 'create', clearWhenEmpty: true },
      attributes: { mail: 'a@b' },
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'a multi-valued source into a plain path as an array',
      mapping: { type: 'direct', source: 'otherMails', target: 'urn:contoso:scim:ext:1.0:User:aliases' },
      attributes: { otherMails: ['a@b', '', 'c@d'] },
      operation: 'update',
      expected: { kind: 'value', value: ['a@b', 'c@d'] },
    },
    {
      name: 'the one value of a multi-valued source into a filtered path',
      mapping: { type: 'direct', source: 'businessPhones', target: 'phoneNumbers[type eq "work"].value' },
      attributes: { businessPhones: ['+44 1'] },
      operation: 'update',
      expected: { kind: 'value', value: '+44 1' },
    },
    {
      name: 'nothing for a multi-valued source of empty values',
      mapping: { type: 'direct', source: 'businessPhones', target: 'phoneNumbers[type eq "work"].value', clearWhenEmpty: true },
      attributes: { businessPhones: ['', null] },
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'nothing for an empty multi-valued source',
      mapping: { type: 'direct', source: 'businessPhones', target: 'phoneNumbers[type eq "work"].value' },
      attributes: { businessPhones: [] },
      operation: 'update',
      expected: undefined,
    },
    {
      name: 'app roles as complex values of roles',
      mapping: roles,
      attributes: { appRoleAssignments: [admin, reader] },
      operation: 'create',
      expected: { kind: 'value', value: [ROLE_ADMIN, ROLE_READER] },
    },
    { name: 'nothing for no app roles', mapping: roles, attributes: { appRoleAssignments: [] }, operation: 'update', expected: undefined },
    {
      name: 'a clear for no app roles with clearWhenEmpty',
      mapping: { ...roles, clearWhenEmpty: true },
      attributes: { appRoleAssignments: [] },
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'a clear for absent app roles with clearWhenEmpty',
      mapping: { ...roles, clearWhenEmpty: true },
      attributes: {},
      operation: 'update',
      expected: { kind: 'clear' },
    },
    {
      name: 'objects of scalars into a plain extension path, empty elements and sub-attributes left out',
      mapping: { type: 'direct', source: 'badges', target: 'urn:contoso:scim:ext:1.0:User:badges' },
      attributes: {
        badges: [{ kind: 'door', code: 'B7', note: null, label: '' }, null, { kind: 'desk', code: 3, active: false }, { unused: null }],
      },
      operation: 'update',
      expected: {
        kind: 'value',
        value: [
          { kind: 'door', code: 'B7' },
          { kind: 'desk', code: 3, active: false },
        ],
      },
    },
    {
      name: 'nothing for objects without values',
      mapping: { type: 'direct', source: 'badges', target: 'urn:contoso:scim:ext:1.0:User:badges' },
      attributes: { badges: [{ kind: null }, {}] },
      operation: 'update',
      expected: undefined,
    },
  ];

  it.each(cases)('gives $name', ({ mapping: input, attributes, operation, expected }) => {
    const configured = mapping(input);
    const { resource, values } = mapToTarget(source(attributes), [configured], { operation });
    const entries = [...values];
    expect(entries).toEqual(expected === undefined ? [] : [[configured.target, expected]]);
    const written = JSON.stringify(resource);
    if (expected?.kind === 'value') expect(written).toContain(JSON.stringify(expected.value));
    else expect(resource).toEqual({ schemas: [SCHEMA_USER] });
  });

  it.each<[string, AttributeMappingInput, Record<string, SourceValue>, string]>([
    [
      'several values for one slot',
      { type: 'direct', source: 'otherMails', target: 'emails[type eq "other"].value' },
      { otherMails: ['a@b', 'c@d'] },
      'holds 2 values but "emails[type eq "other"].value" holds one',
    ],
    [
      'an object',
      { type: 'direct', source: 'manager', target: 'title' },
      { manager: { id: 'm' } },
      'source attribute "manager" holds an object',
    ],
    [
      'objects in a list for one slot',
      { type: 'direct', source: 'identities', target: 'emails[type eq "work"].value' },
      { identities: [{ issuer: 'x' }] },
      'holds objects, which cannot be written to "emails[type eq "work"].value": name the multi-valued attribute itself',
    ],
    [
      'objects for a sub-attribute',
      { type: 'direct', source: 'identities', target: 'name.formatted' },
      { identities: [{ issuer: 'x' }] },
      'holds objects, which cannot be written to "name.formatted"',
    ],
    [
      'objects with nested values',
      { type: 'direct', source: 'identities', target: 'roles' },
      { identities: [{ issuer: 'x', ids: ['a'] }] },
      'holds objects, which cannot be written to "roles"',
    ],
    [
      'objects mixed with scalars',
      { type: 'direct', source: 'identities', target: 'roles' },
      { identities: ['x', { value: 'y' }] },
      'holds objects, which cannot be written to "roles"',
    ],
    [
      'inverting a string',
      { type: 'direct', source: 'jobTitle', target: 'active', invert: true },
      { jobTitle: 'Analyst' },
      'inverts "jobTitle", which holds "Analyst", not a boolean',
    ],
  ])('fails the object for %s', (_name, input, attributes, message) => {
    expect(() => mapToTarget(source(attributes), [mapping(input)], { operation: 'update' })).toThrow(
      expect.objectContaining({ kind: 'permanent', code: 'UnprocessableEntity', message: expect.stringContaining(message) }),
    );
  });
});

describe('matching values', () => {
  const mappings = [
    mapping({ type: 'direct', source: 'mailNickname', target: 'externalId', matchingPrecedence: 2 }),
    mapping({ type: 'direct', source: 'mail', target: 'emails[type eq "work"].value', matchingPrecedence: 3 }),
    mapping({ type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1, applyOn: 'create' }),
    mapping({ type: 'direct', source: 'displayName', target: 'displayName' }),
  ];

  it.each(['create', 'update'] as const)('orders them by precedence and skips empty ones on %s', (operation) => {
    const { matching } = mapToTarget(
      source({ userPrincipalName: 'ada@contoso.com', mail: '', displayName: 'Ada', mailNickname: 'ada' }),
      mappings,
      { operation },
    );
    expect(matching).toEqual([
      { path: 'userName', value: 'ada@contoso.com' },
      { path: 'externalId', value: 'ada' },
    ]);
  });
});

describe('sourceAttributesOf', () => {
  it('lists each source attribute once and none for constants', () => {
    const mappings = [
      mapping({ type: 'direct', source: 'mail', target: 'emails[type eq "work"].value' }),
      mapping({ type: 'constant', value: true, target: 'active' }),
      mapping({ type: 'direct', source: 'mail', target: 'userName' }),
      mapping({ type: 'direct', source: 'Mail', target: 'nickName' }),
    ];
    expect(sourceAttributesOf(mappings)).toEqual(['mail', 'Mail']);
  });
});
