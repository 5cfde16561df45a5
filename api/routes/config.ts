/**
 * `/apps/{id}/config`: an app's whole configuration as one document, exported without secrets
 * (GET) and applied idempotently (PUT), answering what changed. A PUT to an id no app has
 * creates the app under that id, as an apps file does.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AppIdRefused, planApp, writePlan } from '../../src/config/apply';
import { apiConfigDocumentSchema, exportConfig, fillSecrets, STORED_SECRET } from '../../src/config/document';
import { asJson, noteAudit } from '../audit';
import type { AppSecrets } from '../../src/config/app';
import { ApiError, invalid, routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema } from '../schemas';

const json = <T extends z.ZodType>(schema: T, description: string, example?: unknown) => ({
  content: { 'application/json': { schema, ...(example !== undefined && { example }) } },
  description,
});

export const CONFIG_EXAMPLE = {
  displayName: 'Contoso ServiceNow',
  source: {
    type: 'graph',
    tenantId: 'contoso.onmicrosoft.com',
    clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
    clientSecret: STORED_SECRET,
    scope: 'assigned',
    servicePrincipalId: '3f4b9f0b-8a11-4a55-9d8a-3f0c6f5e8a0c',
  },
  target: { type: 'scim', baseUrl: 'https://contoso.service-now.com/api/now/scim', auth: { type: 'bearer', token: STORED_SECRET } },
  schedule: { intervalMinutes: 20 },
  deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable', threshold: 500 },
  mappings: {},
  scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] } },
  groups: { enabled: false, flattenNested: false, deprovision: 'delete', compareMembersHours: 24 },
  capabilities: { overrides: {} },
};

const changeSchema = z
  .object({
    path: z.string().openapi({ description: 'The changed field, dotted as in validation errors: `mappings.user.2.target`' }),
    before: z.unknown().optional().openapi({ description: 'Its value before; absent where it was not set' }),
    after: z.unknown().optional().openapi({ description: 'Its value now; absent where it is no longer set' }),
    secret: z.enum(['replaced', 'set', 'removed']).optional().openapi({ description: 'For a secret, instead of its values' }),
  })
  .openapi('ConfigChange');

const appliedSchema = z
  .object({
    id: z.string(),
    outcome: z.enum(['created', 'updated', 'unchanged']),
    changes: z.array(changeSchema),
    configVersion: z.number(),
    nextCycleInitial: z
      .boolean()
      .openapi({ description: 'A change of mappings or scope (or a new app): the next cycle reads and re-evaluates every object' }),
  })
  .openapi('ConfigApplied');

/** The document (its schema comes from src/, which does not extend zod with `.openapi`). */
const documentSchema = apiConfigDocumentSchema;
const DOCUMENT_DESCRIPTION =
  'The app body of POST /apps; each secret is its new value, or `{"stored": true}` (or left out) to keep the stored one. Fields left out take their defaults, and a field set before but left out now is removed.';

export function configRoutes(deps: ApiDeps) {
  const app = routeGroup();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{id}/config',
      summary: 'Export the app\'s configuration as a document PUT takes (secrets only as {"stored": true})',
      request: { params: appIdParams },
      responses: {
        200: json(documentSchema, 'The configuration', CONFIG_EXAMPLE),
        404: json(errorSchema, 'No such app'),
      },
    }),
    async (c) => c.json(exportConfig(await requireApp(deps, c.req.valid('param').id)) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/apps/{id}/config',
      summary: 'Apply a configuration document to the app (creating it under this id when there is none); answers what changed',
      request: {
        params: appIdParams,
        body: {
          description: DOCUMENT_DESCRIPTION,
          content: { 'application/json': { schema: documentSchema, example: CONFIG_EXAMPLE } },
          required: true,
        },
      },
      responses: {
        200: json(appliedSchema, 'Applied (or nothing to change)', {
          id: 'servicenow',
          outcome: 'updated',
          changes: [
            { path: 'schedule.intervalMinutes', before: 40, after: 20 },
            { path: 'target.auth.token', secret: 'replaced' },
          ],
          configVersion: 3,
          nextCycleInitial: false,
        }),
        201: json(appliedSchema, 'The app was created under this id'),
        400: json(errorSchema, 'A bad document, each bad field named; a secret missing where none is stored; a bad id for a new app'),
        409: json(errorSchema, 'The id of a deleted app'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const document = c.req.valid('json');
      const current = await deps.store.apps.get(id);
      const stored: Partial<AppSecrets> = current ? await deps.store.apps.getSecrets(id) : {};
      const sameAuth = current?.target.auth.type === document.target.auth.type;
      const filled = fillSecrets(document, (value, slot) => {
        if (typeof value === 'string') return value;
        const kept = slot.key === 'clientSecret' || sameAuth ? stored[slot.key] : undefined;
        if (kept !== undefined) return kept;
        if (current && slot.key !== 'clientSecret')
          return { problem: `needs a value: the auth type changed from ${current.target.auth.type}, whose secret is not this one` };
        return { problem: 'needs a value: no secret is stored for it' };
      });
      if (!filled.spec) throw invalid(filled.problems);
      let planned;
      try {
        planned = await planApp(deps.store, id, filled.spec);
      } catch (error) {
        if (!(error instanceof AppIdRefused)) throw error;
        if (current === undefined && !(await deps.store.apps.wasDeleted(id))) throw invalid([{ path: 'id', message: error.message }]);
        throw new ApiError(409, 'AppDeleted', error.message);
      }
      const applied = await writePlan({ store: deps.store, jobs: deps.jobs }, planned);
      noteAudit(c, {
        before: current ? asJson(exportConfig(current)) : null,
        after: asJson(exportConfig(applied.app)),
        changes: asJson({ changes: applied.changes }).changes as never,
        detail: { outcome: applied.outcome },
      });
      if (applied.outcome !== 'unchanged')
        deps.logger.info(
          { appId: id, outcome: applied.outcome, changed: applied.changes.map((change) => change.path) },
          'app configuration applied',
        );
      return c.json(
        {
          id,
          outcome: applied.outcome,
          changes: applied.changes,
          configVersion: applied.app.configVersion,
          nextCycleInitial: applied.nextCycleInitial,
        },
        applied.outcome === 'created' ? 201 : 200,
      );
    },
  );

  return app;
}
