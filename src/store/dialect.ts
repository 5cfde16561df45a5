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
   * Told when an idle server connection breaks (e.g. the server restarted). The pool has
   * already dropped that connection and the next query opens a new one; without this
   * listener the error would end the process.
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
    const pool = new pg.Pool({ connectionString: location.url, types: pgTypes });
    pool.on('error', (error) => location.onConnectionError?.(error));
    return new PostgresDialect({ pool });
  }
  const dataDir = location.dataDir ? join(location.dataDir, 'pglite') : undefined;
  const pglite = new PGlite(dataDir, { parsers: { [INT8_OID]: parseInt8 } });
  await pglite.waitReady;
  return new PGliteDialect(pglite);
}
