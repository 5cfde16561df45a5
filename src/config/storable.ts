/**
 * Values the store can hold. PostgreSQL's `text` and `jsonb` take any Unicode but U+0000 (NUL),
 * and its times (and PGlite's) do not reach as far as JavaScript's: an input that breaks either
 * is refused where it comes in, naming the field, so the database never sees it.
 */
import { z } from 'zod';

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** Whether a string holds U+0000. */
export function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/**
 * The paths of every string, and every object key, holding U+0000 in a JSON value.
 *
 * @example nulPaths({ displayName: 'a\u0000b', tags: ['ok'] }) // [['displayName']]
 */
export function nulPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return hasNul(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => nulPaths(item, [...path, index]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => (hasNul(key) ? [[...path, key]] : nulPaths(item, [...path, key])));
}

/**
 * Adds an issue for every string (or object key) of `value` that holds U+0000: a refinement
 * for schemas whose output goes to the store whole, such as an app's configuration.
 */
export function refuseNul(value: unknown, ctx: z.RefinementCtx): void {
  for (const path of nulPaths(value)) ctx.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
}

/** A string the store can hold. */
export function storableString(): z.ZodString {
  return z.string().refine((text) => !hasNul(text), NUL_MESSAGE);
}

const EARLIEST = new Date('0001-01-01T00:00:00.000Z').getTime();
const LATEST = new Date('9999-12-31T23:59:59.999Z').getTime();

/**
 * Whether the store takes this time: years 1 to 9999 in UTC, ISO 8601's four-digit years
 * (PGlite refuses year 0, and JavaScript dates reach far beyond what PostgreSQL holds).
 */
export function isStorableTime(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST && time <= LATEST;
}
