/**
 * Reads a target's discovery endpoints (RFC 7644 §4) into a capability profile. Targets differ
 * here more than anywhere: endpoints are missing, plural, bare arrays instead of ListResponses,
 * strings instead of booleans. Nothing here throws for what a target answers: each problem
 * becomes a note naming the endpoint and the field, and the conservative default stays.
 */
import { ProvisioningError } from '../errors/index';
import { CONSERVATIVE_PROFILE, DEFAULT_PAGE_SIZE, type CapabilityProfile } from './capabilities';
import type { ScimClient } from './client';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_GROUP, SCHEMA_USER } from './types';

export type DiscoveryEndpoint = 'serviceProviderConfig' | 'resourceTypes' | 'schemas';

/** How reading one discovery endpoint went. */
export interface DiscoveryRead {
  endpoint: DiscoveryEndpoint;
  /** The path read, or the last one tried. */
  path: string;
  /** `read`: a body was used (possibly with notes); `absent`: 404; `unreadable`: any other failure. */
  outcome: 'read' | 'absent' | 'unreadable';
  /** What was learnt, in a line, when the body was used. */
  summary?: string;
  notes: string[];
  durationMs: number;
}

export interface CapabilityDiscovery {
  profile: CapabilityProfile;
  /** Every read's notes, in order: what was missing, odd or assumed. */
  notes: string[];
  reads: DiscoveryRead[];
  /**
   * The user attribute paths the target's schemas declare, in lower case: `userName`,
   * `name.givenName`, and each with its schema URN (`urn:...:User:employeeNumber`). Undefined
   * when the User schema could not be read.
   */
  userAttributes?: string[];
}

export interface DiscoveryOptions {
  now?: () => Date;
}

/**
 * Reads `/ServiceProviderConfig` (or `/ServiceProviderConfigs` when the singular answers 404),
 * `/ResourceTypes` and `/Schemas`, one after the other, into a profile. Never rejects for what
 * the target answers.
 *
 * @example const { profile, notes } = await discoverCapabilities(scim);
 */
export async function discoverCapabilities(client: ScimClient, options: DiscoveryOptions = {}): Promise<CapabilityDiscovery> {
  const now = options.now ?? (() => new Date());
  const profile: CapabilityProfile = structuredClone(CONSERVATIVE_PROFILE);

  const spc = await readServiceProviderConfig(client, profile);
  const types = await readResourceTypes(client, profile);
  const schemas = await readSchemas(client, profile, types.read.outcome === 'read' ? (types.userSchemas ?? []) : undefined);
  profile.discoveredAt = now().toISOString();

  const reads = [spc, types.read, schemas.read];
  return {
    profile,
    notes: reads.flatMap((read) => read.notes),
    reads,
    ...(schemas.userAttributes !== undefined && { userAttributes: schemas.userAttributes }),
  };
}

type Fetched = { body: unknown; error?: undefined } | { body?: undefined; error: ProvisioningError };

async function fetchBody(client: ScimClient, path: string): Promise<Fetched> {
  try {
    return { body: (await client.request('GET', path)).body };
  } catch (error) {
    if (error instanceof ProvisioningError) return { error };
    throw error;
  }
}

/** A read that used no body: 404 is `absent`, anything else `unreadable`. */
function failedRead(endpoint: DiscoveryEndpoint, path: string, error: ProvisioningError, started: number, defaults: string): DiscoveryRead {
  const absent = error.status === 404;
  const what = absent ? `GET ${path} answered HTTP 404: the target does not serve it` : error.message;
  return {
    endpoint,
    path,
    outcome: absent ? 'absent' : 'unreadable',
    notes: [`${what}; ${defaults}`],
    durationMs: performance.now() - started,
  };
}

function unusableBody(endpoint: DiscoveryEndpoint, path: string, problem: string, started: number, defaults: string): DiscoveryRead {
  return {
    endpoint,
    path,
    outcome: 'unreadable',
    notes: [`GET ${path} answered ${problem}; ${defaults}`],
    durationMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------- ServiceProviderConfig

const SPC_DEFAULTS = 'the conservative defaults apply (PUT, no bulk, no ETags, no sorting)';

async function readServiceProviderConfig(client: ScimClient, profile: CapabilityProfile): Promise<DiscoveryRead> {
  const started = performance.now();
  let path = '/ServiceProviderConfig';
  let fetched = await fetchBody(client, path);
  const notes: string[] = [];
  if (fetched.error?.status === 404) {
    // Some targets serve discovery under the plural name; the summary names the path read.
    path = '/ServiceProviderConfigs';
    fetched = await fetchBody(client, path);
  }
  if (fetched.error) {
    const read = failedRead('serviceProviderConfig', path, fetched.error, started, SPC_DEFAULTS);
    return { ...read, notes: [...notes, ...read.notes] };
  }
  const config = singleObject(fetched.body);
  if (typeof config === 'string') return unusableBody('serviceProviderConfig', path, config, started, SPC_DEFAULTS);

  const fields = new FieldReader(`GET ${path}`, notes);
  applyServiceProviderConfig(config, profile, fields);
  return {
    endpoint: 'serviceProviderConfig',
    path,
    outcome: 'read',
    summary: summariseConfig(profile, path),
    notes,
    durationMs: performance.now() - started,
  };
}

/** The one object a configuration body holds: itself, or the single entry of a list or array. */
function singleObject(body: unknown): Record<string, unknown> | string {
  if (body === undefined) return 'an empty body';
  const items = Array.isArray(body)
    ? body
    : isObject(body) && Array.isArray(member(body, 'Resources'))
      ? (member(body, 'Resources') as unknown[])
      : undefined;
  const config = items ? items[0] : body;
  if (!isObject(config)) return `${shapeOf(items ? config : body)} where a JSON object was expected`;
  return config;
}

function applyServiceProviderConfig(config: Record<string, unknown>, profile: CapabilityProfile, fields: FieldReader): void {
  const flag = (name: string, fallback: boolean): boolean => {
    const feature = fields.object(config, name);
    return (feature && fields.boolean(feature, name, 'supported')) ?? fields.kept(name, fallback);
  };
  profile.patch = flag('patch', profile.patch);
  profile.etag = flag('etag', profile.etag);
  profile.sort = flag('sort', profile.sort);
  profile.changePassword = flag('changePassword', profile.changePassword);

  const bulk = fields.object(config, 'bulk');
  if (bulk) {
    const supported = fields.boolean(bulk, 'bulk', 'supported') ?? fields.kept('bulk', false);
    if (supported) {
      const maxOperations = fields.count(bulk, 'bulk', 'maxOperations');
      const maxPayloadSize = fields.count(bulk, 'bulk', 'maxPayloadSize');
      if (maxOperations && maxPayloadSize) profile.bulk = { supported: true, maxOperations, maxPayloadSize };
      else fields.note('bulk is announced without a positive maxOperations and maxPayloadSize; bulk stays off');
    }
  } else {
    fields.kept('bulk', false);
  }

  const caps: number[] = [];
  const filter = fields.object(config, 'filter');
  if (filter) {
    profile.filter.supported = fields.boolean(filter, 'filter', 'supported') ?? fields.kept('filter', profile.filter.supported);
    // Targets that filter nothing often announce maxResults 0 or leave it out: no note then.
    const maxResults =
      profile.filter.supported || member(filter, 'maxResults') !== undefined ? fields.count(filter, 'filter', 'maxResults') : undefined;
    if (maxResults) {
      profile.filter.maxResults = maxResults;
      caps.push(maxResults);
    } else if (maxResults === 0 && profile.filter.supported) {
      fields.note('filter.maxResults is 0 with filtering supported; ignored');
    }
  } else {
    fields.kept('filter', profile.filter.supported);
  }

  // RFC 9865 cursor pagination is optional; only its page size cap matters here.
  const pagination = member(config, 'pagination');
  if (isObject(pagination)) {
    const maxPageSize = fields.count(pagination, 'pagination', 'maxPageSize');
    if (maxPageSize) caps.push(maxPageSize);
  }
  profile.pageSize = caps.length > 0 ? Math.min(...caps) : DEFAULT_PAGE_SIZE;
}

function summariseConfig(profile: CapabilityProfile, path: string): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no');
  const parts = [
    `PATCH: ${yes(profile.patch)}`,
    `bulk: ${profile.bulk.supported ? `up to ${profile.bulk.maxOperations} operations and ${profile.bulk.maxPayloadSize} bytes` : 'no'}`,
    `filter: ${profile.filter.supported ? `yes, up to ${profile.filter.maxResults} results` : 'no'}`,
    `ETag: ${yes(profile.etag)}`,
    `sort: ${yes(profile.sort)}`,
    `change password: ${yes(profile.changePassword)}`,
    `page size: ${profile.pageSize}`,
  ];
  return `${parts.join('; ')} (from ${path})`;
}

// ---------------------------------------------------------------- ResourceTypes

const TYPES_DEFAULTS = 'users and groups are assumed, without the enterprise extension';

async function readResourceTypes(client: ScimClient, profile: CapabilityProfile): Promise<{ read: DiscoveryRead; userSchemas?: string[] }> {
  const started = performance.now();
  const path = '/ResourceTypes';
  const fetched = await fetchBody(client, path);
  if (fetched.error) return { read: failedRead('resourceTypes', path, fetched.error, started, TYPES_DEFAULTS) };
  const items = listItems(fetched.body);
  if (typeof items === 'string') return { read: unusableBody('resourceTypes', path, items, started, TYPES_DEFAULTS) };

  const notes: string[] = [];
  const fields = new FieldReader(`GET ${path}`, notes);
  const types = items.flatMap((item, index) => {
    if (!isObject(item)) {
      fields.note(`entry ${index + 1} is ${shapeOf(item)}, not a resource type; skipped`);
      return [];
    }
    return [readResourceType(item)];
  });
  if (types.length === 0 && items.length > 0) {
    return { read: unusableBody('resourceTypes', path, 'no readable resource type', started, TYPES_DEFAULTS) };
  }

  const user = types.find((type) => type.is(SCHEMA_USER, 'User', '/Users'));
  const group = types.find((type) => type.is(SCHEMA_GROUP, 'Group', '/Groups'));
  const userExtensions = user?.extensions ?? [];
  profile.resourceTypes = {
    user: user !== undefined,
    group: group !== undefined,
    enterpriseUser: userExtensions.some((schema) => sameName(schema, SCHEMA_ENTERPRISE_USER)),
  };
  if (!user) fields.note('no User resource type is announced: users cannot be provisioned');
  const names = types.map((type) => type.label).join(', ') || 'none';
  const summary = `${names}${profile.resourceTypes.enterpriseUser ? '; User with the enterprise extension' : ''}`;
  return {
    read: { endpoint: 'resourceTypes', path, outcome: 'read', summary, notes, durationMs: performance.now() - started },
    ...(user && { userSchemas: [user.schema ?? SCHEMA_USER, ...userExtensions] }),
  };
}

function readResourceType(item: Record<string, unknown>) {
  const text = (name: string): string | undefined => {
    const value = member(item, name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const schema = text('schema');
  const name = text('name');
  const endpoint = text('endpoint');
  const rawExtensions = member(item, 'schemaExtensions');
  const extensions = (Array.isArray(rawExtensions) ? rawExtensions : []).flatMap((extension) => {
    const id = isObject(extension) ? member(extension, 'schema') : undefined;
    return typeof id === 'string' ? [id] : [];
  });
  return {
    schema,
    extensions,
    label: name ?? endpoint ?? schema ?? 'unnamed',
    is: (coreSchema: string, coreName: string, coreEndpoint: string) =>
      (schema !== undefined && sameName(schema, coreSchema)) ||
      (name !== undefined && sameName(name, coreName)) ||
      (endpoint !== undefined && sameName(`/${endpoint.replace(/^\/+|\/+$/g, '')}`, coreEndpoint)),
  };
}

// ---------------------------------------------------------------- Schemas

const SCHEMAS_DEFAULTS = 'the declared attributes are unknown';

async function readSchemas(
  client: ScimClient,
  profile: CapabilityProfile,
  /** The User type's schema and extensions; undefined when the resource types could not be read. */
  userSchemas: string[] | undefined,
): Promise<{ read: DiscoveryRead; userAttributes?: string[] }> {
  const started = performance.now();
  const path = '/Schemas';
  const fetched = await fetchBody(client, path);
  if (fetched.error) return { read: failedRead('schemas', path, fetched.error, started, SCHEMAS_DEFAULTS) };
  const items = listItems(fetched.body);
  if (typeof items === 'string') return { read: unusableBody('schemas', path, items, started, SCHEMAS_DEFAULTS) };

  const notes: string[] = [];
  const fields = new FieldReader(`GET ${path}`, notes);
  const schemas = new Map<string, Record<string, unknown>>();
  items.forEach((item, index) => {
    const id = isObject(item) ? member(item, 'id') : undefined;
    if (isObject(item) && typeof id === 'string' && id !== '') schemas.set(id.toLowerCase(), item);
    else fields.note(`entry ${index + 1} is ${isObject(item) ? 'a schema without an id' : shapeOf(item)}; skipped`);
  });

  const enterprise = schemas.has(SCHEMA_ENTERPRISE_USER.toLowerCase());
  if (userSchemas === undefined && enterprise && !profile.resourceTypes.enterpriseUser) {
    // Without readable resource types, the served extension schema is the best evidence.
    profile.resourceTypes.enterpriseUser = true;
    fields.note('the enterprise User extension is taken from /Schemas, as the resource types could not be read');
  }

  const ids = [...schemas.values()].map((schema) => String(member(schema, 'id')));
  const summary = `${ids.length} schema${ids.length === 1 ? '' : 's'}: ${ids.map(shortName).join(', ') || 'none'}`;
  const read: DiscoveryRead = { endpoint: 'schemas', path, outcome: 'read', summary, notes, durationMs: performance.now() - started };
  const core = schemas.get(SCHEMA_USER.toLowerCase());
  if (!core) {
    fields.note('the core User schema is not served');
    return { read };
  }
  const userIds = userSchemas ?? [SCHEMA_USER, ...(enterprise ? [SCHEMA_ENTERPRISE_USER] : [])];
  const attributes = new Set<string>();
  for (const id of userIds) {
    const schema = schemas.get(id.toLowerCase());
    if (!schema) continue;
    const isCore = sameName(id, SCHEMA_USER);
    for (const path of attributePaths(schema)) {
      if (isCore) attributes.add(path);
      attributes.add(`${id}:${path}`.toLowerCase());
    }
  }
  return { read, userAttributes: [...attributes] };
}

/** `name` and `name.subName` for each attribute of a schema, lower case. */
function attributePaths(schema: Record<string, unknown>): string[] {
  const names = (list: unknown): string[] =>
    (Array.isArray(list) ? list : []).flatMap((attribute) => {
      const name = isObject(attribute) ? member(attribute, 'name') : undefined;
      return typeof name === 'string' && name !== '' ? [name.toLowerCase()] : [];
    });
  const paths: string[] = [];
  for (const attribute of Array.isArray(member(schema, 'attributes')) ? (member(schema, 'attributes') as unknown[]) : []) {
    const [name] = names([attribute]);
    if (name === undefined || !isObject(attribute)) continue;
    paths.push(name, ...names(member(attribute, 'subAttributes')).map((sub) => `${name}.${sub}`));
  }
  return paths;
}

/** The last part of a schema URN, for summaries. */
function shortName(id: string): string {
  if (sameName(id, SCHEMA_ENTERPRISE_USER)) return 'EnterpriseUser';
  return id.split(':').pop() || id;
}

// ---------------------------------------------------------------- reading odd bodies

/** The entries of a ListResponse or a bare array; a string naming the problem otherwise. */
function listItems(body: unknown): unknown[] | string {
  if (Array.isArray(body)) return body;
  if (body === undefined) return 'an empty body';
  if (!isObject(body)) return `${shapeOf(body)} where a ListResponse was expected`;
  const resources = member(body, 'Resources');
  if (Array.isArray(resources)) return resources;
  if (resources === undefined && member(body, 'totalResults') === 0) return [];
  return resources === undefined ? 'a JSON object without Resources' : `Resources as ${shapeOf(resources)}, not an array`;
}

/** Reads fields of one body leniently, noting each problem with the request it came from. */
class FieldReader {
  constructor(
    private readonly source: string,
    private readonly notes: string[],
  ) {}

  note(text: string): void {
    this.notes.push(`${this.source}: ${text}`);
  }

  /** Notes that `name` kept its default, and returns it. */
  kept<T extends boolean>(name: string, fallback: T): T {
    this.note(`no readable ${name}.supported; kept the default (${fallback ? 'supported' : 'unsupported'})`);
    return fallback;
  }

  object(parent: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
    const value = member(parent, name);
    if (isObject(value)) return value;
    if (value !== undefined) this.note(`${name} is ${shapeOf(value)}, not an object`);
    return undefined;
  }

  /** A boolean; the strings "true" and "false" are accepted with a note. Undefined when unreadable. */
  boolean(parent: Record<string, unknown>, prefix: string, name: string): boolean | undefined {
    const value = member(parent, name);
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
      this.note(`${prefix}.${name} is the string ${JSON.stringify(value)}; read as a boolean`);
      return value.trim().toLowerCase() === 'true';
    }
    if (value !== undefined) this.note(`${prefix}.${name} is ${shapeOf(value)}, not a boolean`);
    return undefined;
  }

  /** A non-negative integer; numeric strings are accepted with a note. Undefined when unreadable. */
  count(parent: Record<string, unknown>, prefix: string, name: string): number | undefined {
    const value = member(parent, name);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) {
      this.note(`${prefix}.${name} is the string ${JSON.stringify(value)}; read as a number`);
      return Number(value.trim());
    }
    this.note(value === undefined ? `${prefix}.${name} is missing` : `${prefix}.${name} is ${shapeOf(value)}, not a count`);
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A member by name, ignoring case: SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
function member(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const key = Object.keys(object).find((candidate) => sameName(candidate, name));
  return key === undefined ? undefined : object[key];
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A value's type for a note; short strings and numbers are shown, nothing long a peer sent. */
function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 12 ? `the string ${JSON.stringify(value)}` : 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
