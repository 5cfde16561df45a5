import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { eqFilter, isAttributePath } from './filter';

describe('eqFilter', () => {
  it.each([
    ['userName', 'ada@example.com', 'userName eq "ada@example.com"'],
    ['userName', 'a"b', 'userName eq "a\\"b"'],
    ['userName', 'a\\b', 'userName eq "a\\\\b"'],
    ['userName', 'a" or userName pr or userName eq "b', 'userName eq "a\\" or userName pr or userName eq \\"b"'],
    ['userName', 'x") or (userName pr', 'userName eq "x\\") or (userName pr"'],
    ['userName', 'end\\', 'userName eq "end\\\\"'],
    ['userName', 'line\nbreak\ttab\u0001', 'userName eq "line\\nbreak\\ttab\\u0001"'],
    ['userName', 'Zoë 山田', 'userName eq "Zoë 山田"'],
    ['userName', '', 'userName eq ""'],
    ['externalId', '42', 'externalId eq "42"'],
    ['active', true, 'active eq true'],
    ['active', false, 'active eq false'],
    ['employeeNumber', 42, 'employeeNumber eq 42'],
    ['name.familyName', 'Lovelace', 'name.familyName eq "Lovelace"'],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      'E-1',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "E-1"',
    ],
  ] as const)('%s eq %j', (attribute, value, expected) => {
    expect(eqFilter(attribute, value)).toBe(expected);
  });

  it('keeps any string value inside one literal that reads back as the value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const filter = eqFilter('userName', value);
        const literal = filter.slice('userName eq '.length);
        expect(JSON.parse(literal)).toBe(value);
      }),
    );
  });

  it.each([
    ['userName pr or userName'],
    ['emails[type eq "work"].value'],
    ['user name'],
    ['1userName'],
    [''],
    ['userName"'],
    ['name.familyName.extra'],
  ])('refuses the attribute %j as a configuration error', (attribute) => {
    expect(isAttributePath(attribute)).toBe(false);
    const error = catchError(() => eqFilter(attribute, 'x'));
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY]])('refuses the number %s', (value) => {
    expect(catchError(() => eqFilter('employeeNumber', value))).toMatchObject({ kind: 'permanent' });
  });
});

function catchError(fn: () => unknown): ProvisioningError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProvisioningError) return error;
    throw error;
  }
  throw new Error('expected a ProvisioningError');
}
