/**
 * Opaque cursors for keyset paging: the sort key of the last item of a page, encoded so that
 * callers pass it back without reading it.
 */
import { isStorableTime } from '../config/storable';
import { ProvisioningError } from '../errors/index';
import { iso } from './columns';

/** A page of items and the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

type KeyPart = string | number;

/** Encodes a sort key as an opaque cursor. */
export function encodeCursor(key: readonly KeyPart[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

type Key<T extends readonly ('string' | 'number')[]> = { [K in keyof T]: T[K] extends 'number' ? number : string };

/**
 * The key of a cursor made by {@link encodeCursor} for a key of the given part types, when
 * `valid` (if given) holds for it; undefined for anything else.
 */
export function readCursor<const T extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: T,
  valid: (key: Key<T>) => boolean = () => true,
): Key<T> | undefined {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) return undefined;
  return valid(key as Key<T>) ? (key as Key<T>) : undefined;
}

/** Like {@link readCursor}, throwing a bad-request error for a cursor it does not take. */
export function decodeCursor<const T extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: T,
  valid?: (key: Key<T>) => boolean,
): Key<T> {
  const key = readCursor(cursor, shape, valid);
  if (key === undefined) throw new ProvisioningError({ kind: 'permanent', code: 'BadRequest', message: 'the paging cursor is not valid' });
  return key;
}

/** Splits `limit + 1` fetched rows into a page, with a cursor made from the last item kept. */
export function toPage<Row, T>(rows: Row[], limit: number, toItem: (row: Row) => T, keyOf: (row: Row) => KeyPart[]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(toItem),
    ...(more && last !== undefined && { nextCursor: encodeCursor(keyOf(last)) }),
  };
}

/** The page size to use: the requested one within 1..max, or `fallback` when none was asked for. */
export function pageLimit(requested: number | undefined, max: number, fallback: number): number {
  if (requested === undefined) return fallback;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new ProvisioningError({ kind: 'permanent', code: 'BadRequest', message: 'limit must be a positive integer' });
  }
  return Math.min(requested, max);
}

/** A log's cursor (the provisioning log's, the audit log's) holds the last entry's time, as `iso` wrote it, and id. */
const LOG_CURSOR = ['string', 'number'] as const;
const isLogKey = ([at, id]: readonly [string, number]) => {
  const time = new Date(at);
  return !Number.isNaN(time.getTime()) && isStorableTime(time) && iso(time) === at && Number.isSafeInteger(id) && id > 0;
};

/** The time and id of a log cursor a page gave out; undefined for anything else. */
export function readLogCursor(cursor: string): readonly [string, number] | undefined {
  return readCursor(cursor, LOG_CURSOR, isLogKey);
}

/** Like {@link readLogCursor}, throwing a bad-request error for a cursor it does not take. */
export function decodeLogCursor(cursor: string): readonly [string, number] {
  return decodeCursor(cursor, LOG_CURSOR, isLogKey);
}
