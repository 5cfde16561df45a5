/** Target values and how they compare: what counts as empty, and equality that tolerates "True"/"False" strings. */

export type ScimScalar = string | number | boolean;

/**
 * One element of a multi-valued complex attribute, as a mapping writes it: sub-attribute names
 * to scalars, plain JSON (`{ value: 'admin', display: 'Admin', type: '...', primary: false }`).
 */
export type ScimComplexValue = { [subAttribute: string]: ScimScalar };

/**
 * The value a target holds at one managed path: a scalar, the scalars of a multi-valued
 * attribute, or the elements of a multi-valued complex attribute written whole (`roles`).
 */
export type TargetValue = ScimScalar | ScimScalar[] | ScimComplexValue[];

export function isScalar(value: unknown): value is ScimScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A plain object, not an array. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An element of a multi-valued complex attribute with its scalar sub-attributes only; empty
 * sub-attributes (null, "") are left out. Undefined when the value is not an object or keeps
 * no sub-attribute.
 */
export function toComplexValue(value: unknown): ScimComplexValue | undefined {
  if (!isObject(value)) return undefined;
  const complex: ScimComplexValue = {};
  for (const [name, item] of Object.entries(value)) if (isScalar(item) && item !== '') complex[name] = item;
  return Object.keys(complex).length > 0 ? complex : undefined;
}

/** Absent, null, the empty string and the empty array all mean "no value" (RFC 7643 §2.5 "unassigned"). */
export function isEmptyValue(value: unknown): value is undefined | null | '' | [] {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** A boolean, or a string spelling one in any case (`"True"` from legacy targets); undefined otherwise. */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    if (!Number.isNaN(number)) return number;
  }
  return undefined;
}

/** A sub-attribute of an object, whatever the case of its name (RFC 7643 §2.1). */
function subAttribute(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/**
 * Compares `a` with `b`. With `subset`, an object in `a` only has to hold the sub-attributes of
 * the object in `b` (what a target holds against what a mapping wants: the target may add
 * sub-attributes of its own); without, both must hold the same non-empty sub-attributes.
 */
function sameValues(a: unknown, b: unknown, subset: boolean): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const unmatched = [...a];
    return b.every((item) => {
      const index = unmatched.findIndex((candidate) => sameValues(candidate, item, subset));
      if (index < 0) return false;
      unmatched.splice(index, 1);
      return true;
    });
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const names = subset ? Object.keys(b) : [...Object.keys(a), ...Object.keys(b)];
    return names.every((name) => sameValues(subAttribute(a, name), subAttribute(b, name), subset));
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return toBoolean(a) !== undefined && toBoolean(a) === toBoolean(b);
  if (typeof a === 'number' || typeof b === 'number') return toNumber(a) !== undefined && toNumber(a) === toNumber(b);
  return a === b;
}

/**
 * Whether a target value equals a desired one. Strings compare exactly; a boolean on either side
 * compares as a boolean (so `"False"` equals `false`); a number on either side compares as a
 * number; multi-valued values compare as multisets; objects compare sub-attribute by
 * sub-attribute, names in any case; empty values are all equal.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return sameValues(a, b, false);
}

/**
 * Whether a target that holds `held` already holds `desired`: {@link sameValue}, except that
 * each element of a multi-valued complex attribute is compared on the sub-attributes the desired
 * element has. A target that adds `{ "$ref": ... }` to a role still holds the role; a target
 * that holds a role more or a role less does not hold the desired roles.
 *
 * @example holdsValue([{ value: 'admin', display: 'Admin', $ref: '...' }], [{ value: 'admin', display: 'Admin' }]) // true
 */
export function holdsValue(held: unknown, desired: unknown): boolean {
  return sameValues(held, desired, true);
}
