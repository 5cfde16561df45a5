/**
 * The one place that knows which PostgreSQL the store talks to: a server through `pg`, or
 * PGlite embedded in the process. Both are configured to hand back the same JavaScript types
 * (int8 as a number, timestamptz as a Date, jsonb parsed), so every query above this file is
 * the same code for both.
 */
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PostgresDialect, type Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { ProvisioningError } from '../errors/index';

/** Where the database lives: a PostgreSQL server URL, a data directory for PGlite, or neither (PGlite in memory). */
export interface DatabaseLocation {
  /** `postgres://` or `postgresql://` URL of a PostgreSQL server. */
  url?: string;
  /** Directory for the embedded database (kept in `${dataDir}/pglite`) when no URL is given. */
  dataDir?: string;
  /**
   * Told when a server connection breaks (e.g. the server restarted). The pool drops that
   * connection and the next query opens a new one; the error never ends the process.
   */
  onConnectionError?: (error: Error) => void;
}

const INT8_OID = 20;

/** int8 (counts, bigserial ids) as a number; refuses values a number cannot hold exactly. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return value;
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Builds the kysely dialect for a location; PGlite is ready (or has failed) when this resolves. */
export async function createDialect(location: DatabaseLocation): Promise<Dialect> {
  if (location.url !== undefined && location.url !== '') {
    if (!/^postgres(ql)?:\/\//i.test(location.url)) {
      throw new ProvisioningError({
        kind: 'configuration',
        code: 'InvalidConfiguration',
        message: 'the database URL must start with postgres:// or postgresql://',
      });
    }
    // A server that does not accept a connection within 10 s fails the query, instead of holding it forever.
    const pool = new pg.Pool({ connectionString: location.url, types: pgTypes, connectionTimeoutMillis: 10_000 });
    const broke = (error: Error) => location.onConnectionError?.(error);
    pool.on('error', broke);
    // A connection that breaks while it is checked out between two queries (e.g. in a
    // transaction) would end the process with an unhandled 'error' event: the next query on it
    // fails instead, and the pool drops it.
    pool.on('connect', (client) => client.on('error', broke));
    return new PostgresDialect({ pool });
  }
  const dataDir = location.dataDir ? join(location.dataDir, 'pglite') : undefined;
  const pglite = new PGlite(dataDir, { parsers: { [INT8_OID]: parseInt8 } });
  await pglite.waitReady;
  return new PGliteDialect(pglite);
}

/** Socket errors of a server that is down, restarting or out of reach. */
const NO_CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server that is shutting down or starting (class 08 is any connection exception). */
const SERVER_GOING = new Set(['57P01', '57P02', '57P03']);

/** What `pg` says when a connection it held or tried to open went away. */
const CONNECTION_LOST =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|is not queryable/i;

/**
 * Whether an error means the database server did not answer (down, restarting, unreachable),
 * as opposed to an answer that refused the query. The pool opens a new connection for the next
 * query, so such an error is worth retrying once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length) {
    const e = pending.pop();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NO_CONNECTION.has(code) || SERVER_GOING.has(code) || code.startsWith('08'))) return true;
    if (CONNECTION_LOST.test(e.message)) return true;
    pending.push(e.cause, ...(e instanceof AggregateError ? e.errors : []));
  }
  return false;
}
