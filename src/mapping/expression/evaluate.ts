/**
 * Evaluates a parsed expression against one source object. Pure and synchronous: the clock and
 * the random source come from the caller. Arguments are evaluated only when a function reads
 * them, so IIF, Switch and Coalesce never evaluate (or fail on) a branch they do not take.
 */
import type { SourceValue } from '../../source/index';
import type { ErrorKind } from '../../errors/index';
import type { Argument, CallNode, ComparisonNode, Expression } from './ast';
import { expressionFunction } from './catalogue';
import { formatDefault, parseDate } from './dates';
import { ExpressionError } from './errors';
import { FUNCTIONS } from './functions';
import { expressionSource } from './parse';
import { DateTimeValue, IGNORE_FLOW, IgnoreFlowSignal, isNull, UniqueCandidates, type ExpressionValue, type Value } from './values';

export interface ExpressionContext {
  /** The current time, for Now(). */
  now: Date;
  /** Uniform numbers in [0, 1) for Guid() and RandomString(); a call to either fails without it. */
  random?: () => number;
  /** SelectUniqueValue gives candidates on create only (nothing on update). */
  operation: 'create' | 'update';
}

/** What a function implementation sees of its call. */
export interface Call {
  readonly node: CallNode;
  readonly context: Readonly<Partial<ExpressionContext>>;
  /** How many arguments were written. */
  readonly count: number;
  /** Whether argument `index` is written and not left out. */
  given(index: number): boolean;
  /** The argument node, for literal forms (`vbTextCompare`, long numbers). */
  argument(index: number): Argument | undefined;
  /** The argument's value (undefined for a left-out one). */
  value(index: number): Value;
  /** The argument as text; null when null or absent. */
  text(index: number): string | null;
  /** The argument as a number; null when null, absent or "". */
  number(index: number): number | null;
  /** The argument as a whole number; null when null, absent or "". */
  integer(index: number): number | null;
  /** The argument as a date; null when null, absent or "". */
  date(index: number): number | null;
  /** The argument as a condition: true, false, or null when null or absent. */
  condition(index: number): boolean | null;
  /** Fails the call: `permanent` (this object's data) unless told otherwise. */
  fail(problem: string, kind?: ErrorKind): never;
}

/** Booleans as .NET writes them. */
function booleanText(value: boolean): string {
  return value ? 'True' : 'False';
}

function typeOf(value: Value): string {
  if (Array.isArray(value)) return `${value.length} value${value.length === 1 ? '' : 's'}`;
  if (value instanceof DateTimeValue) return `the date ${formatDefault(value.instant)}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return JSON.stringify(value) ?? 'nothing';
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function numeric(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return undefined;
}

class Evaluation {
  constructor(
    readonly text: string,
    readonly source: Readonly<Record<string, SourceValue>>,
    readonly context: Readonly<Partial<ExpressionContext>>,
  ) {}

  error(node: { position: number }, problem: string, kind: ErrorKind): ExpressionError {
    return new ExpressionError({ text: this.text, position: node.position, problem, kind });
  }

  evaluate(node: Argument): Value {
    switch (node.type) {
      case 'attribute':
        return Object.prototype.hasOwnProperty.call(this.source, node.name) ? this.source[node.name] : undefined;
      case 'string':
      case 'number':
        return node.value;
      case 'name':
        return node.name;
      case 'empty':
        return undefined;
      case 'comparison':
        return this.compare(node);
      case 'call':
        return this.call(node);
    }
  }

  call(node: CallNode): Value {
    const implementation = FUNCTIONS[node.name];
    const fn = expressionFunction(node.name);
    if (implementation === undefined || fn === undefined) throw this.error(node, `unknown function "${node.name}"`, 'configuration');
    return implementation(this.bind(node));
  }

  bind(node: CallNode): Call {
    // The call's closures evaluate arguments lazily, against this evaluation.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const evaluation = this;
    const name = node.name;
    const fn = expressionFunction(name)!;
    const params = fn.signature
      .slice(fn.signature.indexOf('(') + 1, -1)
      .split(',')
      .map((p) => p.trim());
    const param = (index: number) => (params[index] && params[index] !== '…' ? params[index] : `argument ${index + 1}`);
    const fail = (problem: string, kind: ErrorKind = 'permanent'): never => {
      throw evaluation.error(node, `${name}: ${problem}`, kind);
    };
    const text = (index: number): string | null => {
      const value = call.value(index);
      if (isNull(value)) return null;
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      if (typeof value === 'boolean') return booleanText(value);
      if (value instanceof DateTimeValue) return formatDefault(value.instant);
      if (Array.isArray(value))
        return fail(`${param(index)} holds ${typeOf(value)}, where one value is needed (pick one with Item, or use Join)`);
      return fail(`${param(index)} holds an object, where a single value is needed`);
    };
    const call: Call = {
      node,
      context: evaluation.context,
      count: node.args.length,
      given: (index) => node.args[index] !== undefined && node.args[index].type !== 'empty',
      argument: (index) => node.args[index],
      value(index) {
        const arg = node.args[index];
        return arg === undefined ? undefined : evaluation.evaluate(arg);
      },
      text,
      number(index) {
        const value = call.value(index);
        if (isNull(value) || value === '') return null;
        const number = numeric(value);
        return number ?? fail(`${param(index)} must be a number, not ${typeOf(value)}`);
      },
      integer(index) {
        const number = call.number(index);
        if (number !== null && !Number.isInteger(number)) fail(`${param(index)} must be a whole number, not ${number}`);
        return number;
      },
      date(index) {
        const value = call.value(index);
        if (isNull(value) || value === '') return null;
        if (value instanceof DateTimeValue) return value.instant;
        if (typeof value === 'string')
          return parseDate(value) ?? fail(`${param(index)} holds ${JSON.stringify(value)}, which is not a date`);
        return fail(`${param(index)} must be a date, not ${typeOf(value)}`);
      },
      condition(index) {
        const value = call.value(index);
        if (isNull(value)) return null;
        if (typeof value === 'boolean') return value;
        if (typeof value === 'number') return value !== 0;
        if (typeof value === 'string') {
          const lower = value.trim().toLowerCase();
          if (lower === 'true') return true;
          if (lower === 'false' || lower === '') return false;
          const number = numeric(value);
          if (number !== undefined) return number !== 0;
        }
        return fail(`${param(index)} must be true or false, not ${typeOf(value)}`);
      },
      fail,
    };
    return call;
  }

  /** `=` and `<>` for any two values; ordering for numbers, dates and text. Null and absent read as "". */
  compare(node: ComparisonNode): boolean {
    const read = (side: Expression): Value => {
      const value = this.evaluate(side);
      if (Array.isArray(value) || (typeof value === 'object' && value !== null && !(value instanceof DateTimeValue))) {
        throw this.error(side, `cannot compare ${typeOf(value)}: compare one value (pick one with Item)`, 'permanent');
      }
      return isNull(value) ? '' : value;
    };
    const left = read(node.left);
    const right = read(node.right);
    let order: number;
    const [leftNumber, rightNumber] = [numeric(left), numeric(right)];
    const leftDate = left instanceof DateTimeValue ? left.instant : undefined;
    const rightDate = right instanceof DateTimeValue ? right.instant : undefined;
    if (leftDate !== undefined || rightDate !== undefined) {
      const a = leftDate ?? (typeof left === 'string' ? parseDate(left) : undefined);
      const b = rightDate ?? (typeof right === 'string' ? parseDate(right) : undefined);
      if (a === undefined || b === undefined)
        throw this.error(node, `cannot compare a date with ${typeOf(a === undefined ? left : right)}`, 'permanent');
      order = a - b;
    } else if (leftNumber !== undefined && rightNumber !== undefined) {
      order = leftNumber - rightNumber;
    } else if (typeof left === 'boolean' || typeof right === 'boolean') {
      const text = (value: Value) => (typeof value === 'boolean' ? booleanText(value) : String(value)).toLowerCase();
      order = text(left) === text(right) ? 0 : text(left) < text(right) ? -1 : 1;
    } else {
      const [a, b] = [String(left), String(right)];
      order = a === b ? 0 : a < b ? -1 : 1;
    }
    switch (node.operator) {
      case '=':
        return order === 0;
      case '<>':
        return order !== 0;
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      case '>':
        return order > 0;
      case '>=':
        return order >= 0;
    }
  }
}

/** A value leaving the evaluation: dates are written the way Entra writes them. */
function finish(value: Value): SourceValue | undefined {
  if (value instanceof DateTimeValue) return formatDefault(value.instant);
  if (Array.isArray(value)) return value.map((item) => finish(item) ?? null);
  return value;
}

/** Evaluates with a context whose clock may be missing (the mapping module passes what its caller gave). */
export function evaluateWithContext(
  expression: Expression,
  source: Readonly<Record<string, SourceValue>>,
  context: Readonly<Partial<ExpressionContext>>,
): ExpressionValue {
  const evaluation = new Evaluation(expressionSource(expression), source, context);
  try {
    if (expression.type === 'call' && expression.name === 'SelectUniqueValue') {
      if (context.operation === 'update') return undefined;
      const call = evaluation.bind(expression);
      const candidates: string[] = [];
      for (let index = 0; index < call.count; index++) {
        const candidate = call.text(index);
        if (candidate !== null && candidate !== '' && !candidates.includes(candidate)) candidates.push(candidate);
      }
      return new UniqueCandidates(candidates);
    }
    return finish(evaluation.evaluate(expression));
  } catch (error) {
    if (error instanceof IgnoreFlowSignal) return IGNORE_FLOW;
    throw error;
  }
}

/**
 * Evaluates a parsed expression against a source object's attributes.
 *
 * @returns the value (undefined when there is none), {@link IGNORE_FLOW} when
 *   IgnoreFlowIfNullOrEmpty found nothing, or {@link UniqueCandidates} for SelectUniqueValue on create.
 * @throws ExpressionError positioned at the failing call: kind `permanent` for source data the
 *   expression cannot handle (CDate on text that is no date), `configuration` for a missing random source.
 * @example evaluateExpression(parseExpression('Append([userPrincipalName], ".test")'), { userPrincipalName: 'a@b' }, { now, operation: 'create' }) // 'a@b.test'
 */
export function evaluateExpression(
  expression: Expression,
  source: Readonly<Record<string, SourceValue>>,
  context: ExpressionContext,
): ExpressionValue {
  return evaluateWithContext(expression, source, context);
}
