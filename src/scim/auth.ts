/**
 * The Authorization header of a SCIM target, by its auth type: a static bearer token, HTTP
 * Basic, or an OAuth 2.0 access token from the client credentials grant (RFC 6749 §4.4),
 * cached until shortly before it expires. Secrets stay in closures and never reach an error.
 */
import type { TargetAuthConfig, TargetSecrets } from '../config/app';
import { ProvisioningError } from '../errors/index';
import { classifyStatus, excerpt, redact } from './errors';

/** How early a token is refreshed before it expires; at most half its lifetime. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** How long a token whose answer gave no `expires_in` is used (no early refresh: its expiry is unknown). */
export const TOKEN_DEFAULT_LIFETIME_MS = 5 * 60_000;

export interface AuthorizationOptions {
  fetch?: typeof fetch;
  /** The clock, in epoch milliseconds. */
  now?: () => number;
  /** Per token request. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Produces the whole Authorization header value, asked for on each attempt. `invalidate` is
 * present when the credential can be renewed (OAuth): given the value the target refused, it
 * drops that token so that the next call fetches a new one.
 */
export interface TargetAuthorization {
  (): Promise<string>;
  invalidate?: (refused: string) => void;
}

/**
 * The Authorization header source of a target.
 *
 * @example
 * const authorization = authorizationFor(app.target.auth, secrets);
 * const scim = new ScimClient({ baseUrl, authorization, onUnauthorized: authorization.invalidate });
 */
export function authorizationFor(auth: TargetAuthConfig, secrets: TargetSecrets, options: AuthorizationOptions = {}): TargetAuthorization {
  switch (auth.type) {
    case 'oauth2':
      return clientCredentials(auth, secrets.targetClientSecret, options);
    case 'basic': {
      const password = secrets.targetPassword;
      return async () => `Basic ${Buffer.from(`${auth.username}:${required(password, 'password')}`, 'utf8').toString('base64')}`;
    }
    default: {
      const token = secrets.targetToken;
      return async () => `Bearer ${required(token, 'token')}`;
    }
  }
}

function required(secret: string | undefined, name: string): string {
  if (secret) return secret;
  throw new ProvisioningError({
    kind: 'configuration',
    code: 'InvalidConfiguration',
    message: `the target's ${name} is missing: set target.auth.${name}`,
  });
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for the client id and secret even in the Basic header. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice('v='.length);
}

type OAuth2Config = Extract<TargetAuthConfig, { type: 'oauth2' }>;

function clientCredentials(auth: OAuth2Config, clientSecret: string | undefined, options: AuthorizationOptions): TargetAuthorization {
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let cached: { header: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function requestToken(): Promise<string> {
    const secret = required(clientSecret, 'clientSecret');
    const started = now();
    const fields: Record<string, string> = { grant_type: 'client_credentials' };
    if (auth.scope !== undefined) fields.scope = auth.scope;
    if (auth.audience !== undefined) fields.audience = auth.audience;
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    let basic: string | undefined;
    if (auth.clientAuth === 'body') {
      fields.client_id = auth.clientId;
      fields.client_secret = secret;
    } else {
      basic = Buffer.from(`${formEncode(auth.clientId)}:${formEncode(secret)}`, 'utf8').toString('base64');
      headers.authorization = `Basic ${basic}`;
    }
    // The secret as given, and as a form body or a JSON string would echo it.
    const scrub = (text: string) =>
      redact(text, [secret, formEncode(secret), JSON.stringify(secret).slice(1, -1), ...(basic ? [basic] : [])]);
    const answer = await post(fetchFn, auth.tokenUrl, headers, new URLSearchParams(fields).toString(), timeoutMs, scrub);
    const header = `Bearer ${answer.accessToken}`;
    const lifetime = answer.expiresInMs;
    // Timed from the request, not the answer, so that a slow answer does not stretch the lifetime.
    cached = {
      header,
      refreshAt:
        started + (lifetime === undefined ? TOKEN_DEFAULT_LIFETIME_MS : lifetime - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetime / 2)),
    };
    return header;
  }

  const authorization: TargetAuthorization = async () => {
    if (cached && now() < cached.refreshAt) return cached.header;
    // Concurrent callers share one token request.
    pending ??= requestToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  authorization.invalidate = (refused) => {
    // Only the refused token: another caller may already have fetched its successor.
    if (cached?.header === refused) cached = undefined;
  };
  return authorization;
}

/** Where a token request went, for messages: the URL without its query (which could hold a secret). */
function endpointName(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  return `${url.origin}${url.pathname}`;
}

async function post(
  fetchFn: typeof fetch,
  tokenUrl: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  /** Blanks the client secret (and the Basic credential) out of anything the endpoint said. */
  scrub: (text: string) => string,
): Promise<{ accessToken: string; expiresInMs: number | undefined }> {
  const endpoint = endpointName(tokenUrl);
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    // Redirects are not followed: the client secret would go along.
    const response = await fetchFn(tokenUrl, { method: 'POST', headers, body, signal, redirect: 'manual' });
    status = response.status;
    text = await response.text();
  } catch (failure) {
    if (signal.aborted) {
      throw new ProvisioningError({
        kind: 'transient',
        code: 'Timeout',
        message: `the OAuth token endpoint ${endpoint} did not answer within ${timeoutMs} ms`,
      });
    }
    const reason = failure instanceof Error ? scrub(failure.message) : 'unknown error';
    throw new ProvisioningError({
      kind: 'transient',
      code: 'NetworkError',
      message: `the OAuth token endpoint ${endpoint} could not be reached: ${reason}`,
    });
  }
  if (status < 200 || status > 299) throw refusal(endpoint, status, text, scrub);

  const parsed = parseJson(text);
  const accessToken = parsed?.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    // The body may hold a token in an unexpected shape: none of it goes into the error.
    throw new ProvisioningError({
      kind: 'configuration',
      code: 'Unauthorized',
      status,
      message: `the OAuth token endpoint ${endpoint} answered ${status} without an access_token`,
    });
  }
  // Seconds, as a number or (from some servers) a numeric string.
  const expiresIn = Number(parsed?.expires_in);
  return { accessToken, expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error for a token endpoint's refusal. A 4xx (RFC 6749 §5.2: a bad client, secret or
 * scope) is a configuration error; a throttled or failing endpoint is transient.
 */
function refusal(endpoint: string, status: number, text: string, scrub: (text: string) => string): ProvisioningError {
  const body = parseJson(scrub(text));
  const code = typeof body?.error === 'string' ? body.error : undefined;
  const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
  const said = scrub([code, description].filter(Boolean).join(': '));
  const detail = excerpt(said === '' ? scrub(text) : said);
  const classified = classifyStatus(status);
  const transient = classified.kind === 'transient';
  return new ProvisioningError({
    kind: transient ? 'transient' : 'configuration',
    code: transient ? classified.code : 'Unauthorized',
    status,
    message: `the OAuth token endpoint ${endpoint} ${transient ? 'failed' : 'refused the client credentials grant'} (${status})${detail ? `: ${detail}` : ''}`,
    ...(detail !== undefined && { detail }),
  });
}
