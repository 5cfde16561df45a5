/**
 * Entra's scoping-filter operators: one canonical name each (the synchronization-schema
 * spelling), the label the Entra portal shows, and how a typed name is recognised.
 */

/** Canonical operator names. */
export const SCOPING_OPERATORS = [
  'EQUALS',
  'NOT_EQUALS',
  'IS_TRUE',
  'IS_FALSE',
  'IS_NULL',
  'IS_NOT_NULL',
  'REGEX_MATCH',
  'NOT_REGEX_MATCH',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUALS',
  'INCLUDES',
  '&',
  '!&',
  'ENDS_WITH',
] as const;

export type ScopingOperator = (typeof SCOPING_OPERATORS)[number];

/** The portal's spelling, used in human-readable summaries. */
export const OPERATOR_LABELS: Record<ScopingOperator, string> = {
  EQUALS: 'EQUALS',
  NOT_EQUALS: 'NOT EQUALS',
  IS_TRUE: 'IS TRUE',
  IS_FALSE: 'IS FALSE',
  IS_NULL: 'IS NULL',
  IS_NOT_NULL: 'IS NOT NULL',
  REGEX_MATCH: 'REGEX MATCH',
  NOT_REGEX_MATCH: 'NOT REGEX MATCH',
  GREATER_THAN: 'Greater_Than',
  GREATER_THAN_OR_EQUALS: 'Greater_Than_OR_EQUALS',
  INCLUDES: 'Includes',
  '&': '&',
  '!&': '!&',
  ENDS_WITH: 'ENDS_WITH',
};

/** Operators that test the attribute alone and take no value. */
const UNARY: ReadonlySet<ScopingOperator> = new Set(['IS_TRUE', 'IS_FALSE', 'IS_NULL', 'IS_NOT_NULL']);

export function isUnary(operator: ScopingOperator): boolean {
  return UNARY.has(operator);
}

/**
 * The negative operators and the positive form each one negates. On a multi-valued attribute a
 * negative clause is true when no value satisfies the positive form (and at least one value
 * could be compared), rather than when some value fails it.
 */
export const NEGATED: Partial<Record<ScopingOperator, ScopingOperator>> = {
  NOT_EQUALS: 'EQUALS',
  NOT_REGEX_MATCH: 'REGEX_MATCH',
  '!&': '&',
};

/** Letter case and the separators between words (space, `_`, `-`) do not count. */
function squash(name: string): string {
  return name
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, '');
}

const BY_SQUASHED = new Map<string, ScopingOperator>(SCOPING_OPERATORS.map((operator) => [squash(operator), operator]));

/**
 * The canonical operator for a name as Entra's schema JSON or its portal spells it, in any
 * letter case and with spaces, underscores or hyphens between words; undefined when unknown.
 *
 * @example normaliseOperator('NOT REGEX MATCH') // 'NOT_REGEX_MATCH'
 * @example normaliseOperator('Greater_Than_OR_EQUALS') // 'GREATER_THAN_OR_EQUALS'
 */
export function normaliseOperator(name: string): ScopingOperator | undefined {
  return BY_SQUASHED.get(squash(name));
}
