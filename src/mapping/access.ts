/** Reading and writing one path of a SCIM resource, matching attribute names case-insensitively. */
import type { ScimResource } from '../scim/types';
import { ProvisioningError } from '../errors/index';
import { formatPath, parsePath, type AttributePath, type ValueFilter } from './path';
import { sameValue } from './values';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPath(path: AttributePath | string): AttributePath {
  return typeof path === 'string' ? parsePath(path) : path;
}

function mergeInto(object: JsonObject, value: unknown): void {
  if (isObject(value)) Object.entries(value).forEach(([name, item]) => write(object, name, item));
}

/** The key an object uses for an attribute name, whatever its case; undefined when it has none. */
function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

function read(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/** Writes under the object's existing spelling of the name, or the given spelling for a new attribute. */
function write(object: JsonObject, name: string, value: unknown): void {
  object[findKey(object, name) ?? name] = value;
}

/**
 * Whether an element of a multi-valued attribute matches a value filter. Two strings compare
 * case-insensitively (`type` values are not case-exact, RFC 7643 §4.1.2); otherwise as
 * {@link sameValue}, so `primary eq "True"` matches `primary: true`.
 */
function matchesFilter(element: JsonObject, filter: ValueFilter): boolean {
  const value = read(element, filter.attribute);
  if (typeof value === 'string' && typeof filter.value === 'string') return value.toLowerCase() === filter.value.toLowerCase();
  return sameValue(value, filter.value);
}

/**
 * The element a filtered path appends when no element matches: the filter's comparison plus
 * the value, `{ type: "work", value }` (or plus the object's attributes, for a path without a
 * sub-attribute).
 */
function newElement(path: AttributePath & { filter: ValueFilter }, value: unknown): JsonObject {
  const element: JsonObject = { [path.filter.attribute]: path.filter.value };
  if (path.subAttribute !== undefined) element[path.subAttribute] = value;
  else mergeInto(element, value);
  return element;
}

/** The object holding the path's attribute: the resource, or its extension object `resource[urn]`. */
function holderOf(resource: ScimResource, path: AttributePath): JsonObject | undefined {
  if (path.schema === undefined) return resource;
  const extension = read(resource, path.schema);
  return isObject(extension) ? extension : undefined;
}

/**
 * The value at a path, undefined when there is none. A filtered path reads the first matching
 * element; a sub-attribute of a multi-valued attribute without a filter reads every element's.
 *
 * @example getValue(user, 'emails[type eq "work"].value') // 'ada@example.com'
 */
export function getValue(resource: ScimResource, target: AttributePath | string): unknown {
  const path = asPath(target);
  const holder = holderOf(resource, path);
  if (holder === undefined) return undefined;
  const value = read(holder, path.attribute);
  const { filter, subAttribute } = path;
  if (filter !== undefined) {
    const element = Array.isArray(value) ? value.find((item) => isObject(item) && matchesFilter(item, filter)) : undefined;
    if (!isObject(element)) return undefined;
    return subAttribute === undefined ? element : read(element, subAttribute);
  }
  if (subAttribute === undefined) return value;
  if (Array.isArray(value))
    return value
      .filter(isObject)
      .map((element) => read(element, subAttribute))
      .filter((item) => item !== undefined);
  return isObject(value) ? read(value, subAttribute) : undefined;
}

/** Adds a schema URN to `resource.schemas` unless it is there already (in any case). */
function addSchema(resource: ScimResource, schema: string): void {
  const lower = schema.toLowerCase();
  if (!resource.schemas.some((known) => known.toLowerCase() === lower)) resource.schemas.push(schema);
}

/**
 * Writes a value at a path, in place. A filtered path writes into the matching element or
 * appends {@link newElement}; an extension path writes into `resource[urn]` and adds the URN
 * to `schemas`. A filtered path without a sub-attribute merges an object value into the element.
 */
export function setValue(resource: ScimResource, target: AttributePath | string, value: unknown): void {
  const path = asPath(target);
  let holder: JsonObject = resource;
  if (path.schema !== undefined) {
    holder = holderOf(resource, path) ?? {};
    write(resource, path.schema, holder);
    addSchema(resource, path.schema);
  }
  const { filter, subAttribute } = path;
  if (filter !== undefined) {
    if (subAttribute === undefined && !isObject(value)) {
      throw new ProvisioningError({
        kind: 'configuration',
        code: 'InvalidConfiguration',
        message: `path "${formatPath(path)}" selects a whole element: name a sub-attribute such as ".value"`,
      });
    }
    const current = read(holder, path.attribute);
    const elements = Array.isArray(current) ? current : [];
    write(holder, path.attribute, elements);
    const element = elements.find((item): item is JsonObject => isObject(item) && matchesFilter(item, filter));
    if (element === undefined) elements.push(newElement({ ...path, filter }, value));
    else if (subAttribute !== undefined) write(element, subAttribute, value);
    else mergeInto(element, value);
    return;
  }
  if (subAttribute === undefined) return write(holder, path.attribute, value);
  const current = read(holder, path.attribute);
  const complex = isObject(current) ? current : {};
  write(holder, path.attribute, complex);
  write(complex, subAttribute, value);
}
