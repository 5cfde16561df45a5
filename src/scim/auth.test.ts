import { describe, expect, it } from 'vitest';
import type { TargetAuthConfig } from '../config/app';
import { authorizationFor, TOKEN_DEFAULT_LIFETIME_MS } from './auth';
import { scimClientFor } from './for-app';
import { rejection } from '../../test/support/rejection';

const TOKEN_URL = 'https://idp.example.com/oauth2/token';
const CLIENT_SECRET = 'client-secret value:+/=';
const oauth2: TargetAuthConfig = { type: 'oauth2', tokenUrl: TOKEN_URL, clientId: 'scim flow', clientAuth: 'basic' };

interface Sent {
  url: string;
  headers: Record<string, string>;
  form: URLSearchParams;
}

/** A fetch that records each request and answers with what `answer` returns for it. */
function fakeFetch(answer: (sent: Sent, index: number) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: Sent = {
      url: String(input),
      headers: Object.fromEntries(
        Object.entries((init?.headers ?? {}) as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      form: new URLSearchParams(typeof init?.body === 'string' ? init.body : ''),
    };
    sent.push(request);
    return answer(request, sent.length - 1);
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const tokenAnswer = (body: Record<string, unknown>, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A token endpoint issuing `token-1`, `token-2`, ... with the given `expires_in`. */
function issuer(expiresIn?: unknown) {
  return fakeFetch((_sent, index) =>
    tokenAnswer({ access_token: `token-${index + 1}`, token_type: 'Bearer', ...(expiresIn !== undefined && { expires_in: expiresIn }) }),
  );
}

function clock(start = 1_700_000_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('authorizationFor: static credentials', () => {
  it('sends a bearer token as given', async () => {
    const authorization = authorizationFor({ type: 'bearer' }, { targetToken: 'static-token' });
    expect(await authorization()).toBe('Bearer static-token');
    expect(authorization.invalidate).toBeUndefined();
  });

  it('sends basic credentials as base64 of user:password in UTF-8', async () => {
    const authorization = authorizationFor({ type: 'basic', username: 'scim-bot' }, { targetPassword: 'pä:ss word' });
    const header = await authorization();
    expect(header).toMatch(/^Basic [A-Za-z0-9+/=]+$/);
    expect(Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8')).toBe('scim-bot:pä:ss word');
    expect(authorization.invalidate).toBeUndefined();
  });

  it.each<[string, TargetAuthConfig, string]>([
    ['a bearer token', { type: 'bearer' }, 'target.auth.token'],
    ['a basic password', { type: 'basic', username: 'u' }, 'target.auth.password'],
    ['an OAuth client secret', oauth2, 'target.auth.clientSecret'],
  ])('fails as a configuration error when %s is missing, without a request', async (_name, auth, field) => {
    const { fetch, sent } = issuer(3600);
    const error = await rejection(authorizationFor(auth, {}, { fetch })());
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
    expect(error.message).toContain(field);
    expect(sent).toHaveLength(0);
  });
});

describe('authorizationFor: OAuth 2.0 client credentials', () => {
  it('authenticates with HTTP Basic by default, the id and secret form-encoded (RFC 6749 §2.3.1)', async () => {
    const { fetch, sent } = issuer(3600);
    const auth: TargetAuthConfig = { ...oauth2, scope: 'scim.write scim.read', audience: 'https://api.example.com' };
    expect(await authorizationFor(auth, { targetClientSecret: CLIENT_SECRET }, { fetch })()).toBe('Bearer token-1');

    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.url).toBe(TOKEN_URL);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const credentials = Buffer.from(request!.headers.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(credentials).toBe('scim+flow:client-secret+value%3A%2B%2F%3D');
    expect(Object.fromEntries(request!.form)).toEqual({
      grant_type: 'client_credentials',
      scope: 'scim.write scim.read',
      audience: 'https://api.example.com',
    });
  });

  it('puts the client id and secret in the body when clientAuth is body, and leaves out unset scope and audience', async () => {
    const { fetch, sent } = issuer(3600);
    await authorizationFor({ ...oauth2, clientAuth: 'body' }, { targetClientSecret: CLIENT_SECRET }, { fetch })();
    expect(sent[0]!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(sent[0]!.form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'scim flow',
      client_secret: CLIENT_SECRET,
    });
  });

  it('reuses the token until 60 s before expires_in, then fetches a new one', async () => {
    const { fetch, sent } = issuer(3600);
    const time = clock();
    const authorization = authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch, now: time.now });
    const start = time.state.now;
    expect(await authorization()).toBe('Bearer token-1');
    time.state.now = start + 3_540_000 - 1;
    expect(await authorization()).toBe('Bearer token-1');
    expect(sent).toHaveLength(1);
    time.state.now = start + 3_540_000;
    expect(await authorization()).toBe('Bearer token-2');
    expect(await authorization()).toBe('Bearer token-2');
    expect(sent).toHaveLength(2);
  });

  it.each<[string, unknown, number]>([
    ['a short lifetime halfway', 30, 15_000],
    ['expires_in given as a string', '120', 60_000],
    ['no expires_in after 5 minutes', undefined, TOKEN_DEFAULT_LIFETIME_MS],
    ['an unusable expires_in after 5 minutes', 'soon', TOKEN_DEFAULT_LIFETIME_MS],
  ])('refreshes %s', async (_name, expiresIn, refreshAfterMs) => {
    const { fetch, sent } = issuer(expiresIn);
    const time = clock();
    const authorization = authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch, now: time.now });
    const start = time.state.now;
    await authorization();
    time.state.now = start + refreshAfterMs - 1;
    expect(await authorization()).toBe('Bearer token-1');
    time.state.now = start + refreshAfterMs;
    expect(await authorization()).toBe('Bearer token-2');
    expect(sent).toHaveLength(2);
  });

  it('lets concurrent callers share one token request', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { fetch, sent } = fakeFetch(async () => {
      await held;
      return tokenAnswer({ access_token: 'shared-token', expires_in: 3600 });
    });
    const authorization = authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch });
    const calls = [authorization(), authorization(), authorization()];
    release();
    expect(await Promise.all(calls)).toEqual(['Bearer shared-token', 'Bearer shared-token', 'Bearer shared-token']);
    expect(sent).toHaveLength(1);
  });

  it('drops the refused token on invalidate, but not a newer one', async () => {
    const { fetch, sent } = issuer(3600);
    const authorization = authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch });
    const first = await authorization();
    authorization.invalidate?.(first);
    const second = await authorization();
    expect(second).toBe('Bearer token-2');
    authorization.invalidate?.(first);
    expect(await authorization()).toBe('Bearer token-2');
    expect(sent).toHaveLength(2);
  });

  it('reports a refusal with the token URL and the endpoint error, never the secret, and tries again on the next call', async () => {
    const basicCredential = Buffer.from(`scim+flow:${encodeURIComponent(CLIENT_SECRET).replace(/%20/g, '+')}`).toString('base64');
    const { fetch, sent } = fakeFetch((_sent, index) =>
      index === 0
        ? tokenAnswer(
            { error: 'invalid_client', error_description: `client secret ${CLIENT_SECRET} (${basicCredential}) is not valid` },
            401,
          )
        : tokenAnswer({ access_token: 'token-after-fix', expires_in: 3600 }),
    );
    const authorization = authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch });
    const error = await rejection(authorization());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    expect(error.message).toContain(TOKEN_URL);
    expect(error.message).toContain('invalid_client: client secret [redacted]');
    const everything = JSON.stringify({ ...error.toJSON(), message: error.message, stack: error.stack });
    expect(everything).not.toContain(CLIENT_SECRET);
    expect(everything).not.toContain(basicCredential);
    expect(await authorization()).toBe('Bearer token-after-fix');
    expect(sent).toHaveLength(2);
  });

  it('keeps the secret out of the error when the endpoint echoes it in JSON escapes', async () => {
    const escaped = `\\u0063${JSON.stringify(CLIENT_SECRET).slice(2, -1)}`;
    const { fetch } = fakeFetch(() => new Response(`{"error":"invalid_client","error_description":"got ${escaped}"}`, { status: 401 }));
    const error = await rejection(authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch })());
    expect(error.message).toContain('invalid_client: got [redacted]');
    expect(JSON.stringify({ ...error.toJSON(), message: error.message })).not.toContain(CLIENT_SECRET);
  });

  it('names the token URL without its query', async () => {
    const { fetch } = fakeFetch(() => tokenAnswer({ error: 'invalid_scope' }, 400));
    const error = await rejection(
      authorizationFor({ ...oauth2, tokenUrl: `${TOKEN_URL}?tenant=contoso` }, { targetClientSecret: CLIENT_SECRET }, { fetch })(),
    );
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 400, detail: 'invalid_scope' });
    expect(error.message).toContain(TOKEN_URL);
    expect(error.message).not.toContain('contoso');
  });

  it('treats a throttled or failing token endpoint as transient', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>maintenance</html>', { status: 503 }));
    const error = await rejection(authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch })());
    expect(error).toMatchObject({ kind: 'transient', code: 'ServiceUnavailable', status: 503 });
    expect(error.message).toContain(TOKEN_URL);
  });

  it('reports an unreachable token endpoint as transient, without the secret', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError(`fetch failed near ${CLIENT_SECRET}`)));
    const error = await rejection(authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch })());
    expect(error).toMatchObject({ kind: 'transient', code: 'NetworkError' });
    expect(error.message).toContain(TOKEN_URL);
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it('refuses a success without an access_token, leaving the body out of the error', async () => {
    const { fetch } = fakeFetch(() => tokenAnswer({ accessToken: 'odd-shape-token-value', expires_in: 3600 }));
    const error = await rejection(authorizationFor(oauth2, { targetClientSecret: CLIENT_SECRET }, { fetch })());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 200 });
    expect(error.message).toContain('access_token');
    expect(JSON.stringify({ ...error.toJSON(), message: error.message })).not.toContain('odd-shape-token-value');
  });
});

describe('scimClientFor with a renewable credential', () => {
  const BASE_URL = 'https://scim.example.com/v2';
  const listResponse = () =>
    new Response(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] }), {
      status: 200,
      headers: { 'content-type': 'application/scim+json' },
    });
  const unauthorized = () =>
    new Response(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'token revoked' }), {
      status: 401,
    });

  /** A token endpoint issuing token-1, token-2, ... and a target that accepts only the tokens in `accepted`. */
  function world(accepted: string[]) {
    let issued = 0;
    const scimAuthorizations: string[] = [];
    const { fetch, sent } = fakeFetch((request) => {
      if (request.url === TOKEN_URL) return tokenAnswer({ access_token: `token-${++issued}`, expires_in: 3600 });
      scimAuthorizations.push(request.headers.authorization ?? '');
      return accepted.includes(request.headers.authorization ?? '') ? listResponse() : unauthorized();
    });
    return { fetch, tokenRequests: () => sent.filter((request) => request.url === TOKEN_URL).length, scimAuthorizations };
  }

  const app = { id: 'app-renewable-credential', target: { type: 'scim' as const, baseUrl: BASE_URL, auth: oauth2 } };

  it('fetches a new token when the target refuses the cached one, and tries the request again', async () => {
    const { fetch, tokenRequests, scimAuthorizations } = world(['Bearer token-2']);
    const scim = scimClientFor(app, { targetClientSecret: CLIENT_SECRET }, { fetch });
    // A POST too: a 401 means the target did not process it.
    await expect(scim.request('POST', '/Users/.search', { body: {} })).resolves.toMatchObject({ status: 200 });
    expect(scimAuthorizations).toEqual(['Bearer token-1', 'Bearer token-2']);
    await scim.listUsers();
    expect(tokenRequests()).toBe(2);
  });

  it('gives up after one renewal when the fresh token is refused too', async () => {
    const { fetch, tokenRequests, scimAuthorizations } = world([]);
    const scim = scimClientFor(app, { targetClientSecret: CLIENT_SECRET }, { fetch });
    const error = await rejection(scim.listUsers());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    expect(scimAuthorizations).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(tokenRequests()).toBe(2);
  });

  it('does not repeat a request refused with a static bearer token', async () => {
    const { fetch, scimAuthorizations } = world([]);
    const scim = scimClientFor({ ...app, target: { ...app.target, auth: { type: 'bearer' } } }, { targetToken: 'static-token' }, { fetch });
    await expect(scim.listUsers()).rejects.toMatchObject({ code: 'Unauthorized' });
    expect(scimAuthorizations).toEqual(['Bearer static-token']);
  });
});
