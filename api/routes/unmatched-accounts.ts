/**
 * Account discovery: the target's accounts that match no source object.
 *
 * - `POST /apps/{id}/unmatched-accounts/scan`: starts the app's scan (one at a time per app).
 * - `GET /apps/{id}/unmatched-accounts`: what the last scan found, with its state and counts.
 * - `POST /apps/{id}/unmatched-accounts/{accountId}/link`: writes the anchor to a source object;
 *   refused with 409 while a cycle or a scan of the app runs.
 * - `POST /apps/{id}/unmatched-accounts/{accountId}/leave`: known, not listed by default again.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { accountFor, linkAccount, type LinkRefusal } from '../../src/discovery/index';
import { isObjectId } from '../../src/source/index';
import { isUnmatchedCursor } from '../../src/store/index';
import { ApiError, routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, paramText } from '../schemas';

const TARGET_ID = '2819c223-7f76-453a-919d-413861904646';
const OBJECT_ID = '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11';
const OBJECT_TYPES = ['user', 'group'] as const;

const candidateSchema = z
  .object({
    objectId: z.string(),
    displayName: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
    mail: z.string().nullable(),
    basis: z.enum(['matchingAttribute', 'externalId', 'email', 'userName', 'userNameLocalPart', 'displayName']),
    score: z.number().openapi({ description: '0..1, higher is nearer' }),
    reason: z.string().openapi({ description: 'Why this object is the candidate, with the values that met' }),
    others: z.number().openapi({ description: 'Other objects that meet the same rule equally well' }),
    linkedTargetId: z.string().optional().openapi({ description: 'The account the candidate already has in the app' }),
  })
  .openapi('UnmatchedCandidate');

const EXAMPLE = {
  appId: '3f0c6f5e-8a0c-4a55-9d8a-3f4b9f0b8a11',
  objectType: 'user' as const,
  targetId: TARGET_ID,
  kind: 'local' as const,
  status: 'unmatched' as const,
  account: {
    userName: 'zoe@contoso.com',
    displayName: 'Zoe Angstrom',
    externalId: null,
    emails: ['zoe.angstrom@contoso.com'],
    matching: { userName: 'zoe@contoso.com' },
    active: true,
  },
  orphanedSourceId: null,
  candidate: {
    objectId: OBJECT_ID,
    displayName: 'Zoë Ångström',
    userPrincipalName: 'zangstrom@contoso.com',
    mail: 'zoe.angstrom@contoso.com',
    basis: 'email' as const,
    score: 0.9,
    reason: 'e-mail address "zoe.angstrom@contoso.com" is one of the object\'s',
    others: 0,
  },
  linkedObjectId: null,
  decidedAt: null,
  firstSeenAt: '2026-12-03T10:00:00.000Z',
  lastSeenAt: '2026-12-03T10:00:00.000Z',
};

const accountSchema = z
  .object({
    appId: z.string(),
    objectType: z.enum(OBJECT_TYPES),
    targetId: z.string().openapi({ description: "The account's id in the app: the accountId of link and leave" }),
    kind: z.enum(['local', 'orphan']).openapi({
      description: '`local`: no anchor links it (made in the app); `orphan`: its anchor names a source object the directory no longer has',
    }),
    status: z.enum(['unmatched', 'left', 'linked']),
    account: z.object({
      userName: z.string().nullable(),
      displayName: z.string().nullable(),
      externalId: z.string().nullable(),
      emails: z.array(z.string()),
      matching: z.record(z.string(), z.string()),
      active: z.boolean().nullable(),
    }),
    orphanedSourceId: z.string().nullable(),
    candidate: candidateSchema.nullable(),
    linkedObjectId: z.string().nullable(),
    decidedAt: z.string().nullable(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
  })
  .openapi('UnmatchedAccount', { example: EXAMPLE });

const scanSchema = z
  .object({
    state: z.enum(['running', 'finished', 'failed']),
    scanId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    counts: z.object({ listed: z.number(), unmatched: z.number(), local: z.number(), orphaned: z.number(), left: z.number() }).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).passthrough().nullable(),
  })
  .openapi('UnmatchedScan');

const listQuery = z.object({
  status: z.enum(['unmatched', 'left', 'linked', 'all']).default('unmatched'),
  objectType: z.enum(OBJECT_TYPES).optional(),
  kind: z.enum(['local', 'orphan']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .refine(isUnmatchedCursor, 'is not a cursor this API gave out: pass nextCursor of the previous page as it is')
    .optional(),
});

const accountParams = appIdParams.extend({
  accountId: paramText()
    .min(1)
    .openapi({ param: { name: 'accountId', in: 'path' }, example: TARGET_ID }),
});

const linkBody = z.object({
  objectId: z.string().refine(isObjectId, 'must be an Entra object id (a GUID)').openapi({ example: OBJECT_ID }),
  objectType: z.enum(OBJECT_TYPES).optional().openapi({ description: 'Only when a user and a group of the target share the id' }),
});
const leaveBody = z.object({ objectType: z.enum(OBJECT_TYPES).optional() });

const error = (description: string) => ({ content: { 'application/json': { schema: errorSchema } }, description });
const json = (schema: z.ZodType, description: string) => ({ content: { 'application/json': { schema } }, description });

const refusal = (r: LinkRefusal) => new ApiError(r.status, r.code, r.message, [{ path: r.field, message: r.message }]);

export function unmatchedAccountRoutes(deps: ApiDeps) {
  const app = routeGroup();

  /** A link or leave waits out the app's running cycle and scan, which could write the anchor or the account back. */
  const refuseWhileRunning = async (appId: string) => {
    const job = await deps.jobs.status(appId);
    if (job?.currentCycleWorkflowId) {
      throw new ApiError(409, 'CycleRunning', `a cycle of the app is running (${job.currentCycleWorkflowId}); link once it is done`);
    }
    if ((await deps.store.unmatchedAccounts.scan(appId))?.state === 'running') {
      throw new ApiError(409, 'ScanRunning', 'a scan of the app is running; link or leave once it is done');
    }
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/unmatched-accounts/scan',
      summary: "Scan the app's target for accounts that match no source object",
      description:
        "Starts the workflow `app/{id}/unmatched-accounts/scan`, or answers the one that runs (one at a time per app). It reads the directory, lists the target within the app's rate budget and records each account no anchor holds, or whose source object is gone, with its nearest source object. `GET /apps/{id}/unmatched-accounts` shows its state.",
      request: { params: appIdParams },
      responses: {
        202: json(z.object({ workflowId: z.string(), runId: z.string() }), 'The scan runs'),
        404: error('No such app'),
        503: error('Temporal is not available'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireApp(deps, id);
      if (!deps.discovery) throw new ApiError(503, 'WorkerUnavailable', 'this service runs no scans');
      return c.json(await deps.discovery.scan(id), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/unmatched-accounts',
      summary: "The target's accounts that match no source object, with the nearest candidate",
      description:
        "What the last scan found (`status=unmatched` by default; `left`, `linked` or `all` on request), ordered by object type and target id, with the scan's state and counts. Pass `nextCursor` as `cursor` for the next page.",
      request: { params: appIdParams, query: listQuery },
      responses: {
        200: json(
          z.object({ scan: scanSchema.nullable(), items: z.array(accountSchema), nextCursor: z.string().nullable() }),
          'A page of unmatched accounts',
        ),
        400: error('A bad filter, limit or cursor, named'),
        404: error('No such app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await requireApp(deps, id);
      const [scan, page] = await Promise.all([
        deps.store.unmatchedAccounts.scan(id),
        deps.store.unmatchedAccounts.list(id, {
          status: q.status,
          ...(q.objectType && { objectType: q.objectType }),
          ...(q.kind && { kind: q.kind }),
          limit: q.limit,
          ...(q.cursor && { cursor: q.cursor }),
        }),
      ]);
      const { appId: _, ...shown } = scan ?? { appId: '' };
      return c.json(
        { scan: scan ? (shown as z.infer<typeof scanSchema>) : null, items: page.items, nextCursor: page.nextCursor ?? null },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/unmatched-accounts/{accountId}/link',
      summary: 'Link an unmatched account to a source object',
      description:
        "Writes the anchor a match would: the account's managed values as last written, so the next cycle that reads the object updates the account (only what differs) instead of creating another. An orphan's anchor to its gone source object is replaced. Refused with 409 while a cycle or a scan of the app runs.",
      request: { params: accountParams, body: { content: { 'application/json': { schema: linkBody } }, required: true } },
      responses: {
        200: json(accountSchema, 'Linked'),
        400: error('objectId missing or not a GUID, named'),
        404: error('No such app, or the last scan found no such unmatched account (accountId)'),
        409: error('A cycle or scan runs; the object has an account already (objectId); the account is linked already (accountId)'),
      },
    }),
    async (c) => {
      const { id, accountId } = c.req.valid('param');
      const body = c.req.valid('json');
      await requireApp(deps, id);
      await refuseWhileRunning(id);
      const outcome = await linkAccount(deps.store, {
        appId: id,
        targetId: accountId,
        objectId: body.objectId,
        at: new Date(),
        ...(body.objectType && { objectType: body.objectType }),
      });
      if (!outcome.linked) throw refusal(outcome.refusal);
      deps.logger.info({ appId: id, targetId: accountId, objectId: body.objectId }, 'linked an unmatched account');
      return c.json(outcome.account, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/unmatched-accounts/{accountId}/leave',
      summary: 'Leave an unmatched account: known, not listed again unless asked for',
      description: 'The account stays in the app as it is; later scans keep it `left` (`GET ...?status=left` lists it).',
      request: { params: accountParams, body: { content: { 'application/json': { schema: leaveBody } }, required: false } },
      responses: {
        204: { description: 'Left' },
        404: error('No such app, or no such unmatched account (accountId)'),
        409: error('A scan of the app runs, or a user and a group share the id (objectType)'),
      },
    }),
    async (c) => {
      const { id, accountId } = c.req.valid('param');
      const body = c.req.valid('json') ?? {};
      await requireApp(deps, id);
      if ((await deps.store.unmatchedAccounts.scan(id))?.state === 'running') {
        throw new ApiError(409, 'ScanRunning', 'a scan of the app is running; leave the account once it is done');
      }
      const found = await accountFor(deps.store, id, accountId, body.objectType);
      if ('refusal' in found) throw refusal(found.refusal);
      await deps.store.unmatchedAccounts.leave(id, found.account.objectType, accountId, new Date());
      return c.body(null, 204);
    },
  );
  return app;
}
