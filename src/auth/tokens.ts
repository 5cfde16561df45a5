/**
 * API tokens as secrets: how they are made (`sfk_` and 32 random bytes in base64url, 256 bits),
 * how they are kept (only their SHA-256; a token of 256 random bits cannot be found from its
 * hash, and the hash outlives a rotation of the secret key), and how much a token chosen by a
 * person is worth (the bootstrap token from the environment). Pure but for the random bytes.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What every token the API issues starts with, so a leaked one is recognised by secret scanners. */
export const TOKEN_PREFIX = 'sfk_';

/** The least entropy a token may have. */
export const MIN_TOKEN_BITS = 128;

/**
 * A new API token: the prefix and 32 random bytes in base64url.
 *
 * @example
 * generateToken(); // 'sfk_Jq0k…' (47 characters)
 */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a bearer value has the shape of an issued token (so only such values reach the store). */
export function isIssuedTokenShape(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && /^[A-Za-z0-9_-]{43}$/.test(value.slice(TOKEN_PREFIX.length));
}

/** The stored form of a token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const CLASSES: [RegExp, number][] = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[-_]/, 2],
  [/[^A-Za-z0-9_-]/, 33],
];

/**
 * An upper bound of a chosen token's entropy in bits: its length times the bits of a character
 * drawn from the kinds of characters it uses. Random base64url of 22 characters reaches 128.
 */
export function estimatedBits(value: string): number {
  const pool = CLASSES.reduce((sum, [pattern, size]) => sum + (pattern.test(value) ? size : 0), 0);
  return pool === 0 ? 0 : value.length * Math.log2(pool);
}

/** Whether the value is one shorter piece repeated (`abcabcabc…`). */
function repeats(value: string): boolean {
  return /^(.+?)\1+$/s.test(value);
}

/**
 * Why a token chosen by a person is too weak to guard the API, or undefined when it is not:
 * fewer than 128 bits by {@link estimatedBits}, few distinct characters, or a repeated pattern.
 *
 * @example
 * weakTokenProblem('changeme-changeme'); // 'has fewer than 128 bits of entropy: …'
 */
export function weakTokenProblem(value: string): string | undefined {
  const advice = 'use at least 22 random base64url characters, e.g. `openssl rand -base64 32`';
  if (estimatedBits(value) < MIN_TOKEN_BITS) return `has fewer than ${MIN_TOKEN_BITS} bits of entropy: ${advice}`;
  if (new Set(value).size < 10 || repeats(value))
    return `is a low-entropy value (few distinct characters or a repeated pattern): ${advice}`;
  return undefined;
}
