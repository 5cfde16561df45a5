/**
 * Bearer authentication with the admin token. The comparison is constant-time and the token is
 * never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Middleware that answers 401 unless `Authorization: Bearer <adminToken>` is present. A request
 * without a bearer token and one with the wrong token are told apart (RFC 6750 §3.1).
 */
export function requireAdminToken(adminToken: string): MiddlewareHandler {
  const expected = digest(adminToken);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="scimflow"');
      return c.json(
        {
          error: {
            code: 'Unauthorized',
            message: 'no admin token: send an Authorization: Bearer <admin token> header (printed at start, or SCIMFLOW_ADMIN_TOKEN)',
          },
        },
        401,
      );
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="scimflow", error="invalid_token"');
      return c.json({ error: { code: 'InvalidToken', message: 'the bearer token is not the admin token' } }, 401);
    }
    await next();
  };
}
