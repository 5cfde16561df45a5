import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceValue } from '../../source/index';
import { evaluateClause, evaluateScope } from './evaluate';
import type { ScopingOperator } from './operators';
import { scopingFilterSchema, type ScopingFilter } from './schema';

const ABSENT = Symbol('absent');
type Actual = SourceValue | typeof ABSENT;

function matches(operator: ScopingOperator, value: string | undefined, actual: Actual): boolean {
  const clause = value === undefined ? { attribute: 'a', operator } : { attribute: 'a', operator, value };
  // Through the real entry point, so absent means a missing key.
  const source: Record<string, SourceValue> = actual === ABSENT ? {} : { a: actual };
  return evaluateScope({ groups: [{ clauses: [clause] }] }, source).inScope;
}

/** The rows every operator's table has: the empty values. */
const EMPTY_ROWS: Array<[string, Actual]> = [
  ['absent', ABSENT],
  ['null', null],
  ['empty string', ''],
  ['empty list', []],
  ['list of empties', [null, '']],
];

describe.each<[ScopingOperator, string | undefined, Array<[string, Actual, boolean]>]>([
  [
    'EQUALS',
    'Sales',
    [
      ['equal string', 'Sales', true],
      ['other case (case-sensitive)', 'sales', false],
      ['other string', 'HR', false],
      ['with a space', 'Sales ', false],
      ['list holding it', ['HR', 'Sales'], true],
      ['list without it', ['HR', 'IT'], false],
      ['number', 5, false],
      ['boolean', true, false],
      ['object', { name: 'Sales' }, false],
    ],
  ],
  [
    'EQUALS',
    'True',
    [
      ['boolean true equals "True"', true, true],
      ['boolean false', false, false],
      ['string "True"', 'True', true],
      ['string "true" (case-sensitive string)', 'true', false],
    ],
  ],
  [
    'EQUALS',
    '42',
    [
      ['number 42', 42, true],
      ['number 41', 41, false],
      ['string "42"', '42', true],
      ['string "042" (strings compare as strings)', '042', false],
    ],
  ],
  [
    'NOT_EQUALS',
    'Sales',
    [
      ['equal string', 'Sales', false],
      ['other case', 'sales', true],
      ['other string', 'HR', true],
      ['list holding it', ['HR', 'Sales'], false],
      ['list without it', ['HR', 'IT'], true],
      ['list of one empty and one other', ['', 'HR'], true],
      ['object (cannot be compared)', { name: 'HR' }, false],
      ['list of objects (none can be compared)', [{ a: 1 }], false],
      ['number', 7, true],
    ],
  ],
  [
    'IS_TRUE',
    undefined,
    [
      ['true', true, true],
      ['false', false, false],
      ['"True"', 'True', true],
      ['"False"', 'False', false],
      ['"true"', 'true', true],
      ['"yes" (not a boolean)', 'yes', false],
      ['1 (not a boolean)', 1, false],
      ['list holding true', [false, true], true],
      ['list of false', [false], false],
      ['object', { value: true }, false],
    ],
  ],
  [
    'IS_FALSE',
    undefined,
    [
      ['false', false, true],
      ['true', true, false],
      ['"False"', 'False', true],
      ['"True"', 'True', false],
      ['"no" (not a boolean)', 'no', false],
      ['0 (not a boolean)', 0, false],
      ['list holding false', [true, false], true],
    ],
  ],
  [
    'IS_NULL',
    undefined,
    [
      ['a string', 'x', false],
      ['a space', ' ', false],
      ['false', false, false],
      ['0', 0, false],
      ['a list', ['x'], false],
      ['an object', {}, false],
    ],
  ],
  [
    'IS_NOT_NULL',
    undefined,
    [
      ['a string', 'x', true],
      ['a space', ' ', true],
      ['false', false, true],
      ['0', 0, true],
      ['a list', ['x'], true],
      ['a list with an empty item', ['', 'x'], true],
      ['an object', {}, true],
    ],
  ],
  [
    'REGEX_MATCH',
    '^Eng',
    [
      ['matching', 'Engineer', true],
      ['other case (case-sensitive)', 'engineer', false],
      ['not matching', 'Analyst', false],
      ['list with a match', ['Analyst', 'Engineer'], true],
      ['list without', ['Analyst'], false],
      ['number', 42, false],
      ['object', { title: 'Engineer' }, false],
    ],
  ],
  [
    'REGEX_MATCH',
    '([1-9][0-9])',
    [
      ['search anywhere, as .NET IsMatch', 'id 123', true],
      ['number read as text', 57, true],
      ['no two digits', 'a5', false],
    ],
  ],
  ['REGEX_MATCH', '^True$', [['boolean read as .NET text', true, true]]],
  [
    'NOT_REGEX_MATCH',
    '.*\\@contoso\\.com',
    [
      ['matching', 'ann@contoso.com', false],
      ['not matching', 'ann@fabrikam.com', true],
      ['list with a match', ['ann@fabrikam.com', 'ann@contoso.com'], false],
      ['list without a match', ['ann@fabrikam.com'], true],
      ['object', { upn: 'x' }, false],
    ],
  ],
  [
    'GREATER_THAN',
    '1000000',
    [
      ['greater number', 1000001, true],
      ['equal number', 1000000, false],
      ['smaller number', 999999, false],
      ['integer string', '2000000', true],
      ['integer string with leading zeros', '0001000001', true],
      ['decimal number', 1000000.5, false],
      ['decimal string', '1000000.5', false],
      ['text', 'many', false],
      ['boolean', true, false],
      ['list with a greater one', [5, 1000001], true],
      ['list without', [5, 6], false],
      ['date string', '2024-01-01', false],
    ],
  ],
  [
    'GREATER_THAN',
    '-5',
    [
      ['negative greater', -4, true],
      ['negative smaller', '-6', false],
    ],
  ],
  [
    'GREATER_THAN',
    '9007199254740993',
    [
      ['beyond the safe integer range, exact', '9007199254740994', true],
      ['beyond the safe integer range, equal', '9007199254740993', false],
    ],
  ],
  [
    'GREATER_THAN_OR_EQUALS',
    '10',
    [
      ['equal', 10, true],
      ['greater', '11', true],
      ['smaller', 9, false],
      ['text', 'ten', false],
    ],
  ],
  [
    'GREATER_THAN',
    '2024-03-01',
    [
      ['later date', '2024-03-02', true],
      ['same date', '2024-03-01', false],
      ['same instant as a date-time', '2024-03-01T00:00:00Z', false],
      ['later the same day', '2024-03-01T00:00:01Z', true],
      ['earlier, in an offset that makes it the day before in UTC', '2024-03-01T00:30:00+01:00', false],
      ['later, in a negative offset', '2024-02-29T23:30:00-01:00', true],
      ['not a date', 'soon', false],
      ['an integer', 20240302, false],
      ['an impossible date', '2024-02-30', false],
      ['list with a later date', ['2020-01-01', '2025-01-01'], true],
    ],
  ],
  [
    'GREATER_THAN_OR_EQUALS',
    '2024-03-01T12:00:00.0000001Z',
    [
      ['one tick earlier', '2024-03-01T12:00:00Z', false],
      ['same tick', '2024-03-01T12:00:00.0000001Z', true],
      ['without an offset, read as UTC', '2024-03-01T12:00:01', true],
    ],
  ],
  [
    'INCLUDES',
    'EMEA',
    [
      ['including', 'Sales EMEA North', true],
      ['other case (case-sensitive)', 'Sales emea', false],
      ['not including', 'Sales', false],
      ['list with one', ['HR', 'EMEA'], true],
      ['object', { region: 'EMEA' }, false],
    ],
  ],
  ['INCLUDES', '23', [['number read as text', 1234, true]]],
  [
    '&',
    '2',
    [
      ['bit set', 2, true],
      ['bit set among others', 514, true],
      ['bit clear', 512, false],
      ['integer string', '6', true],
      ['text', 'two', false],
      ['decimal', 2.5, false],
      ['boolean', true, false],
      ['list with the bit', [1, 3], true],
      ['list without', [1, 4], false],
    ],
  ],
  [
    '&',
    '6',
    [
      ['any bit of a multi-bit mask is enough', 4, true],
      ['no bit of the mask', 8, false],
    ],
  ],
  ['&', '4294967296', [['bits beyond 32 are kept', '4294967297', true]]],
  [
    '!&',
    '2',
    [
      ['bit set', 514, false],
      ['bit clear', 512, true],
      ['text (cannot be compared)', 'two', false],
      ['list where one has the bit', [1, 2], false],
      ['list where none has the bit', [1, 4], true],
      ['list of texts (none comparable)', ['x', 'y'], false],
      ['list with a text and a clear one', ['x', 4], true],
    ],
  ],
  [
    'ENDS_WITH',
    '@contoso.com',
    [
      ['ending', 'ann@contoso.com', true],
      ['other case (case-sensitive)', 'ann@Contoso.com', false],
      ['not ending', 'ann@contoso.com.evil', false],
      ['list with one', ['ann@fabrikam.com', 'ann@contoso.com'], true],
      ['number', 5, false],
    ],
  ],
])('%s %j', (operator, value, rows) => {
  const emptyResult = operator === 'IS_NULL';
  it.each([...EMPTY_ROWS.map(([name, actual]): [string, Actual, boolean] => [name, actual, emptyResult]), ...rows])(
    '%s: %j → %s',
    (_name, actual, expected) => {
      expect(matches(operator, value, actual)).toBe(expected);
    },
  );
});

describe('evaluateScope groups', () => {
  const sales = { attribute: 'department', operator: 'EQUALS', value: 'Sales' } as const;
  const engineer = { attribute: 'jobTitle', operator: 'REGEX_MATCH', value: '^Eng' } as const;
  const enabled = { attribute: 'accountEnabled', operator: 'IS_TRUE' } as const;

  it.each<[string, ScopingFilter, Record<string, SourceValue>, boolean]>([
    ['AND: both clauses true', { groups: [{ clauses: [sales, engineer] }] }, { department: 'Sales', jobTitle: 'Engineer' }, true],
    ['AND: one clause false', { groups: [{ clauses: [sales, engineer] }] }, { department: 'Sales', jobTitle: 'Analyst' }, false],
    ['AND: both false', { groups: [{ clauses: [sales, engineer] }] }, { department: 'HR', jobTitle: 'Analyst' }, false],
    [
      'OR: first group true',
      { groups: [{ clauses: [sales] }, { clauses: [engineer] }] },
      { department: 'Sales', jobTitle: 'Analyst' },
      true,
    ],
    [
      'OR: second group true',
      { groups: [{ clauses: [sales] }, { clauses: [engineer] }] },
      { department: 'HR', jobTitle: 'Engineer' },
      true,
    ],
    ['OR: no group true', { groups: [{ clauses: [sales] }, { clauses: [engineer] }] }, { department: 'HR', jobTitle: 'Analyst' }, false],
    [
      'AND within OR',
      { groups: [{ clauses: [sales, enabled] }, { clauses: [engineer, enabled] }] },
      { department: 'HR', jobTitle: 'Engineer', accountEnabled: true },
      true,
    ],
    [
      'AND within OR, shared clause false',
      { groups: [{ clauses: [sales, enabled] }, { clauses: [engineer, enabled] }] },
      { department: 'Sales', jobTitle: 'Engineer', accountEnabled: false },
      false,
    ],
    ['no groups: everything in scope', { groups: [] }, {}, true],
  ])('%s', (_name, filter, source, inScope) => {
    expect(evaluateScope(filter, source).inScope).toBe(inScope);
  });

  it('puts everything in scope without a filter', () => {
    expect(evaluateScope(undefined, {})).toEqual({ inScope: true, detail: 'in scope: no scoping filter', groups: [] });
    expect(evaluateScope(null, { a: 1 }).inScope).toBe(true);
  });

  it('evaluates every clause and explains each one', () => {
    const decision = evaluateScope(
      { groups: [{ name: 'Sales engineers', clauses: [sales, engineer, enabled] }] },
      { department: 'HR', jobTitle: 'Engineer' },
    );
    expect(decision).toEqual({
      inScope: false,
      detail: 'out of scope: no group matched; group 1: department EQUALS "Sales" was false ("HR") (and 1 more false clause)',
      groups: [
        {
          name: 'Sales engineers',
          matched: false,
          clauses: [
            {
              attribute: 'department',
              operator: 'EQUALS',
              value: 'Sales',
              actual: 'HR',
              matched: false,
              why: '"HR" does not equal "Sales"',
            },
            {
              attribute: 'jobTitle',
              operator: 'REGEX_MATCH',
              value: '^Eng',
              actual: 'Engineer',
              matched: true,
              why: '"Engineer" matches "^Eng"',
            },
            {
              attribute: 'accountEnabled',
              operator: 'IS_TRUE',
              actual: undefined,
              matched: false,
              why: 'absent is empty, and a clause on an empty value is false',
            },
          ],
        },
      ],
    });
  });

  it('summarises the matched group, and any other that matched', () => {
    const filter: ScopingFilter = { groups: [{ clauses: [engineer] }, { clauses: [sales, enabled] }, { clauses: [enabled] }] };
    expect(evaluateScope(filter, { department: 'Sales', accountEnabled: 'True' }).detail).toBe(
      'in scope: group 2 matched (department EQUALS "Sales", accountEnabled IS TRUE); group 3 also matched',
    );
  });

  it('summarises why each group failed, in portal spelling, with the actual value', () => {
    const filter: ScopingFilter = {
      groups: [{ clauses: [engineer] }, { clauses: [{ attribute: 'employeeId', operator: 'GREATER_THAN_OR_EQUALS', value: '100' }] }],
    };
    expect(evaluateScope(filter, { jobTitle: 'Analyst', employeeId: null }).detail).toBe(
      'out of scope: no group matched; group 1: jobTitle REGEX MATCH "^Eng" was false ("Analyst"); group 2: employeeId Greater_Than_OR_EQUALS "100" was false (null)',
    );
  });

  it('shortens long values in the summary and lists at most five groups', () => {
    const long = 'x'.repeat(200);
    const groups = Array.from({ length: 7 }, () => ({ clauses: [{ attribute: 'a', operator: 'EQUALS' as const, value: long }] }));
    const detail = evaluateScope({ groups }, { a: 'y' }).detail;
    expect(detail).toContain(`a EQUALS "${'x'.repeat(57)}…" was false ("y")`);
    expect(detail.match(/group \d:/g)).toHaveLength(5);
    expect(detail.endsWith('; and 2 more groups')).toBe(true);
  });

  it('reads only the object’s own attributes', () => {
    const clause = { attribute: 'constructor', operator: 'IS_NOT_NULL' } as const;
    expect(evaluateScope({ groups: [{ clauses: [clause] }] }, {}).inScope).toBe(false);
    expect(evaluateScope({ groups: [{ clauses: [{ attribute: 'toString', operator: 'IS_NULL' }] }] }, {}).inScope).toBe(true);
  });

  it('matches attribute names case-sensitively', () => {
    expect(evaluateScope({ groups: [{ clauses: [sales] }] }, { Department: 'Sales' }).inScope).toBe(false);
  });
});

describe('evaluateClause explanations', () => {
  it.each<[ScopingOperator, string | undefined, SourceValue, boolean, string]>([
    ['EQUALS', 'Sales', ['HR', 'Sales'], true, 'value 2 of 2: "Sales" equals "Sales"'],
    ['EQUALS', 'Sales', ['HR', 'IT'], false, 'no value of 2 matches: "HR" does not equal "Sales"; "IT" does not equal "Sales"'],
    ['NOT_EQUALS', 'Sales', ['HR', 'Sales'], false, 'value 2 of 2: "Sales" equals "Sales"'],
    [
      'NOT_EQUALS',
      'Sales',
      [{ a: 1 }, [1]],
      false,
      'none of 2 values can be compared: {"a":1} is an object, not a single value; [1] is a list, not a single value',
    ],
    [
      'EQUALS',
      'x',
      ['a', 'b', 'c', 'd', 'e'],
      false,
      'no value of 5 matches: "a" does not equal "x"; "b" does not equal "x"; "c" does not equal "x"; and 2 more',
    ],
    ['&', '2', 514, true, '514 & 2 = 2'],
    ['!&', '2', 512, true, '512 & 2 = 0'],
    ['GREATER_THAN', '10', '9', false, '"9" is not greater than 10'],
    ['GREATER_THAN', '2024-01-01', '2024-06-01', true, '"2024-06-01" is greater than "2024-01-01"'],
    ['GREATER_THAN', '2024-01-01', 5, false, '5 is not an ISO-8601 date'],
    ['IS_TRUE', undefined, 'yes', false, '"yes" is not a boolean'],
    ['IS_NULL', undefined, 'x', false, '"x" is not empty'],
    [
      'REGEX_MATCH',
      '(?>a)',
      'a',
      false,
      'regex "(?>a)" does not compile: atomic groups (?>...) are not supported: patterns run on a linear-time engine (RE2), which cannot match it',
    ],
  ])('%s %j on %j', (operator, value, actual, matched, why) => {
    const clause = value === undefined ? { attribute: 'a', operator } : { attribute: 'a', operator, value };
    expect(evaluateClause(clause, actual)).toMatchObject({ matched, why });
  });
});

describe('REGEX MATCH in linear time', () => {
  it('decides (a+)+$ on a long run of a before a ! at once', () => {
    const filter = scopingFilterSchema.parse({ groups: [{ clauses: [{ attribute: 'a', operator: 'REGEX_MATCH', value: '(a+)+$' }] }] });
    const started = performance.now();
    expect(evaluateScope(filter, { a: `${'a'.repeat(100_000)}!` }).inScope).toBe(false);
    expect(evaluateScope(filter, { a: 'baaa' }).inScope).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('evaluateScope on arbitrary source values', () => {
  const sourceValue: fc.Arbitrary<SourceValue> = fc.letrec<{ value: SourceValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.constantFrom('', 'True', 'False', '42', '-7', '2024-03-01', '2024-02-30', '2024-03-01T10:00:00Z', 'Sales', '\n'),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
    ),
  })).value;

  const clause = fc.oneof(
    fc.record({ attribute: fc.constantFrom('a', 'b'), operator: fc.constantFrom('IS_TRUE', 'IS_FALSE', 'IS_NULL', 'IS_NOT_NULL') }),
    fc.record({
      attribute: fc.constantFrom('a', 'b'),
      operator: fc.constantFrom('EQUALS', 'NOT_EQUALS', 'INCLUDES', 'ENDS_WITH'),
      value: fc.string({ minLength: 1 }),
    }),
    fc.record({
      attribute: fc.constantFrom('a', 'b'),
      operator: fc.constantFrom('REGEX_MATCH', 'NOT_REGEX_MATCH'),
      value: fc.constantFrom('^Eng', '(?i)sales$', "(?'d'\\d+)-\\d", '\\bx\\b', '.'),
    }),
    fc.record({ attribute: fc.constantFrom('a', 'b'), operator: fc.constantFrom('&', '!&'), value: fc.bigInt().map(String) }),
    fc.record({
      attribute: fc.constantFrom('a', 'b'),
      operator: fc.constantFrom('GREATER_THAN', 'GREATER_THAN_OR_EQUALS'),
      value: fc.oneof(fc.bigInt().map(String), fc.constantFrom('2024-03-01', '1999-12-31T23:59:59.9999999+14:00')),
    }),
  );
  const filter = fc
    .array(fc.record({ clauses: fc.array(clause, { minLength: 1, maxLength: 4 }) }), { maxLength: 4 })
    .map((groups) => scopingFilterSchema.parse({ groups }));

  it('never throws, and its decision agrees with its groups', () => {
    fc.assert(
      fc.property(filter, fc.dictionary(fc.constantFrom('a', 'b', 'c'), sourceValue), (scope, source) => {
        const decision = evaluateScope(scope, source);
        expect(decision.inScope).toBe(scope.groups.length === 0 || decision.groups.some((group) => group.matched));
        for (const group of decision.groups) expect(group.matched).toBe(group.clauses.every((result) => result.matched));
        expect(decision.detail.startsWith(decision.inScope ? 'in scope: ' : 'out of scope: ')).toBe(true);
      }),
    );
  });

  it('gives IS NULL and IS NOT NULL opposite answers, and a negative operator false on every empty value', () => {
    fc.assert(
      fc.property(sourceValue, (actual) => {
        const isNull = evaluateClause({ attribute: 'a', operator: 'IS_NULL' }, actual).matched;
        expect(evaluateClause({ attribute: 'a', operator: 'IS_NOT_NULL' }, actual).matched).toBe(!isNull);
        if (isNull) expect(evaluateClause({ attribute: 'a', operator: 'NOT_EQUALS', value: 'x' }, actual).matched).toBe(false);
      }),
    );
  });
});
