/**
 * What every route needs: a permission (`src/auth/roles.ts`), any valid token (`GET /me`), or
 * nothing (the index, the docs, the codec sign-in form). A route that changes something also
 * names the action its audit-log entries carry. Every operation of the OpenAPI document has an
 * entry here (a test walks the document), and a route group refuses to register a route without
 * one, so no route is reachable by accident.
 */
import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { can, type Permission } from '../src/auth/index';
import type { Principal } from './auth';

/** What a route needs of the caller. */
export type Requirement = Permission | 'any-token' | 'open';

export interface RouteAccess {
  needs: Requirement;
  /** The audit log's name for what the route does; absent for a route that changes nothing. */
  action?: string;
}

const read = (needs: Requirement): RouteAccess => ({ needs });
const change = (needs: Permission, action: string): RouteAccess => ({ needs, action });

/** Every route by `METHOD path`, the path as the OpenAPI document writes it (below `/api/v1` unless it starts at the root). */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /': read('open'),
  'GET /me': read('any-token'),

  'POST /apps': change('apps:write', 'app.create'),
  'GET /apps': read('apps:read'),
  'GET /apps/{id}': read('apps:read'),
  'PATCH /apps/{id}': change('apps:write', 'app.update'),
  'DELETE /apps/{id}': change('apps:write', 'app.delete'),
  'GET /apps/{id}/status': read('apps:read'),
  'GET /apps/{id}/config': read('apps:read'),
  'PUT /apps/{id}/config': change('apps:write', 'config.apply'),
  'POST /apps/{id}/test-connection': change('apps:write', 'app.test-connection'),

  'POST /apps/{id}/run': change('jobs:operate', 'job.run'),
  'POST /apps/{id}/pause': change('jobs:operate', 'job.pause'),
  'POST /apps/{id}/resume': change('jobs:operate', 'job.resume'),
  'POST /apps/{id}/quarantine': change('jobs:operate', 'job.quarantine'),
  'POST /apps/{id}/allow-deletes': change('jobs:operate', 'job.allow-deletes'),
  'POST /apps/{id}/restart': change('jobs:operate', 'job.restart'),

  'POST /apps/{id}/provision-on-demand': change('on-demand', 'on-demand.provision'),
  // A dry run: it writes nothing.
  'POST /apps/{id}/preview': read('on-demand'),

  'GET /apps/{id}/provisioning-logs': read('logs:read'),
  'GET /apps/{id}/provisioning-logs/export': read('logs:read'),
  'GET /provisioning-logs': read('logs:read'),
  'GET /provisioning-logs/export': read('logs:read'),
  'GET /apps/{id}/accounts': read('logs:read'),
  'GET /apps/{id}/accounts/export': read('logs:read'),
  'GET /apps/{id}/anchors/{objectType}/{objectId}': read('logs:read'),
  'DELETE /apps/{id}/anchors/{objectType}/{objectId}': change('jobs:operate', 'anchor.remove'),
  'GET /apps/{id}/unmatched-accounts': read('logs:read'),
  'POST /apps/{id}/unmatched-accounts/scan': change('jobs:operate', 'unmatched.scan'),
  'POST /apps/{id}/unmatched-accounts/{accountId}/link': change('jobs:operate', 'unmatched.link'),
  'POST /apps/{id}/unmatched-accounts/{accountId}/leave': change('jobs:operate', 'unmatched.leave'),

  'POST /lifecycle/events': change('lifecycle:events', 'lifecycle.events'),
  'GET /lifecycle/persons/{objectId}': read('lifecycle:read'),
  'GET /lifecycle/persons/{objectId}/access': read('lifecycle:read'),

  // The expression tools read nothing of the store and write nothing.
  'GET /expressions/functions': read('apps:read'),
  'POST /expressions/evaluate': read('apps:read'),

  'POST /tokens': change('tokens:manage', 'token.create'),
  'GET /tokens': read('tokens:manage'),
  'DELETE /tokens/{id}': change('tokens:manage', 'token.revoke'),

  'GET /audit': read('audit:read'),
  'GET /audit/export': read('audit:read'),

  // Decoding shows what histories hold (people's data), as the logs do; encoding is for
  // starting and signalling runs from the Temporal UI or CLI.
  'POST /codec/decode': read('logs:read'),
  'POST /codec/encode': read('jobs:operate'),
  'GET /codec/sign-in': read('open'),
  'POST /codec/sign-in': read('open'),

  'GET /metrics': read('apps:read'),
};

/** The key of a route in {@link ROUTE_ACCESS}. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** A route's access; throws for a route the table does not know (a programming error, found at start). */
export function accessOf(method: string, path: string): RouteAccess {
  const access = ROUTE_ACCESS[routeKey(method, path)];
  if (!access) throw new Error(`${routeKey(method, path)} has no entry in api/permissions.ts: say what it needs`);
  return access;
}

/** The route a request was matched to, as the audit log records it. */
export interface MatchedRoute {
  method: string;
  path: string;
  access: RouteAccess;
  /** The app the route is about (its `{id}` below `/apps`). */
  appId?: string;
  /** The other path parameters. */
  params: Record<string, string>;
}

declare module 'hono' {
  interface ContextVariableMap {
    route: MatchedRoute;
  }
}

/** The answer to a caller whose role lacks the permission. */
function forbidden(principal: Principal, permission: Permission, key: string) {
  return {
    error: {
      code: 'Forbidden',
      message: `${key} needs the permission ${permission}, which the ${principal.role} role of token "${principal.name}" does not have`,
      permission,
    },
  };
}

/**
 * Middleware that refuses a caller without the permission (403 naming it) and records the
 * matched route for the audit log. It runs before the route's validation, so a refused caller
 * learns nothing about the body it sent.
 */
export function requireAccess(method: string, path: string): MiddlewareHandler {
  const access = accessOf(method, path);
  const key = routeKey(method, path);
  return async (c, next) => {
    const { id, ...params } = c.req.param() as Record<string, string>;
    const aboutApp = path.startsWith('/apps/{id}');
    c.set('route', {
      method: method.toUpperCase(),
      path,
      access,
      ...(aboutApp && id !== undefined && { appId: id }),
      params: aboutApp || id === undefined ? params : { id, ...params },
    });
    const { needs } = access;
    if (needs === 'open' || needs === 'any-token') return next();
    const principal = c.get('principal');
    if (!principal) throw new Error(`${key} was reached without authentication`);
    if (!can(principal.role, needs)) return c.json(forbidden(principal, needs, key), 403);
    return next();
  };
}

/** A route with its access check first among its middleware. */
export function guarded<R extends RouteConfig>(route: R): R {
  const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  return { ...route, middleware: [requireAccess(route.method, route.path), ...own] };
}
