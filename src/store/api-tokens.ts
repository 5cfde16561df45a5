/**
 * API tokens in the store: their name, role, expiry, last use and revocation, found by the
 * hash of the token (the token itself is never stored).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../auth/index';
import { iso, isoOrNull, toDate, type Instant } from './columns';
import type { ApiTokensTable, Database } from './tables';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The name of the token that created it. */
  createdBy: string;
}

export interface ApiTokenInput {
  id: string;
  name: string;
  role: Role;
  hash: string;
  expiresAt?: Instant | null;
  createdBy: string;
  createdAt?: Instant;
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: iso(row.created_at),
    expiresAt: isoOrNull(row.expires_at),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
    createdBy: row.created_by,
  };
}

export function createApiTokensRepository(db: Kysely<Database>) {
  return {
    async create(input: ApiTokenInput): Promise<ApiToken> {
      const row = await db
        .insertInto('api_tokens')
        .values({
          id: input.id,
          name: input.name,
          role: input.role,
          hash: input.hash,
          expires_at: input.expiresAt == null ? null : toDate(input.expiresAt),
          created_by: input.createdBy,
          ...(input.createdAt !== undefined && { created_at: toDate(input.createdAt) }),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },

    /** The token whose hash this is, revoked and expired ones included (the caller tells why it is refused). */
    async findByHash(hash: string): Promise<ApiToken | undefined> {
      const row = await db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toToken(row);
    },

    async get(id: string): Promise<ApiToken | undefined> {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },

    /** Every token, newest first. */
    async list(): Promise<ApiToken[]> {
      const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
      return rows.map(toToken);
    },

    /**
     * Revokes a token from `at` on; a token revoked before keeps its first revocation time.
     *
     * @returns the token, or undefined when there is none with this id
     */
    async revoke(id: string, at: Instant): Promise<ApiToken | undefined> {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: toDate(at) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return this.get(id);
    },

    /** Records a use of the token (never moving its last use back). */
    async touch(id: string, at: Instant): Promise<void> {
      const time = toDate(at);
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: time })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', time)]))
        .execute();
    },
  };
}

export type ApiTokensRepository = ReturnType<typeof createApiTokensRepository>;
