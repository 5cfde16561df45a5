/**
 * One object at a time, through the app's job and the same reconcile path as a cycle:
 * `POST /apps/{id}/provision-on-demand` reconciles one user now and answers with the steps Entra
 * shows; `POST /apps/{id}/preview` is the same as a dry run that writes nothing.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { fieldErrors, invalid, notFound, routeGroup } from '../errors';
import type { ApiDeps } from '../deps';
import { appIdParams, errorSchema, onDemandResultSchema, previewResultSchema } from '../schemas';

const bodySchema = z.object({ objectId: z.string().trim().min(1, 'objectId is required').max(256) }).openapi('ProvisionOnDemandRequest');

export function onDemandRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/provision-on-demand',
      summary: 'Provision one user now and return the steps taken',
      request: { params: appIdParams, body: { content: { 'application/json': { schema: bodySchema } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: onDemandResultSchema } }, description: 'What was done, step by step' },
        400: { content: { 'application/json': { schema: errorSchema } }, description: 'A bad body' },
        404: { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      const found = await deps.store.apps.get(id);
      if (!found) throw notFound('the app');
      await deps.jobs.ensure(id, found.schedule.intervalMinutes);
      const result = await deps.jobs.provisionOnDemand(id, objectId);
      return c.json(
        {
          objectId,
          status: result.status,
          action: result.outcome?.action ?? null,
          targetId: result.outcome?.targetId ?? null,
          steps: result.steps,
          modifiedProperties: result.outcome?.changes ?? [],
          error: result.error ? { code: result.error.code, message: result.error.message, ...(result.error.detail !== undefined && { detail: result.error.detail }) } : null,
        },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/preview',
      summary: 'Show what provisioning one user would do (scope clause by clause, match, exact SCIM request), writing nothing',
      request: { params: appIdParams, body: { content: { 'application/json': { schema: bodySchema } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: previewResultSchema } }, description: 'The dry run' },
        400: { content: { 'application/json': { schema: errorSchema } }, description: 'A bad body' },
        404: { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      const found = await deps.store.apps.get(id);
      if (!found) throw notFound('the app');
      await deps.jobs.ensure(id, found.schedule.intervalMinutes);
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
          error: result.error ? { code: result.error.code, message: result.error.message, ...(result.error.detail !== undefined && { detail: result.error.detail }) } : null,
        },
        200,
      );
    },
  );
  return app;
}
