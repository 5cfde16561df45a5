/** Target values and how they compare: what counts as empty, and equality that tolerates "True"/"False" strings. */

export type ScimScalar = string | number | boolean;

/** The value a target holds at one managed path: a scalar, or the scalars of a multi-valued attribute. */
export type TargetValue = ScimScalar | ScimScalar[];

export function isScalar(value: unknown): value is ScimScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
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

/**
 * Whether a target value equals a desired one. Strings compare exactly; a boolean on either side
 * compares as a boolean (so `"False"` equals `false`); a number on either side compares as a
 * number; multi-valued values compare as multisets; empty values are all equal.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const unmatched = [...b];
    return a.every((item) => {
      const index = unmatched.findIndex((candidate) => sameValue(item, candidate));
      if (index < 0) return false;
      unmatched.splice(index, 1);
      return true;
    });
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return toBoolean(a) !== undefined && toBoolean(a) === toBoolean(b);
  if (typeof a === 'number' || typeof b === 'number') return toNumber(a) !== undefined && toNumber(a) === toNumber(b);
  return a === b;
}
