/**
 * The provisioning log: every action on every object, newest first, filtered by object, action,
 * status, cycle and time; of one app (`/apps/{id}/provisioning-logs`) or of all
 * (`/provisioning-logs`), one cursor page at a time or streamed whole as an export (`/export`,
 * NDJSON or CSV in the field names of Entra's AADProvisioningLogs).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { isStorableTime } from '../../src/config/storable';
import { isLogCursor, type ProvisioningLogFilter } from '../../src/store/index';
import { CSV_COLUMNS, EXPORT_FORMATS, exportResponse, exportStream, toExportRecord } from '../log-export';
import { routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, LOG_ENTRY_EXAMPLE, logEntrySchema, paramText } from '../schemas';

const ACTIONS = ['Create', 'Update', 'Delete', 'Disable', 'StagedDelete', 'Other'] as const;
const STATUSES = ['Success', 'Failure', 'Skipped', 'Warning'] as const;

/** A time filter: an ISO 8601 date-time with a zone, within the years the store holds. */
const time = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time', abort: true })
  .refine((value) => isStorableTime(new Date(value)), 'must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31');

const filterSchema = z.object({
  objectId: paramText().min(1).optional().openapi({ description: 'Source object id (Entra object id)' }),
  targetId: paramText().min(1).optional(),
  action: z.enum(ACTIONS).optional(),
  status: z.enum(STATUSES).optional(),
  cycleId: paramText().min(1).optional(),
  from: time.optional(),
  to: time.optional(),
});

const listQuerySchema = filterSchema.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .refine(isLogCursor, 'is not a cursor this API gave out: pass nextCursor of the previous page as it is')
    .optional(),
});

const exportQuerySchema = filterSchema.extend({
  format: z
    .enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(', ')}` })
    .default('ndjson')
    .openapi({ description: 'NDJSON (one entry per line) or CSV (RFC 4180, a header row, nested fields as JSON)' }),
});

type Filter = z.output<typeof filterSchema>;

/** The store's filter for these query parameters, of one app or (no appId) of all. */
function storeFilter(q: Filter, appId: string | undefined): ProvisioningLogFilter {
  return {
    ...(appId !== undefined && { appId }),
    ...(q.objectId && { sourceId: q.objectId }),
    ...(q.targetId && { targetId: q.targetId }),
    ...(q.action && { action: q.action }),
    ...(q.status && { status: q.status }),
    ...(q.cycleId && { cycleId: q.cycleId }),
    ...(q.from && { from: q.from }),
    ...(q.to && { to: q.to }),
  };
}

const pageSchema = z
  .object({ items: z.array(logEntrySchema), nextCursor: z.string().nullable() })
  .openapi('ProvisioningLogPage', { example: { items: [LOG_ENTRY_EXAMPLE], nextCursor: 'WyIyMDI2LTEyLTAzVDEwOjE1OjAxLjIzNFoiLDQ4MTJd' } });

const exportContent = {
  'application/x-ndjson': {
    schema: z.string().openapi({ description: 'One JSON object per line, in the export field names' }),
    example: `${JSON.stringify(toExportRecord(LOG_ENTRY_EXAMPLE))}\n`,
  },
  'text/csv': {
    schema: z.string().openapi({ description: 'A header row, then one row per entry' }),
    example: `${CSV_COLUMNS.map(([header]) => header).join(',')}\r\n…\r\n`,
  },
};

/** The attachment's name: the app (or all apps) and the time of the export. */
function exportFileName(appId: string | undefined, now: Date): string {
  return `provisioning-log-${appId ?? 'all-apps'}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export function provisioningLogRoutes(deps: ApiDeps) {
  const app = routeGroup();
  const badFilter = { content: { 'application/json': { schema: errorSchema } }, description: 'A bad filter, cursor or format, named' };
  const noApp = { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' };

  const page = async (q: z.output<typeof listQuerySchema>, appId: string | undefined) => {
    const found = await deps.store.provisioningLog.query({
      ...storeFilter(q, appId),
      limit: q.limit,
      ...(q.cursor && { cursor: q.cursor }),
    });
    return { items: found.items, nextCursor: found.nextCursor ?? null };
  };
  const download = (q: z.output<typeof exportQuerySchema>, appId: string | undefined) =>
    exportResponse(
      exportStream(deps.store.provisioningLog.stream(storeFilter(q, appId)), q.format, (error) =>
        deps.logger.error(
          { err: { message: error instanceof Error ? error.message : String(error) }, appId, format: q.format },
          'a provisioning-log export stopped part way',
        ),
      ),
      q.format,
      exportFileName(appId, new Date()),
    );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/provisioning-logs',
      summary: "Read an app's provisioning log",
      request: { params: appIdParams, query: listQuerySchema },
      responses: {
        200: { content: { 'application/json': { schema: pageSchema } }, description: 'A page of entries' },
        400: badFilter,
        404: noApp,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireApp(deps, id);
      return c.json(await page(c.req.valid('query'), id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/provisioning-logs/export',
      summary: "Export an app's provisioning log",
      description:
        "Every entry matching the filters, newest first, streamed as NDJSON or CSV in the field names of Entra's AADProvisioningLogs table. Any number of entries; the answer is an attachment.",
      request: { params: appIdParams, query: exportQuerySchema },
      responses: { 200: { content: exportContent, description: 'The entries' }, 400: badFilter, 404: noApp },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireApp(deps, id);
      return download(c.req.valid('query'), id);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/provisioning-logs',
      summary: 'Read the provisioning log of every app',
      request: { query: listQuerySchema },
      responses: { 200: { content: { 'application/json': { schema: pageSchema } }, description: 'A page of entries' }, 400: badFilter },
    }),
    async (c) => c.json(await page(c.req.valid('query'), undefined), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/provisioning-logs/export',
      summary: 'Export the provisioning log of every app',
      description: 'As the export of one app, for every app: each entry carries its appId and jobId.',
      request: { query: exportQuerySchema },
      responses: { 200: { content: exportContent, description: 'The entries' }, 400: badFilter },
    }),
    (c) => download(c.req.valid('query'), undefined) as never,
  );
  return app;
}
