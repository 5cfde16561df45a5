/**
 * `GET /apps/{id}/provisioning-logs`: every action on every object, newest first, filtered by
 * object, action, status, cycle and time, one cursor page at a time.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { isStorableTime } from '../../src/config/storable';
import { isLogCursor } from '../../src/store/index';
import { routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, logEntrySchema, paramText } from '../schemas';

const ACTIONS = ['Create', 'Update', 'Delete', 'Disable', 'StagedDelete', 'Other'] as const;
const STATUSES = ['Success', 'Failure', 'Skipped', 'Warning'] as const;

/** A time filter: an ISO 8601 date-time with a zone, within the years the store holds. */
const time = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time', abort: true })
  .refine((value) => isStorableTime(new Date(value)), 'must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31');

const querySchema = z.object({
  objectId: paramText().min(1).optional().openapi({ description: 'Source object id (Entra object id)' }),
  targetId: paramText().min(1).optional(),
  action: z.enum(ACTIONS).optional(),
  status: z.enum(STATUSES).optional(),
  cycleId: paramText().min(1).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .refine(isLogCursor, 'is not a cursor this API gave out: pass nextCursor of the previous page as it is')
    .optional(),
});

export function provisioningLogRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/provisioning-logs',
      summary: 'Read the provisioning log',
      request: { params: appIdParams, query: querySchema },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ items: z.array(logEntrySchema), nextCursor: z.string().nullable() }) } },
          description: 'A page of entries',
        },
        400: { content: { 'application/json': { schema: errorSchema } }, description: 'A bad filter or cursor' },
        404: { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await requireApp(deps, id);
      const page = await deps.store.provisioningLog.query({
        appId: id,
        limit: q.limit,
        ...(q.objectId && { sourceId: q.objectId }),
        ...(q.targetId && { targetId: q.targetId }),
        ...(q.action && { action: q.action }),
        ...(q.status && { status: q.status }),
        ...(q.cycleId && { cycleId: q.cycleId }),
        ...(q.from && { from: q.from }),
        ...(q.to && { to: q.to }),
        ...(q.cursor && { cursor: q.cursor }),
      });
      return c.json({ items: page.items, nextCursor: page.nextCursor ?? null }, 200);
    },
  );
  return app;
}
