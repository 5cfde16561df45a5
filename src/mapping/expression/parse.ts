/**
 * Parsing and validating an expression: syntax (peggy), then every call against the function
 * catalogue, then the checks that can be made on literal arguments before any data is seen.
 */
import type { Argument, CallNode, Expression } from './ast';
import { expressionFunction, similarFunction, type ExpressionFunction } from './catalogue';
import { describeFound, ExpressionError } from './errors';
import { expressionParser } from './grammar';
import { DATE_INTERVALS, DATE_TIME_STYLES } from './dates';
import { RANDOM_STRING_MAX_LENGTH } from './text';
import { compilePattern, replaceMode } from './replace';

/** Entra's limit on an expression's length, in characters. */
export const MAX_EXPRESSION_LENGTH = 10_000;
/** How deeply calls may nest; far beyond any real mapping, and it keeps evaluation's stack bounded. */
export const MAX_NESTING = 100;

const COMPARE_TYPES = ['vbBinaryCompare', 'vbTextCompare'];

interface PeggyError {
  location: { start: { offset: number } };
  expected: { type: string; text?: string; description?: string }[] | null;
  found: string | null;
}

function isPeggyError(error: unknown): error is PeggyError {
  return typeof error === 'object' && error !== null && 'location' in error && 'expected' in error;
}

/** Orders what was expected: punctuation first, then described tokens, each once, whitespace left out. */
function expectations(error: PeggyError): string[] {
  const literals: string[] = [];
  const others: string[] = [];
  for (const item of error.expected ?? []) {
    if (item.type === 'literal' && item.text !== undefined) literals.push(JSON.stringify(item.text));
    else if (item.type === 'end') others.push('the end of the expression');
    else if (item.type === 'other' && item.description !== undefined && item.description !== 'whitespace') others.push(item.description);
  }
  return [...new Set([...literals, ...others])];
}

/** Rejects nesting beyond {@link MAX_NESTING} before the recursive parser sees it. */
function checkNesting(text: string): void {
  let depth = 0;
  let inString = false;
  let inAttribute = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (inAttribute) {
      if (char === ']') inAttribute = false;
    } else if (char === '"') inString = true;
    else if (char === '[') inAttribute = true;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === '(' && ++depth > MAX_NESTING) {
      throw new ExpressionError({ text, position: index + 1, problem: `calls nest more than ${MAX_NESTING} deep` });
    }
  }
}

function syntax(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError({
      text,
      position: MAX_EXPRESSION_LENGTH + 1,
      expected: [`at most ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')} characters`],
      found: `${text.length.toLocaleString('en-US')} characters`,
    });
  }
  checkNesting(text);
  try {
    return expressionParser().parse(text) as Expression;
  } catch (error) {
    if (!isPeggyError(error)) throw error;
    const offset = error.location.start.offset;
    if (error.expected === null) throw new ExpressionError({ text, position: offset + 1, problem: (error as unknown as Error).message });
    throw new ExpressionError({ text, position: offset + 1, expected: expectations(error), found: describeFound(text, offset) });
  }
}

/** The parameter names of a signature: `Join(separator, source1, …)` → `separator`, `source1`. */
function parameterName(fn: ExpressionFunction, index: number): string {
  const params = fn.signature
    .slice(fn.signature.indexOf('(') + 1, -1)
    .split(',')
    .map((p) => p.trim());
  const name = params[index];
  return name === undefined || name === '…' ? `argument ${index + 1}` : name;
}

function literal(arg: Argument | undefined): string | number | undefined {
  if (arg?.type === 'string' || arg?.type === 'number') return arg.value;
  return undefined;
}

class Validator {
  constructor(readonly text: string) {}

  fail(at: { position: number }, problem: string, expected?: string[], found?: string): never {
    throw new ExpressionError({
      text: this.text,
      position: at.position,
      problem,
      ...(expected && { expected }),
      ...(found !== undefined && { found }),
    });
  }

  expression(node: Argument, topLevel: boolean, parent?: { fn: ExpressionFunction; index: number }): void {
    switch (node.type) {
      case 'call':
        return this.call(node, topLevel);
      case 'comparison':
        this.expression(node.left, false);
        this.expression(node.right, false);
        return;
      case 'name':
        if (parent?.fn.name === 'InStr' && parent.index === 3 && COMPARE_TYPES.includes(node.name)) return;
        if (expressionFunction(node.name) !== undefined)
          this.fail(node, `${node.name} is a function: call it as ${expressionFunction(node.name)!.signature}`);
        return this.fail(node, `unknown name "${node.name}": expected a function call, an [attribute], a "string" or a number`);
      case 'empty':
      case 'attribute':
      case 'string':
      case 'number':
        return;
    }
  }

  call(node: CallNode, topLevel: boolean): void {
    const fn = expressionFunction(node.name);
    if (fn === undefined) {
      const similar = similarFunction(node.name);
      const hint = similar ? ` (names are case-sensitive: did you mean ${similar.signature}?)` : '';
      this.fail(node, `unknown function "${node.name}"${hint}`);
    }
    const args = node.args.length === 1 && node.args[0]!.type === 'empty' ? [] : node.args;
    node.args = args;
    const count = args.length;
    if (count < fn.minArgs || (fn.maxArgs !== null && count > fn.maxArgs)) {
      const wanted =
        fn.maxArgs === null ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      this.fail(
        node,
        `${fn.signature} takes ${wanted} argument${wanted === '1' ? '' : 's'} but found ${count}`,
        [`${wanted} arguments`],
        `${count}`,
      );
    }
    if (fn.name === 'SelectUniqueValue' && !topLevel) {
      this.fail(node, 'SelectUniqueValue must be the whole expression: it cannot be nested in another call or comparison');
    }
    args.forEach((arg, index) => {
      if (arg.type === 'empty' && !fn.optionalArgs.includes(index)) {
        this.fail(
          arg,
          `${fn.name}: ${parameterName(fn, index)} cannot be left out`,
          ['a value'],
          describeFound(this.text, arg.position - 1),
        );
      }
      this.expression(arg, false, { fn, index });
    });
    this.literals(node, fn);
  }

  /** Checks that need only the literal arguments: caught when the mapping is saved, not on the first object. */
  literals(node: CallNode, fn: ExpressionFunction): void {
    const args = node.args;
    const at = (index: number) => args[index] ?? node;
    switch (fn.name) {
      case 'Switch':
        if (args.length % 2 !== 0)
          this.fail(node, `${fn.signature} takes keys and values in pairs, so an even number of arguments, but found ${args.length}`);
        return;
      case 'DateAdd':
      case 'DateDiff': {
        const interval = literal(args[0]);
        if (interval !== undefined && !DATE_INTERVALS.includes(String(interval))) {
          this.fail(
            at(0),
            `${fn.name}: interval must be one of ${DATE_INTERVALS.map((i) => `"${i}"`).join(', ')}`,
            DATE_INTERVALS.map((i) => `"${i}"`),
            JSON.stringify(String(interval)),
          );
        }
        return;
      }
      case 'Item': {
        const index = literal(args[1]);
        if (typeof index === 'number' && (index < 1 || !Number.isInteger(index)))
          this.fail(at(1), `Item: index is 1-based, so ${index} is not a position`);
        return;
      }
      case 'Mid': {
        const start = literal(args[1]);
        const length = literal(args[2]);
        if (typeof start === 'number' && (start < 1 || !Number.isInteger(start)))
          this.fail(at(1), `Mid: start is 1-based, so ${start} is not a position`);
        if (typeof length === 'number' && (length < 0 || !Number.isInteger(length)))
          this.fail(at(2), `Mid: length must be a whole number of at least 0, not ${length}`);
        return;
      }
      case 'ToLower':
      case 'ToUpper': {
        const culture = literal(args[1]);
        if (typeof culture === 'string' && culture !== '') {
          try {
            Intl.getCanonicalLocales(culture);
          } catch {
            this.fail(at(1), `${fn.name}: "${culture}" is not a culture name such as "en-US" or "tr-TR"`);
          }
        }
        return;
      }
      case 'FormatDateTime': {
        const styles = literal(args[1]);
        if (typeof styles === 'string') {
          for (const style of styles
            .split(/[,|]/)
            .map((s) => s.trim())
            .filter((s) => s !== '')) {
            if (!DATE_TIME_STYLES.includes(style))
              this.fail(at(1), `FormatDateTime: "${style}" is not a DateTimeStyles value (${DATE_TIME_STYLES.join(', ')})`);
          }
        }
        return;
      }
      case 'RandomString':
        return this.randomString(node, fn);
      case 'Replace':
        return this.replace(node);
      default:
        return;
    }
  }

  randomString(node: CallNode, fn: ExpressionFunction): void {
    const numbers = node.args.slice(0, 5).map(literal);
    numbers.forEach((value, index) => {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
        this.fail(node.args[index]!, `RandomString: ${parameterName(fn, index)} must be a whole number of at least 0`);
      }
    });
    const [length, ...minimums] = numbers;
    if (typeof length === 'number' && length > RANDOM_STRING_MAX_LENGTH)
      this.fail(node.args[0]!, `RandomString: length is at most ${RANDOM_STRING_MAX_LENGTH}, not ${length}`);
    if (typeof length === 'number' && minimums.every((m) => typeof m === 'number')) {
      const sum = minimums.reduce((a, b) => a + b, 0);
      if (sum > length) this.fail(node, `RandomString: length ${length} is less than the ${sum} characters the minimums ask for`);
    }
  }

  replace(node: CallNode): void {
    const present = node.args.map((arg) => arg.type !== 'empty');
    const mode = replaceMode(present);
    if (typeof mode === 'string' && mode.startsWith('!')) this.fail(node, `Replace: ${mode.slice(1)}`);
    const pattern = literal(node.args[2]);
    if (typeof pattern === 'string') {
      let groups: Record<string, number> = {};
      try {
        groups = compilePattern(pattern).namedGroups();
      } catch (error) {
        this.fail(node.args[2]!, `Replace: regexPattern is not a valid regular expression (${(error as Error).message})`);
      }
      const group = literal(node.args[3]);
      if (typeof group === 'string' && !(group in groups)) this.fail(node.args[3]!, `Replace: regexPattern has no group named "${group}"`);
    }
  }
}

/**
 * Parses an Entra attribute-mapping expression and checks every call against the function
 * catalogue.
 *
 * @throws ExpressionError (kind `configuration`) naming the position, what was expected and what was found.
 * @example parseExpression('Join(" ", [givenName], [surname])') // { type: 'call', name: 'Join', args: [...] }
 * @example parseExpression('Join(",", [a]])') // throws `at 14: expected ",", ")" or a comparison operator but found "]"`
 */
export function parseExpression(text: string): Expression {
  const expression = syntax(text);
  new Validator(text).expression(expression, true);
  sources.set(expression, text);
  return expression;
}

const sources = new WeakMap<Expression, string>();

/** The text an expression was parsed from ("" for a tree built by hand), for error line and column. */
export function expressionSource(expression: Expression): string {
  return sources.get(expression) ?? '';
}

/** Visits every node of an expression, depth first. */
export function walkExpression(node: Argument, visit: (node: Argument) => void): void {
  visit(node);
  if (node.type === 'call') for (const arg of node.args) walkExpression(arg, visit);
  else if (node.type === 'comparison') {
    walkExpression(node.left, visit);
    walkExpression(node.right, visit);
  }
}

/** The source attributes an expression reads (`[name]` references), each once, in order of appearance. */
export function expressionAttributes(expression: Expression): string[] {
  const names = new Set<string>();
  walkExpression(expression, (node) => {
    if (node.type === 'attribute') names.add(node.name);
  });
  return [...names];
}

/** Whether the expression calls the named function anywhere. */
export function callsFunction(expression: Expression, name: string): boolean {
  let found = false;
  walkExpression(expression, (node) => {
    if (node.type === 'call' && node.name === name) found = true;
  });
  return found;
}
