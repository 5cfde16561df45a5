import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceValue } from '../../source/index';
import { EXPRESSION_FUNCTIONS } from './catalogue';
import { ExpressionError } from './errors';
import { evaluateExpression } from './evaluate';
import { parseExpression } from './parse';

const context = { now: new Date('2024-01-01T00:00:00Z'), random: () => 0.5, operation: 'create' as const };
const ATTRIBUTES = ['mail', 'givenName', 'otherMails', 'flag', 'count', 'missing', 'empty', 'nothing'];
const SOURCE: Record<string, SourceValue> = {
  mail: 'ada@contoso.com',
  givenName: 'Zoë',
  otherMails: ['a@b', '', 'c@d'],
  flag: true,
  count: 3,
  empty: '',
  nothing: null,
};

/** Parses and evaluates; true for a value or an ExpressionError, any other exception fails the property. */
function parsesOrFailsWithPosition(text: string, source: Record<string, SourceValue> = SOURCE): boolean {
  try {
    evaluateExpression(parseExpression(text), source, context);
    return true;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    expect(error.position).toBeGreaterThanOrEqual(1);
    expect(error.position).toBeLessThanOrEqual(text.length + 1);
    expect(error.message).toMatch(/^at \d+: /);
    return true;
  }
}

/** Fragments of the language, so that random input gets past the first character often. */
const fragment = fc.oneof(
  fc.constantFrom(...EXPRESSION_FUNCTIONS.map((fn) => fn.name), '(', ')', ',', ' ', '[', ']', '"', '\\', '=', '<>', '>=', '&H', '-', '\n'),
  fc.constantFrom(...ATTRIBUTES.map((a) => `[${a}]`)),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 300 }).map(String),
);

describe('the parser never throws anything but an ExpressionError', () => {
  it('for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => parsesOrFailsWithPosition(text)),
      { numRuns: 2_000 },
    );
  });

  it('for arbitrary sequences of language fragments, evaluated against arbitrary sources', () => {
    const value: fc.Arbitrary<SourceValue> = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    const source = fc.dictionary(fc.constantFrom(...ATTRIBUTES), value);
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), source, (parts, attributes) =>
        parsesOrFailsWithPosition(parts.join(''), attributes),
      ),
      { numRuns: 3_000 },
    );
  });

  it('for input over the length limit or nested past the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.constantFrom('ToLower(', 'Join(",", ', 'IIF('), (depth, open) =>
        parsesOrFailsWithPosition(`${open.repeat(depth)}[mail]${')'.repeat(depth)}`),
      ),
      { numRuns: 200 },
    );
    expect(parsesOrFailsWithPosition('"'.repeat(10_001))).toBe(true);
  });
});

/** Well-formed expressions: calls with valid argument counts over literals, attributes and comparisons. */
const valid: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATTRIBUTES).map((a) => `[${a}]`),
    fc.string({ maxLength: 8 }).map((s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`),
    fc.integer({ min: 1, max: 20 }).map(String),
    fc.tuple(tie('expr'), fc.constantFrom('=', '<>', '<', '<=', '>', '>='), tie('expr')).map(([a, op, b]) => `CBool(${a} ${op} ${b})`),
    fc
      .tuple(
        fc.constantFrom(
          'Append',
          'Join',
          'Coalesce',
          'IIF',
          'Switch',
          'ToLower',
          'ToUpper',
          'PCase',
          'IsPresent',
          'IsNull',
          'CStr',
          'StripSpaces',
          'NormalizeDiacritics',
          'Count',
          'Not',
          'IgnoreFlowIfNullOrEmpty',
          'Left',
          'Word',
        ),
        fc.array(tie('expr'), { minLength: 6, maxLength: 6 }),
      )
      .map(([name, args]) => {
        const fn = EXPRESSION_FUNCTIONS.find((f) => f.name === name)!;
        // Repeating functions take all six; the others their required arguments (literal checks such as a culture name stay out).
        const count = fn.maxArgs === null && name !== 'Switch' ? args.length : fn.minArgs;
        return `${name}(${args.slice(0, count).join(', ')})`;
      }),
  ),
})).expr;

describe('generated valid expressions', () => {
  it('parse, and evaluate to a value or a positioned ExpressionError', () => {
    fc.assert(
      fc.property(valid, (text) => {
        const expression = parseExpression(text);
        expect(expression).toBeDefined();
        return parsesOrFailsWithPosition(text);
      }),
      { numRuns: 1_000 },
    );
  });
});
