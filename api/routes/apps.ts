/**
 * `/apps`: create, list, read, change and delete provisioned apps, and control their jobs.
 * Secrets are write-only: accepted on create and change, never returned.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AppError } from '../../src/store/index';
import { appInputSchema, splitSecrets, type AppConfig, type AppInput } from '../../src/config/app';
import { changesScope, diffConfig } from '../../src/config/changes';
import { appInputOf, exportConfig } from '../../src/config/document';
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS } from '../../src/mapping/index';
import { quarantineSettings } from '../../src/quarantine/index';
import { alertSettings } from '../../src/alerts/settings';
import { asJson, noteAudit } from '../audit';
import { fieldErrors, invalid, notFound, routeGroup, type FieldError } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import type { Quarantine } from '../../workflows/app-job-state';
import type { RestartScope } from '../../workflows/definitions';
import { appIdParams, appViewSchema, errorSchema, statusSchema } from '../schemas';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/**
 * The app as the API shows it (AppConfig already holds no secret), with its effective
 * mappings: the built-in defaults for a kind without mappings of its own, marked in
 * `mappingDefaults`.
 */
export function appView(app: AppConfig) {
  const { user, group } = app.mappings ?? {};
  return {
    ...app,
    mappings: { user: [...(user ?? DEFAULT_USER_MAPPINGS)], group: [...(group ?? DEFAULT_GROUP_MAPPINGS)] },
    mappingDefaults: { user: user === undefined, group: group === undefined },
    quarantine: quarantineSettings(app),
    alerts: alertSettings(app),
  };
}

/** A job's quarantine in Entra's fields (snapshots from before them kept only the reason, since and detail). */
function quarantineView(quarantine: Quarantine | null) {
  if (!quarantine) return null;
  const began = quarantine.seriesBegan ?? quarantine.since ?? quarantine.currentBegan;
  return {
    reason: quarantine.reason,
    detail: quarantine.detail,
    currentBegan: quarantine.currentBegan ?? began,
    nextAttempt: quarantine.nextAttempt ?? null,
    seriesBegan: began,
    seriesCount: quarantine.seriesCount ?? 1,
  };
}

/** Entra's restart scopes. */
const RESTART_SCOPES = ['Escrows', 'Watermark', 'QuarantineState', 'ForceDeletes', 'Full'] as const;
/** What Entra's portal restart clears: the quarantine, the watermark and the escrows. */
const PORTAL_RESTART: RestartScope[] = ['QuarantineState', 'Watermark', 'Escrows'];

const restartSchema = z
  .strictObject({
    scopes: z
      .array(z.enum(RESTART_SCOPES, { message: `each scope must be one of ${RESTART_SCOPES.join(', ')}` }))
      .min(1, 'scopes needs at least one scope (or send no body for the portal restart)'),
  })
  .optional()
  .openapi('RestartRequest', { example: { scopes: ['Escrows', 'Watermark'] } });

/** The job's last error as the status shows it. */
function lastErrorView(last: AppError | undefined) {
  if (!last) return null;
  const { code, message, detail, peer } = last.error;
  return {
    code,
    message,
    ...(detail !== undefined && { detail }),
    peer: peer ?? null,
    step: last.step,
    cycleId: last.cycleId,
    at: last.at,
  };
}

/** Fields of the app's view that a change cannot set. */
const READ_ONLY = ['id', 'configVersion', 'createdAt', 'updatedAt', 'mappingDefaults'] as const;

function readOnlyFields(change: Record<string, unknown>): FieldError[] {
  const named: FieldError[] = READ_ONLY.filter((key) => key in change).map((key) => ({ path: key, message: 'is read-only: leave it out' }));
  const capabilities = change.capabilities;
  if (isPlain(capabilities) && 'discovered' in capabilities)
    named.push({ path: 'capabilities.discovered', message: 'is read-only (the connection test sets it): leave it out' });
  return named;
}

const APP_EXAMPLE = {
  displayName: 'Contoso Slack',
  source: {
    type: 'graph',
    tenantId: 'contoso.onmicrosoft.com',
    clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
    clientSecret: 'the client secret of the app registration',
    scope: 'assigned',
    servicePrincipalId: '3f4b9f0b-8a11-4a55-9d8a-3f0c6f5e8a0c',
  },
  target: { type: 'scim', baseUrl: 'https://api.slack.com/scim/v2', auth: { type: 'bearer', token: 'the SCIM bearer token' } },
  schedule: { intervalMinutes: 10 },
  mappings: {
    user: [
      { type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 },
      { type: 'direct', source: 'mail', target: 'emails[type eq "work"].value' },
      { type: 'expression', expression: 'Join(" ", [givenName], [surname])', target: 'displayName' },
      { type: 'direct', source: 'accountEnabled', target: 'active' },
    ],
  },
  scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] } },
};

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a change names another target auth type: then its auth replaces the current one, whose fields belong to the old type. */
function authTypeChanged(current: AppConfig, change: Plain): boolean {
  const target = change.target;
  const auth = isPlain(target) ? target.auth : undefined;
  return isPlain(auth) && auth.type !== undefined && auth.type !== current.target.auth.type;
}

function withoutAuth(input: AppInput): Plain {
  const { auth: _dropped, ...target } = input.target;
  return { ...input, target };
}

/** Merges a JSON merge-patch-like change into a document: objects merge, everything else replaces. */
function merge(base: Plain, change: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(change)) {
    out[key] = isPlain(value) && isPlain(base[key]) ? merge(base[key], value) : value;
  }
  return out;
}

const appPatchSchema = z.record(z.string(), z.unknown()).openapi('AppPatch', {
  description: 'Any part of the app body; objects are merged, other values replaced. Secrets may be given to replace them.',
});

/**
 * The job's state for the audit log, or null when it cannot be told within two seconds (no
 * worker answers): the action itself does not wait for a worker, so neither does its record.
 */
async function jobState(deps: ApiDeps, appId: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), 2000);
  });
  try {
    return (await Promise.race([deps.jobs.state(appId).catch(() => null), late])) ?? null;
  } finally {
    clearTimeout(timer);
  }
}

export function appsRoutes(deps: ApiDeps) {
  const app = routeGroup();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps',
      summary: 'Create a provisioned app and start its job',
      request: { body: { content: { 'application/json': { schema: appInputSchema, example: APP_EXAMPLE } }, required: true } },
      responses: { 201: json(appViewSchema, 'The app'), 400: json(errorSchema, 'A bad body; each bad field is named') },
    }),
    async (c) => {
      const spec = c.req.valid('json');
      const { config, secrets } = splitSecrets(spec);
      const created = await deps.store.apps.create(config, secrets);
      noteAudit(c, { appId: created.id, after: asJson(exportConfig(created)) });
      await deps.jobs.ensure(created.id, created.schedule.intervalMinutes);
      deps.logger.info({ appId: created.id, displayName: created.displayName }, 'app created');
      return c.json(appView(created), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps',
      summary: 'List apps',
      responses: { 200: json(z.object({ items: z.array(appViewSchema) }), 'The apps') },
    }),
    async (c) => c.json({ items: (await deps.store.apps.list()).map(appView) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}',
      summary: 'Read an app',
      request: { params: appIdParams },
      responses: { 200: json(appViewSchema, 'The app'), 404: json(errorSchema, 'No such app') },
    }),
    async (c) => {
      return c.json(appView(await requireApp(deps, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/apps/{id}',
      summary: 'Change an app',
      request: {
        params: appIdParams,
        body: {
          content: {
            'application/json': {
              schema: appPatchSchema,
              example: {
                displayName: 'Contoso Slack (EU)',
                schedule: { intervalMinutes: 5 },
                target: { auth: { token: 'a rotated token' } },
              },
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(appViewSchema, 'The changed app'),
        400: json(errorSchema, 'A bad change'),
        404: json(errorSchema, 'No such app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const current = await requireApp(deps, id);
      const secrets = await deps.store.apps.getSecrets(id);
      const currentInput = appInputOf(current, secrets) as AppInput;
      const change = c.req.valid('json');
      const readOnly = readOnlyFields(change);
      if (readOnly.length > 0) throw invalid(readOnly);
      const parsed = appInputSchema.safeParse(merge(authTypeChanged(current, change) ? withoutAuth(currentInput) : currentInput, change));
      if (!parsed.success) throw invalid(fieldErrors(parsed.error));
      const next = splitSecrets(parsed.data);
      // What the last connection test discovered stays with the app.
      if (current.capabilities?.discovered)
        next.config.capabilities = { ...parsed.data.capabilities, discovered: current.capabilities.discovered };
      const preview = { ...current, ...next.config };
      const updated = await deps.store.apps.update(id, next.config, {
        secrets: next.secrets,
        bumpConfigVersion: changesScope(current, preview),
      });
      if (!updated) throw notFound('the app');
      noteAudit(c, {
        before: asJson(exportConfig(current)),
        after: asJson(exportConfig(updated)),
        changes: asJson({ changes: diffConfig(current, secrets, updated, next.secrets) }).changes as never,
      });
      if (updated.schedule.intervalMinutes !== current.schedule.intervalMinutes)
        await deps.jobs.setInterval(id, updated.schedule.intervalMinutes);
      deps.logger.info({ appId: id, changed: Object.keys(change) }, 'app changed');
      return c.json(appView(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/apps/{id}',
      summary: 'Delete an app and stop its job (target accounts are left as they are)',
      request: { params: appIdParams },
      responses: { 204: { description: 'Deleted' }, 404: json(errorSchema, 'No such app') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      noteAudit(c, { before: asJson(exportConfig(await requireApp(deps, id))) });
      await deps.jobs.stop(id);
      await deps.store.apps.delete(id);
      deps.logger.info({ appId: id }, 'app deleted');
      return c.body(null, 204);
    },
  );

  const control = (path: string, summary: string, act: (appId: string) => Promise<void>, status: 200 | 202) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/apps/{id}/${path}`,
        summary,
        request: { params: appIdParams },
        responses: {
          [status]: json(z.object({ id: z.string(), accepted: z.boolean() }), 'Accepted'),
          404: json(errorSchema, 'No such app'),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const found = await requireApp(deps, id);
        await deps.jobs.ensure(id, found.schedule.intervalMinutes);
        const before = await jobState(deps, id);
        await act(id);
        noteAudit(c, { before: { state: before }, after: { state: await jobState(deps, id) } });
        return c.json({ id, accepted: true }, status);
      },
    );
  control('run', 'Start a cycle now', (id) => deps.jobs.runNow(id), 202);
  control('pause', 'Pause the job (the running cycle finishes)', (id) => deps.jobs.pause(id), 200);
  control('resume', 'Resume a paused, quarantined or disabled job', (id) => deps.jobs.resume(id), 200);
  control(
    'quarantine',
    'Quarantine the job (QuarantinedByAdmin): its running cycle stops, none runs until a resume or restart',
    (id) => deps.jobs.quarantine(id),
    200,
  );
  control(
    'allow-deletes',
    "Let the next cycle disable or delete past the app's threshold (Entra's allow deletes); lifts the quarantine and runs it now",
    (id) => deps.jobs.allowDeletes(id),
    202,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/restart',
      summary:
        "Restart the job with Entra's scopes: escrows, watermark (the next cycle is initial), quarantine, held-back deletions; then run a cycle now",
      request: {
        params: appIdParams,
        body: { content: { 'application/json': { schema: restartSchema } }, required: false },
      },
      responses: {
        202: json(z.object({ id: z.string(), accepted: z.boolean(), scopes: z.array(z.string()) }), 'Restarted; a cycle runs now'),
        400: json(errorSchema, 'An unknown scope'),
        404: json(errorSchema, 'No such app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await requireApp(deps, id);
      const scopes: RestartScope[] = c.req.valid('json')?.scopes ?? PORTAL_RESTART;
      const all = scopes.includes('Full');
      if (all || scopes.includes('Escrows')) await deps.store.escrow.clear(id);
      if (all || scopes.includes('Watermark')) await deps.store.syncState.clear(id);
      await deps.jobs.ensure(id, found.schedule.intervalMinutes);
      const before = await jobState(deps, id);
      await deps.jobs.restart(id, scopes);
      noteAudit(c, { before: { state: before }, after: { state: await jobState(deps, id) }, detail: { scopes } });
      deps.logger.info({ appId: id, scopes }, 'job restarted');
      return c.json({ id, accepted: true, scopes }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/status',
      summary: "The job's state, the running cycle's progress and the last cycle",
      request: { params: appIdParams },
      responses: { 200: json(statusSchema, 'Status'), 404: json(errorSchema, 'No such app') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await requireApp(deps, id);
      const job = await deps.jobs.status(id);
      const lastCycle = job?.lastCycle ?? null;
      return c.json(
        {
          state: job?.state ?? ('stopped' as const),
          quarantine: quarantineView(job?.quarantine ?? null),
          currentCycle: job?.currentCycle
            ? {
                id: job.currentCycle.cycleId,
                kind: job.currentCycle.kind,
                phase: job.currentCycle.phase ?? null,
                processed: job.currentCycle.processed,
                total: job.currentCycle.total,
              }
            : null,
          lastCycle,
          lastError: lastErrorView(await deps.store.appErrors.get(id)),
          nextRunAt: job?.nextRunAt ?? null,
          runRequested: job?.runRequested ?? false,
          lastRestart: job?.lastRestart ?? null,
          intervalMinutes: found.schedule.intervalMinutes,
          pendingReferences: { members: await deps.store.groupMembers.countPending(id), managers: await deps.store.references.count(id) },
        },
        200,
      );
    },
  );

  return app;
}
