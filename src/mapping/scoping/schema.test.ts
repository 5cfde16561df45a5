import { describe, expect, it } from 'vitest';
import { evaluateScope } from './evaluate';
import { entraScopeSchema, scopingFilter, scopingFilterInputSchema, scopingFilterSchema } from './schema';

function issues(
  schema: { safeParse(input: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } },
  input: unknown,
) {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error!.issues.map(({ path, message }) => ({ path, message }));
}

const one = (clause: Record<string, unknown>) => ({ groups: [{ clauses: [clause] }] });

describe('scopingFilterSchema', () => {
  it('normalises every spelling of every operator to one', () => {
    const spellings: Array<[string, string]> = [
      ['EQUALS', 'EQUALS'],
      ['equals', 'EQUALS'],
      ['NOT EQUALS', 'NOT_EQUALS'],
      ['NOT_EQUALS', 'NOT_EQUALS'],
      ['IS TRUE', 'IS_TRUE'],
      ['IS_FALSE', 'IS_FALSE'],
      ['IS NULL', 'IS_NULL'],
      ['IS NOT NULL', 'IS_NOT_NULL'],
      ['REGEX MATCH', 'REGEX_MATCH'],
      ['NOT REGEX MATCH', 'NOT_REGEX_MATCH'],
      ['Greater_Than', 'GREATER_THAN'],
      ['GREATER_THAN', 'GREATER_THAN'],
      ['Greater_Than_OR_EQUALS', 'GREATER_THAN_OR_EQUALS'],
      ['Includes', 'INCLUDES'],
      ['INCLUDES', 'INCLUDES'],
      ['&', '&'],
      ['!&', '!&'],
      ['ENDS_WITH', 'ENDS_WITH'],
      ['  ends with ', 'ENDS_WITH'],
    ];
    for (const [spelling, canonical] of spellings) {
      const unary = canonical.startsWith('IS_');
      const clause = {
        attribute: 'a',
        operator: spelling,
        ...(unary ? {} : { value: canonical.includes('&') || canonical.startsWith('GREATER') ? '1' : 'x' }),
      };
      expect(scopingFilterSchema.parse(one(clause)).groups[0]!.clauses[0]!.operator, spelling).toBe(canonical);
    }
  });

  it('keeps values as written and turns numbers and booleans into text', () => {
    const filter = scopingFilterSchema.parse({
      groups: [
        {
          name: 'Sales',
          clauses: [
            { attribute: ' department ', operator: 'EQUALS', value: ' Sales ' },
            { attribute: 'employeeId', operator: 'Greater_Than', value: 1000 },
            { attribute: 'dirSyncEnabled', operator: 'EQUALS', value: true },
            { attribute: 'jobTitle', operator: 'IS NOT NULL', value: '' },
          ],
        },
      ],
    });
    expect(filter).toEqual({
      groups: [
        {
          name: 'Sales',
          clauses: [
            { attribute: 'department', operator: 'EQUALS', value: ' Sales ' },
            { attribute: 'employeeId', operator: 'GREATER_THAN', value: '1000' },
            { attribute: 'dirSyncEnabled', operator: 'EQUALS', value: 'true' },
            { attribute: 'jobTitle', operator: 'IS_NOT_NULL' },
          ],
        },
      ],
    });
  });

  it('accepts no groups', () => {
    expect(scopingFilterSchema.parse({ groups: [] })).toEqual({ groups: [] });
  });

  it.each<[string, unknown, Array<{ path: PropertyKey[]; message: string }>]>([
    [
      'unknown operator',
      one({ attribute: 'a', operator: 'CONTAINS', value: 'x' }),
      [
        {
          path: ['groups', 0, 'clauses', 0, 'operator'],
          message:
            'unknown operator "CONTAINS": use one of EQUALS, NOT_EQUALS, IS_TRUE, IS_FALSE, IS_NULL, IS_NOT_NULL, REGEX_MATCH, NOT_REGEX_MATCH, GREATER_THAN, GREATER_THAN_OR_EQUALS, INCLUDES, &, !&, ENDS_WITH (any letter case; spaces or underscores between words, so the portal\'s "NOT EQUALS" or "Greater_Than" work too)',
        },
      ],
    ],
    [
      'missing value',
      one({ attribute: 'a', operator: 'EQUALS' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'EQUALS needs a value' }],
    ],
    [
      'empty value',
      one({ attribute: 'a', operator: 'REGEX MATCH', value: '' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'REGEX MATCH needs a value' }],
    ],
    [
      'value on a unary operator',
      one({ attribute: 'a', operator: 'IS_TRUE', value: 'false' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'IS TRUE takes no value (got "false")' }],
    ],
    [
      'regex that does not compile',
      one({ attribute: 'a', operator: 'REGEX_MATCH', value: '(unclosed' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'regex "(unclosed" does not compile: missing closing ): `(unclosed`' }],
    ],
    [
      '.NET construct without an RE2 counterpart',
      one({ attribute: 'a', operator: 'NOT REGEX MATCH', value: '(?>a+)b' }),
      [
        {
          path: ['groups', 0, 'clauses', 0, 'value'],
          message:
            'regex "(?>a+)b" does not compile: atomic groups (?>...) are not supported: patterns run on a linear-time engine (RE2), which cannot match it',
        },
      ],
    ],
    [
      'non-integer bit mask',
      one({ attribute: 'a', operator: '&', value: '0x2' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: '& needs an integer value (a bit mask such as 2), got "0x2"' }],
    ],
    [
      'decimal bit mask',
      one({ attribute: 'a', operator: '!&', value: 2.5 }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: '!& needs an integer value (a bit mask such as 2), got "2.5"' }],
    ],
    [
      'non-integer Greater_Than',
      one({ attribute: 'a', operator: 'Greater_Than', value: '10.5' }),
      [
        {
          path: ['groups', 0, 'clauses', 0, 'value'],
          message: 'Greater_Than needs an integer or an ISO-8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ), got "10.5"',
        },
      ],
    ],
    [
      'invalid date',
      one({ attribute: 'a', operator: 'GREATER_THAN_OR_EQUALS', value: '2023-02-29' }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'invalid date value "2023-02-29": February 2023 has no day 29' }],
    ],
    [
      'malformed date-time',
      one({ attribute: 'a', operator: 'GREATER_THAN', value: '2024-01-01 10:00' }),
      [
        {
          path: ['groups', 0, 'clauses', 0, 'value'],
          message: 'invalid date value "2024-01-01 10:00": expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fffffff]][Z|±hh:mm]',
        },
      ],
    ],
    [
      'value too long',
      one({ attribute: 'a', operator: 'EQUALS', value: 'x'.repeat(1001) }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'value is 1001 characters long; at most 1000 are allowed' }],
    ],
    [
      'blank attribute',
      one({ attribute: '  ', operator: 'IS NULL' }),
      [{ path: ['groups', 0, 'clauses', 0, 'attribute'], message: 'attribute must name a source attribute' }],
    ],
    [
      'value of the wrong type',
      one({ attribute: 'a', operator: 'EQUALS', value: ['x'] }),
      [{ path: ['groups', 0, 'clauses', 0, 'value'], message: 'value must be a string, a number or a boolean' }],
    ],
    ['empty group', { groups: [{ clauses: [] }] }, [{ path: ['groups', 0, 'clauses'], message: 'a group needs at least one clause' }]],
    [
      'too many clauses',
      { groups: [{ clauses: Array.from({ length: 51 }, () => ({ attribute: 'a', operator: 'IS NULL' })) }] },
      [{ path: ['groups', 0, 'clauses'], message: 'a group holds at most 50 clauses' }],
    ],
    [
      'too many groups',
      { groups: Array.from({ length: 51 }, () => ({ clauses: [{ attribute: 'a', operator: 'IS NULL' }] })) },
      [{ path: ['groups'], message: 'a scoping filter holds at most 50 groups' }],
    ],
    [
      'several problems, each at its own path',
      {
        groups: [
          { clauses: [{ attribute: 'a', operator: 'IS NULL' }] },
          {
            clauses: [
              { attribute: 'b', operator: 'EQUALS' },
              { attribute: 'c', operator: 'Greater_Than', value: 'x' },
            ],
          },
        ],
      },
      [
        { path: ['groups', 1, 'clauses', 0, 'value'], message: 'EQUALS needs a value' },
        {
          path: ['groups', 1, 'clauses', 1, 'value'],
          message: 'Greater_Than needs an integer or an ISO-8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ), got "x"',
        },
      ],
    ],
  ])('rejects %s', (_name, input, expected) => {
    expect(issues(scopingFilterSchema, input)).toEqual(expected);
  });

  it('rejects unknown keys, which are usually typos', () => {
    expect(issues(scopingFilterSchema, one({ attribute: 'a', operator: 'EQUALS', vaule: 'x' }))).toEqual([
      { path: ['groups', 0, 'clauses', 0], message: 'Unrecognized key: "vaule"' },
      { path: ['groups', 0, 'clauses', 0, 'value'], message: 'EQUALS needs a value' },
    ]);
  });
});

/** A scope as Entra's synchronization schema holds it (`objectMapping.scope`). */
const entraScope = {
  categoryFilterGroups: [],
  groups: [
    {
      name: 'New York Engineering',
      clauses: [
        { operatorName: 'EQUALS', sourceOperandName: 'city', targetOperand: { values: ['New York'] } },
        { operatorName: 'EQUALS', sourceOperandName: 'department', targetOperand: { values: ['Engineering'] } },
        { operatorName: 'REGEX MATCH', sourceOperandName: 'employeeId', targetOperand: { values: ['(1[0-9][0-9][0-9][0-9][0-9][0-9])'] } },
        { operatorName: 'IS NOT NULL', sourceOperandName: 'jobTitle', targetOperand: { values: [] } },
      ],
    },
  ],
  inputFilterGroups: [],
};

describe('entraScopeSchema', () => {
  it('converts an Entra scope into scimflow groups', () => {
    expect(entraScopeSchema.parse(entraScope)).toEqual({
      groups: [
        {
          name: 'New York Engineering',
          clauses: [
            { attribute: 'city', operator: 'EQUALS', value: 'New York' },
            { attribute: 'department', operator: 'EQUALS', value: 'Engineering' },
            { attribute: 'employeeId', operator: 'REGEX_MATCH', value: '(1[0-9][0-9][0-9][0-9][0-9][0-9])' },
            { attribute: 'jobTitle', operator: 'IS_NOT_NULL' },
          ],
        },
      ],
    });
  });

  it('accepts the schema spellings and the @odata.type keys Graph adds', () => {
    const filter = entraScopeSchema.parse({
      groups: [
        {
          '@odata.type': 'microsoft.graph.filterGroup',
          name: null,
          clauses: [
            {
              '@odata.type': 'microsoft.graph.filterClause',
              operatorName: 'NOT_EQUALS',
              sourceOperandName: 'dirSyncEnabled',
              targetOperand: { '@odata.type': 'microsoft.graph.filterOperand', values: ['True'] },
            },
            { operatorName: 'IS_TRUE', sourceOperandName: 'accountEnabled', targetOperand: { values: ['true'] } },
            { operatorName: 'IS_FALSE', sourceOperandName: 'isGuest', targetOperand: null },
            { operatorName: 'GREATER_THAN_OR_EQUALS', sourceOperandName: 'level', targetOperand: { values: ['3'] } },
          ],
        },
      ],
    });
    expect(filter).toEqual({
      groups: [
        {
          clauses: [
            { attribute: 'dirSyncEnabled', operator: 'NOT_EQUALS', value: 'True' },
            { attribute: 'accountEnabled', operator: 'IS_TRUE' },
            { attribute: 'isGuest', operator: 'IS_FALSE' },
            { attribute: 'level', operator: 'GREATER_THAN_OR_EQUALS', value: '3' },
          ],
        },
      ],
    });
  });

  it('takes inputFilterGroups alone as the groups', () => {
    const only = {
      inputFilterGroups: [
        { name: 'Active', clauses: [{ operatorName: 'EQUALS', sourceOperandName: 'Active', targetOperand: { values: ['1'] } }] },
      ],
    };
    expect(entraScopeSchema.parse(only)).toEqual({
      groups: [{ name: 'Active', clauses: [{ attribute: 'Active', operator: 'EQUALS', value: '1' }] }],
    });
  });

  it('requires both groups and inputFilterGroups when both are set, pairing their groups', () => {
    const clause = (attribute: string, value: string) => ({
      operatorName: 'EQUALS',
      sourceOperandName: attribute,
      targetOperand: { values: [value] },
    });
    const filter = entraScopeSchema.parse({
      groups: [
        { name: 'Sales', clauses: [clause('department', 'Sales')] },
        { name: 'HR', clauses: [clause('department', 'HR')] },
      ],
      inputFilterGroups: [{ name: 'US', clauses: [clause('country', 'US')] }],
    });
    expect(filter.groups.map((group) => group.name)).toEqual(['Sales + US', 'HR + US']);
    expect(filter.groups[1]!.clauses).toEqual([
      { attribute: 'department', operator: 'EQUALS', value: 'HR' },
      { attribute: 'country', operator: 'EQUALS', value: 'US' },
    ]);
    expect(evaluateScope(filter, { department: 'HR', country: 'US' }).inScope).toBe(true);
    expect(evaluateScope(filter, { department: 'HR', country: 'FR' }).inScope).toBe(false);
    expect(evaluateScope(filter, { department: 'IT', country: 'US' }).inScope).toBe(false);
  });

  it.each<[string, unknown, Array<{ path: PropertyKey[]; message: string }>]>([
    [
      'unknown operator',
      { groups: [{ clauses: [{ operatorName: 'BETWEEN', sourceOperandName: 'a', targetOperand: { values: ['1'] } }] }] },
      [
        {
          path: ['groups', 0, 'clauses', 0, 'operatorName'],
          message: expect.stringMatching(/^unknown operator "BETWEEN": use one of EQUALS, /),
        },
      ],
    ],
    [
      'missing value',
      { inputFilterGroups: [{ clauses: [{ operatorName: 'ENDS_WITH', sourceOperandName: 'mail', targetOperand: { values: [] } }] }] },
      [{ path: ['inputFilterGroups', 0, 'clauses', 0, 'targetOperand', 'values', 0], message: 'ENDS_WITH needs a value' }],
    ],
    [
      'regex that does not compile',
      { groups: [{ clauses: [{ operatorName: 'REGEX_MATCH', sourceOperandName: 'upn', targetOperand: { values: ['[a-'] } }] }] },
      [
        {
          path: ['groups', 0, 'clauses', 0, 'targetOperand', 'values', 0],
          message: 'regex "[a-" does not compile: a character class [ is not closed with ]',
        },
      ],
    ],
    [
      'several values in one clause',
      { groups: [{ clauses: [{ operatorName: 'EQUALS', sourceOperandName: 'a', targetOperand: { values: ['x', 'y'] } }] }] },
      [
        {
          path: ['groups', 0, 'clauses', 0, 'targetOperand', 'values'],
          message: 'a clause takes one value, this one has 2: write one clause per value (in separate groups to OR them)',
        },
      ],
    ],
    [
      'missing source operand',
      { groups: [{ clauses: [{ operatorName: 'IS NULL', targetOperand: { values: [] } }] }] },
      [{ path: ['groups', 0, 'clauses', 0, 'sourceOperandName'], message: 'attribute must be a string naming a source attribute' }],
    ],
    [
      'category filter groups',
      { groups: [], categoryFilterGroups: [{ clauses: [] }] },
      [
        {
          path: ['categoryFilterGroups'],
          message: 'categoryFilterGroups (experimental in Entra) are not supported: move the clauses to groups',
        },
      ],
    ],
    [
      'a pairing beyond the group limit',
      {
        groups: Array.from({ length: 8 }, () => ({ clauses: [{ operatorName: 'IS NULL', sourceOperandName: 'a' }] })),
        inputFilterGroups: Array.from({ length: 7 }, () => ({ clauses: [{ operatorName: 'IS NULL', sourceOperandName: 'b' }] })),
      },
      [{ path: [], message: 'groups (8) and inputFilterGroups (7) combine into 56 groups; at most 50 are allowed' }],
    ],
    [
      'a pairing beyond the clause limit',
      {
        groups: [{ clauses: Array.from({ length: 30 }, () => ({ operatorName: 'IS NULL', sourceOperandName: 'a' })) }],
        inputFilterGroups: [{ clauses: Array.from({ length: 21 }, () => ({ operatorName: 'IS NULL', sourceOperandName: 'b' })) }],
      },
      [{ path: [], message: 'combined group 1 holds 51 clauses; at most 50 are allowed' }],
    ],
  ])('rejects %s, naming the Entra path', (_name, input, expected) => {
    expect(issues(entraScopeSchema, input)).toEqual(expected);
  });
});

describe('scopingFilterInputSchema', () => {
  it('accepts both shapes', () => {
    expect(scopingFilterInputSchema.parse(entraScope)).toEqual(entraScopeSchema.parse(entraScope));
    const ours = one({ attribute: 'a', operator: 'IS NULL' });
    expect(scopingFilterInputSchema.parse(ours)).toEqual(scopingFilterSchema.parse(ours));
  });

  it('recognises Entra clauses under groups alone', () => {
    const input = {
      groups: [{ clauses: [{ operatorName: 'Includes', sourceOperandName: 'department', targetOperand: { values: ['Sales'] } }] }],
    };
    expect(scopingFilterInputSchema.parse(input)).toEqual({
      groups: [{ clauses: [{ attribute: 'department', operator: 'INCLUDES', value: 'Sales' }] }],
    });
  });

  it('reports paths in the shape that was given, under wherever the schema sits', () => {
    const entra = {
      inputFilterGroups: [{ clauses: [{ operatorName: '&', sourceOperandName: 'flags', targetOperand: { values: ['two'] } }] }],
    };
    expect(issues(scopingFilterInputSchema, entra)).toEqual([
      {
        path: ['inputFilterGroups', 0, 'clauses', 0, 'targetOperand', 'values', 0],
        message: '& needs an integer value (a bit mask such as 2), got "two"',
      },
    ]);
    expect(issues(scopingFilterInputSchema, one({ attribute: 'flags', operator: '&', value: 'two' }))).toEqual([
      { path: ['groups', 0, 'clauses', 0, 'value'], message: '& needs an integer value (a bit mask such as 2), got "two"' },
    ]);
  });

  it('is what scopingFilter() gives with acceptEntraSchema, and otherwise our shape only', () => {
    expect(scopingFilter({ acceptEntraSchema: true }).safeParse(entraScope).success).toBe(true);
    expect(scopingFilter().safeParse(entraScope).success).toBe(false);
    expect(scopingFilter().parse(one({ attribute: 'a', operator: 'IS NULL' }))).toEqual({
      groups: [{ clauses: [{ attribute: 'a', operator: 'IS_NULL' }] }],
    });
  });
});
