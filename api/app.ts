/**
 * The HTTP API: `/api/v1/...` behind the admin bearer token; open probes `GET /livez` (the
 * process serves), `GET /readyz` and `GET /healthz` (its dependencies, 503 naming what is away);
 * the OpenAPI document at `/api/v1/openapi.json` and its docs UI at `/api/v1/docs` (also `/docs`).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requireAdminToken } from './auth';
import type { ApiDeps } from './deps';
import { docsRoutes } from './docs';
import { errorResponse } from './errors';
import { appsRoutes } from './routes/apps';
import { connectionRoutes } from './routes/connection';
import { expressionRoutes } from './routes/expressions';
import { lifecycleRoutes, type LifecycleDeps } from './routes/lifecycle';
import { onDemandRoutes } from './routes/on-demand';
import { provisioningLogRoutes } from './routes/provisioning-logs';

export const API_BASE = '/api/v1';

export function createApi(deps: ApiDeps & LifecycleDeps): Hono {
  const v1 = new OpenAPIHono();
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'The admin token' });
  v1.route('/', appsRoutes(deps));
  v1.route('/', onDemandRoutes(deps));
  v1.route('/', provisioningLogRoutes(deps));
  v1.route('/', expressionRoutes(deps));
  v1.route('/', connectionRoutes(deps));
  v1.route('/', lifecycleRoutes(deps));
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'scimflow API',
      version: '1',
      description:
        'Provision identities from Microsoft Entra ID into SaaS apps over SCIM 2.0. Every route needs `Authorization: Bearer <admin token>`.',
    },
    servers: [{ url: API_BASE }],
    security: [{ bearerAuth: [] }],
  });

  const root = new Hono();
  root.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: error.status === 400 ? 'BadRequest' : 'HttpError', message: error.message } }, error.status);
    }
    const response = errorResponse(c, error, { temporalAway: deps.health?.away('temporal') });
    // A peer that is away is logged once by the health monitor, not once per request.
    if (response.status !== 503) {
      deps.logger.error({ err: { message: error instanceof Error ? error.message : String(error) }, path: c.req.path }, 'request failed');
    }
    return response;
  });
  root.get('/livez', (c) => c.json({ status: 'ok' }));
  const ready = async (c: Context) => {
    if (!deps.health) return c.json({ status: 'ok', unavailable: [], dependencies: {} });
    const report = await deps.health.report();
    return c.json(report, report.status === 'ok' ? 200 : 503);
  };
  root.get('/readyz', ready);
  root.get('/healthz', ready);
  root.get('/docs', (c) => c.redirect(`${API_BASE}/docs`));
  root.route(API_BASE, docsRoutes({ specUrl: `${API_BASE}/openapi.json`, base: API_BASE }));
  const auth = requireAdminToken(deps.adminToken);
  root.use(`${API_BASE}/*`, async (c, next) => (c.req.path.startsWith(`${API_BASE}/docs`) ? next() : auth(c, next)));
  const temporalCalls = deps.temporalCalls;
  if (temporalCalls) root.use(`${API_BASE}/*`, (_c, next) => temporalCalls(next));
  root.route(API_BASE, v1);
  root.notFound((c) => c.json({ error: { code: 'NotFound', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  return root;
}
