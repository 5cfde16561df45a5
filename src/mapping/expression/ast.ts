/**
 * The syntax tree of an attribute-mapping expression. Every node records where it starts
 * (`position`, 1-based character offset) and how long it is, so that errors can point at it.
 */

interface Located {
  /** 1-based character offset of the node's first character. */
  position: number;
  /** Number of characters the node spans. */
  length: number;
}

/** `Join(",", [givenName], [surname])` */
export interface CallNode extends Located {
  type: 'call';
  name: string;
  /** Positional arguments; a left-out one (`Replace([x], , "a", …)`) is an `empty` node. */
  args: Argument[];
}

/** `[attributeName]`: a source attribute, named case-sensitively. */
export interface AttributeNode extends Located {
  type: 'attribute';
  name: string;
}

/** `"text"` with `\"` and `\\` unescaped. */
export interface StringNode extends Located {
  type: 'string';
  value: string;
}

/** `7`, `-10`, `1.5` or the VBA hexadecimal form `&HF7`. */
export interface NumberNode extends Located {
  type: 'number';
  value: number;
  /** The literal as written, for values beyond double precision (`DateFromNum(129699324000000000)`). */
  text: string;
}

/** A bare name that is not a call: the VBA constants `vbTextCompare` and `vbBinaryCompare`. */
export interface NameNode extends Located {
  type: 'name';
  name: string;
}

export type ComparisonOperator = '=' | '<>' | '>' | '>=' | '<' | '<=';

/** `[country] = "USA"`: valid wherever a value is, typically in `IIF` and `CBool`. */
export interface ComparisonNode extends Located {
  type: 'comparison';
  operator: ComparisonOperator;
  left: Expression;
  right: Expression;
}

/** A left-out positional argument. */
export interface EmptyNode extends Located {
  type: 'empty';
}

export type Expression = CallNode | AttributeNode | StringNode | NumberNode | NameNode | ComparisonNode;
export type Argument = Expression | EmptyNode;
