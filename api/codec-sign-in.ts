/**
 * Signing a browser in to the codec endpoint: the Temporal UI calls `/codec/decode` from the
 * operator's browser and cannot send scimflow's token itself, but it passes the browser's
 * cookies on ("Include cross-origin credentials"). `GET /codec/sign-in` is a form for a token
 * (one whose role may decode: `logs:read`); `POST /codec/sign-in` keeps it in an HttpOnly, SameSite=Lax cookie that the codec
 * routes read as if it were their `Authorization: Bearer` header.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Hono, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';

export const CODEC_COOKIE = 'scimflow_codec_token';
const SIGN_IN_PATH = '/codec/sign-in';
/** How long a browser stays signed in: one working day. */
const COOKIE_SECONDS = 12 * 3600;

const page = (message: string) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>scimflow: sign in to decode Temporal histories</title>
      </head>
      <body>
        <h1>Decode Temporal histories</h1>
        <p>${message}</p>
        <form method="post" action="${SIGN_IN_PATH}">
          <label>Token <input type="password" name="token" autocomplete="off" required /></label>
          <button type="submit">Sign in</button>
        </form>
      </body>
    </html>`;

/**
 * Runs `authenticate` (the API's token check) on a request that brings the codec cookie
 * instead of an `Authorization` header, as if the cookie's token were that header.
 */
export function cookieAsBearer(authenticate: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const token = getCookie(c, CODEC_COOKIE);
    if (token && !c.req.header('authorization')) c.req.raw.headers.set('authorization', `Bearer ${token}`);
    return authenticate(c, next);
  };
}

/** The sign-in form and its answer, checking the token with `authenticate`. */
export function codecSignInRoutes(app: Hono, authenticate: MiddlewareHandler): void {
  app.get(SIGN_IN_PATH, (c) => c.html(page('Sign this browser in, then open the Temporal UI: it decodes the histories through scimflow.')));
  app.post(SIGN_IN_PATH, async (c) => {
    const form: Record<string, unknown> = await c.req.parseBody().catch(() => ({}));
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    c.req.raw.headers.set('authorization', `Bearer ${token}`);
    let valid = false;
    const refused = await authenticate(c, async () => {
      valid = true;
    });
    if (refused instanceof Response && refused.status === 429) {
      const wait = refused.headers.get('retry-after') ?? '60';
      return c.html(page(`Too many failed attempts from this address: try again in ${wait} s.`), 429, { 'Retry-After': wait });
    }
    if (!valid || !token) return c.html(page('That is not a valid token. Try again.'), 401);
    setCookie(c, CODEC_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: COOKIE_SECONDS,
    });
    return c.html(page('This browser is signed in for 12 hours: the Temporal UI decodes histories now.'));
  });
}

/** The sign-in routes in the OpenAPI document (they are served at the root, not under /api/v1). */
export function describeCodecSignIn(registry: OpenAPIHono['openAPIRegistry']): void {
  const htmlPage = { content: { 'text/html': { schema: z.string() } } };
  registry.registerPath({
    method: 'get',
    path: SIGN_IN_PATH,
    servers: [{ url: '/' }],
    tags: ['codec'],
    summary: 'A form that signs a browser in to the codec endpoint, for the Temporal UI',
    security: [],
    responses: { 200: { ...htmlPage, description: 'The form' } },
  });
  registry.registerPath({
    method: 'post',
    path: SIGN_IN_PATH,
    servers: [{ url: '/' }],
    tags: ['codec'],
    summary: `Keep a token in an HttpOnly cookie (${CODEC_COOKIE}) the codec routes accept`,
    security: [],
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.object({ token: z.string() }),
            example: { token: '…an API token or the admin token…' },
          },
        },
        required: true,
      },
    },
    responses: {
      200: { ...htmlPage, description: 'Signed in; the cookie is set' },
      401: { ...htmlPage, description: 'Not a valid token' },
      429: {
        ...htmlPage,
        description: 'Too many failed authentications from this address in the last minute',
        headers: { 'Retry-After': { description: 'Seconds until the address may try again', schema: { type: 'integer' } } },
      },
    },
  });
}
