/**
 * The SCIM 2.0 client: one request function with timeouts, bounded retries and error
 * classification, and the resource operations a reconcile needs on top of it.
 */
import { ProvisioningError } from '../errors/index';
import { errorFromResponse, invalidResponse, networkError, redact, timeoutError, type RequestLine } from './errors';
import { eqFilter, type FilterValue } from './filter';
import type { RateBudget, RequestOutcome } from './rate-budget';
import { readCreatedResource, readOptionalResource, readPage, readResource, type ScimPage, type ScimResponse } from './responses';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry';
import { SCHEMA_PATCH_OP, type PatchOperation, type ScimResource } from './types';

/** What the `onRequest` hook learns about each attempt. Never headers, never the query. */
export interface ScimRequestInfo {
  method: string;
  path: string;
  /** The HTTP status, undefined when no answer came (timeout, network error). */
  status: number | undefined;
  durationMs: number;
  attempt: number;
}

export interface ScimClientOptions {
  /** The target's SCIM root, e.g. `https://app.example.com/scim/v2`. */
  baseUrl: string;
  /** The whole Authorization header value (`Bearer ...`), asked for on each attempt so it never sits in a field. */
  authorization: () => string | Promise<string>;
  /**
   * Called with the refused Authorization value when the target answers 401, for a credential
   * that can be renewed (an OAuth token revoked before its expiry). The request is then tried
   * once more with a fresh value from `authorization`.
   */
  onUnauthorized?: (refused: string) => void;
  /** Per attempt, for the answer and its body together. Default 30 s. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 3. */
  maxAttempts?: number;
  /** The longest Retry-After waited for in place; longer ones are thrown with `retryAfterMs`. Default 60 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  onRequest?: (info: ScimRequestInfo) => void;
  /**
   * The target's rate budget, shared with every other client of the same app: each attempt
   * takes a permit first, and a Retry-After pauses the budget, whose pause the retry then
   * waits out (once for all requests, not once per request).
   */
  budget?: RateBudget;
}

export interface ScimRequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /**
   * Whether repeating the request after a lost answer is harmless. Default: every method but
   * POST. `patch()` treats a PATCH with an `add` as not idempotent: RFC 7644 §3.5.2.1 makes
   * adding a present value a no-op, but not every target does so.
   */
  idempotent?: boolean;
  /** An entity tag the target must still hold (`If-Match`); a 412 answers that it changed. */
  ifMatch?: string;
}

/** The collections the client writes to. */
export type ResourceEndpoint = 'Users' | 'Groups';

export interface PageRequest {
  /** 1-based, as in SCIM. Default 1. */
  startIndex?: number;
  /** Page size asked for; targets may answer with fewer. Left to the target when absent. */
  count?: number;
  /** Attributes the target may leave out (`excludedAttributes`), e.g. a group's `members`. */
  excludedAttributes?: string[];
}

const ACCEPT = 'application/scim+json, application/json';

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ProvisioningError({
      kind: 'configuration',
      code: 'InvalidConfiguration',
      message: 'the SCIM base URL is not an absolute URL',
    });
  }
  if (!/^https?:$/.test(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ProvisioningError({
      kind: 'configuration',
      code: 'InvalidConfiguration',
      message: 'the SCIM base URL must be an http(s) URL without credentials, query or fragment',
    });
  }
  return url.href.replace(/\/+$/, '');
}

/** The Authorization value and the credential in it, for scrubbing echoes out of errors. */
function secretsOf(authorization: string): string[] {
  const credential = authorization.replace(/^\S+\s+/, '');
  return credential === authorization ? [authorization] : [authorization, credential];
}

/** Visible ASCII, spaces and tabs: what a header value may hold (fetch would echo anything else in its error). */
const HEADER_VALUE = /^[\t\x20-\x7e]+$/;

function queryString(query: ScimRequestOptions['query']): string {
  const parts = Object.entries(query ?? {})
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function resourcePath(endpoint: ResourceEndpoint, id: string): string {
  if (id === '') throw new RangeError('a SCIM resource id must not be empty');
  return `/${endpoint}/${encodeURIComponent(id)}`;
}

/**
 * A client for one SCIM target.
 *
 * @example
 * const scim = new ScimClient({ baseUrl, authorization: () => `Bearer ${loadToken(appId)}` });
 * const [existing] = await scim.findUsers('userName', 'ada@example.com');
 */
export class ScimClient {
  private readonly baseUrl: string;
  private readonly authorization: () => string | Promise<string>;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRequest: ((info: ScimRequestInfo) => void) | undefined;
  private readonly budget: RateBudget | undefined;
  private readonly onUnauthorized: ((refused: string) => void) | undefined;

  constructor(options: ScimClientOptions) {
    this.baseUrl = checkedBaseUrl(options.baseUrl);
    this.authorization = options.authorization;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts)),
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.userAgent = options.userAgent ?? 'scimflow';
    this.sleep = options.sleep ?? defaultSleep;
    this.onRequest = options.onRequest;
    this.budget = options.budget;
    this.onUnauthorized = options.onUnauthorized;
  }

  /**
   * Sends one request below the base URL, retrying transient failures within the policy.
   * Resolves with a 2xx answer (its JSON body, undefined when empty); throws ProvisioningError.
   *
   * @example await scim.request('GET', '/ServiceProviderConfig')
   */
  request(method: string, path: string, options: ScimRequestOptions = {}): Promise<ScimResponse> {
    return this.send(method, path, options, (_request, response) => response);
  }

  /** Resources of `endpoint` whose `attribute` equals `value` (a matching query). */
  find(endpoint: ResourceEndpoint, attribute: string, value: FilterValue): Promise<ScimResource[]> {
    const filter = eqFilter(attribute, value);
    return this.send('GET', `/${endpoint}`, { query: { filter } }, (request, response) => readPage(request, response).Resources);
  }

  /** One resource by its target id; NotFound when the target has none. */
  get(endpoint: ResourceEndpoint, id: string): Promise<ScimResource> {
    return this.send('GET', resourcePath(endpoint, id), {}, readResource);
  }

  /** Creates a resource and returns it as stored, with its target id. Not retried after a lost answer. */
  create(endpoint: ResourceEndpoint, resource: ScimResource): Promise<ScimResource> {
    return this.send('POST', `/${endpoint}`, { body: resource }, readCreatedResource);
  }

  /** Replaces a resource (PUT); returns it when the target sent it back. */
  /** Replaces a resource (PUT); with `ifMatch`, only if the target still holds that version. */
  replace(
    endpoint: ResourceEndpoint,
    id: string,
    resource: ScimResource,
    options: { ifMatch?: string } = {},
  ): Promise<ScimResource | undefined> {
    return this.send('PUT', resourcePath(endpoint, id), { body: resource, ...options }, readOptionalResource);
  }

  /** Applies PATCH operations; returns the resource when the target sent it back (200), else undefined (204). */
  patch(endpoint: ResourceEndpoint, id: string, operations: PatchOperation[]): Promise<ScimResource | undefined> {
    const path = resourcePath(endpoint, id);
    if (operations.length === 0) return Promise.resolve(undefined);
    // An `add` is not idempotent on every target (some append a value twice): after a lost answer
    // such a PATCH is not sent again; the caller reads the target before trying once more.
    const idempotent = !operations.some((operation) => operation.op.toLowerCase() === 'add');
    return this.send('PATCH', path, { body: { schemas: [SCHEMA_PATCH_OP], Operations: operations }, idempotent }, readOptionalResource);
  }

  /** Deletes a resource; one that is already gone (404) counts as deleted. */
  async delete(endpoint: ResourceEndpoint, id: string): Promise<void> {
    try {
      await this.send('DELETE', resourcePath(endpoint, id), {}, () => undefined);
    } catch (error) {
      if (error instanceof ProvisioningError && error.status === 404) return;
      throw error;
    }
  }

  /** One page of `endpoint`; advance `startIndex` by `Resources.length`, since targets may cap `count`. */
  list(endpoint: ResourceEndpoint, page: PageRequest = {}): Promise<ScimPage> {
    const { startIndex = 1, count, excludedAttributes } = page;
    if (!Number.isInteger(startIndex) || startIndex < 1) throw new RangeError(`startIndex must be an integer >= 1, not ${startIndex}`);
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new RangeError(`count must be an integer >= 0, not ${count}`);
    return this.send(
      'GET',
      `/${endpoint}`,
      { query: { startIndex, count, ...(excludedAttributes?.length && { excludedAttributes: excludedAttributes.join(',') }) } },
      readPage,
    );
  }

  // The same operations on Users, by the names a reconcile uses.

  /** Users whose `attribute` equals `value`; more than one means duplicate target entries. */
  findUsers(attribute: string, value: FilterValue): Promise<ScimResource[]> {
    return this.find('Users', attribute, value);
  }

  getUser(id: string): Promise<ScimResource> {
    return this.get('Users', id);
  }

  createUser(resource: ScimResource): Promise<ScimResource> {
    return this.create('Users', resource);
  }

  replaceUser(id: string, resource: ScimResource, options: { ifMatch?: string } = {}): Promise<ScimResource | undefined> {
    return this.replace('Users', id, resource, options);
  }

  patchUser(id: string, operations: PatchOperation[]): Promise<ScimResource | undefined> {
    return this.patch('Users', id, operations);
  }

  deleteUser(id: string): Promise<void> {
    return this.delete('Users', id);
  }

  listUsers(page: PageRequest = {}): Promise<ScimPage> {
    return this.list('Users', page);
  }

  private async send<T>(
    method: string,
    path: string,
    options: ScimRequestOptions,
    read: (request: RequestLine, response: ScimResponse) => T,
  ): Promise<T> {
    if (!path.startsWith('/') || path.includes('?'))
      throw new RangeError('a SCIM request path starts with / and has no query (pass it as options.query)');
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const idempotent = options.idempotent ?? method !== 'POST';
    let renewed = false;

    for (let attempt = 1; ; attempt++) {
      const authorization = await this.authorization();
      if (!HEADER_VALUE.test(authorization)) {
        throw new ProvisioningError({
          kind: 'configuration',
          code: 'InvalidConfiguration',
          message: `${method} ${path} not sent: the Authorization value is empty or holds characters a header cannot carry`,
        });
      }
      const secrets = secretsOf(authorization);
      const request: RequestLine = { method, path, redact: (text) => redact(text, secrets) };
      const outcome = await this.budgeted(request, () => this.attempt(request, url, body, authorization, attempt, options.ifMatch));
      if (!(outcome instanceof ProvisioningError)) return read(request, outcome);
      // A 401 means the request was not processed, so even a POST may go again, once.
      if (outcome.status === 401 && this.onUnauthorized && !renewed) {
        this.onUnauthorized(authorization);
        renewed = true;
        continue;
      }
      const delay = retryDelayMs(outcome, attempt, idempotent, this.policy);
      if (delay === undefined) throw outcome;
      // A Retry-After paused the budget; waiting for the next permit is the wait.
      if (this.budget === undefined || budgetOutcome(outcome).retryAfterMs === undefined) await this.sleep(delay);
    }
  }

  /** Runs one attempt within the rate budget, if any: a permit before, the outcome reported after. */
  private async budgeted(
    request: RequestLine,
    run: () => Promise<ScimResponse | ProvisioningError>,
  ): Promise<ScimResponse | ProvisioningError> {
    if (this.budget === undefined) return run();
    const permit = await this.budget.acquire({ maxPauseMs: this.policy.maxRetryAfterMs, label: `${request.method} ${request.path}` });
    let outcome: ScimResponse | ProvisioningError | undefined;
    try {
      outcome = await run();
      return outcome;
    } finally {
      permit.release(outcome === undefined ? { throttled: false } : budgetOutcome(outcome));
    }
  }

  /** One HTTP exchange: a 2xx answer with its parsed body, or the error it amounts to. */
  private async attempt(
    request: RequestLine,
    url: string,
    body: string | undefined,
    authorization: string,
    attempt: number,
    ifMatch?: string,
  ): Promise<ScimResponse | ProvisioningError> {
    const headers: Record<string, string> = { accept: ACCEPT, authorization, 'user-agent': this.userAgent };
    if (body !== undefined) headers['content-type'] = 'application/scim+json';
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    const signal = AbortSignal.timeout(this.timeoutMs);
    const started = performance.now();
    let status: number | undefined;
    let outcome: ScimResponse | ProvisioningError;
    try {
      // Redirects are not followed: a redirect could carry the credential to another origin.
      const response = await this.fetch(url, { method: request.method, headers, body, signal, redirect: 'manual' });
      status = response.status;
      const text = await response.text();
      outcome =
        status >= 200 && status <= 299
          ? parseBody(request, status, text)
          : errorFromResponse(request, status, text, response.headers.get('retry-after'));
    } catch (failure) {
      outcome = signal.aborted ? timeoutError(request, this.timeoutMs) : networkError(request, failure);
    }
    this.onRequest?.({ method: request.method, path: request.path, status, durationMs: performance.now() - started, attempt });
    return outcome;
  }
}

/** What the rate budget learns from an attempt: throttled on 429, or on 503 with Retry-After. */
function budgetOutcome(outcome: ScimResponse | ProvisioningError): RequestOutcome {
  if (!(outcome instanceof ProvisioningError)) return { throttled: false };
  const { code, retryAfterMs } = outcome;
  if (code !== 'TooManyRequests' && !(code === 'ServiceUnavailable' && retryAfterMs !== undefined)) return { throttled: false };
  return { throttled: true, ...(retryAfterMs !== undefined && { retryAfterMs }) };
}

function parseBody(request: RequestLine, status: number, text: string): ScimResponse | ProvisioningError {
  if (text.trim() === '') return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) as unknown };
  } catch {
    return invalidResponse(request, status, 'a body that is not JSON', text);
  }
}
