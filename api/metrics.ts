/**
 * `GET /metrics`: the service's metrics in the Prometheus text format. On the API port it needs
 * the admin token (Prometheus' `authorization` scrape setting); on its own port
 * (`SCIMFLOW_METRICS_PORT`) it is open, for a network only Prometheus reaches.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

const EXAMPLE = `# HELP scimflow_objects_processed_total Objects recorded in the provisioning log, by app, object kind, action and status.
# TYPE scimflow_objects_processed_total counter
scimflow_objects_processed_total{app="3f0c…",object_kind="user",action="Create",status="Success"} 1998
`;

/** Answers a scrape with the registry's text. */
export async function scrape(c: Context, registry: Registry): Promise<Response> {
  const text = await registry.metrics();
  return c.body(text, 200, { 'content-type': registry.contentType });
}

/**
 * Describes `GET /metrics` in the OpenAPI document. It is served at the root, beside the probes,
 * not below `/api/v1`, so the operation names its own server.
 */
export function describeMetricsRoute(v1: OpenAPIHono): void {
  v1.openAPIRegistry.registerPath(
    createRoute({
      method: 'get',
      path: METRICS_PATH,
      tags: ['service'],
      summary: 'Metrics in the Prometheus text format',
      description:
        'Objects processed, SCIM and Graph requests, cycles, escrow, pending references, job states, lifecycle runs and rate-budget waits (see the README for the list). Served at the root (`/metrics`); also open on `SCIMFLOW_METRICS_PORT` when set.',
      servers: [{ url: '/' }],
      responses: {
        200: {
          content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: z.string().openapi({ example: EXAMPLE }) } },
          description: 'The metrics',
        },
      },
    }),
  );
}

/**
 * The open metrics listener (`SCIMFLOW_METRICS_PORT`): `GET /metrics` without a token, and the
 * probes `/livez` and `/readyz` (a worker alone serves nothing else), nothing more.
 */
export function metricsApi(registry: Registry, health?: { report(): Promise<{ status: string }> }): Hono {
  const app = new Hono();
  app.get(METRICS_PATH, (c) => scrape(c, registry));
  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!health) return c.json({ status: 'ok' });
    const report = await health.report();
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'NotFound', message: `no route for ${c.req.method} ${c.req.path}; metrics are at ${METRICS_PATH}` } }, 404),
  );
  return app;
}
