import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathSyntaxError } from './errors';
import { elementKey, formatPath, parsePath, pathKey, type AttributePath } from './path';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('parsePath', () => {
  const valid: [string, AttributePath][] = [
    ['userName', { attribute: 'userName' }],
    ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    ['emails[type eq "work"].value', { attribute: 'emails', filter: { attribute: 'type', value: 'work' }, subAttribute: 'value' }],
    [
      'phoneNumbers[type eq "mobile"].value',
      { attribute: 'phoneNumbers', filter: { attribute: 'type', value: 'mobile' }, subAttribute: 'value' },
    ],
    ['roles[primary eq true].value', { attribute: 'roles', filter: { attribute: 'primary', value: true }, subAttribute: 'value' }],
    ['roles[primary eq "True"].value', { attribute: 'roles', filter: { attribute: 'primary', value: 'True' }, subAttribute: 'value' }],
    ['x[n eq -1.5e2].v', { attribute: 'x', filter: { attribute: 'n', value: -150 }, subAttribute: 'v' }],
    ['emails[type eq "work"]', { attribute: 'emails', filter: { attribute: 'type', value: 'work' } }],
    [
      'emails[ type  EQ "a \\"b\\" ]c" ].value',
      { attribute: 'emails', filter: { attribute: 'type', value: 'a "b" ]c' }, subAttribute: 'value' },
    ],
    [`${ENTERPRISE}:employeeNumber`, { schema: ENTERPRISE, attribute: 'employeeNumber' }],
    [`${ENTERPRISE}:manager.value`, { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
    [`${ENTERPRISE}:manager.$ref`, { schema: ENTERPRISE, attribute: 'manager', subAttribute: '$ref' }],
    [
      'urn:contoso:params:scim:schemas:extension:hr:1.0:User:badges[kind eq "door:a"].code',
      {
        schema: 'urn:contoso:params:scim:schemas:extension:hr:1.0:User',
        attribute: 'badges',
        filter: { attribute: 'kind', value: 'door:a' },
        subAttribute: 'code',
      },
    ],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', { attribute: 'userName' }],
    ['last-name_2', { attribute: 'last-name_2' }],
  ];

  it.each(valid)('parses %s', (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  const invalid: [string, number, string][] = [
    ['', 1, 'the path is empty'],
    [' userName', 1, 'expected an attribute name, found " "'],
    ['userName ', 9, 'unexpected " "'],
    ['1st', 1, 'expected an attribute name, found "1"'],
    ['name.', 6, 'expected a sub-attribute name after ".", found the end of the path'],
    ['name.givenName.x', 15, 'a path has at most one sub-attribute'],
    ['emails[', 8, 'expected a filter attribute name after "[", found the end of the path'],
    ['emails[type', 12, 'expected a space after "type", found the end of the path'],
    ['emails[type co "w"].value', 13, 'only the "eq" operator is supported in a path filter, found "co"'],
    ['emails[type eq].value', 15, 'expected a space after "eq", found "]"'],
    ['emails[type eq ].value', 16, 'expected a value after "eq", found "]"'],
    ['emails[type eq "work].value', 16, 'the string has no closing quote'],
    ['emails[type eq work].value', 16, 'expected a quoted string, true, false or a number, found "work"'],
    ['roles[primary eq True].value', 18, 'expected a quoted string, true, false or a number, found "True"'],
    ['emails[type eq null]', 16, 'a path filter cannot select null'],
    ['emails[type eq "work" and primary eq true]', 23, 'a path filter holds one comparison, found "and"'],
    ['emails[type eq "work"', 22, 'expected "]", found the end of the path'],
    ['emails[type eq "work"][primary eq true]', 23, 'a path has at most one filter'],
    ['name.givenName[type eq "x"]', 15, 'a filter must follow the attribute name'],
    ['emails[type eq "work"]value', 23, 'unexpected "v"'],
    [`${ENTERPRISE}:`, ENTERPRISE.length + 2, 'expected an attribute name after the schema URN, found the end of the path'],
    ['urn:foo', 1, 'expected a schema URN'],
  ];

  it.each(invalid)('rejects %j at position %i', (text, position, problem) => {
    let error: unknown;
    try {
      parsePath(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PathSyntaxError);
    const syntax = error as PathSyntaxError;
    expect(syntax.position).toBe(position);
    expect(syntax.problem).toContain(problem);
    expect(syntax.message).toContain(`at position ${position}`);
    expect(syntax.kind).toBe('configuration');
  });
});

describe('formatPath', () => {
  it.each([
    ['userName', 'userName'],
    ['emails[ type  EQ "work" ].value', 'emails[type eq "work"].value'],
    ['roles[primary eq true].value', 'roles[primary eq true].value'],
    ['x[n eq 1.50]', 'x[n eq 1.5]'],
    [`${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager.value`],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', 'userName'],
  ])('formats %s as %s', (text, formatted) => {
    expect(formatPath(parsePath(text))).toBe(formatted);
  });

  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
  const path: fc.Arbitrary<AttributePath> = fc.record(
    {
      schema: fc.constantFrom(ENTERPRISE, 'urn:contoso:scim:ext:1.0:User'),
      attribute: name,
      filter: fc.record({ attribute: name, value: fc.oneof(fc.string(), fc.boolean(), fc.integer()) }),
      subAttribute: name,
    },
    { requiredKeys: ['attribute'] },
  );

  it('parses what it formats back to the same path', () => {
    fc.assert(
      fc.property(path, (p) => {
        expect(parsePath(formatPath(p))).toEqual(p);
      }),
    );
  });
});

describe('pathKey', () => {
  it.each([
    ['userName', 'USERNAME', true],
    ['emails[type eq "work"].value', 'Emails[Type eq "Work"].Value', true],
    ['roles[primary eq true].value', 'roles[primary eq "True"].value', true],
    [`${ENTERPRISE}:department`, `${ENTERPRISE.toLowerCase()}:Department`, true],
    ['emails[type eq "work"].value', 'emails[type eq "home"].value', false],
    ['name.givenName', 'name.familyName', false],
    [`${ENTERPRISE}:department`, 'department', false],
  ])('%s and %s are the same path: %s', (a, b, same) => {
    expect(pathKey(parsePath(a)) === pathKey(parsePath(b))).toBe(same);
  });

  it('shares the element key between sub-attributes of one filtered element', () => {
    expect(elementKey(parsePath('addresses[type eq "work"].locality'))).toBe(
      elementKey(parsePath('addresses[type eq "Work"].streetAddress')),
    );
  });
});
