/**
 * The audit log: who changed what, when, with what outcome; newest first, filtered by time,
 * app, actor and action, one cursor page at a time (`/audit`) or streamed whole (`/audit/export`,
 * NDJSON or CSV). Read-only: nothing in the API changes or deletes an entry.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { isStorableTime } from '../../src/config/storable';
import { isLogCursor, type AuditEntry, type AuditFilter } from '../../src/store/index';
import { routeGroup } from '../errors';
import type { ApiDeps } from '../deps';
import { EXPORT_FORMATS, exportResponse, exportRows, type ExportShape } from '../log-export';
import { errorSchema, paramText } from '../schemas';

const time = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time', abort: true })
  .refine((value) => isStorableTime(new Date(value)), 'must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31');

const filterSchema = z.object({
  from: time.optional().openapi({ description: 'Entries at or after this time' }),
  to: time.optional().openapi({ description: 'Entries before this time' }),
  app: paramText().min(1).optional().openapi({ description: 'The app id' }),
  actor: paramText().min(1).optional().openapi({ description: "The caller's token name or token id (`bootstrap` for the admin token)" }),
  action: paramText().min(1).optional().openapi({ description: 'The action, e.g. `job.pause`, `config.apply`, `token.create`' }),
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
    .openapi({ description: 'NDJSON (one entry per line) or CSV (a header row, nested fields as JSON)' }),
});

const ENTRY_EXAMPLE = {
  id: '4812',
  at: '2026-12-03T10:15:01.234Z',
  actor: { id: '0b5e2c1a-4f7e-4d0e-9a51-3c1f8e2d7b60', name: 'ops-oncall', role: 'operator' },
  client: '10.0.4.17',
  method: 'POST',
  route: '/apps/{id}/pause',
  appId: 'servicenow',
  action: 'job.pause',
  status: 200,
  before: { state: 'active' },
  after: { state: 'paused' },
  changes: null,
  detail: null,
};

const entrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({ id: z.string(), name: z.string(), role: z.string() }),
    client: z.string().nullable().openapi({ description: "The caller's address" }),
    method: z.string(),
    route: z.string().openapi({ description: 'The route as this document names it' }),
    appId: z.string().nullable(),
    action: z.string(),
    status: z.number().openapi({ description: 'The answer: 2xx done, 4xx refused' }),
    before: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'What it changed, before (configuration without secrets, a job state)' }),
    after: z.record(z.string(), z.unknown()).nullable(),
    changes: z
      .array(z.unknown())
      .nullable()
      .openapi({ description: 'The changed fields as PUT /apps/{id}/config answers them; secrets only as replaced, set or removed' }),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry', { example: ENTRY_EXAMPLE });

const pageSchema = z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }).openapi('AuditPage');

const CSV_COLUMNS: readonly [string, (entry: AuditEntry) => unknown][] = [
  ['id', (e) => e.id],
  ['at', (e) => e.at],
  ['actor.id', (e) => e.actor.id],
  ['actor.name', (e) => e.actor.name],
  ['actor.role', (e) => e.actor.role],
  ['client', (e) => e.client],
  ['method', (e) => e.method],
  ['route', (e) => e.route],
  ['appId', (e) => e.appId],
  ['action', (e) => e.action],
  ['status', (e) => e.status],
  ['before', (e) => e.before && JSON.stringify(e.before)],
  ['after', (e) => e.after && JSON.stringify(e.after)],
  ['changes', (e) => e.changes && JSON.stringify(e.changes)],
  ['detail', (e) => e.detail && JSON.stringify(e.detail)],
];

const AUDIT_SHAPE: ExportShape<AuditEntry> = {
  json: (entry) => entry,
  header: CSV_COLUMNS.map(([header]) => header),
  cells: (entry) => CSV_COLUMNS.map(([, read]) => read(entry)),
};

function storeFilter(q: z.output<typeof filterSchema>): AuditFilter {
  return {
    ...(q.from && { from: q.from }),
    ...(q.to && { to: q.to }),
    ...(q.app && { appId: q.app }),
    ...(q.actor && { actor: q.actor }),
    ...(q.action && { action: q.action }),
  };
}

export function auditRoutes(deps: Pick<ApiDeps, 'store' | 'logger'>) {
  const app = routeGroup();
  const badFilter = { content: { 'application/json': { schema: errorSchema } }, description: 'A bad filter, cursor or format, named' };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'Read the audit log: every call that changed something or was refused, newest first',
      request: { query: listQuerySchema },
      responses: { 200: { content: { 'application/json': { schema: pageSchema } }, description: 'A page of entries' }, 400: badFilter },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const found = await deps.store.audit.query({ ...storeFilter(q), limit: q.limit, ...(q.cursor && { cursor: q.cursor }) });
      return c.json({ items: found.items, nextCursor: found.nextCursor ?? null } as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/export',
      summary: 'Export the audit log',
      description: 'Every entry matching the filters, newest first, streamed as NDJSON (the entries of GET /audit, one per line) or CSV.',
      request: { query: exportQuerySchema },
      responses: {
        200: {
          content: {
            'application/x-ndjson': { schema: z.string(), example: `${JSON.stringify(ENTRY_EXAMPLE)}\n` },
            'text/csv': { schema: z.string() },
          },
          description: 'The entries',
        },
        400: badFilter,
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      const rows = exportRows(deps.store.audit.stream(storeFilter(q)), q.format, AUDIT_SHAPE, (error) =>
        deps.logger.error(
          { err: { message: error instanceof Error ? error.message : String(error) } },
          'an audit-log export stopped part way',
        ),
      );
      return exportResponse(rows, q.format, `audit-log-${stamp}`);
    },
  );
  return app;
}
