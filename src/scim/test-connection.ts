/**
 * The connection test an admin runs before provisioning: do the credentials work, does the
 * target filter on the matching attribute (matching before create depends on it), and what does
 * it announce it can do. Each check reports its own outcome; none carries a secret, since every
 * detail comes from errors the client has already scrubbed, or from our own words.
 */
import { randomUUID } from 'node:crypto';
import { ProvisioningError } from '../errors/index';
import type { CapabilityProfile } from './capabilities';
import type { ScimClient } from './client';
import { discoverCapabilities, type CapabilityDiscovery, type DiscoveryEndpoint, type DiscoveryRead } from './discovery';
import { eqFilter, isAttributePath } from './filter';
import { readPage, type ScimPage } from './responses';

export type ConnectionCheckName = 'authenticate' | 'match query' | 'service provider config' | 'resource types' | 'schemas';

export interface ConnectionCheck {
  name: ConnectionCheckName;
  /** `warning`: provisioning can go on, but something needs a look (or an override). */
  status: 'passed' | 'failed' | 'warning';
  detail: string;
  durationMs: number;
}

export interface ConnectionTestResult {
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: ConnectionCheck[];
  /** The discovered profile; left out when the target refused the credentials. */
  profile?: CapabilityProfile;
  /** Discovery's notes, for the admin. */
  notes: string[];
}

export interface ConnectionTestOptions {
  /** The attribute matching filters on. Default `userName`. */
  matchingAttribute?: string;
  /** The value no user has. Default: a random UUID. */
  randomId?: () => string;
  now?: () => Date;
}

/**
 * Runs the checks in order: authenticate and match query (one `GET /Users?filter=...` for a
 * value nobody has), then the three discovery reads. Never rejects for what the target answers.
 *
 * @example
 * const result = await testConnection(scim, { matchingAttribute: 'externalId' });
 * if (!result.ok) showFailures(result.checks.filter((check) => check.status === 'failed'));
 */
export async function testConnection(client: ScimClient, options: ConnectionTestOptions = {}): Promise<ConnectionTestResult> {
  const attribute = options.matchingAttribute ?? 'userName';
  const value = (options.randomId ?? randomUUID)();

  const probe = await matchQuery(client, attribute, value);
  const discovery = await discoverCapabilities(client, options.now ? { now: options.now } : {});

  const authenticate = authenticateCheck(probe);
  const checks: ConnectionCheck[] = [
    authenticate,
    matchQueryCheck(probe, attribute, discovery),
    discoveryCheck('service provider config', discovery, 'serviceProviderConfig'),
    discoveryCheck('resource types', discovery, 'resourceTypes'),
    discoveryCheck('schemas', discovery, 'schemas'),
  ];
  return {
    ok: checks.every((check) => check.status !== 'failed'),
    checks,
    ...(authenticate.status !== 'failed' && { profile: discovery.profile }),
    notes: discovery.notes,
  };
}

type Probe = { filter: string; durationMs: number } & (
  | { page: ScimPage; error?: undefined }
  | { page?: undefined; error: ProvisioningError }
  | { page?: undefined; error?: undefined; invalidAttribute: true }
);

async function matchQuery(client: ScimClient, attribute: string, value: string): Promise<Probe> {
  if (!isAttributePath(attribute)) return { filter: '', durationMs: 0, invalidAttribute: true };
  const filter = eqFilter(attribute, value);
  const started = performance.now();
  try {
    const response = await client.request('GET', '/Users', { query: { filter } });
    return { filter, page: readPage({ method: 'GET', path: '/Users' }, response), durationMs: performance.now() - started };
  } catch (error) {
    if (!(error instanceof ProvisioningError)) throw error;
    return { filter, error, durationMs: performance.now() - started };
  }
}

/** Statuses that only come once a request got past authentication. */
const PROCESSED = new Set([400, 409, 412, 413, 422, 501]);

function authenticateCheck(probe: Probe): ConnectionCheck {
  const check = (status: ConnectionCheck['status'], detail: string): ConnectionCheck => ({
    name: 'authenticate',
    status,
    detail,
    durationMs: probe.durationMs,
  });
  if (probe.page) return check('passed', 'the target accepted the credentials on GET /Users');
  if (!probe.error) return check('warning', 'not checked: the matching attribute is not a SCIM attribute path');
  const { status, message } = probe.error;
  if (status === 401 || status === 403) return check('failed', `the target refused the credentials: ${message}`);
  if (status === undefined) return check('failed', `the target could not be reached: ${message}`);
  if ((status >= 200 && status <= 299) || PROCESSED.has(status)) {
    return check('passed', `the target accepted the credentials (it answered GET /Users with HTTP ${status})`);
  }
  return check('warning', `not confirmed, as GET /Users did not succeed: ${message}`);
}

const NO_FILTERING =
  'the target announces no filtering (ServiceProviderConfig filter.supported false): accounts are matched against a listing of the target, kept current between cycles';

function matchQueryCheck(probe: Probe, attribute: string, discovery: CapabilityDiscovery): ConnectionCheck {
  const check = (status: ConnectionCheck['status'], detail: string): ConnectionCheck => ({
    name: 'match query',
    status,
    detail,
    durationMs: probe.durationMs,
  });
  if (!probe.page && !probe.error)
    return check('failed', `${JSON.stringify(attribute)} is not a SCIM attribute path, so no filter can match on it`);
  const query = `GET /Users?filter=${probe.filter}`;
  if (probe.error) {
    const { status, scimType, message } = probe.error;
    if (status === 401 || status === 403) return check('failed', 'not checked: the target refused the credentials');
    if (!discovery.profile.filter.supported) return check('passed', `${NO_FILTERING}; it answered ${query} with ${status ?? 'an error'}`);
    if (status === 501) return check('failed', `the target does not support filtering, and matching before create needs it: ${message}`);
    if (scimType === 'invalidFilter') return check('failed', `the target refuses a filter on ${attribute}: ${message}`);
    return check('failed', `${query} did not return a ListResponse: ${message}`);
  }
  const { Resources, totalResults } = probe.page;
  if (!discovery.profile.filter.supported) return check('passed', `${NO_FILTERING}; filter queries are never sent`);
  if (Resources.length > 0 || totalResults > 0) {
    return check(
      'failed',
      `the target ignores filters: ${query} (a value no user has) returned ${Resources.length} resource(s) of ${totalResults}; matching would link the wrong accounts`,
    );
  }
  if (discovery.userAttributes !== undefined && !declares(discovery.userAttributes, attribute)) {
    return check(
      'warning',
      `${query} returned an empty ListResponse, but the target's schemas do not declare ${attribute}; a target that answers filters on unknown attributes with an empty list would never match`,
    );
  }
  return check('passed', `${query} returned an empty ListResponse`);
}

/** RFC 7643 §3.1: common attributes are not part of any schema. */
const COMMON_ATTRIBUTES = /^(id|externalid|meta(\.\w+)?)$/;

function declares(userAttributes: string[], attribute: string): boolean {
  const path = attribute.toLowerCase();
  return COMMON_ATTRIBUTES.test(path) || userAttributes.includes(path);
}

function discoveryCheck(name: ConnectionCheckName, discovery: CapabilityDiscovery, endpoint: DiscoveryEndpoint): ConnectionCheck {
  const read = discovery.reads.find((candidate) => candidate.endpoint === endpoint) as DiscoveryRead;
  const notes = read.notes.join(' ');
  const detail = [read.summary, notes].filter((part) => part !== undefined && part !== '').join('. ');
  return { name, status: read.outcome === 'read' && read.notes.length === 0 ? 'passed' : 'warning', detail, durationMs: read.durationMs };
}
