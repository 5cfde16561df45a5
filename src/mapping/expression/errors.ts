/**
 * The one error the expression language raises. A parse or validation error is a configuration
 * problem (the mapping must be fixed); an evaluation error on one source object's data (CDate
 * on text that is no date) fails that object only, like any value a mapping cannot carry.
 */
import { ProvisioningError, type ErrorCode, type ErrorKind } from '../../errors/index';

export interface ExpressionErrorInit {
  /** The expression text, to compute line and column from. */
  text: string;
  /** 1-based character offset of the problem. */
  position: number;
  /** What would have been valid there, e.g. `","`, `")"`. Empty for errors that are not about syntax. */
  expected?: string[];
  /** What is there instead, e.g. `"]"` or `the end of the expression`. */
  found?: string;
  /** The problem in words; built from `expected` and `found` when absent. */
  problem?: string;
  /** `configuration` (default) for a bad expression, `permanent` for source data it cannot handle. */
  kind?: ErrorKind;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * A positioned expression error: `at 14: expected "," or ")" but found "]"`.
 * `position` is the 1-based character offset; `line` and `column` are 1-based too.
 */
export class ExpressionError extends ProvisioningError {
  readonly position: number;
  readonly line: number;
  readonly column: number;
  readonly expected: string[];
  readonly found: string | undefined;
  readonly problem: string;

  constructor(init: ExpressionErrorInit) {
    const expected = init.expected ?? [];
    const problem = init.problem ?? `expected ${list(expected)} but found ${init.found ?? 'nothing'}`;
    const kind = init.kind ?? 'configuration';
    const code: ErrorCode = kind === 'configuration' ? 'InvalidConfiguration' : 'UnprocessableEntity';
    super({ kind, code, message: `at ${init.position}: ${problem}` });
    this.name = 'ExpressionError';
    const before = init.text.slice(0, Math.max(0, init.position - 1)).split(/\r\n|\r|\n/);
    this.position = init.position;
    this.line = before.length;
    this.column = (before[before.length - 1]?.length ?? 0) + 1;
    this.expected = expected;
    this.found = init.found;
    this.problem = problem;
  }
}

/** How a piece of input reads in an error message: `"]"`, or `the end of the expression`. */
export function describeFound(text: string, offset: number): string {
  const char = text.codePointAt(offset);
  if (char === undefined) return 'the end of the expression';
  return JSON.stringify(String.fromCodePoint(char));
}
