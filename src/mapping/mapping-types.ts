/**
 * What each mapping type does: how it computes its value from a source object and which source
 * attributes it reads. A new mapping type (expressions) is one more entry here.
 */
import type { SourceObject, SourceValue } from '../source/index';
import type { AttributeMapping } from './schema';
import { isEmptyValue, toBoolean } from './values';
import { unmappableValue } from './errors';
import {
  callsFunction,
  expressionAttributes,
  isIgnoreFlow,
  isUniqueCandidates,
  parseExpression,
  type Expression,
  type ExpressionValue,
} from './expression/index';
import { evaluateWithContext } from './expression/evaluate';

export type Operation = 'create' | 'update';

export interface EvaluationContext {
  operation: Operation;
  /**
   * The current time, for expressions calling Now(). The pure core never reads a clock: an
   * expression that needs the time fails with a configuration error when it is missing.
   */
  now?: Date;
  /** Uniform numbers in [0, 1), for Guid() and RandomString(); required by expressions that call them. */
  random?: () => number;
}

/** A mapping's value: a source value, nothing, or an expression marker (ignore the flow; unique candidates). */
export type MappingValue = ExpressionValue;

interface MappingType<M extends AttributeMapping> {
  /** The mapping's value for the source object; undefined or null when it has none. */
  evaluate(mapping: M, source: SourceObject, context: EvaluationContext): MappingValue;
  /** The source attribute names the mapping reads (for Graph `$select`). */
  sourceAttributes(mapping: M): string[];
}

type MappingTypes = { [T in AttributeMapping['type']]: MappingType<Extract<AttributeMapping, { type: T }>> };

function invert(value: SourceValue, mapping: Extract<AttributeMapping, { type: 'direct' }>): boolean {
  const bool = toBoolean(value);
  if (bool === undefined)
    throw unmappableValue(
      `mapping to "${mapping.target}" inverts "${mapping.source}", which holds ${JSON.stringify(value)}, not a boolean`,
    );
  return !bool;
}

/** Parsed expressions by text: mappings are evaluated for every object of a cycle, parsed once. */
const parsed = new Map<string, Expression>();
const PARSED_LIMIT = 1_000;

function parsedExpression(text: string): Expression {
  let expression = parsed.get(text);
  if (expression === undefined) {
    expression = parseExpression(text);
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, expression);
  }
  return expression;
}

const mappingTypes: MappingTypes = {
  direct: {
    evaluate(mapping, source, context) {
      const value = source.attributes[mapping.source];
      if (isEmptyValue(value)) return context.operation === 'create' ? mapping.defaultValue : undefined;
      return mapping.invert ? invert(value, mapping) : value;
    },
    sourceAttributes: (mapping) => [mapping.source],
  },
  constant: {
    evaluate: (mapping) => mapping.value,
    sourceAttributes: () => [],
  },
  expression: {
    evaluate(mapping, source, context) {
      const value = evaluateWithContext(parsedExpression(mapping.expression), source.attributes, context);
      if (isIgnoreFlow(value) || isUniqueCandidates(value)) return value;
      if (isEmptyValue(value) && context.operation === 'create' && mapping.defaultValue !== undefined) return mapping.defaultValue;
      return value;
    },
    sourceAttributes: (mapping) => expressionAttributes(parsedExpression(mapping.expression)),
  },
  none: {
    evaluate: (mapping, _source, context) => (context.operation === 'create' ? mapping.defaultValue : undefined),
    sourceAttributes: () => [],
  },
};

function typeOf(mapping: AttributeMapping): MappingType<AttributeMapping> {
  // The table is keyed by the mapping's own discriminant, so the entry fits the mapping.
  return mappingTypes[mapping.type];
}

/** The value a mapping computes for a source object, before it is shaped for its target path. */
export function evaluateMapping(mapping: AttributeMapping, source: SourceObject, context: EvaluationContext): MappingValue {
  return typeOf(mapping).evaluate(mapping, source, context);
}

/**
 * The source attribute names a set of mappings reads, each once, in mapping order: what a
 * Graph read must `$select`.
 */
export function sourceAttributesOf(mappings: readonly AttributeMapping[]): string[] {
  return [...new Set(mappings.flatMap((mapping) => typeOf(mapping).sourceAttributes(mapping)))];
}

/** Whether the mapping's value must show as "[Redact]" in provisioning logs: an expression that calls Redact anywhere. */
export function mappingRedacts(mapping: AttributeMapping): boolean {
  return mapping.type === 'expression' && callsFunction(parsedExpression(mapping.expression), 'Redact');
}
