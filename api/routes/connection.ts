/**
 * `POST /apps/{id}/test-connection`: checks the source and the target of an app. The source:
 * a token from the identity platform, one page of users and, for scope `assigned`, the service
 * principal and its assignments. The target: authenticate, query a random GUID on the app's
 * first matching attribute (an empty ListResponse is expected), read its capabilities and keep
 * the discovered profile with the app. The answer is each check with its outcome and the peer's
 * message, and the effective profile (discovered, then the admin's overrides).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { testSource } from '../../src/graph/index';
import { DEFAULT_USER_MAPPINGS } from '../../src/mapping/index';
import { CONSERVATIVE_PROFILE, mergeProfile, scimClientFor, testConnection } from '../../src/scim/index';
import { routeGroup } from '../errors';
import { requireApp, type ApiDeps } from '../deps';
import { appIdParams, errorSchema } from '../schemas';

const checkSchema = z.object({
  name: z.string(),
  peer: z.enum(['identity platform', 'source', 'target']).openapi({ description: 'Who answered the check (or did not)' }),
  status: z.enum(['passed', 'failed', 'warning']),
  detail: z.string().openapi({ description: "The outcome in our words, with the peer's own message when it failed" }),
  durationMs: z.number(),
});

const resultSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'No check of the source or the target failed (warnings allowed)' }),
    checks: z.array(checkSchema).openapi({
      description: 'The target: authenticate, match query, service provider config, resource types, schemas',
    }),
    source: z
      .object({
        ok: z.boolean(),
        checks: z.array(checkSchema).openapi({
          description: 'The source: token, read users, and for scope `assigned` read service principal and read assignments',
        }),
      })
      .openapi({ description: 'The directory (Microsoft Graph) and the identity platform that issues its tokens' }),
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
      summary:
        'Test the source (a token, reading users, the assignments) and the target (credentials, filtering on the matching attribute, its capabilities)',
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
      const [source, result] = await Promise.all([
        testSource(found.source, secrets.clientSecret),
        testConnection(scimClientFor(found, secrets), { matchingAttribute: matching?.target ?? 'userName' }),
      ]);
      const overrides = found.capabilities?.overrides ?? {};
      const discovered = result.profile ?? found.capabilities?.discovered;
      if (result.profile) await deps.store.apps.update(id, { capabilities: { overrides, discovered: result.profile } });
      const ok = source.ok && result.ok;
      const failed = [...source.checks, ...result.checks].filter((check) => check.status === 'failed').map((check) => check.name);
      deps.logger.info({ appId: id, ok, failed }, 'connection tested');
      return c.json(
        {
          ok,
          checks: result.checks.map((check) => ({ ...check, peer: 'target' as const })),
          source,
          profile: mergeProfile(discovered ?? CONSERVATIVE_PROFILE, overrides),
          notes: result.notes,
        },
        200,
      );
    },
  );
  return app;
}
