/**
 * `POST /apps/{id}/test-connection`: authenticates against the target, queries a random GUID on
 * the app's first matching attribute (an empty ListResponse is expected), reads the target's
 * capabilities and keeps the discovered profile with the app. The answer is each check with its
 * outcome and the effective profile (discovered, then the admin's overrides).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DEFAULT_USER_MAPPINGS } from '../../src/mapping/index';
import { CONSERVATIVE_PROFILE, mergeProfile, scimClientFor, testConnection } from '../../src/scim/index';
import { routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema } from '../schemas';

const resultSchema = z
  .object({
    ok: z.boolean(),
    checks: z.array(
      z.object({ name: z.string(), status: z.enum(['passed', 'failed', 'warning']), detail: z.string(), durationMs: z.number() }),
    ),
    profile: z.record(z.string(), z.any()).openapi({ description: 'The effective capability profile: discovered, then overridden' }),
    notes: z.array(z.string()),
  })
  .openapi('ConnectionTestResult');

export function connectionRoutes(deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{id}/test-connection',
      summary: 'Test the target: credentials, filtering on the matching attribute, and its capabilities',
      request: { params: appIdParams },
      responses: {
        200: { content: { 'application/json': { schema: resultSchema } }, description: 'Each check with its outcome' },
        404: { content: { 'application/json': { schema: errorSchema } }, description: 'No such app' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await requireApp(deps, id);
      const secrets = await deps.store.apps.getSecrets(id);
      const mappings = found.mappings.user ?? DEFAULT_USER_MAPPINGS;
      const matching = [...mappings]
        .filter((m) => m.matchingPrecedence !== undefined)
        .sort((a, b) => a.matchingPrecedence! - b.matchingPrecedence!)[0];
      const result = await testConnection(scimClientFor(found, secrets), { matchingAttribute: matching?.target ?? 'userName' });
      const overrides = found.capabilities?.overrides ?? {};
      const discovered = result.profile ?? found.capabilities?.discovered;
      if (result.profile) await deps.store.apps.update(id, { capabilities: { overrides, discovered: result.profile } });
      deps.logger.info(
        { appId: id, ok: result.ok, failed: result.checks.filter((check) => check.status === 'failed').map((check) => check.name) },
        'connection tested',
      );
      return c.json(
        { ok: result.ok, checks: result.checks, profile: mergeProfile(discovered ?? CONSERVATIVE_PROFILE, overrides), notes: result.notes },
        200,
      );
    },
  );
  return app;
}
