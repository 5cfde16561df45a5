/**
 * Entra ID's attribute-mapping expression language: parse (with positioned errors), validate
 * against the function catalogue, evaluate against a source object. Pure: no I/O, and the clock
 * and random source come from the caller.
 */
export type {
  Argument,
  AttributeNode,
  CallNode,
  ComparisonNode,
  ComparisonOperator,
  EmptyNode,
  Expression,
  NameNode,
  NumberNode,
  StringNode,
} from './ast';
export { EXPRESSION_FUNCTIONS, expressionFunction, type ExpressionFunction } from './catalogue';
export { ExpressionError } from './errors';
export { parseExpression, expressionAttributes, callsFunction, walkExpression, MAX_EXPRESSION_LENGTH, MAX_NESTING } from './parse';
export { evaluateExpression, type ExpressionContext } from './evaluate';
export { IGNORE_FLOW, IgnoreFlow, UniqueCandidates, isIgnoreFlow, isUniqueCandidates, type ExpressionValue } from './values';
export type { AppRoleAssignmentValue } from './app-roles';
