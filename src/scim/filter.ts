/** SCIM filter expressions (RFC 7644 §3.4.2.2) built from matching attributes and source values. */
import { ProvisioningError } from '../errors/index';

/** A value a filter may compare with: strings are quoted, booleans and numbers are not. */
export type FilterValue = string | number | boolean;

/**
 * An attribute path as RFC 7644 §3.10 allows it in a filter: `ATTRNAME` or `ATTRNAME.subAttr`,
 * optionally prefixed by a schema URN (`urn:...:User:employeeNumber`).
 */
const ATTRIBUTE_PATH = /^(?:urn:[A-Za-z0-9][A-Za-z0-9.:_-]*:)?[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?$/;

/** True when `attribute` is a plain SCIM attribute path, safe to put into a filter unescaped. */
export function isAttributePath(attribute: string): boolean {
  return ATTRIBUTE_PATH.test(attribute);
}

/**
 * Builds an equality filter. The value is written as a JSON literal, which is the SCIM
 * `compValue` grammar, so quotes, backslashes and control characters in it cannot end the
 * string early or add clauses.
 *
 * @example eqFilter('userName', 'a"b') // => 'userName eq "a\\"b"'
 * @example eqFilter('active', true)    // => 'active eq true'
 */
export function eqFilter(attribute: string, value: FilterValue): string {
  if (!isAttributePath(attribute)) {
    throw new ProvisioningError({
      kind: 'configuration',
      code: 'InvalidConfiguration',
      message: `not a SCIM attribute path for a filter: ${JSON.stringify(attribute)}`,
    });
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ProvisioningError({
      kind: 'permanent',
      code: 'BadRequest',
      message: `cannot filter ${attribute} on the non-finite number ${value}`,
    });
  }
  return `${attribute} eq ${JSON.stringify(value)}`;
}
