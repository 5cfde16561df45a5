/**
 * SCIM attribute paths as mapping targets and PATCH paths use them (RFC 7644 §3.5.2 PATH, the
 * subset with a single `eq` value filter): `userName`, `name.givenName`,
 * `emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:manager.value`.
 */
import { PathSyntaxError } from './errors';
import { toBoolean } from './values';

export type FilterValue = string | boolean | number;

/** `[attribute eq value]`: selects the elements of a multi-valued attribute. */
export interface ValueFilter {
  attribute: string;
  value: FilterValue;
}

/** A parsed path. Names keep the spelling they were written with; compare them with {@link pathKey}. */
export interface AttributePath {
  /** Extension schema URN (`resource[schema]` holds the attribute); absent for core attributes. */
  schema?: string;
  attribute: string;
  filter?: ValueFilter;
  subAttribute?: string;
}

const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:';
const SCHEMA_URN = /^urn:[a-z0-9][a-z0-9-]*(?::[^:\s[\]"]+)+$/i;
const NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)/;
const WORD = /^[^\s\]]+/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Reads a path left to right; every failure names the 1-based position it happened at. */
class PathReader {
  index = 0;

  constructor(readonly text: string) {}

  get current(): string | undefined {
    return this.text[this.index];
  }

  fail(problem: string, at: number = this.index): never {
    throw new PathSyntaxError(this.text, at + 1, problem);
  }

  found(): string {
    return this.current === undefined ? 'the end of the path' : `"${this.current}"`;
  }

  match(pattern: RegExp): string | undefined {
    const match = pattern.exec(this.text.slice(this.index));
    if (match) this.index += match[0].length;
    return match?.[0];
  }

  name(what: string): string {
    return this.match(NAME) ?? this.fail(`expected ${what}, found ${this.found()}`);
  }

  spaces(): number {
    return this.match(/^ +/)?.length ?? 0;
  }
}

/**
 * Parses a SCIM attribute path; throws a {@link PathSyntaxError} naming the position and the
 * problem. A core schema URN prefix (`urn:ietf:params:scim:schemas:core:2.0:User:userName`) is
 * dropped, an extension URN becomes `schema`.
 *
 * @example parsePath('emails[type eq "work"].value')
 * // { attribute: 'emails', filter: { attribute: 'type', value: 'work' }, subAttribute: 'value' }
 */
export function parsePath(text: string): AttributePath {
  const reader = new PathReader(text);
  if (text === '') reader.fail('the path is empty');
  const path: AttributePath = { attribute: '' };
  const schema = readSchema(reader);
  if (schema !== undefined && !schema.toLowerCase().startsWith(CORE_SCHEMA_PREFIX)) path.schema = schema;
  path.attribute = reader.name(schema === undefined ? 'an attribute name' : 'an attribute name after the schema URN');
  if (reader.current === '[') {
    reader.index += 1;
    path.filter = readFilter(reader);
  }
  if (reader.current === '.') {
    reader.index += 1;
    path.subAttribute = reader.name('a sub-attribute name after "."');
  }
  if (reader.current === '.') reader.fail('a path has at most one sub-attribute');
  if (reader.current === '[') reader.fail(path.filter ? 'a path has at most one filter' : 'a filter must follow the attribute name');
  if (reader.current !== undefined) reader.fail(`unexpected ${reader.found()}`);
  return path;
}

/** The URN before the attribute name: everything up to the last ":" ahead of any filter. */
function readSchema(reader: PathReader): string | undefined {
  if (!/^urn:/i.test(reader.text)) return undefined;
  const bracket = reader.text.indexOf('[');
  const end = reader.text.lastIndexOf(':', bracket < 0 ? reader.text.length : bracket);
  const schema = reader.text.slice(0, end);
  if (!SCHEMA_URN.test(schema))
    reader.fail('expected a schema URN such as "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" before the attribute name', 0);
  reader.index = end + 1;
  return schema;
}

function readFilter(reader: PathReader): ValueFilter {
  reader.spaces();
  const attribute = reader.name('a filter attribute name after "["');
  if (reader.spaces() === 0) reader.fail(`expected a space after "${attribute}", found ${reader.found()}`);
  const operatorAt = reader.index;
  const operator = reader.match(/^[A-Za-z]+/) ?? reader.fail(`expected the operator "eq", found ${reader.found()}`);
  if (operator.toLowerCase() !== 'eq') reader.fail(`only the "eq" operator is supported in a path filter, found "${operator}"`, operatorAt);
  if (reader.spaces() === 0) reader.fail(`expected a space after "${operator}", found ${reader.found()}`);
  const value = readFilterValue(reader);
  reader.spaces();
  if (reader.current === ']') {
    reader.index += 1;
    return { attribute, value };
  }
  const next = reader.text.slice(reader.index).match(/^(and|or)\b/i);
  if (next) reader.fail(`a path filter holds one comparison, found "${next[0]}"`);
  return reader.fail(`expected "]", found ${reader.found()}`);
}

function readFilterValue(reader: PathReader): FilterValue {
  const start = reader.index;
  if (reader.current === '"') {
    const string = reader.match(/^"(?:[^"\\]|\\.)*"/) ?? reader.fail('the string has no closing quote', start);
    try {
      return JSON.parse(string) as string;
    } catch {
      return reader.fail('the string holds an invalid escape', start);
    }
  }
  const word = reader.match(WORD) ?? reader.fail(`expected a value after "eq", found ${reader.found()}`);
  if (word === 'true' || word === 'false') return word === 'true';
  if (NUMBER.test(word)) return Number(word);
  if (word === 'null') reader.fail('a path filter cannot select null', start);
  return reader.fail(`expected a quoted string, true, false or a number, found "${word}"`, start);
}

function formatFilterValue(value: FilterValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The text of a path, in the spelling it was parsed with: `formatPath(parsePath(t))` normalises spacing only. */
export function formatPath(path: AttributePath): string {
  const schema = path.schema === undefined ? '' : `${path.schema}:`;
  const filter = path.filter === undefined ? '' : `[${path.filter.attribute} eq ${formatFilterValue(path.filter.value)}]`;
  const subAttribute = path.subAttribute === undefined ? '' : `.${path.subAttribute}`;
  return `${schema}${path.attribute}${filter}${subAttribute}`;
}

/**
 * Identifies the attribute or multi-valued element a path addresses, ignoring case (RFC 7643
 * attribute names and `type`-like filter values are case-insensitive, `"True"` means true).
 */
export function elementKey(path: AttributePath): string {
  const attribute = `${(path.schema ?? '').toLowerCase()}:${path.attribute.toLowerCase()}`;
  if (path.filter === undefined) return attribute;
  const value = path.filter.value;
  const normalised = toBoolean(value) ?? (typeof value === 'string' ? JSON.stringify(value.toLowerCase()) : value);
  return `${attribute}[${path.filter.attribute.toLowerCase()} eq ${normalised}]`;
}

/** Identifies a path ignoring case: two paths with the same key address the same value. */
export function pathKey(path: AttributePath): string {
  return path.subAttribute === undefined ? elementKey(path) : `${elementKey(path)}.${path.subAttribute.toLowerCase()}`;
}

/** The path without its sub-attribute: the element a filtered path selects, or the attribute itself. */
export function parentPath(path: AttributePath): AttributePath {
  const { subAttribute: _, ...parent } = path;
  return parent;
}

/** The path of the multi-valued attribute a filtered path selects from: `emails[type eq "work"].value` → `emails`. */
export function attributeOf(path: AttributePath): AttributePath {
  return path.schema === undefined ? { attribute: path.attribute } : { schema: path.schema, attribute: path.attribute };
}
