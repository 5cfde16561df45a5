/**
 * Governing access: what scimflow holds in each app and why.
 *
 * - `GET /apps/{id}/accounts`: every account from the anchors, with its state, since when, the
 *   last change and why it is in scope; filtered and paged. `GET /apps/{id}/accounts/export`
 *   streams them all as NDJSON or CSV.
 * - `GET` and `DELETE /apps/{id}/anchors/{objectType}/{objectId}`: one object's connection; a
 *   removed anchor is matched again (linked, not duplicated) by the next cycle. Removal is refused
 *   with 409 while the app's job runs a cycle, which could write the anchor back at once.
 * - `GET /lifecycle/persons/{objectId}/access`: every app where the person has an account.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { isAccountCursor, type Account, type AccountFilter } from '../../src/store/index';
import { ApiError, notFound, routeGroup } from '../errors';
import { exportResponse, exportRows } from '../log-export';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, paramText } from '../schemas';

const OBJECT_TYPES = ['user', 'group'] as const;
const STATES = ['active', 'disabled', 'deleted'] as const;
const OBJECT_ID = '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11';
/** Rows an export reads from the store at a time. */

const reasonSchema = z
  .object({
    via: z.enum(['all', 'direct', 'group', 'none']).openapi({
      description:
        '`all`: the app provisions all objects of the kind; `direct`: assigned to the service principal; `group`: through assigned groups; `none`: out of scope',
    }),
    servicePrincipalId: z.string().optional(),
    groupIds: z.array(z.string()).optional().openapi({ description: 'The assigned groups the user is a (nested) member of' }),
    detail: z.string().openapi({ description: "The scope decision in words, the scoping filter's verdict included" }),
  })
  .openapi('ScopeReason');

const lastChangeSchema = z
  .object({ at: z.string(), action: z.string(), status: z.string(), changeId: z.string() })
  .openapi('LastChange', { description: 'The last provisioning-log entry of the object' });

const EXAMPLE_REASON = {
  via: 'group' as const,
  servicePrincipalId: 'c7a3e1d2-5b4f-4e8a-9f1c-2d3e4f5a6b7c',
  groupIds: ['5e2f7a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'],
  detail: 'assigned to service principal c7a3e1d2-5b4f-4e8a-9f1c-2d3e4f5a6b7c through group 5e2f7a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
};
const EXAMPLE_CHANGE = { at: '2026-12-03T09:41:07.120Z', action: 'Create', status: 'Success', changeId: 'app1:12:sync:user:9d1b6f0e' };

const EXAMPLE_ACCOUNT = {
  appId: '3f0c6f5e-8a0c-4a55-9d8a-3f4b9f0b8a11',
  objectType: 'user',
  objectId: OBJECT_ID,
  displayName: 'Ada Lovelace',
  targetId: '2819c223-7f76-453a-919d-413861904646',
  state: 'active',
  since: '2026-12-01T08:00:12.004Z',
  updatedAt: '2026-12-03T09:41:07.120Z',
  lastChange: EXAMPLE_CHANGE,
  reason: EXAMPLE_REASON,
};

const accountSchema = z
  .object({
    appId: z.string(),
    objectType: z.enum(OBJECT_TYPES),
    objectId: z.string().openapi({ description: 'The source object id (Entra object id)' }),
    displayName: z.string().nullable(),
    targetId: z.string().openapi({ description: "The account's id in the app" }),
    state: z.enum(STATES),
    since: z.string().openapi({ description: 'When the anchor was created' }),
    updatedAt: z.string().openapi({ description: 'When the anchor was last written' }),
    lastChange: lastChangeSchema.nullable(),
    reason: reasonSchema
      .nullable()
      .openapi({ description: 'Why the account is in scope; null for anchors written before reasons were recorded' }),
  })
  .openapi('Account', { example: EXAMPLE_ACCOUNT });

const filterSchema = z.object({
  state: z.enum(STATES).optional(),
  objectType: z.enum(OBJECT_TYPES).optional(),
  objectId: paramText().min(1).optional().openapi({ description: 'One source object id (Entra object id)' }),
});

const listQuery = filterSchema.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .refine(isAccountCursor, 'is not a cursor this API gave out: pass nextCursor of the previous page as it is')
    .optional(),
});

const exportQuery = filterSchema.extend({
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

const anchorParams = appIdParams.extend({
  objectType: z.enum(OBJECT_TYPES).openapi({ param: { name: 'objectType', in: 'path' }, example: 'user' }),
  objectId: paramText()
    .min(1)
    .openapi({ param: { name: 'objectId', in: 'path' }, example: OBJECT_ID }),
});

const anchorSchema = z
  .object({
    appId: z.string(),
    objectType: z.enum(OBJECT_TYPES),
    objectId: z.string(),
    targetId: z.string(),
    state: z.enum(STATES),
    lastExported: z.record(z.string(), z.unknown()).openapi({ description: 'The managed target values last written: SCIM path → value' }),
    sourceSnapshot: z.record(z.string(), z.unknown()).nullable(),
    reason: reasonSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Anchor', {
    example: {
      appId: '3f0c6f5e-8a0c-4a55-9d8a-3f4b9f0b8a11',
      objectType: 'user',
      objectId: OBJECT_ID,
      targetId: '2819c223-7f76-453a-919d-413861904646',
      state: 'active',
      lastExported: { userName: 'ada@contoso.com', active: true },
      sourceSnapshot: null,
      reason: EXAMPLE_REASON,
      createdAt: '2026-12-01T08:00:12.004Z',
      updatedAt: '2026-12-03T09:41:07.120Z',
    },
  });

const personAccessSchema = z
  .object({
    objectId: z.string(),
    apps: z.array(
      z.object({
        appId: z.string(),
        appDisplayName: z.string(),
        targetId: z.string(),
        state: z.enum(STATES),
        since: z.string(),
        updatedAt: z.string(),
        lastChange: lastChangeSchema.nullable(),
        reason: reasonSchema.nullable(),
      }),
    ),
  })
  .openapi('PersonAccess', {
    example: {
      objectId: OBJECT_ID,
      apps: [
        {
          appId: '3f0c6f5e-8a0c-4a55-9d8a-3f4b9f0b8a11',
          appDisplayName: 'Salesforce',
          targetId: '2819c223-7f76-453a-919d-413861904646',
          state: 'active',
          since: '2026-12-01T08:00:12.004Z',
          updatedAt: '2026-12-03T09:41:07.120Z',
          lastChange: EXAMPLE_CHANGE,
          reason: EXAMPLE_REASON,
        },
      ],
    },
  });

const error = (description: string) => ({ content: { 'application/json': { schema: errorSchema } }, description });

function filterOf(q: z.infer<typeof filterSchema>): AccountFilter {
  return {
    ...(q.state && { state: q.state }),
    ...(q.objectType && { objectType: q.objectType }),
    ...(q.objectId && { objectId: q.objectId }),
  };
}

const CSV_COLUMNS = [
  'objectType',
  'objectId',
  'displayName',
  'targetId',
  'state',
  'since',
  'lastChangeAt',
  'lastAction',
  'reason',
  'reasonDetail',
];

/** One account as a CSV row: the reason's kind with its groups (`group:g1 g2`) and its words. */
function csvRow(account: Account): (string | null)[] {
  const { reason, lastChange } = account;
  const via = reason === null ? null : reason.groupIds?.length ? `${reason.via}:${reason.groupIds.join(' ')}` : reason.via;
  return [
    account.objectType,
    account.objectId,
    account.displayName,
    account.targetId,
    account.state,
    account.since,
    lastChange?.at ?? null,
    lastChange?.action ?? null,
    via,
    reason?.detail ?? null,
  ];
}

export function accountRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/accounts',
      summary: 'Every account scimflow holds in the app, and why',
      description:
        'From the anchors: the source object, the account in the app, its state, since when, the last change (from the provisioning log) and why it is in scope. Ordered by object type and id; pass `nextCursor` as `cursor` for the next page.',
      request: { params: appIdParams, query: listQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ items: z.array(accountSchema), nextCursor: z.string().nullable() }) } },
          description: 'A page of accounts',
        },
        400: error('A bad filter, limit or cursor, named'),
        404: error('No such app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await requireApp(deps, id);
      const page = await deps.store.accounts.listByApp(id, { ...filterOf(q), limit: q.limit, ...(q.cursor && { cursor: q.cursor }) });
      return c.json({ items: page.items, nextCursor: page.nextCursor ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/accounts/export',
      summary: 'Every account of the app as NDJSON or CSV, streamed',
      description:
        'The same accounts and filters as `GET /apps/{id}/accounts`, all of them, read from the store a page at a time while the answer streams. NDJSON: one account object a line. CSV: a header, then one account a line; `reason` is `via` with the groups (`group:g1 g2`).',
      request: { params: appIdParams, query: exportQuery },
      responses: {
        200: {
          content: {
            'application/x-ndjson': { schema: z.string(), example: `${JSON.stringify(EXAMPLE_ACCOUNT)}\n` },
            'text/csv': {
              schema: z.string(),
              example: `${CSV_COLUMNS.join(',')}\nuser,${OBJECT_ID},Ada Lovelace,2819c223-7f76-453a-919d-413861904646,active,2026-12-01T08:00:12.004Z,2026-12-03T09:41:07.120Z,Create,group:5e2f7a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b,assigned to service principal c7a3e1d2 through group 5e2f7a1b\n`,
            },
          },
          description: 'The accounts',
        },
        400: error('A bad filter or format, named'),
        404: error('No such app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await requireApp(deps, id);
      const format = q.format ?? 'ndjson';
      const accounts = await deps.store.accounts.stream(id, filterOf(q));
      const shape = { json: (a: Account) => a, header: CSV_COLUMNS, cells: csvRow, recordDelimiter: 'unix' as const };
      const body = exportRows(accounts, format, shape, (error) =>
        deps.logger.error(
          { err: { message: error instanceof Error ? error.message : String(error) }, appId: id },
          'an accounts export stopped part way',
        ),
      );
      return exportResponse(body, format, `accounts-${id}`);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/anchors/{objectType}/{objectId}',
      summary: "One object's connection to its account in the app",
      request: { params: anchorParams },
      responses: {
        200: { content: { 'application/json': { schema: anchorSchema } }, description: 'The anchor' },
        404: error('No such app, or the object has no anchor in it'),
      },
    }),
    async (c) => {
      const { id, objectType, objectId } = c.req.valid('param');
      await requireApp(deps, id);
      const anchor = await deps.store.anchors.get(id, objectType, objectId);
      if (!anchor) throw notFound(`an anchor of ${objectType} ${objectId}`);
      const { sourceId, scopeReason, ...rest } = anchor;
      return c.json({ ...rest, objectId: sourceId, reason: scopeReason }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/apps/{id}/anchors/{objectType}/{objectId}',
      summary: "Remove one object's connection, so the next cycle matches it again",
      description:
        "Forgets the anchor; the account in the app is left as it is. The next cycle that reads the object (a full sync, or a change to it) matches it by the matching attribute and links the account again instead of creating a second one. Refused with 409 while the app's job runs a cycle, which could write the anchor back at once: try again when the cycle is done (`GET /apps/{id}/status`).",
      request: { params: anchorParams },
      responses: {
        204: { description: 'Removed' },
        404: error('No such app, or the object has no anchor in it'),
        409: error('A cycle of the app is running'),
      },
    }),
    async (c) => {
      const { id, objectType, objectId } = c.req.valid('param');
      await requireApp(deps, id);
      const job = await deps.jobs.status(id);
      if (job?.currentCycleWorkflowId) {
        throw new ApiError(
          409,
          'CycleRunning',
          `a cycle of the app is running (${job.currentCycleWorkflowId}); remove the anchor once it is done`,
        );
      }
      if (!(await deps.store.anchors.delete(id, objectType, objectId))) throw notFound(`an anchor of ${objectType} ${objectId}`);
      return c.body(null, 204);
    },
  );
  return app;
}

/** `GET /lifecycle/persons/{objectId}/access`: where the person has an account. */
export function personAccessRoutes(deps: Pick<ApiDeps, 'store'>) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/lifecycle/persons/{objectId}/access',
      summary: 'Every app where the person has an account, its state and the last change',
      description: 'From the anchors of every app not deleted, in app id order; a person without any account has an empty list.',
      request: {
        params: z.object({
          objectId: paramText()
            .min(1)
            .openapi({ param: { name: 'objectId', in: 'path' }, example: OBJECT_ID }),
        }),
      },
      responses: { 200: { content: { 'application/json': { schema: personAccessSchema } }, description: "The person's accounts" } },
    }),
    async (c) => {
      const { objectId } = c.req.valid('param');
      return c.json({ objectId, apps: await deps.store.accounts.ofPerson(objectId) }, 200);
    },
  );
  return app;
}
