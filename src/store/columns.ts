/**
 * How values cross the database boundary. Times go in as a Date or an ISO-8601 string and come
 * out as ISO-8601 strings in UTC (millisecond precision): the form that survives JSON, Temporal
 * payloads and API responses unchanged. JSON columns are written as serialised text.
 */
import type { ColumnType, JSONColumnType } from 'kysely';
import { isStorableTime } from '../config/storable';

/** A JSON value as stored in a jsonb column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A point in time given to the store: a Date or an ISO-8601 string with a zone. */
export type Instant = Date | string;

/** A timestamptz column: read as a Date, written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A timestamptz column with a default (`now()`): may be left out on insert. */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A jsonb column holding T, written as serialised text. */
export type Json<T extends object | null> = JSONColumnType<T>;

/** The Date of an Instant; refuses strings that are not a time, and times the store cannot hold. */
export function toDate(instant: Instant): Date {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime()) || !isStorableTime(date)) throw new RangeError(`not a valid time: ${String(instant)}`);
  return date;
}

/** The ISO-8601 form of a timestamp read from the database. */
export function iso(date: Date): string {
  return date.toISOString();
}

/** Like {@link iso}, for nullable columns. */
export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** Serialises a value for a jsonb column (the drivers would turn a bare array into a PostgreSQL array). */
export function json<T>(value: T): string {
  return JSON.stringify(value);
}
