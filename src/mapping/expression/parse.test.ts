import { describe, expect, it } from 'vitest';
import type { Expression } from './ast';
import { EXPRESSION_FUNCTIONS } from './catalogue';
import { ExpressionError } from './errors';
import { callsFunction, expressionAttributes, MAX_EXPRESSION_LENGTH, parseExpression } from './parse';

function failure(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`${text} parsed`);
}

/** The tree without positions, to compare shapes. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'position' && key !== 'length')
      .map(([key, value]) => [key, shape(value)]),
  );
}

describe('parseExpression', () => {
  it.each<[string, unknown]>([
    ['[mail]', { type: 'attribute', name: 'mail' }],
    [
      '[extension_9d98ed114c4840d2a7ee9ab5a6b7e6ae_costCenter]',
      { type: 'attribute', name: 'extension_9d98ed114c4840d2a7ee9ab5a6b7e6ae_costCenter' },
    ],
    ['"Company name: \\"Contoso\\" \\\\ ok"', { type: 'string', value: 'Company name: "Contoso" \\ ok' }],
    ['"\\d stays"', { type: 'string', value: '\\d stays' }],
    ['Guid()', { type: 'call', name: 'Guid', args: [] }],
    [' Now( ) ', { type: 'call', name: 'Now', args: [] }],
    [
      'BitAnd(&HF, -10)',
      {
        type: 'call',
        name: 'BitAnd',
        args: [
          { type: 'number', value: 15, text: '&HF' },
          { type: 'number', value: -10, text: '-10' },
        ],
      },
    ],
    [
      'Replace([x], , "a", , "b", , )',
      {
        type: 'call',
        name: 'Replace',
        args: [
          { type: 'attribute', name: 'x' },
          { type: 'empty' },
          { type: 'string', value: 'a' },
          { type: 'empty' },
          { type: 'string', value: 'b' },
          { type: 'empty' },
          { type: 'empty' },
        ],
      },
    ],
    [
      'IIF([country]<>"USA",[country],[department])',
      {
        type: 'call',
        name: 'IIF',
        args: [
          { type: 'comparison', operator: '<>', left: { type: 'attribute', name: 'country' }, right: { type: 'string', value: 'USA' } },
          { type: 'attribute', name: 'country' },
          { type: 'attribute', name: 'department' },
        ],
      },
    ],
    [
      'InStr("a", "b", , vbTextCompare)',
      {
        type: 'call',
        name: 'InStr',
        args: [{ type: 'string', value: 'a' }, { type: 'string', value: 'b' }, { type: 'empty' }, { type: 'name', name: 'vbTextCompare' }],
      },
    ],
  ])('%s', (text, expected) => {
    expect(shape(parseExpression(text))).toEqual(expected);
  });

  it('parses expressions written over several lines', () => {
    const text = `Switch([Active], ,
  "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"),
  "0", "False")`;
    expect(expressionAttributes(parseExpression(text))).toEqual(['Active', 'StatusHireDate']);
  });

  it('records 1-based positions', () => {
    const call = parseExpression('Join(",", [a])') as Extract<Expression, { type: 'call' }>;
    expect(call.args.map((arg) => [arg.position, arg.length])).toEqual([
      [6, 3],
      [11, 3],
    ]);
  });
});

describe('parse errors', () => {
  it.each<[string, string, number, number, number]>([
    ['Join(",", [a]])', 'at 14: expected ",", ")" or a comparison operator but found "]"', 14, 1, 14],
    ['Join(",",\n [a]])', 'at 15: expected ",", ")" or a comparison operator but found "]"', 15, 2, 5],
    ['Append([a], "b"', 'at 16: expected ",", ")" or a comparison operator but found the end of the expression', 16, 1, 16],
    ['Append([a], "b)', 'at 13: the string that starts here is not closed with a quote', 13, 1, 13],
    ['[]', 'at 2: expected an attribute name but found "]"', 2, 1, 2],
    ['', 'at 1: expected "[", a function name, a string or a number but found the end of the expression', 1, 1, 1],
    ['Append([a] "b")', 'at 12: expected ",", ")" or a comparison operator but found "\\""', 12, 1, 12],
    ['[a] = = [b]', 'at 7: expected "[", a function name, a string or a number but found "="', 7, 1, 7],
    ['[a] [b]', 'at 5: expected a comparison operator or the end of the expression but found "["', 5, 1, 5],
    ['Appendd([a], "b")', 'at 1: unknown function "Appendd"', 1, 1, 1],
    ['append([a], "b")', 'at 1: unknown function "append" (names are case-sensitive: did you mean Append(source, suffix)?)', 1, 1, 1],
    ['Left("John Doe", 3, 4)', 'at 1: Left(string, numChars) takes 2 arguments but found 3', 1, 1, 1],
    ['Join(",")', 'at 1: Join(separator, source1, source2, …) takes at least 2 arguments but found 1', 1, 1, 1],
    ['Guid(1)', 'at 1: Guid() takes 0 arguments but found 1', 1, 1, 1],
    [
      'Replace([x], "a", "b")',
      'at 1: Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template) takes 7 arguments but found 3',
      1,
      1,
      1,
    ],
    ['Left(, 3)', 'at 6: Left: string cannot be left out', 6, 1, 6],
    ['Append("a", Now)', 'at 13: Now is a function: call it as Now()', 13, 1, 13],
    ['InStr("a", "b", 1, vbCompare)', 'at 20: unknown name "vbCompare"', 20, 1, 20],
    [
      'Switch([a], "d", "k")',
      'at 1: Switch(source, defaultValue, key1, value1, key2, value2, …) takes at least 4 arguments but found 3',
      1,
      1,
      1,
    ],
    [
      'Switch([a], "d", "k1", "v1", "k2")',
      'at 1: Switch(source, defaultValue, key1, value1, key2, value2, …) takes keys and values in pairs',
      1,
      1,
      1,
    ],
    ['Append(SelectUniqueValue([a], [b]), "x")', 'at 8: SelectUniqueValue must be the whole expression', 8, 1, 8],
    ['DateAdd("q", 1, Now())', 'at 9: DateAdd: interval must be one of "yyyy", "m", "d", "ww", "h", "n", "s"', 9, 1, 9],
    ['Item([proxyAddresses], 0)', 'at 24: Item: index is 1-based, so 0 is not a position', 24, 1, 24],
    ['Mid([a], 0, 2)', 'at 10: Mid: start is 1-based, so 0 is not a position', 10, 1, 10],
    ['Mid([a], 1, -2)', 'at 13: Mid: length must be a whole number of at least 0, not -2', 13, 1, 13],
    ['ToUpper([a], "not a culture!")', 'at 14: ToUpper: "not a culture!" is not a culture name', 14, 1, 14],
    ['FormatDateTime([d], "RoundTrip", "yyyy", "yyyy")', 'at 21: FormatDateTime: "RoundTrip" is not a DateTimeStyles value', 21, 1, 21],
    ['RandomString(300,1,1,1,1)', 'at 14: RandomString: length is at most 256, not 300', 14, 1, 14],
    ['RandomString(3,1,1,1,1)', 'at 1: RandomString: length 3 is less than the 4 characters the minimums ask for', 1, 1, 1],
    ['Replace([x], "a", "b", , "c", , )', 'at 1: Replace: give oldValue or regexPattern, not both', 1, 1, 1],
    ['Replace([x], "a", , , , , )', 'at 1: Replace: oldValue needs a replacementValue or a template', 1, 1, 1],
    [
      'Replace([x], , "(?<n>a)", "n", "b", [y], )',
      'at 1: Replace: with regexGroupName, give replacementValue or replacementAttributeName, not both',
      1,
      1,
      1,
    ],
    ['Replace([x], , "(a", , "b", , )', 'at 16: Replace: regexPattern is not a valid regular expression', 16, 1, 16],
    ['Replace([x], , "(?<n>a)", "m", "b", , )', 'at 27: Replace: regexPattern has no group named "m"', 27, 1, 27],
  ])('%j: %s', (text, message, position, line, column) => {
    const error = failure(text);
    expect(error.message).toContain(message);
    expect({ position: error.position, line: error.line, column: error.column }).toEqual({ position, line, column });
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
  });

  it('names what was expected and what was found', () => {
    const error = failure('Join(",", [a]])');
    expect(error.expected).toEqual(['","', '")"', 'a comparison operator']);
    expect(error.found).toBe('"]"');
  });

  it(`accepts ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')} characters and no more`, () => {
    const longest = `Append("${'x'.repeat(MAX_EXPRESSION_LENGTH - 14)}", "")`;
    expect(longest).toHaveLength(MAX_EXPRESSION_LENGTH);
    expect(() => parseExpression(longest)).not.toThrow();
    const error = failure(`${longest} `);
    expect(error.message).toBe('at 10001: expected at most 10,000 characters but found 10,001 characters');
  });

  it('rejects nesting deeper than 100 calls with a position', () => {
    const deep = `${'ToLower('.repeat(101)}[a]${')'.repeat(101)}`;
    expect(failure(deep)).toMatchObject({ position: 808, message: 'at 808: calls nest more than 100 deep' });
    expect(() => parseExpression(`${'ToLower('.repeat(100)}[a]${')'.repeat(100)}`)).not.toThrow();
  });
});

describe('expressionAttributes and callsFunction', () => {
  it('lists each [attribute] once, in order, case-sensitively', () => {
    const expression = parseExpression(
      'Replace([telephoneNumber], , "(?<p>\\\\d+)", "p", , [mobile], ) = Join("", [Mobile], [mobile], "[notAnAttribute]")',
    );
    expect(expressionAttributes(expression)).toEqual(['telephoneNumber', 'mobile', 'Mobile']);
    expect(callsFunction(expression, 'Join')).toBe(true);
    expect(callsFunction(expression, 'Redact')).toBe(false);
  });
});

describe('EXPRESSION_FUNCTIONS', () => {
  it('lists every function Microsoft documents, each with a signature naming it', () => {
    expect(EXPRESSION_FUNCTIONS.map((fn) => fn.name)).toEqual([
      'Append',
      'AppRoleAssignmentsComplex',
      'BitAnd',
      'CBool',
      'CDate',
      'Coalesce',
      'ConvertToBase64',
      'ConvertToUTF8Hex',
      'Count',
      'CStr',
      'DateAdd',
      'DateDiff',
      'DateFromNum',
      'FormatDateTime',
      'Guid',
      'IgnoreFlowIfNullOrEmpty',
      'IIF',
      'InStr',
      'IsNull',
      'IsNullOrEmpty',
      'IsPresent',
      'IsString',
      'Item',
      'Join',
      'Left',
      'Mid',
      'NormalizeDiacritics',
      'Not',
      'Now',
      'NumFromDate',
      'PCase',
      'RandomString',
      'Redact',
      'RemoveDuplicates',
      'Replace',
      'SelectUniqueValue',
      'SingleAppRoleAssignment',
      'Split',
      'StripSpaces',
      'Switch',
      'ToLower',
      'ToUpper',
      'Word',
    ]);
    for (const fn of EXPRESSION_FUNCTIONS) {
      expect(fn.signature.startsWith(`${fn.name}(`)).toBe(true);
      expect(fn.maxArgs === null || fn.maxArgs >= fn.minArgs).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(EXPRESSION_FUNCTIONS.find((fn) => fn.name === 'Join')))).toMatchObject({ minArgs: 2, maxArgs: null });
  });
});
