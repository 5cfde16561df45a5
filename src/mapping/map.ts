/** Turns a source object into the target resource and the managed values its mappings produce. */
import type { SourceObject, SourceValue } from '../source/index';
import { SCHEMA_USER, type ScimResource } from '../scim/types';
import type { AttributeMapping } from './schema';
import { setValue } from './access';
import { unmappableValue } from './errors';
import { evaluateMapping, mappingRedacts, type EvaluationContext } from './mapping-types';
import { isIgnoreFlow, isUniqueCandidates } from './expression/index';
import { formatPath, parsePath, type AttributePath } from './path';
import { isEmptyValue, isScalar, toComplexValue, type ScimScalar, type TargetValue } from './values';

/**
 * What a mapping asks of one target path: hold this value, or hold none (`clearWhenEmpty`). A
 * list of complex values (`roles` from AppRoleAssignmentsComplex) is one value: the whole set
 * of elements the attribute holds.
 */
export type MappedValue = { kind: 'value'; value: TargetValue } | { kind: 'clear' };

/** A value to look the target account up by, from a mapping with a `matchingPrecedence`. */
export interface MatchingValue {
  /** Formatted target path, e.g. `userName`. */
  path: string;
  value: ScimScalar;
}

/**
 * How to map: the operation, and for expressions the caller's clock (`now`, for Now()) and
 * random source (`random`, for Guid() and RandomString()). Expressions that need either fail
 * with a configuration error when it is missing; nothing here reads a clock of its own.
 */
export interface MapOptions extends EvaluationContext {
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
  /**
   * SelectUniqueValue mappings (create only): formatted target path → candidate values in order.
   * The path is in neither `resource` nor `values`: reconcile picks the first candidate the
   * target does not hold and adds it with {@link withUniqueValue}. An empty list means no rule gave a value.
   */
  unique: Map<string, string[]>;
  /** Paths whose values are written to the target but shown as "[Redact]" in provisioning logs (expressions calling Redact). */
  redacted: Set<string>;
  /**
   * On update, values of "none" mappings with a `defaultValue`: to be written only where the
   * target holds no value (Entra's "None" type). On create they are in `values` already.
   */
  defaults: Map<string, TargetValue>;
}

/**
 * Shapes an evaluated value for its target path. Empty values (absent, null, "", []) give none.
 * A multi-valued source gives its values as an array, except into a single value slot (a
 * filtered or sub-attribute path), where it must hold exactly one value. A list of objects of
 * scalars (AppRoleAssignmentsComplex) gives the elements of a multi-valued complex attribute,
 * written whole: only to a path without filter or sub-attribute (`roles`).
 */
function toTargetValue(value: SourceValue | undefined, mapping: AttributeMapping, path: AttributePath): TargetValue | undefined {
  if (isEmptyValue(value)) return undefined;
  if (isScalar(value)) return value;
  const what =
    mapping.type === 'direct'
      ? `source attribute "${mapping.source}"`
      : mapping.type === 'expression'
        ? `the expression ${JSON.stringify(mapping.expression)}`
        : 'the mapping';
  if (!Array.isArray(value)) throw unmappableValue(`${what} holds an object, which cannot be written to "${mapping.target}"`);
  const values = value.filter((item) => !isEmptyValue(item));
  if (values.length === 0) return undefined;
  const wholeAttribute = path.filter === undefined && path.subAttribute === undefined;
  if (values.every(isScalar)) {
    if (wholeAttribute) return values;
    if (values.length === 1) return values[0];
    throw unmappableValue(`${what} holds ${values.length} values but "${mapping.target}" holds one`);
  }
  if (!wholeAttribute || !values.every(isComplexElement)) {
    throw unmappableValue(
      `${what} holds objects, which cannot be written to "${mapping.target}"${wholeAttribute ? '' : ': name the multi-valued attribute itself, such as "roles"'}`,
    );
  }
  const elements = values.map(toComplexValue).filter((element) => element !== undefined);
  return elements.length === 0 ? undefined : elements;
}

/** An object whose sub-attributes are all scalars or empty: an element {@link toTargetValue} can write. */
function isComplexElement(value: SourceValue): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => isScalar(item) || isEmptyValue(item))
  );
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
  const unique = new Map<string, string[]>();
  const redacted = new Set<string>();
  const defaults = new Map<string, TargetValue>();
  for (const mapping of mappings) {
    const path = parsePath(mapping.target);
    const formatted = formatPath(path);
    if (mapping.type === 'none' && options.operation === 'update' && mapping.defaultValue !== undefined)
      defaults.set(formatted, mapping.defaultValue);
    const evaluated = evaluateMapping(mapping, source, options);
    if (isIgnoreFlow(evaluated)) continue;
    if (isUniqueCandidates(evaluated)) {
      unique.set(formatted, [...evaluated.candidates]);
      continue;
    }
    if (mappingRedacts(mapping)) redacted.add(formatted);
    const value = toTargetValue(evaluated, mapping, path);
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
  return { resource, values, matching: matching.map(({ path, value }) => ({ path, value })), unique, redacted, defaults };
}

/**
 * The mapped target with the value reconcile chose for a SelectUniqueValue path: written to the
 * resource and the values, and no longer pending in `unique`. The input is left unchanged.
 *
 * @example withUniqueValue(mapped, 'userName', 'j.smith@contoso.com')
 */
export function withUniqueValue(mapped: MappedTarget, path: string, value: string): MappedTarget {
  const parsed = parsePath(path);
  const formatted = formatPath(parsed);
  const resource = structuredClone(mapped.resource);
  setValue(resource, parsed, value);
  const values = new Map(mapped.values).set(formatted, { kind: 'value', value });
  const unique = new Map(mapped.unique);
  unique.delete(formatted);
  return { ...mapped, resource, values, unique };
}

/** The values a target holds once `values` are applied: the state to remember (anchor) and diff against next time. */
export function exportedValues(values: ReadonlyMap<string, MappedValue>): Map<string, TargetValue> {
  const exported = new Map<string, TargetValue>();
  for (const [path, mapped] of values) if (mapped.kind === 'value') exported.set(path, mapped.value);
  return exported;
}
