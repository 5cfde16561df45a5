/**
 * Bearer authentication: the bootstrap admin token (from the settings or the data dir), or a
 * token issued through `POST /tokens` and found by its hash. The comparison with the bootstrap
 * token is constant-time, and no token is logged or echoed. Failed attempts are counted per
 * client address: past the limit the address is answered 429 for the rest of the window,
 * whatever it sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { isIssuedTokenShape, tokenHash, type Role } from '../src/auth/index';
import type { Logger } from '../src/log/index';
import type { ApiTokensRepository } from '../src/store/index';
import { clientAddress, type FailureLimiter } from './rate-limit';

/** Who calls: the token's id, name and role. */
export interface Principal {
  /** The token's id; `bootstrap` for the bootstrap admin token. */
  id: string;
  name: string;
  role: Role;
  expiresAt: string | null;
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}

/** The bootstrap admin token's principal. */
export const BOOTSTRAP: Principal = { id: 'bootstrap', name: 'bootstrap', role: 'admin', expiresAt: null };

/** How often a token's last use is written at most. */
export const LAST_USE_EVERY_MS = 60_000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export interface AuthDeps {
  bootstrapToken: string;
  /** Issued tokens; without them only the bootstrap token is taken. */
  tokens: () => ApiTokensRepository | undefined;
  limiter: FailureLimiter;
  logger: Logger;
  now?: () => number;
}

type Refusal = { code: string; message: string };

/**
 * Middleware that answers 401 unless `Authorization: Bearer <token>` names the bootstrap token
 * or a valid issued one, and then holds the caller as `c.get('principal')`. A request without a
 * bearer token, one with an unknown token and one with an expired or revoked token are told
 * apart (RFC 6750 §3.1).
 */
export function authenticate(deps: AuthDeps): MiddlewareHandler {
  const expected = digest(deps.bootstrapToken);
  const now = deps.now ?? Date.now;
  const lastWritten = new Map<string, number>();

  async function recordUse(id: string): Promise<void> {
    const at = now();
    const last = lastWritten.get(id);
    if (last !== undefined && at - last < LAST_USE_EVERY_MS) return;
    lastWritten.set(id, at);
    if (lastWritten.size > 10_000) lastWritten.delete(lastWritten.keys().next().value!);
    try {
      await deps.tokens()?.touch(id, new Date(at));
    } catch (error) {
      deps.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) }, tokenId: id }, 'last use not recorded');
    }
  }

  async function identify(token: string): Promise<Principal | Refusal> {
    if (timingSafeEqual(digest(token), expected)) return BOOTSTRAP;
    const tokens = deps.tokens();
    const found = tokens && isIssuedTokenShape(token) ? await tokens.findByHash(tokenHash(token)) : undefined;
    if (!found) return { code: 'InvalidToken', message: 'the bearer token is not a token of this scimflow (nor its admin token)' };
    if (found.revokedAt !== null)
      return { code: 'TokenRevoked', message: `the token "${found.name}" was revoked at ${found.revokedAt}: ask an admin for a new one` };
    if (found.expiresAt !== null && Date.parse(found.expiresAt) <= now())
      return { code: 'TokenExpired', message: `the token "${found.name}" expired at ${found.expiresAt}: ask an admin for a new one` };
    await recordUse(found.id);
    return { id: found.id, name: found.name, role: found.role, expiresAt: found.expiresAt };
  }

  function refuse(c: Context, refusal: Refusal) {
    c.header('WWW-Authenticate', 'Bearer realm="scimflow", error="invalid_token"');
    return c.json({ error: refusal }, 401);
  }

  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer realm="scimflow"');
      return c.json(
        {
          error: {
            code: 'Unauthorized',
            message:
              'no token: send an Authorization: Bearer <token> header (an API token, or the admin token printed at start or set as SCIMFLOW_ADMIN_TOKEN)',
          },
        },
        401,
      );
    }
    const address = clientAddress(c);
    const wait = deps.limiter.retryAfter(address);
    if (wait !== undefined) {
      c.header('Retry-After', String(wait));
      return c.json(
        {
          error: {
            code: 'TooManyFailedAttempts',
            message: `too many failed authentication attempts from ${address}: try again in ${wait} s`,
          },
        },
        429,
      );
    }
    const identified = await identify(match[1]!);
    if (!('role' in identified)) {
      deps.limiter.fail(address);
      return refuse(c, identified);
    }
    c.set('principal', identified);
    await next();
  };
}
