import { describe, expect, it } from 'vitest';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_USER, type PatchOperation } from '../scim/types';
import type { MappedValue } from './map';
import { diffToPatch, readManagedValues, type ValueChange } from './patch';
import type { TargetValue } from './values';

const EXT = 'urn:contoso:scim:ext:1.0:User';
const set = (value: TargetValue): MappedValue => ({ kind: 'value', value });
const clear: MappedValue = { kind: 'clear' };

const role = (value: string, display: string) => ({ primary: false, type: 'WindowsAzureActiveDirectoryRole', display, value });
const ADMIN = role('admin', 'Administrator');
const READER = role('reader', 'Reader');
const WRITER = role('writer', 'Writer');

describe('diffToPatch', () => {
  const cases: {
    name: string;
    previous: [string, TargetValue][] | undefined;
    desired: [string, MappedValue][];
    operations: PatchOperation[];
    changes?: ValueChange[];
  }[] = [
    {
      name: 'nothing when the target holds the desired values',
      previous: [
        ['userName', 'ada'],
        ['emails[type eq "work"].value', 'ada@contoso.com'],
        ['active', true],
      ],
      desired: [
        ['userName', set('ada')],
        ['emails[type eq "work"].value', set('ada@contoso.com')],
        ['active', set(true)],
      ],
      operations: [],
      changes: [],
    },
    {
      name: 'a replace for a changed simple attribute',
      previous: [['title', 'Analyst']],
      desired: [['title', set('Engineer')]],
      operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
      changes: [{ path: 'title', old: 'Analyst', new: 'Engineer' }],
    },
    {
      name: 'a replace for a simple attribute the target lacks',
      previous: [],
      desired: [['title', set('Engineer')]],
      operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
      changes: [{ path: 'title', old: undefined, new: 'Engineer' }],
    },
    {
      name: 'a replace with path for a sub-attribute',
      previous: [
        ['name.familyName', 'Byron'],
        ['name.givenName', 'Ada'],
      ],
      desired: [
        ['name.givenName', set('Ada')],
        ['name.familyName', set('Lovelace')],
      ],
      operations: [{ op: 'replace', path: 'name.familyName', value: 'Lovelace' }],
      changes: [{ path: 'name.familyName', old: 'Byron', new: 'Lovelace' }],
    },
    {
      name: 'a replace with the filter path for an element the target holds',
      previous: [['emails[type eq "work"].value', 'ada@contoso.com']],
      desired: [['emails[type eq "work"].value', set('ada.lovelace@contoso.com')]],
      operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'ada.lovelace@contoso.com' }],
    },
    {
      name: 'an add of the element for a new filtered value',
      previous: [['emails[type eq "work"].value', 'ada@contoso.com']],
      desired: [
        ['emails[type eq "work"].value', set('ada@contoso.com')],
        ['phoneNumbers[type eq "mobile"].value', set('+44 1')],
      ],
      operations: [{ op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', value: '+44 1' }] }],
      changes: [{ path: 'phoneNumbers[type eq "mobile"].value', old: undefined, new: '+44 1' }],
    },
    {
      name: 'one add per new element, whatever the number of its sub-attributes',
      previous: [],
      desired: [
        ['addresses[type eq "work"].locality', set('London')],
        ['title', set('Analyst')],
        ['addresses[type eq "Work"].country', set('GB')],
      ],
      operations: [
        { op: 'add', path: 'addresses', value: [{ type: 'work', locality: 'London', country: 'GB' }] },
        { op: 'replace', path: 'title', value: 'Analyst' },
      ],
    },
    {
      name: 'a replace of a new sub-attribute of an element the target holds',
      previous: [['addresses[type eq "work"].locality', 'London']],
      desired: [
        ['addresses[type eq "work"].locality', set('London')],
        ['addresses[type eq "work"].country', set('GB')],
      ],
      operations: [{ op: 'replace', path: 'addresses[type eq "work"].country', value: 'GB' }],
    },
    {
      name: 'a remove of the element for a cleared filtered value',
      previous: [['phoneNumbers[type eq "mobile"].value', '+44 1']],
      desired: [['phoneNumbers[type eq "mobile"].value', clear]],
      operations: [{ op: 'remove', path: 'phoneNumbers[type eq "mobile"]' }],
      changes: [{ path: 'phoneNumbers[type eq "mobile"].value', old: '+44 1', new: undefined }],
    },
    {
      name: 'one remove of an element whose sub-attributes are all cleared',
      previous: [
        ['addresses[type eq "work"].locality', 'London'],
        ['addresses[type eq "work"].country', 'GB'],
      ],
      desired: [
        ['addresses[type eq "work"].locality', clear],
        ['addresses[type eq "work"].country', clear],
      ],
      operations: [{ op: 'remove', path: 'addresses[type eq "work"]' }],
    },
    {
      name: 'a remove of only the sub-attribute when the element keeps other values',
      previous: [
        ['addresses[type eq "work"].locality', 'London'],
        ['addresses[type eq "work"].country', 'GB'],
      ],
      desired: [
        ['addresses[type eq "work"].locality', clear],
        ['addresses[type eq "work"].country', set('GB')],
      ],
      operations: [{ op: 'remove', path: 'addresses[type eq "work"].locality' }],
    },
    {
      name: 'a remove with path for a cleared simple attribute',
      previous: [['title', 'Analyst']],
      desired: [['title', clear]],
      operations: [{ op: 'remove', path: 'title' }],
    },
    {
      name: 'nothing for a clear of a value the target does not hold',
      previous: [],
      desired: [
        ['title', clear],
        ['phoneNumbers[type eq "mobile"].value', clear],
      ],
      operations: [],
      changes: [],
    },
    {
      name: 'nothing for a held value no mapping asks about',
      previous: [
        ['nickName', 'Ada'],
        ['title', 'Analyst'],
      ],
      desired: [['title', set('Analyst')]],
      operations: [],
    },
    {
      name: 'a replace and a remove with the full URN path for extension attributes',
      previous: [
        [`${SCHEMA_ENTERPRISE_USER}:department`, 'Research'],
        [`${SCHEMA_ENTERPRISE_USER}:costCenter`, 'C1'],
      ],
      desired: [
        [`${SCHEMA_ENTERPRISE_USER}:department`, set('Engines')],
        [`${SCHEMA_ENTERPRISE_USER}:costCenter`, clear],
      ],
      operations: [
        { op: 'replace', path: `${SCHEMA_ENTERPRISE_USER}:department`, value: 'Engines' },
        { op: 'remove', path: `${SCHEMA_ENTERPRISE_USER}:costCenter` },
      ],
    },
    {
      name: 'an add to the extension attribute for a new filtered extension value',
      previous: [],
      desired: [[`${EXT}:badges[kind eq "door"].code`, set('B7')]],
      operations: [{ op: 'add', path: `${EXT}:badges`, value: [{ kind: 'door', code: 'B7' }] }],
    },
    {
      name: 'an add keeping the filter value as configured',
      previous: [],
      desired: [['roles[primary eq "True"].value', set('admin')]],
      operations: [{ op: 'add', path: 'roles', value: [{ primary: 'True', value: 'admin' }] }],
    },
    {
      name: 'nothing when the target spells a boolean as a string',
      previous: [['active', 'False']],
      desired: [['active', set(false)]],
      operations: [],
    },
    {
      name: 'a replace when the target spells the other boolean',
      previous: [['active', 'True']],
      desired: [['active', set(false)]],
      operations: [{ op: 'replace', path: 'active', value: false }],
      changes: [{ path: 'active', old: 'True', new: false }],
    },
    {
      name: 'a replace when strings differ only in case',
      previous: [['displayName', 'ada lovelace']],
      desired: [['displayName', set('Ada Lovelace')]],
      operations: [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }],
    },
    {
      name: 'a replace of the whole list for roles the target lacks',
      previous: [['userName', 'ada']],
      desired: [
        ['userName', set('ada')],
        ['roles', set([ADMIN, READER])],
      ],
      operations: [{ op: 'replace', path: 'roles', value: [ADMIN, READER] }],
      changes: [{ path: 'roles', old: undefined, new: [ADMIN, READER] }],
    },
    {
      name: 'a replace of the whole list for a changed set of roles',
      previous: [['roles', [ADMIN, READER]]],
      desired: [['roles', set([READER, WRITER])]],
      operations: [{ op: 'replace', path: 'roles', value: [READER, WRITER] }],
      changes: [{ path: 'roles', old: [ADMIN, READER], new: [READER, WRITER] }],
    },
    {
      name: 'a replace for a role the target holds besides the desired ones',
      previous: [['roles', [ADMIN, READER, role('auditor', 'Auditor')]]],
      desired: [['roles', set([ADMIN, READER])]],
      operations: [{ op: 'replace', path: 'roles', value: [ADMIN, READER] }],
    },
    {
      name: 'a replace for a role whose display name changed',
      previous: [['roles', [ADMIN]]],
      desired: [['roles', set([role('admin', 'Admins')])]],
      operations: [{ op: 'replace', path: 'roles', value: [role('admin', 'Admins')] }],
    },
    {
      name: 'nothing for the same roles in another order',
      previous: [['roles', [ADMIN, READER, WRITER]]],
      desired: [['roles', set([WRITER, ADMIN, READER])]],
      operations: [],
      changes: [],
    },
    {
      name: 'nothing for held roles with sub-attributes of the target, other spellings and "False"',
      previous: [
        [
          'roles',
          [
            { ...READER, $ref: 'https://app/roles/reader' },
            { Value: 'admin', DISPLAY: 'Administrator', type: 'WindowsAzureActiveDirectoryRole', primary: 'False' },
          ],
        ],
      ],
      desired: [['roles', set([ADMIN, READER])]],
      operations: [],
    },
    {
      name: 'a replace for a held role that lacks a sub-attribute the mapping writes',
      previous: [['roles', [{ value: 'admin', display: 'Administrator' }]]],
      desired: [['roles', set([ADMIN])]],
      operations: [{ op: 'replace', path: 'roles', value: [ADMIN] }],
    },
    {
      name: 'a replace, not a merge, when one role of two is the same',
      previous: [['roles', [ADMIN, ADMIN]]],
      desired: [['roles', set([ADMIN, READER])]],
      operations: [{ op: 'replace', path: 'roles', value: [ADMIN, READER] }],
    },
    {
      name: 'a remove of the attribute when every role is cleared',
      previous: [['roles', [ADMIN, READER]]],
      desired: [['roles', clear]],
      operations: [{ op: 'remove', path: 'roles' }],
      changes: [{ path: 'roles', old: [ADMIN, READER], new: undefined }],
    },
    {
      name: 'nothing for cleared roles the target does not hold',
      previous: [],
      desired: [['roles', clear]],
      operations: [],
    },
    {
      name: 'a replace of the whole list for complex values of an extension attribute',
      previous: [[`${EXT}:badges`, [{ kind: 'door', code: 'B7' }]]],
      desired: [[`${EXT}:badges`, set([{ kind: 'door', code: 'B8' }])]],
      operations: [{ op: 'replace', path: `${EXT}:badges`, value: [{ kind: 'door', code: 'B8' }] }],
    },
    {
      name: 'every value as new when nothing is known of the target',
      previous: undefined,
      desired: [
        ['userName', set('ada')],
        ['emails[type eq "work"].value', set('ada@contoso.com')],
        ['title', clear],
      ],
      operations: [
        { op: 'replace', path: 'userName', value: 'ada' },
        { op: 'add', path: 'emails', value: [{ type: 'work', value: 'ada@contoso.com' }] },
      ],
    },
  ];

  it.each(cases)('gives $name', ({ previous, desired, operations, changes }) => {
    const plan = diffToPatch(previous === undefined ? undefined : new Map(previous), new Map(desired));
    expect(plan.operations).toEqual(operations);
    if (changes !== undefined) expect(plan.changes).toEqual(changes);
    expect(plan.changes.length === 0).toBe(plan.operations.length === 0);
  });
});

describe('readManagedValues with roles', () => {
  it("reads every element with its scalar sub-attributes, the target's own included", () => {
    const user = {
      schemas: [SCHEMA_USER],
      Roles: [
        {
          value: 'admin',
          display: 'Administrator',
          primary: false,
          type: 'WindowsAzureActiveDirectoryRole',
          $ref: 'https://app/r/1',
          meta: { created: 'x' },
        },
        { value: 'reader', display: '', type: 'WindowsAzureActiveDirectoryRole' },
      ],
    };
    expect([...readManagedValues(user, ['roles'])]).toEqual([
      [
        'roles',
        [
          { value: 'admin', display: 'Administrator', primary: false, type: 'WindowsAzureActiveDirectoryRole', $ref: 'https://app/r/1' },
          { value: 'reader', type: 'WindowsAzureActiveDirectoryRole' },
        ],
      ],
    ]);
  });

  it.each([
    ['no roles', {}],
    ['an empty list', { roles: [] }],
    ['scalars mixed with elements', { roles: ['admin', { value: 'reader' }] }],
    ['an element without scalar sub-attributes', { roles: [{ value: 'admin' }, { meta: {} }] }],
  ])('leaves out %s', (_name, held) => {
    expect([...readManagedValues({ schemas: [SCHEMA_USER], ...held }, ['roles'])]).toEqual([]);
  });

  it('reads back what the mapping wrote as no change, in any order', () => {
    const desired = new Map([['roles', set([ADMIN, READER, WRITER])]]);
    const held = readManagedValues({ schemas: [SCHEMA_USER], roles: [WRITER, { ...READER, $ref: 'r' }, ADMIN] }, desired.keys());
    expect(diffToPatch(held, desired)).toEqual({ operations: [], changes: [] });
  });
});

describe('readManagedValues', () => {
  const user = {
    schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
    id: '2819c223',
    userName: 'ada@contoso.com',
    active: 'False',
    name: { familyName: 'Lovelace' },
    emails: [{ type: 'work', value: 'ada@contoso.com' }, { type: 'home' }],
    [SCHEMA_ENTERPRISE_USER]: { department: 'Research', manager: { value: 'm-1' } },
  };

  it('reads the values the target holds at the managed paths, in the given spelling', () => {
    const paths = [
      'UserName',
      'active',
      'name.familyName',
      'name.givenName',
      'emails[type eq "work"].value',
      'emails[type eq "home"].value',
      'phoneNumbers[type eq "mobile"].value',
      'emails.value',
      `${SCHEMA_ENTERPRISE_USER}:department`,
      `${SCHEMA_ENTERPRISE_USER}:manager`,
      `${SCHEMA_ENTERPRISE_USER}:manager.value`,
    ];
    expect([...readManagedValues(user, paths)]).toEqual([
      ['UserName', 'ada@contoso.com'],
      ['active', 'False'],
      ['name.familyName', 'Lovelace'],
      ['emails[type eq "work"].value', 'ada@contoso.com'],
      ['emails.value', ['ada@contoso.com']],
      [`${SCHEMA_ENTERPRISE_USER}:department`, 'Research'],
      [`${SCHEMA_ENTERPRISE_USER}:manager.value`, 'm-1'],
    ]);
  });
});
