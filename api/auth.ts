/**
 * Bearer authentication with the admin token. The comparison is constant-time and the token is
 * never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Middleware that answers 401 unless `Authorization: Bearer <adminToken>` is present. */
export function requireAdminToken(adminToken: string): MiddlewareHandler {
  const expected = digest(adminToken);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="scimflow"');
      return c.json({ error: { code: 'Unauthorized', message: 'an Authorization: Bearer header with the admin token is required' } }, 401);
    }
    await next();
  };
}
