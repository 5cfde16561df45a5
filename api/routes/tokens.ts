/**
 * API tokens: `POST /tokens` issues one (shown once), `GET /tokens` lists them without any
 * secret, `DELETE /tokens/{id}` revokes one; `GET /me` tells any caller who it is to the API.
 */
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { generateToken, permissionsOf, ROLE_DESCRIPTIONS, ROLES, tokenHash } from '../../src/auth/index';
import { isStorableTime } from '../../src/config/storable';
import type { ApiToken } from '../../src/store/index';
import { noteAudit } from '../audit';
import type { ApiDeps } from '../deps';
import { invalid, notFound, routeGroup } from '../errors';
import { errorSchema, paramText } from '../schemas';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const roleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).openapi({
  description: ROLES.map((role) => `\`${role}\`: ${ROLE_DESCRIPTIONS[role]}`).join('; '),
});

const createSchema = z
  .object({
    name: z
      .string({ error: 'name is required' })
      .trim()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .refine((name) => name !== 'bootstrap', 'bootstrap names the bootstrap admin token: choose another name')
      .openapi({ description: 'Who or what uses the token; the audit log names the caller by it', example: 'workday-hr' }),
    role: roleSchema,
    expiresAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time', abort: true })
      .refine((value) => isStorableTime(new Date(value)), 'must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31')
      .optional()
      .openapi({ description: 'When the token stops working; never when left out' }),
  })
  .openapi('TokenRequest', { example: { name: 'workday-hr', role: 'lifecycle', expiresAt: '2027-12-31T23:59:59Z' } });

const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Written at most once a minute' }),
    revokedAt: z.string().nullable(),
    createdBy: z.string().openapi({ description: 'The name of the token that created it' }),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .openapi('Token');

const issuedSchema = tokenSchema
  .extend({ token: z.string().openapi({ description: 'The token: shown this once and kept nowhere, only its hash is stored' }) })
  .openapi('IssuedToken');

const meSchema = z
  .object({
    name: z.string().openapi({ description: "The token's name; `bootstrap` for the admin token from the settings" }),
    role: z.enum(ROLES),
    permissions: z.array(z.string()),
    expiresAt: z.string().nullable(),
  })
  .openapi('Me', {
    example: { name: 'ops-oncall', role: 'operator', permissions: permissionsOf('operator'), expiresAt: '2027-06-30T00:00:00.000Z' },
  });

const tokenIdParams = z.object({ id: paramText().openapi({ param: { name: 'id', in: 'path' } }) });

function tokenView(token: ApiToken, now: number) {
  const status =
    token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && Date.parse(token.expiresAt) <= now ? 'expired' : 'active';
  return { ...token, status } as const;
}

export function tokenRoutes(deps: Pick<ApiDeps, 'store' | 'logger'>) {
  const app = routeGroup();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      summary: "Who the caller is: its token's name, role and permissions",
      responses: { 200: json(meSchema, 'The caller') },
    }),
    (c) => {
      const { name, role, expiresAt } = c.get('principal');
      return c.json({ name, role, permissions: permissionsOf(role), expiresAt }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      summary: 'Issue an API token with a role (admin only); the answer shows it once',
      request: { body: { content: { 'application/json': { schema: createSchema } }, required: true } },
      responses: { 201: json(issuedSchema, 'The token, with its secret this once'), 400: json(errorSchema, 'A bad name, role or expiry') },
    }),
    async (c) => {
      const { name, role, expiresAt } = c.req.valid('json');
      if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now())
        throw invalid([{ path: 'expiresAt', message: 'must be in the future' }]);
      const token = generateToken();
      const created = await deps.store.tokens.create({
        id: randomUUID(),
        name,
        role: role,
        hash: tokenHash(token),
        expiresAt: expiresAt ?? null,
        createdBy: c.get('principal').name,
      });
      noteAudit(c, { after: { id: created.id, name, role, expiresAt: created.expiresAt } });
      deps.logger.info({ tokenId: created.id, name, role }, 'API token issued');
      return c.json({ ...tokenView(created, Date.now()), token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      summary: 'List the API tokens (never their secrets), with their last use',
      responses: { 200: json(z.object({ items: z.array(tokenSchema) }), 'The tokens, newest first') },
    }),
    async (c) => {
      const now = Date.now();
      return c.json({ items: (await deps.store.tokens.list()).map((token) => tokenView(token, now)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tokens/{id}',
      summary: 'Revoke an API token: from now on it is answered 401 (revoking it again changes nothing)',
      request: { params: tokenIdParams },
      responses: { 204: { description: 'Revoked' }, 404: json(errorSchema, 'No such token') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await deps.store.tokens.get(id);
      if (!before) throw notFound('the token');
      const revoked = await deps.store.tokens.revoke(id, new Date());
      noteAudit(c, {
        before: { name: before.name, role: before.role, revokedAt: before.revokedAt },
        after: { name: before.name, role: before.role, revokedAt: revoked?.revokedAt ?? null },
      });
      if (before.revokedAt === null) deps.logger.info({ tokenId: id, name: before.name }, 'API token revoked');
      return c.body(null, 204);
    },
  );

  return app;
}
