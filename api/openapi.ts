/**
 * The OpenAPI document's shared parts: the tags operations are grouped by, and the answers
 * every operation can give whatever its route says (401 without a valid token, 403 without the
 * permission, 429 after too many failed authentications, 400 for a bad parameter or body, 413
 * for a body over its limit, 415 for a body that is not JSON), declared once for all of them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimitFor, MAX_JSON_DEPTH } from './json-body';
import { accessOf } from './permissions';
import { errorSchema } from './schemas';

/** The tags, in the order the docs UI shows them. */
export const TAGS = [
  { name: 'service', description: 'Where everything is' },
  { name: 'apps', description: 'Provisioned apps: create, read, change, delete, and control their jobs' },
  { name: 'configuration', description: "An app's whole configuration as one document: exported without secrets, applied idempotently" },
  { name: 'connection', description: "Test an app's source and target before provisioning" },
  { name: 'on demand', description: 'One user or group now, or a dry run of it' },
  { name: 'provisioning logs', description: 'Every action on every object, with its steps' },
  { name: 'accounts', description: "Every account scimflow holds in each app and why; one object's connection (anchor)" },
  { name: 'lifecycle', description: 'HR events (joiner, mover, leaver, rehire) and the runs they start' },
  { name: 'tokens', description: 'API tokens with roles (admin, operator, auditor, lifecycle), and who the caller is' },
  { name: 'audit', description: 'Who changed what, when, and with what outcome' },
  { name: 'expressions', description: "Entra's attribute-mapping expression language as a tool" },
  {
    name: 'codec',
    description: "Temporal's codec-server protocol: the encrypted payloads of histories in clear, for the Temporal UI and CLI",
  },
] as const;

export type Tag = (typeof TAGS)[number]['name'];

/** Puts every operation of a route group under a tag (unless it names its own). */
export function tagged<T extends OpenAPIHono>(tag: Tag, group: T): T {
  for (const definition of group.openAPIRegistry.definitions) {
    if (definition.type === 'route') definition.route.tags ??= [tag];
  }
  return group;
}

const error = (description: string) => ({ content: { 'application/json': { schema: errorSchema } }, description });

/**
 * Declares on every operation the answers the API gives for any route: 401 (unless the
 * operation needs no token), 400 for a bad parameter or body, 413 for a body over its limit, 415
 * for a body not sent as JSON.
 * An answer the route declares itself is kept as it is.
 */
export function declareCommonAnswers(app: OpenAPIHono): void {
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const { route } = definition;
    const answers = { ...route.responses };
    const open = Array.isArray(route.security) && route.security.length === 0;
    if (!open) {
      answers[401] ??= error('No token (`Authorization: Bearer <token>`), an unknown one, or one expired or revoked');
      answers[429] ??= {
        ...error('Too many failed authentications from this address in the last minute'),
        headers: { 'Retry-After': { description: 'Seconds until the address may try again', schema: { type: 'integer' } } },
      };
    }
    const needs = accessOf(route.method, route.path).needs;
    if (needs !== 'open' && needs !== 'any-token') answers[403] ??= error(`The caller's role lacks the permission \`${needs}\``);
    const body = route.request?.body !== undefined;
    if (body) {
      const tooDeep = `nested more than ${MAX_JSON_DEPTH} levels deep (\`JsonTooDeep\`)`;
      const own = answers[400];
      if (own === undefined)
        answers[400] = error(`A body that is not JSON, ${tooDeep}, or that fails validation: each bad field is named by its path`);
      else if ('description' in own && own.description?.includes('JsonTooDeep') === false)
        answers[400] = { ...own, description: `${own.description}; or a JSON body ${tooDeep}` };
      answers[413] ??= error(`A body larger than ${bodyLimitFor(route.path) / (1024 * 1024)} MiB (\`PayloadTooLarge\`)`);
      answers[415] ??= error('A body not sent as `application/json`');
    }
    if (route.request?.params !== undefined || route.request?.query !== undefined) {
      answers[400] ??= error('A bad path or query parameter, named');
    }
    route.responses = answers;
  }
}
