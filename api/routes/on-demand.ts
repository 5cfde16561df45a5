/**
 * One object at a time, through the app's job and the same reconcile path as a cycle:
 * `POST /apps/{id}/provision-on-demand` reconciles one user now and answers with the steps Entra
 * shows; `POST /apps/{id}/preview` is the same as a dry run that writes nothing.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { ErrorInfo } from '../../src/errors/index';
import { routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, onDemandResultSchema, previewResultSchema } from '../schemas';

const bodySchema = z.object({ objectId: z.string().trim().min(1, 'objectId is required').max(256) }).openapi('ProvisionOnDemandRequest');

function oneObjectRoute<T extends z.ZodType>(path: string, summary: string, schema: T, description: string) {
  return createRoute({
    method: 'post',
    path: `/apps/{id}/${path}`,
    summary,
    request: { params: appIdParams, body: { content: { 'application/json': { schema: bodySchema } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema } }, description },
      400: { content: { 'application/json': { schema: errorSchema } }, description: 'A bad body' },
      404: { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' },
    },
  });
}

/** The app's job, started if it is not running; 404 for an unknown app. */
async function ensureJob(deps: ApiDeps, id: string): Promise<void> {
  const found = await requireApp(deps, id);
  await deps.jobs.ensure(id, found.schedule.intervalMinutes);
}

function errorView(error: ErrorInfo | null | undefined) {
  return error ? { code: error.code, message: error.message, ...(error.detail !== undefined && { detail: error.detail }) } : null;
}

export function onDemandRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    oneObjectRoute(
      'provision-on-demand',
      'Provision one user now and return the steps taken',
      onDemandResultSchema,
      'What was done, step by step',
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      await ensureJob(deps, id);
      const result = await deps.jobs.provisionOnDemand(id, objectId);
      return c.json(
        {
          objectId,
          status: result.status,
          action: result.outcome?.action ?? null,
          targetId: result.outcome?.targetId ?? null,
          steps: result.steps,
          modifiedProperties: result.outcome?.changes ?? [],
          error: errorView(result.error),
        },
        200,
      );
    },
  );
  app.openapi(
    oneObjectRoute(
      'preview',
      'Show what provisioning one user would do (scope clause by clause, match, exact SCIM request), writing nothing',
      previewResultSchema,
      'The dry run',
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      await ensureJob(deps, id);
      const result = await deps.jobs.preview(id, objectId);
      const outcome = result.outcome;
      return c.json(
        {
          objectId,
          found: result.found,
          source: result.source,
          scope: result.scope,
          action: outcome?.action ?? null,
          reason: outcome?.reason ?? null,
          targetId: outcome?.targetId ?? null,
          request: outcome?.request ?? null,
          modifiedProperties: outcome?.changes ?? [],
          steps: result.steps,
          error: errorView(result.error),
        },
        200,
      );
    },
  );
  return app;
}
