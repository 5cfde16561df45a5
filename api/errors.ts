/**
 * The API's error bodies: `{ error: { code, message, fields? } }`. Validation failures name each
 * bad field by its dotted path; nothing echoes a submitted secret.
 */
import { OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import { isGrpcServiceError } from '@temporalio/client';
import type { Context } from 'hono';
import { ProvisioningError } from '../src/errors/index';
import { isDatabaseUnavailable } from '../src/store/index';
import { guarded } from './permissions';

export interface FieldError {
  path: string;
  message: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: FieldError[]; [detail: string]: unknown };
}

/** A path of a body, query or event as the API names it: `target.auth.token`, `mappings.user.0.target`. */
function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * The issues of a failed zod parse as field errors (`source.tenantId: tenantId is required`).
 * An unknown field is named itself (`source.tenantID: unknown field`), one error per field.
 */
export function fieldErrors(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: dotted([...at, key]), message: 'unknown field' }));
    return [{ path: dotted(at) || '(body)', message: issue.message }];
  });
}

export function validationError(c: Context, fields: FieldError[]): Response {
  const error = invalid(fields);
  return c.json<ApiErrorBody>(error.body(), error.status);
}

/** An error a handler throws to answer with a status and an error body (see createApi's onError). */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 502 | 503,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    /** More about the problem, e.g. an expression error's position. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { error: { ...this.details, code: this.code, message: this.message, ...(this.fields && { fields: this.fields }) } };
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'NotFound', `${what} does not exist`);
}

export function invalid(fields: FieldError[]): ApiError {
  return new ApiError(400, 'ValidationFailed', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
}

/** gRPC status codes of a call that got no answer in time, none at all, or that no worker took up. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

/** The gRPC error under a query or update that Temporal could not hand to a worker: Temporal answers, no worker polls. */
function noWorker(error: unknown): { details: string } | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (!isGrpcServiceError(e)) continue;
    const code = Number(e.code);
    if (code === GRPC_FAILED_PRECONDITION && /no poller/i.test(e.details)) return e;
    if (code === GRPC_DEADLINE_EXCEEDED && /before a worker could process it/i.test(e.details)) return e;
  }
  return undefined;
}

/** The gRPC error under a failed Temporal call when the server did not answer (unreachable, or not in time). */
function temporalSilence(error: unknown): { details: string } | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED].includes(Number(e.code))) return e;
  }
  return undefined;
}

/**
 * A Temporal refusal that is about the moment, not the request: too many requests at once (the
 * client's own retries ran out), or the job's workflow task failing (its worker log says why).
 */
function temporalRefusal(error: unknown): ApiError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (!isGrpcServiceError(e)) continue;
    const code = Number(e.code);
    if (code === GRPC_RESOURCE_EXHAUSTED)
      return new ApiError(503, 'TemporalBusy', `Temporal refused the request for now (${e.details}); try again shortly`, undefined, {
        peer: 'temporal',
      });
    if (code === GRPC_FAILED_PRECONDITION && /workflow task in failed state/i.test(e.details))
      return new ApiError(
        503,
        'JobUnavailable',
        "the app's job cannot answer: its workflow task is failing (the worker's log says why); try again when it runs",
        undefined,
        { peer: 'temporal' },
      );
  }
  return undefined;
}

/** The answer while Temporal is away: 503, with the reason. */
export function temporalUnavailable(reason: string): ApiError {
  return new ApiError(
    503,
    'TemporalUnavailable',
    `Temporal is not available (${reason}); try again when GET /readyz answers 200`,
    undefined,
    {
      peer: 'temporal',
    },
  );
}

/** What the service knows about its peers when it answers an error. */
export interface PeerStates {
  /** Why Temporal is away, when the service saw it go. */
  temporalAway?: string | undefined;
}

/**
 * Maps an error to a response. An unexpected one is answered 500 without its message (a
 * database's or a library's words are for the service log, where createApi's onError puts them).
 */
export function errorResponse(c: Context, error: unknown, peers: PeerStates = {}): Response {
  if (error instanceof ApiError) return c.json<ApiErrorBody>(error.body(), error.status);
  const idle = noWorker(error);
  if (idle) {
    const message = `no worker took up the request (${idle.details}); try again when GET /readyz answers 200`;
    return c.json<ApiErrorBody>({ error: { code: 'WorkerUnavailable', message, peer: 'worker' } }, 503);
  }
  const refusal = temporalRefusal(error);
  if (refusal) return c.json<ApiErrorBody>(refusal.body(), refusal.status);
  const silence = temporalSilence(error);
  if (silence) {
    const unavailable = temporalUnavailable(peers.temporalAway ?? silence.details.replace(/\s*Resolution note:.*$/s, '').trim());
    return c.json<ApiErrorBody>(unavailable.body(), unavailable.status);
  }
  if (isDatabaseUnavailable(error)) {
    const why = error instanceof Error ? error.message : String(error);
    const message = `the database is not available (${why}); try again when GET /readyz answers 200`;
    return c.json<ApiErrorBody>({ error: { code: 'DatabaseUnavailable', message, peer: 'store' } }, 503);
  }
  if (error instanceof ProvisioningError) {
    const status = error.code === 'NotFound' ? 404 : error.kind === 'configuration' ? 409 : error.kind === 'transient' ? 503 : 500;
    return c.json<ApiErrorBody>({ error: { code: error.code, message: error.message } }, status);
  }
  return c.json<ApiErrorBody>(
    { error: { code: 'InternalError', message: 'the request failed inside scimflow: the service log has the details' } },
    500,
  );
}

/**
 * A route's JSON body refusing unknown fields at its top level (nested objects are strict in
 * their own schemas). `catchall(never)` keeps the schema's OpenAPI name, as `strict()` would not.
 */
function strictBody<R extends RouteConfig>(route: R): R {
  const media = route.request?.body?.content['application/json'];
  const schema = media && 'schema' in media ? media.schema : undefined;
  if (!route.request?.body || !(schema instanceof z.ZodObject) || schema._zod.def.catchall !== undefined) return route;
  const content = { ...route.request.body.content, 'application/json': { ...media, schema: schema.catchall(z.never()) } };
  return { ...route, request: { ...route.request, body: { ...route.request.body, content } } };
}

/**
 * A route group whose routes check the caller's permission first (`api/permissions.ts`), whose
 * request validation failures answer 400 naming each bad field, and whose JSON bodies refuse
 * unknown fields, whatever their schema says.
 */
export function routeGroup(): OpenAPIHono {
  const group = new OpenAPIHono({
    defaultHook: (result, c) => (result.success ? undefined : validationError(c, fieldErrors(result.error))),
  });
  const register = group.openapi.bind(group);
  group.openapi = (route, handler, hook) => register(guarded(strictBody(route)), handler, hook);
  return group;
}
