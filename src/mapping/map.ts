/** Turns a source object into the target resource and the managed values its mappings produce. */
import type { SourceObject, SourceValue } from '../source/index';
import { SCHEMA_USER, type ScimResource } from '../scim/types';
import type { AttributeMapping } from './schema';
import { setValue } from './access';
import { unmappableValue } from './errors';
import { evaluateMapping, type Operation } from './mapping-types';
import { formatPath, parsePath, type AttributePath } from './path';
import { isEmptyValue, isScalar, type ScimScalar, type TargetValue } from './values';

/** What a mapping asks of one target path: hold this value, or hold none (`clearWhenEmpty`). */
export type MappedValue = { kind: 'value'; value: TargetValue } | { kind: 'clear' };

/** A value to look the target account up by, from a mapping with a `matchingPrecedence`. */
export interface MatchingValue {
  /** Formatted target path, e.g. `userName`. */
  path: string;
  value: ScimScalar;
}

export interface MapOptions {
  operation: Operation;
  /** The core schema of the resource; the SCIM core User by default. */
  coreSchema?: string;
}

export interface MappedTarget {
  /** The resource to create (or the desired state, for an update); `schemas` names the core schema and each extension a value was written to. */
  resource: ScimResource;
  /** Formatted target path → what the mappings ask of it; paths whose source is empty and not cleared are absent. */
  values: Map<string, MappedValue>;
  /** Matching values ordered by precedence, only those that are not empty. */
  matching: MatchingValue[];
}

/**
 * Shapes an evaluated value for its target path. Empty values (absent, null, "", []) give none.
 * A multi-valued source gives its values as an array, except into a single value slot (a
 * filtered or sub-attribute path), where it must hold exactly one value.
 */
function toTargetValue(value: SourceValue | undefined, mapping: AttributeMapping, path: AttributePath): TargetValue | undefined {
  if (isEmptyValue(value)) return undefined;
  if (isScalar(value)) return value;
  const what = mapping.type === 'direct' ? `source attribute "${mapping.source}"` : 'the mapping';
  if (!Array.isArray(value)) throw unmappableValue(`${what} holds an object, which cannot be written to "${mapping.target}"`);
  const values = value.filter((item) => !isEmptyValue(item));
  if (!values.every(isScalar)) throw unmappableValue(`${what} holds objects, which cannot be written to "${mapping.target}"`);
  if (values.length === 0) return undefined;
  if (path.filter === undefined && path.subAttribute === undefined) return values;
  if (values.length === 1) return values[0];
  throw unmappableValue(`${what} holds ${values.length} values but "${mapping.target}" holds one`);
}

/**
 * Applies attribute mappings to a source object. On `update`, mappings with `applyOn: 'create'`
 * are left out and `defaultValue`s are not used. Matching values ignore `applyOn`: an account
 * is looked up the same way whatever happens to it next.
 *
 * @example mapToTarget(user, DEFAULT_USER_MAPPINGS, { operation: 'create' }).resource
 * // { schemas: [core User, enterprise User], userName: 'ada@contoso.com', ... }
 */
export function mapToTarget(source: SourceObject, mappings: readonly AttributeMapping[], options: MapOptions): MappedTarget {
  const resource: ScimResource = { schemas: [options.coreSchema ?? SCHEMA_USER] };
  const values = new Map<string, MappedValue>();
  const matching: (MatchingValue & { precedence: number })[] = [];
  for (const mapping of mappings) {
    const path = parsePath(mapping.target);
    const formatted = formatPath(path);
    const value = toTargetValue(evaluateMapping(mapping, source, options), mapping, path);
    if (mapping.matchingPrecedence !== undefined && isScalar(value)) {
      matching.push({ precedence: mapping.matchingPrecedence, path: formatted, value });
    }
    if (options.operation === 'update' && mapping.applyOn === 'create') continue;
    if (value !== undefined) {
      setValue(resource, path, value);
      values.set(formatted, { kind: 'value', value });
    } else if (mapping.clearWhenEmpty) {
      values.set(formatted, { kind: 'clear' });
    }
  }
  matching.sort((a, b) => a.precedence - b.precedence);
  return { resource, values, matching: matching.map(({ path, value }) => ({ path, value })) };
}

/** The values a target holds once `values` are applied: the state to remember (anchor) and diff against next time. */
export function exportedValues(values: ReadonlyMap<string, MappedValue>): Map<string, TargetValue> {
  const exported = new Map<string, TargetValue>();
  for (const [path, mapped] of values) if (mapped.kind === 'value') exported.set(path, mapped.value);
  return exported;
}
