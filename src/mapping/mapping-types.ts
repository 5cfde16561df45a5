/**
 * What each mapping type does: how it computes its value from a source object and which source
 * attributes it reads. A new mapping type (expressions) is one more entry here.
 */
import type { SourceObject, SourceValue } from '../source/index';
import type { AttributeMapping } from './schema';
import { isEmptyValue, toBoolean } from './values';
import { unmappableValue } from './errors';

export type Operation = 'create' | 'update';

export interface EvaluationContext {
  operation: Operation;
}

interface MappingType<M extends AttributeMapping> {
  /** The mapping's value for the source object; undefined or null when it has none. */
  evaluate(mapping: M, source: SourceObject, context: EvaluationContext): SourceValue | undefined;
  /** The source attribute names the mapping reads (for Graph `$select`). */
  sourceAttributes(mapping: M): string[];
}

type MappingTypes = { [T in AttributeMapping['type']]: MappingType<Extract<AttributeMapping, { type: T }>> };

function invert(value: SourceValue, mapping: Extract<AttributeMapping, { type: 'direct' }>): boolean {
  const bool = toBoolean(value);
  if (bool === undefined) throw unmappableValue(`mapping to "${mapping.target}" inverts "${mapping.source}", which holds ${JSON.stringify(value)}, not a boolean`);
  return !bool;
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
};

function typeOf(mapping: AttributeMapping): MappingType<AttributeMapping> {
  // The table is keyed by the mapping's own discriminant, so the entry fits the mapping.
  return mappingTypes[mapping.type] as MappingType<AttributeMapping>;
}

/** The value a mapping computes for a source object, before it is shaped for its target path. */
export function evaluateMapping(mapping: AttributeMapping, source: SourceObject, context: EvaluationContext): SourceValue | undefined {
  return typeOf(mapping).evaluate(mapping, source, context);
}

/**
 * The source attribute names a set of mappings reads, each once, in mapping order: what a
 * Graph read must `$select`.
 */
export function sourceAttributesOf(mappings: readonly AttributeMapping[]): string[] {
  return [...new Set(mappings.flatMap((mapping) => typeOf(mapping).sourceAttributes(mapping)))];
}
