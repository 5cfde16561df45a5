/**
 * The HTTP API: `/api/v1/...` behind a bearer token (an API token, or the bootstrap admin
 * token) whose role has the permission each route needs (`api/permissions.ts`), every change
 * recorded in the audit log; open are the probes `GET /livez`
 * (the process serves), `GET /readyz` and `GET /healthz` (its dependencies, 503 naming what is
 * away), `GET /api/v1` (links to everything), the OpenAPI document at `/api/v1/openapi.json` and
 * its docs UI at `/api/v1/docs` (also `/docs`). `GET /metrics` (Prometheus) needs the token.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { routeGroup } from './errors';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { auditTrail } from './audit';
import { authenticate } from './auth';
import type { ApiDeps } from './deps';
import { docsRoutes } from './docs';
import { errorResponse } from './errors';
import { limitBodySize, requireJsonBody } from './json-body';
import { describeMetricsRoute, METRICS_PATH, scrape } from './metrics';
import { declareCommonAnswers, tagged, TAGS } from './openapi';
import { requireAccess } from './permissions';
import { createFailureLimiter } from './rate-limit';
import { auditRoutes } from './routes/audit';
import { accountRoutes, personAccessRoutes } from './routes/accounts';
import { codecRoutes } from './routes/codec';
import { codecSignInRoutes, cookieAsBearer, describeCodecSignIn } from './codec-sign-in';
import { appsRoutes } from './routes/apps';
import { configRoutes } from './routes/config';
import { connectionRoutes } from './routes/connection';
import { expressionRoutes } from './routes/expressions';
import { lifecycleRoutes, type LifecycleDeps } from './routes/lifecycle';
import { onDemandRoutes } from './routes/on-demand';
import { provisioningLogRoutes } from './routes/provisioning-logs';
import { unmatchedAccountRoutes } from './routes/unmatched-accounts';
import { tokenRoutes } from './routes/tokens';

export const API_BASE = '/api/v1';

const LINKS = {
  apps: `${API_BASE}/apps`,
  app: `${API_BASE}/apps/{id}`,
  status: `${API_BASE}/apps/{id}/status`,
  config: `${API_BASE}/apps/{id}/config`,
  provisioningLogs: `${API_BASE}/apps/{id}/provisioning-logs`,
  provisioningLogsExport: `${API_BASE}/apps/{id}/provisioning-logs/export`,
  allProvisioningLogs: `${API_BASE}/provisioning-logs`,
  allProvisioningLogsExport: `${API_BASE}/provisioning-logs/export`,
  accounts: `${API_BASE}/apps/{id}/accounts`,
  accountsExport: `${API_BASE}/apps/{id}/accounts/export`,
  anchor: `${API_BASE}/apps/{id}/anchors/{objectType}/{objectId}`,
  unmatchedAccounts: `${API_BASE}/apps/{id}/unmatched-accounts`,
  unmatchedAccountsScan: `${API_BASE}/apps/{id}/unmatched-accounts/scan`,
  testConnection: `${API_BASE}/apps/{id}/test-connection`,
  provisionOnDemand: `${API_BASE}/apps/{id}/provision-on-demand`,
  preview: `${API_BASE}/apps/{id}/preview`,
  me: `${API_BASE}/me`,
  tokens: `${API_BASE}/tokens`,
  audit: `${API_BASE}/audit`,
  auditExport: `${API_BASE}/audit/export`,
  lifecycleEvents: `${API_BASE}/lifecycle/events`,
  lifecyclePerson: `${API_BASE}/lifecycle/persons/{objectId}`,
  personAccess: `${API_BASE}/lifecycle/persons/{objectId}/access`,
  expressionFunctions: `${API_BASE}/expressions/functions`,
  evaluateExpression: `${API_BASE}/expressions/evaluate`,
  codecEncode: '/codec/encode',
  codecDecode: '/codec/decode',
  openapi: `${API_BASE}/openapi.json`,
  docs: `${API_BASE}/docs`,
  health: '/healthz',
  metrics: METRICS_PATH,
};

const indexSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    authentication: z.string(),
    links: z.object(Object.fromEntries(Object.keys(LINKS).map((name) => [name, z.string()]))),
  })
  .openapi('ApiIndex');

/** `GET /api/v1`: where everything is. It holds no data, so it needs no token. */
function indexRoute() {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'Links to every resource and to the docs',
      security: [],
      responses: { 200: { content: { 'application/json': { schema: indexSchema } }, description: 'The links' } },
    }),
    (c) =>
      c.json(
        {
          name: 'scimflow API',
          version: '1',
          authentication:
            'Every route but this one, /healthz and the docs UI needs Authorization: Bearer <token>: an API token (POST /tokens) or the admin token; GET /me tells its role and permissions',
          links: LINKS,
        },
        200,
      ),
  );
  return app;
}

export function createApi(deps: ApiDeps & LifecycleDeps): Hono {
  const v1 = new OpenAPIHono();
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`sfk_…`, from POST /tokens) or the bootstrap admin token',
  });
  v1.use('*', requireJsonBody);
  v1.route('/', tagged('service', indexRoute()));
  v1.route('/', tagged('tokens', tokenRoutes(deps)));
  v1.route('/', tagged('audit', auditRoutes(deps)));
  v1.route('/', tagged('apps', appsRoutes(deps)));
  v1.route('/', tagged('configuration', configRoutes(deps)));
  v1.route('/', tagged('on demand', onDemandRoutes(deps)));
  v1.route('/', tagged('provisioning logs', provisioningLogRoutes(deps)));
  v1.route('/', tagged('accounts', accountRoutes(deps)));
  v1.route('/', tagged('accounts', unmatchedAccountRoutes(deps)));
  v1.route('/', tagged('expressions', expressionRoutes(deps)));
  v1.route('/', tagged('connection', connectionRoutes(deps)));
  v1.route('/', tagged('lifecycle', lifecycleRoutes(deps)));
  if (deps.metrics) describeMetricsRoute(v1);
  v1.route('/', tagged('lifecycle', personAccessRoutes(deps)));
  v1.route('/', tagged('codec', codecRoutes(deps)));
  if (deps.payloadCodec) describeCodecSignIn(v1.openAPIRegistry);
  declareCommonAnswers(v1);
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'scimflow API',
      version: '1',
      description:
        'Provision identities from Microsoft Entra ID into SaaS apps over SCIM 2.0. Every route needs `Authorization: Bearer <token>` (the Authorize button), but `GET /api/v1` and `/healthz`: an API token of a role (admin, operator, auditor, lifecycle) or the bootstrap admin token. A call whose role lacks the permission is answered 403 naming it; 20 failed authentications a minute from one address are answered 429. Bodies are JSON (`Content-Type: application/json`); an unknown field is refused.',
    },
    servers: [{ url: API_BASE }],
    security: [{ bearerAuth: [] }],
    tags: TAGS.map((tag) => ({ ...tag })),
  });

  const root = new Hono();
  root.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: error.status === 400 ? 'BadRequest' : 'HttpError', message: error.message } }, error.status);
    }
    const response = errorResponse(c, error, { temporalAway: deps.health?.away('temporal') });
    // A peer that is away is logged once by the health monitor, not once per request; a refused
    // request (4xx) is the caller's, and its answer says why.
    if (response.status >= 500 && response.status !== 503) {
      deps.logger.error({ err: errorChain(error), path: c.req.path }, 'request failed');
    }
    return response;
  });
  root.use('*', limitBodySize);
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
  const auth = authenticate({
    bootstrapToken: deps.adminToken,
    // Tests build the API over a partial store: without issued tokens only the bootstrap token counts.
    tokens: () => deps.store.tokens,
    limiter: createFailureLimiter(deps.authFailures),
    logger: deps.logger,
  });
  if (deps.payloadCodec) {
    // The Temporal UI calls the codec from the browser: its preflight is answered before the
    // token is asked for, and the token may come as the sign-in cookie. `/codec/...` is the
    // short form of `/api/v1/codec/...`.
    const allowed = cors({
      origin: deps.codecCorsOrigins ?? [],
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
      maxAge: 600,
    });
    for (const path of ['/codec/encode', '/codec/decode']) root.use(path, allowed, cookieAsBearer(auth), requireJsonBody);
    codecSignInRoutes(root, auth);
    root.use(`${API_BASE}/codec/*`, allowed);
    root.route('/', codecRoutes(deps));
  }
  // The index, the OpenAPI document (it describes the API and holds no data) and the docs UI are open.
  const open = (path: string) => path === API_BASE || path === `${API_BASE}/openapi.json` || path.startsWith(`${API_BASE}/docs`);
  root.use(`${API_BASE}/*`, async (c, next) => (open(c.req.path) ? next() : auth(c, next)));
  root.use(`${API_BASE}/*`, auditTrail({ audit: () => deps.store.audit, logger: deps.logger }));
  const registry = deps.metrics;
  if (registry) root.get(METRICS_PATH, auth, requireAccess('get', METRICS_PATH), (c) => scrape(c, registry));
  const temporalCalls = deps.temporalCalls;
  if (temporalCalls) root.use(`${API_BASE}/*`, (_c, next) => temporalCalls(next));
  root.route(API_BASE, v1);
  root.notFound((c) => c.json({ error: { code: 'NotFound', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  return root;
}

/**
 * What the log keeps of an unexpected error: each link of its chain of causes by name, message
 * and (for gRPC) status code, without stacks or the objects' other fields.
 */
function errorChain(error: unknown): { name: string; message: string; code?: unknown }[] {
  const chain: { name: string; message: string; code?: unknown }[] = [];
  for (let e: unknown = error; e !== undefined && chain.length < 8; e = e instanceof Error ? e.cause : undefined) {
    if (!(e instanceof Error)) {
      chain.push({ name: typeof e, message: String(e) });
      break;
    }
    const code = (e as { code?: unknown }).code;
    chain.push({ name: e.name, message: e.message, ...(code !== undefined && { code }) });
  }
  return chain;
}
