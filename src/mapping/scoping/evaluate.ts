/**
 * Evaluating scoping filters against a source object's attributes, clause by clause, with a
 * reason for every outcome (what on-demand provisioning and the preview show).
 *
 * Entra's rules, followed here:
 * - clauses in a group are ANDed, groups are ORed; no filter or no groups puts everything in scope;
 * - a clause on an empty value (absent, null, `""`, `[]`) is false, except IS NULL (true) and
 *   IS NOT NULL (false), and that includes the negative operators NOT EQUALS, NOT REGEX MATCH, `!&`;
 * - EQUALS, NOT EQUALS, Includes, ENDS_WITH and REGEX MATCH are case-sensitive (write `(?i)` at
 *   the start of a regex to ignore case); string comparisons are ordinal;
 * - REGEX MATCH searches anywhere in the value (.NET `Regex.IsMatch`); see `regex.ts`;
 * - Greater_Than(_OR_EQUALS) compare integers (`[+-]digits` strings or JSON integers, exact at any size);
 * - `&` is true when the attribute AND the value (a bit mask) is non-zero, so with a mask of
 *   several bits any one of them suffices; `!&` is true when it is zero.
 *
 * Beyond Entra:
 * - multi-valued attributes: a positive clause is true when any value satisfies it; a negative
 *   clause (NOT EQUALS, NOT REGEX MATCH, `!&`) is true when no value satisfies its positive form
 *   and at least one value could be compared (so NOT EQUALS "Sales" on ["HR", "Sales"] is false);
 *   empty items and items of the wrong type count for neither;
 * - dates: when a Greater_Than(_OR_EQUALS) value is an ISO-8601 date (`YYYY-MM-DD`, or a date-time
 *   `YYYY-MM-DDThh:mm[:ss[.fffffff]]` with `Z`, an offset, or none meaning UTC), the attribute is
 *   read as one and the instants compared; a date alone is midnight UTC. A value of digits only
 *   is always an integer;
 * - EQUALS on a boolean or number attribute compares as a boolean or number (`true` equals
 *   `"True"`, `5` equals `"5"`); string clauses read booleans as `True` / `False`.
 */
import type { SourceValue } from '../../source/index';
import { isEmptyValue, sameValue, toBoolean } from '../values';
import { describeValue, isEmptyOperand, looksLikeDate, parseIsoDate, toInteger, toText } from './operands';
import { NEGATED, OPERATOR_LABELS, type ScopingOperator } from './operators';
import { compileDotNetRegex } from '../regex';
import type { ScopingClause, ScopingFilter } from './schema';

export interface ClauseResult {
  attribute: string;
  operator: ScopingOperator;
  /** The clause's value; absent for the unary operators. */
  value?: string;
  /** The source attribute's value; undefined when the object has no such attribute. */
  actual: SourceValue | undefined;
  matched: boolean;
  why: string;
}

export interface GroupResult {
  name?: string;
  /** All clauses matched. */
  matched: boolean;
  clauses: ClauseResult[];
}

export interface FilterDecision {
  inScope: boolean;
  /** One line for logs and the preview, e.g. `in scope: group 1 matched (department EQUALS "Sales")`. */
  detail: string;
  groups: GroupResult[];
}

/**
 * Decides whether a source object is in scope, clause by clause. Every clause is evaluated
 * (no short cut) so that the result explains each one. Never throws for a filter that passed
 * the scoping schema.
 *
 * @example
 * evaluateScope({ groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] }, { department: 'Sales' })
 * // { inScope: true, detail: 'in scope: group 1 matched (department EQUALS "Sales")', groups: [...] }
 */
export function evaluateScope(filter: ScopingFilter | null | undefined, source: Record<string, SourceValue>): FilterDecision {
  if (filter === null || filter === undefined || filter.groups.length === 0) {
    return { inScope: true, detail: 'in scope: no scoping filter', groups: [] };
  }
  const groups = filter.groups.map((group): GroupResult => {
    const clauses = group.clauses.map((clause) =>
      evaluateClause(clause, Object.hasOwn(source, clause.attribute) ? source[clause.attribute] : undefined),
    );
    const matched = clauses.every((clause) => clause.matched);
    return group.name === undefined ? { matched, clauses } : { name: group.name, matched, clauses };
  });
  const inScope = groups.some((group) => group.matched);
  return { inScope, detail: summarise(inScope, groups), groups };
}

/** One clause against the attribute's value. */
export function evaluateClause(clause: ScopingClause, actual: SourceValue | undefined): ClauseResult {
  const base =
    clause.value === undefined
      ? { attribute: clause.attribute, operator: clause.operator, actual }
      : { attribute: clause.attribute, operator: clause.operator, value: clause.value, actual };
  return { ...base, ...decide(clause, actual) };
}

type Outcome = { result: 'match' | 'no-match' | 'incomparable'; why: string };

function decide(clause: ScopingClause, actual: SourceValue | undefined): { matched: boolean; why: string } {
  const empty = isEmptyOperand(actual);
  if (clause.operator === 'IS_NULL') return { matched: empty, why: `${describeValue(actual)} ${empty ? 'is' : 'is not'} empty` };
  if (clause.operator === 'IS_NOT_NULL') return { matched: !empty, why: `${describeValue(actual)} ${empty ? 'is' : 'is not'} empty` };
  if (empty) return { matched: false, why: `${describeValue(actual)} is empty, and a clause on an empty value is false` };

  const negated = NEGATED[clause.operator];
  const positive = negated ?? clause.operator;
  const items = Array.isArray(actual) ? actual : [actual!];
  const outcomes = items.map((item) => test(positive, item, clause.value ?? ''));
  const firstMatch = outcomes.findIndex((outcome) => outcome.result === 'match');
  const comparable = outcomes.some((outcome) => outcome.result !== 'incomparable');
  const matched = negated === undefined ? firstMatch >= 0 : firstMatch < 0 && comparable;

  if (!Array.isArray(actual)) return { matched, why: outcomes[0]!.why };
  if (firstMatch >= 0) return { matched, why: `value ${firstMatch + 1} of ${items.length}: ${outcomes[firstMatch]!.why}` };
  const shown = outcomes.slice(0, 3).map((outcome) => outcome.why);
  const more = outcomes.length > 3 ? `; and ${outcomes.length - 3} more` : '';
  const verdict = comparable ? `no value of ${items.length} matches` : `none of ${items.length} values can be compared`;
  return { matched, why: `${verdict}: ${shown.join('; ')}${more}` };
}

/** The positive form of an operator against one (non-list) value. */
function test(operator: ScopingOperator, item: SourceValue, value: string): Outcome {
  const shown = describeValue(item);
  const quoted = JSON.stringify(value);
  if (isEmptyValue(item)) return { result: 'incomparable', why: `${shown} is empty` };
  if (typeof item === 'object')
    return { result: 'incomparable', why: `${shown} is ${Array.isArray(item) ? 'a list' : 'an object'}, not a single value` };
  const outcome = (yes: boolean, ifYes: string, ifNo: string): Outcome => ({
    result: yes ? 'match' : 'no-match',
    why: `${shown} ${yes ? ifYes : ifNo}`,
  });

  switch (operator) {
    case 'EQUALS':
      return outcome(sameValue(item, value), `equals ${quoted}`, `does not equal ${quoted}`);
    case 'IS_TRUE':
    case 'IS_FALSE': {
      const bool = toBoolean(item);
      if (bool === undefined) return { result: 'incomparable', why: `${shown} is not a boolean` };
      const wanted = operator === 'IS_TRUE';
      return outcome(bool === wanted, `is ${wanted}`, `is not ${wanted}`);
    }
    case 'REGEX_MATCH': {
      const compiled = compileDotNetRegex(value);
      if (!compiled.ok) return { result: 'incomparable', why: `regex ${quoted} does not compile: ${compiled.problem}` };
      return outcome(compiled.regex.test(toText(item)!), `matches ${quoted}`, `does not match ${quoted}`);
    }
    case 'INCLUDES':
      return outcome(toText(item)!.includes(value), `includes ${quoted}`, `does not include ${quoted}`);
    case 'ENDS_WITH':
      return outcome(toText(item)!.endsWith(value), `ends with ${quoted}`, `does not end with ${quoted}`);
    case '&': {
      const mask = toInteger(value);
      const number = toInteger(item);
      if (mask === undefined) return { result: 'incomparable', why: `the mask ${quoted} is not an integer` };
      if (number === undefined) return { result: 'incomparable', why: `${shown} is not an integer` };
      const and = number & mask;
      return { result: and !== 0n ? 'match' : 'no-match', why: `${number} & ${mask} = ${and}` };
    }
    case 'GREATER_THAN':
    case 'GREATER_THAN_OR_EQUALS':
      return compare(operator === 'GREATER_THAN_OR_EQUALS', item, value);
    default:
      return { result: 'incomparable', why: `unknown operator ${JSON.stringify(operator)}` };
  }
}

/** Greater_Than(_OR_EQUALS): integers when the value is an integer, instants when it is a date. */
function compare(orEqual: boolean, item: string | number | boolean, value: string): Outcome {
  const shown = describeValue(item);
  const quoted = JSON.stringify(value);
  const relation = orEqual ? 'greater than or equal to' : 'greater than';
  const wanted = toInteger(value);
  let left: bigint | undefined;
  let right: bigint | undefined;
  if (wanted !== undefined) {
    left = toInteger(item);
    right = wanted;
    if (left === undefined) return { result: 'incomparable', why: `${shown} is not an integer` };
  } else if (looksLikeDate(value)) {
    const date = parseIsoDate(value);
    if ('problem' in date) return { result: 'incomparable', why: `invalid date value ${quoted}: ${date.problem}` };
    const parsed = typeof item === 'string' ? parseIsoDate(item) : undefined;
    if (parsed === undefined || 'problem' in parsed) return { result: 'incomparable', why: `${shown} is not an ISO-8601 date` };
    left = parsed.ticks;
    right = date.ticks;
  } else {
    return { result: 'incomparable', why: `${quoted} is neither an integer nor an ISO-8601 date` };
  }
  const yes = orEqual ? left >= right : left > right;
  return {
    result: yes ? 'match' : 'no-match',
    why: `${shown} is ${yes ? '' : 'not '}${relation} ${wanted === undefined ? quoted : value}`,
  };
}

function clauseLabel(clause: ClauseResult): string {
  const value = clause.value === undefined ? '' : ` ${describeValue(clause.value)}`;
  return `${clause.attribute} ${OPERATOR_LABELS[clause.operator] ?? clause.operator}${value}`;
}

const GROUPS_SHOWN = 5;

function summarise(inScope: boolean, groups: GroupResult[]): string {
  if (inScope) {
    const matchedAt = groups.flatMap((group, index) => (group.matched ? [index + 1] : []));
    const first = groups[matchedAt[0]! - 1]!;
    const others = matchedAt.slice(1);
    const also = others.length === 0 ? '' : `; ${others.length === 1 ? 'group' : 'groups'} ${others.join(', ')} also matched`;
    return `in scope: group ${matchedAt[0]} matched (${first.clauses.map(clauseLabel).join(', ')})${also}`;
  }
  const parts = groups.slice(0, GROUPS_SHOWN).map((group, index) => {
    const failed = group.clauses.filter((clause) => !clause.matched);
    const first = failed[0]!;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more false ${failed.length === 2 ? 'clause' : 'clauses'})` : '';
    return `group ${index + 1}: ${clauseLabel(first)} was false (${describeValue(first.actual)})${more}`;
  });
  const hidden = groups.length > GROUPS_SHOWN ? `; and ${groups.length - GROUPS_SHOWN} more groups` : '';
  return `out of scope: no group matched; ${parts.join('; ')}${hidden}`;
}
