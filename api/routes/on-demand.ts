/**
 * One object at a time, through the app's job and the same reconcile path as a cycle:
 * `POST /apps/{id}/provision-on-demand` reconciles one user or group now and answers with the
 * steps Entra shows; `POST /apps/{id}/preview` is the same as a dry run that writes nothing.
 * Every known failure has its own answer: 400 for an object id that is not a GUID, 404 for an
 * object not in the directory, 409 while the job is paused, 502 or 503 naming the peer that
 * failed, all within 30 s.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { ErrorInfo } from '../../src/errors/index';
import { isObjectId } from '../../src/source/index';
import { ApiError, invalid, notFound, routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema, onDemandResultSchema, previewResultSchema } from '../schemas';

const bodySchema = z
  .object({
    objectId: z.string().trim().min(1, 'objectId is required').max(256).openapi({ example: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11' }),
  })
  .openapi('ProvisionOnDemandRequest');

/** How long a caller waits for one object; a request still running then goes on, and its outcome shows in the log. */
export const ANSWER_WITHIN_MS = 30_000;

function oneObjectRoute<T extends z.ZodType>(path: string, summary: string, schema: T, description: string) {
  const error = (text: string) => ({ content: { 'application/json': { schema: errorSchema } }, description: text });
  return createRoute({
    method: 'post',
    path: `/apps/{id}/${path}`,
    summary,
    request: { params: appIdParams, body: { content: { 'application/json': { schema: bodySchema } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema } }, description },
      400: error('A bad body, or an object id that is not a GUID'),
      404: {
        content: { 'application/json': { schema: z.union([errorSchema, schema]) } },
        description: 'No such app, or no such object in the directory',
      },
      409: error("The app's job is paused"),
      502: error('A peer (the directory, its identity platform or the SCIM target) answered with an error'),
      503: error('A peer did not answer, or no answer within 30 s'),
    },
  });
}

/** The app's job, started if it is not running, and not paused; 404 for an unknown app. */
async function activeJob(deps: ApiDeps, id: string, objectId: string): Promise<void> {
  const found = await requireApp(deps, id);
  if (!isObjectId(objectId))
    throw invalid([{ path: 'objectId', message: `must be an Entra object id (a GUID), not ${JSON.stringify(objectId.slice(0, 64))}` }]);
  await deps.jobs.ensure(id, found.schedule.intervalMinutes);
  const job = await deps.jobs.status(id);
  if (job?.state === 'paused') throw new ApiError(409, 'JobPaused', "the app's job is paused: resume it to provision or preview on demand");
}

/** The error an activity failed with, as the failure of an update carries it. */
function activityError(error: unknown): ErrorInfo | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.details?.[0] && typeof e.details[0] === 'object') return e.details[0] as ErrorInfo;
  }
  return undefined;
}

const NO_ANSWER = new Set(['Timeout', 'NetworkError', 'SourceUnavailable', 'ServiceUnavailable']);

/**
 * Waits for the job's answer for at most ANSWER_WITHIN_MS. A failure of the work itself (the
 * directory, its identity platform, the target or the database) is answered 502 when the peer
 * answered with an error, 503 when it did not answer.
 */
async function answered<T>(deps: ApiDeps, appId: string, work: Promise<T>): Promise<T> {
  const began = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void noAnswer(deps, appId, began).then(reject), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    // The app was deleted while the request ran: it is gone, whatever the work failed with.
    if (!(error instanceof ApiError) && (await deletedMeanwhile(deps, appId))) throw notFound('the app');
    const info = activityError(error);
    if (!info) throw interrupted(error);
    const status = NO_ANSWER.has(info.code) || (info.status ?? 0) === 503 ? 503 : 502;
    throw new ApiError(status, info.code, info.peer ? `${info.peer}: ${info.message}` : info.message, undefined, {
      ...(info.peer && { peer: info.peer }),
      ...(info.detail !== undefined && { detail: info.detail }),
    });
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}

/** The innermost message of an error's chain of causes. */
function innermost(error: Error): string {
  let e: Error = error;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

/**
 * An update that failed without the work's own error: its activity timed out, or the job's run
 * ended under it (a stop, a cancellation). The request did not finish; the caller may send it again.
 */
function interrupted(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError)) return error;
  let timedOut = false;
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof TimeoutFailure) timedOut = true;
  if (timedOut) return new ApiError(503, 'Timeout', `the request did not finish in time (${innermost(error)}); try again`);
  return new ApiError(503, 'Interrupted', `the app's job could not finish the request (${innermost(error)}); try again`);
}

/**
 * Whether the app is gone, or going: a delete stops the app's job first (which fails the job's
 * requests) and then removes the app, so a job that no longer runs is given a moment to be so.
 */
async function deletedMeanwhile(deps: ApiDeps, appId: string): Promise<boolean> {
  if (!(await deps.store.apps.get(appId))) return true;
  if ((await deps.jobs.status(appId).catch(() => undefined)) !== undefined) return false;
  for (let waited = 0; waited < 2_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    if (!(await deps.store.apps.get(appId))) return true;
  }
  return false;
}

/** The 503 of a request without an answer in time, naming the peer that failed meanwhile when the job recorded one. */
async function noAnswer(deps: ApiDeps, appId: string, began: number): Promise<ApiError> {
  const base = `no answer within ${ANSWER_WITHIN_MS / 1000} s; the request goes on, and its outcome shows in the provisioning log`;
  const last = await deps.store.appErrors.get(appId).catch(() => undefined);
  if (!last || Date.parse(last.at) < began) return new ApiError(503, 'Timeout', base);
  const { error } = last;
  return new ApiError(503, 'Timeout', `${base}; meanwhile ${error.peer ? `${error.peer}: ` : ''}${error.message}`, undefined, {
    ...(error.peer && { peer: error.peer }),
    ...(error.detail !== undefined && { detail: error.detail }),
  });
}

function errorView(error: ErrorInfo | null | undefined) {
  return error ? { code: error.code, message: error.message, ...(error.detail !== undefined && { detail: error.detail }) } : null;
}

export function onDemandRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    oneObjectRoute(
      'provision-on-demand',
      'Provision one user or group now and return the steps taken',
      onDemandResultSchema,
      'What was done, step by step',
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      await activeJob(deps, id, objectId);
      const result = await answered(deps, id, deps.jobs.provisionOnDemand(id, objectId));
      const body = {
        objectId,
        status: result.status,
        action: result.outcome?.action ?? null,
        targetId: result.outcome?.targetId ?? null,
        steps: result.steps,
        modifiedProperties: result.outcome?.changes ?? [],
        error: errorView(result.error),
      };
      return !result.outcome && result.error?.code === 'NotFound' ? c.json(body, 404) : c.json(body, 200);
    },
  );
  app.openapi(
    oneObjectRoute(
      'preview',
      'Show what provisioning one user or group would do (scope clause by clause, match, exact SCIM request), writing nothing',
      previewResultSchema,
      'The dry run',
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const { objectId } = c.req.valid('json');
      await activeJob(deps, id, objectId);
      const result = await answered(deps, id, deps.jobs.preview(id, objectId));
      const outcome = result.outcome;
      const body = {
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
      };
      return result.found ? c.json(body, 200) : c.json(body, 404);
    },
  );
  return app;
}
