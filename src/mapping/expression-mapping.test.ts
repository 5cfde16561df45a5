import { describe, expect, it } from 'vitest';
import { SCHEMA_USER } from '../scim/types';
import type { SourceObject, SourceValue } from '../source/index';
import { exportedValues, mapToTarget, withUniqueValue } from './map';
import { sourceAttributesOf } from './mapping-types';
import { attributeMappingSchema, objectMappingsSchema, type AttributeMapping, type AttributeMappingInput } from './schema';

const mapping = (input: AttributeMappingInput): AttributeMapping => attributeMappingSchema.parse(input);
const now = new Date('2024-03-01T08:00:00Z');

function source(attributes: Record<string, SourceValue>): SourceObject {
  return { id: '0c9d4f55-8f0e-4d7a-b0b1-2f6a5d6c7e81', type: 'user', attributes };
}

describe('expression mappings in the schema', () => {
  it('accepts a valid expression', () => {
    expect(mapping({ type: 'expression', expression: 'Join(" ", [givenName], [surname])', target: 'displayName' })).toMatchObject({
      type: 'expression',
      applyOn: 'always',
    });
  });

  it('rejects a bad expression with its position, the problem and the field path', () => {
    const result = objectMappingsSchema.safeParse({
      user: [
        { type: 'direct', source: 'userPrincipalName', target: 'userName' },
        { type: 'expression', expression: 'Join(",", [a]])', target: 'displayName' },
      ],
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['user', 1, 'expression'],
        message: 'invalid expression at 14: expected ",", ")" or a comparison operator but found "]" (line 1, column 14)',
      }),
    ]);
  });

  it.each<[string, AttributeMappingInput, (string | number)[], string]>([
    [
      'an unknown function',
      { type: 'expression', expression: 'Trim([a])', target: 'title' },
      ['expression'],
      'invalid expression at 1: unknown function "Trim"',
    ],
    [
      'a wrong argument count',
      { type: 'expression', expression: 'Left([a])', target: 'title' },
      ['expression'],
      'Left(string, numChars) takes 2 arguments but found 1',
    ],
    [
      'SelectUniqueValue as a matching attribute',
      { type: 'expression', expression: 'SelectUniqueValue([a], [b])', target: 'userName', applyOn: 'create', matchingPrecedence: 1 },
      ['matchingPrecedence'],
      'cannot be a matching attribute',
    ],
    [
      'SelectUniqueValue on update',
      { type: 'expression', expression: 'SelectUniqueValue([a], [b])', target: 'userName' },
      ['applyOn'],
      'applies on create only',
    ],
    [
      'a none mapping to match on',
      { type: 'none', target: 'userName', matchingPrecedence: 1 },
      ['matchingPrecedence'],
      'has no value to match on',
    ],
    ['a none mapping that clears', { type: 'none', target: 'title', clearWhenEmpty: true }, ['clearWhenEmpty'], 'never clears it'],
  ])('rejects %s', (_name, input, path, message) => {
    const result = attributeMappingSchema.safeParse(input);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
  });
});

describe('mapToTarget with expression and none mappings', () => {
  const ada = source({ givenName: 'Zoë', surname: 'Øster', mail: 'zoe@contoso.com', department: '', hireDate: '2024-03-15' });

  it('writes what the expression evaluates to', () => {
    const mapped = mapToTarget(
      ada,
      [mapping({ type: 'expression', expression: 'ToLower(NormalizeDiacritics(Join(".", [givenName], [surname])))', target: 'userName' })],
      { operation: 'create', now },
    );
    expect(mapped.resource).toEqual({ schemas: [SCHEMA_USER], userName: 'zoe.oester' });
  });

  it('passes the caller clock to Now()', () => {
    const mapped = mapToTarget(
      ada,
      [
        mapping({
          type: 'expression',
          expression: 'DateDiff("d", Now(), CDate([hireDate]))',
          target: 'urn:contoso:scim:ext:1.0:User:daysToHire',
        }),
      ],
      { operation: 'update', now },
    );
    expect([...exportedValues(mapped.values)]).toEqual([['urn:contoso:scim:ext:1.0:User:daysToHire', 13]]);
  });

  it('fails as a configuration error when an expression needs a clock the caller did not give', () => {
    expect(() =>
      mapToTarget(ada, [mapping({ type: 'expression', expression: 'Now()', target: 'title' })], { operation: 'update' }),
    ).toThrow(expect.objectContaining({ kind: 'configuration', message: expect.stringContaining('needs the current time') }));
  });

  it('fails the object (not the app) when its data does not fit the expression', () => {
    expect(() =>
      mapToTarget(source({ d: 'soon' }), [mapping({ type: 'expression', expression: 'CDate([d])', target: 'title' })], {
        operation: 'update',
        now,
      }),
    ).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        code: 'UnprocessableEntity',
        message: 'at 1: CDate: expression holds "soon", which is not a date',
      }),
    );
  });

  it('omits the path for IgnoreFlowIfNullOrEmpty, even with clearWhenEmpty', () => {
    const mappings = [
      mapping({
        type: 'expression',
        expression: 'IgnoreFlowIfNullOrEmpty([department])',
        target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
        clearWhenEmpty: true,
      }),
      mapping({ type: 'expression', expression: '[department]', target: 'title', clearWhenEmpty: true }),
    ];
    const mapped = mapToTarget(ada, mappings, { operation: 'update', now });
    expect([...mapped.values]).toEqual([['title', { kind: 'clear' }]]);
  });

  it('uses the default value on create when the expression gives nothing', () => {
    const configured = mapping({ type: 'expression', expression: 'Item([otherMails], 1)', target: 'nickName', defaultValue: 'none' });
    expect(mapToTarget(ada, [configured], { operation: 'create', now }).resource).toMatchObject({ nickName: 'none' });
    expect([...mapToTarget(ada, [configured], { operation: 'update', now }).values]).toEqual([]);
  });

  it('writes a multi-valued result as an array', () => {
    const mapped = mapToTarget(
      source({ ext: 'a; b' }),
      [mapping({ type: 'expression', expression: 'Split([ext], ";")', target: 'urn:contoso:scim:ext:1.0:User:sets' })],
      { operation: 'update', now },
    );
    expect([...exportedValues(mapped.values)]).toEqual([['urn:contoso:scim:ext:1.0:User:sets', ['a', 'b']]]);
  });

  it('surfaces SelectUniqueValue candidates instead of a value, and writes the chosen one', () => {
    const configured = mapping({
      type: 'expression',
      expression: 'SelectUniqueValue(Join("@", [givenName], "contoso.com"), Join("@", Mid([givenName], 1, 1), "contoso.com"))',
      target: 'userName',
      applyOn: 'create',
    });
    const mapped = mapToTarget(source({ givenName: 'John' }), [configured], { operation: 'create', now });
    expect(mapped.unique).toEqual(new Map([['userName', ['John@contoso.com', 'J@contoso.com']]]));
    expect(mapped.values.size).toBe(0);
    expect(mapped.resource).toEqual({ schemas: [SCHEMA_USER] });

    const chosen = withUniqueValue(mapped, 'userName', 'J@contoso.com');
    expect(chosen.resource).toEqual({ schemas: [SCHEMA_USER], userName: 'J@contoso.com' });
    expect([...exportedValues(chosen.values)]).toEqual([['userName', 'J@contoso.com']]);
    expect(chosen.unique.size).toBe(0);
    expect(mapped.unique.size).toBe(1);

    expect(mapToTarget(source({ givenName: 'John' }), [configured], { operation: 'update', now }).unique.size).toBe(0);
  });

  it('marks paths whose expression calls Redact', () => {
    const mapped = mapToTarget(
      ada,
      [
        mapping({ type: 'expression', expression: 'Redact(RandomString(6,3,0,0,3))', target: 'password', applyOn: 'create' }),
        mapping({ type: 'expression', expression: '[mail]', target: 'emails[type eq "work"].value' }),
      ],
      { operation: 'create', now, random: () => 0.25 },
    );
    expect(mapped.redacted).toEqual(new Set(['password']));
    expect(String(exportedValues(mapped.values).get('password'))).toHaveLength(6);
  });

  it('writes nothing for a none mapping, except its default on create', () => {
    const configured = mapping({ type: 'none', target: 'preferredLanguage', defaultValue: 'en-US' });
    const created = mapToTarget(ada, [configured], { operation: 'create', now });
    expect(created.resource).toEqual({ schemas: [SCHEMA_USER], preferredLanguage: 'en-US' });
    const updated = mapToTarget(ada, [configured], { operation: 'update', now });
    expect([...updated.values]).toEqual([]);
    expect(updated.defaults).toEqual(new Map([['preferredLanguage', 'en-US']]));
    expect([...mapToTarget(ada, [mapping({ type: 'none', target: 'title' })], { operation: 'create', now }).values]).toEqual([]);
  });

  it('reads the [attributes] an expression names, for Graph $select', () => {
    const mappings = [
      mapping({ type: 'direct', source: 'mail', target: 'emails[type eq "work"].value' }),
      mapping({
        type: 'expression',
        expression: 'Coalesce([mail], [extension_9d98ed114c4840d2a7ee9ab5a6b7e6ae_costCenter], "x")',
        target: 'title',
      }),
      mapping({ type: 'none', target: 'nickName' }),
    ];
    expect(sourceAttributesOf(mappings)).toEqual(['mail', 'extension_9d98ed114c4840d2a7ee9ab5a6b7e6ae_costCenter']);
  });

  it('uses expression results as matching values', () => {
    const mapped = mapToTarget(
      ada,
      [mapping({ type: 'expression', expression: 'ToUpper([mail])', target: 'userName', matchingPrecedence: 1 })],
      { operation: 'update', now },
    );
    expect(mapped.matching).toEqual([{ path: 'userName', value: 'ZOE@CONTOSO.COM' }]);
  });

  it('names the expression when its value cannot be written', () => {
    const target = 'roles[primary eq "True"].value';
    expect(() =>
      mapToTarget(
        source({ r: [{ value: 'Admin' }] }),
        [mapping({ type: 'expression', expression: 'AppRoleAssignmentsComplex([r])', target })],
        { operation: 'update', now },
      ),
    ).toThrow(
      `the expression "AppRoleAssignmentsComplex([r])" holds objects, which cannot be written to "${target}": name the multi-valued attribute itself, such as "roles"`,
    );
  });

  it('writes every app role to roles, and the single one to the primary role', () => {
    const roles = source({
      appRoleAssignments: [
        { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' },
        { id: '9b0c2d41-5d3e-4e0f-8a51-0c6a7f2e3b84', value: 'reader', displayName: 'Reader' },
      ],
    });
    const complex = mapping({ type: 'expression', expression: 'AppRoleAssignmentsComplex([appRoleAssignments])', target: 'roles' });
    const mapped = mapToTarget(roles, [complex], { operation: 'create', now });
    const written = [
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'reader' },
    ];
    expect(mapped.resource).toEqual({ schemas: [SCHEMA_USER], roles: written });
    expect(exportedValues(mapped.values)).toEqual(new Map([['roles', written]]));

    const single = mapping({
      type: 'expression',
      expression: 'SingleAppRoleAssignment([appRoleAssignments])',
      target: 'roles[primary eq "True"].value',
    });
    const one = source({
      appRoleAssignments: [{ id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' }],
    });
    expect(mapToTarget(one, [single], { operation: 'create', now }).resource).toEqual({
      schemas: [SCHEMA_USER],
      roles: [{ primary: 'True', value: 'admin' }],
    });
  });
});
