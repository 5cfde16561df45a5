import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimatedBits, generateToken, isIssuedTokenShape, tokenHash, weakTokenProblem } from './tokens';

describe('API tokens', () => {
  it('makes prefixed tokens of 256 random bits, each different', () => {
    const tokens = Array.from({ length: 50 }, generateToken);
    expect(new Set(tokens).size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
      expect(isIssuedTokenShape(token)).toBe(true);
    }
  });

  it.each(['sfk_', 'sfk_short', `sfk_${'a'.repeat(44)}`, `xyz_${'a'.repeat(43)}`, `sfk_${'a'.repeat(42)}=`])(
    'does not take %j for an issued token',
    (value) => expect(isIssuedTokenShape(value)).toBe(false),
  );

  it('keeps only a hash, the same for the same token', () => {
    const token = generateToken();
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(token)).toBe(tokenHash(token));
    expect(tokenHash(token)).not.toBe(tokenHash(generateToken()));
    expect(tokenHash(token)).not.toContain(token.slice(4, 12));
  });

  it.each([
    ['short', 'fewer than 128 bits'],
    ['0123456789012345678901234567890123456789', 'low-entropy'],
    ['01234567890123456789012345678901', 'fewer than 128 bits'],
    ['abcdefghijklmnopqrst', 'fewer than 128 bits'],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'low-entropy'],
    ['Aa1-Aa1-Aa1-Aa1-Aa1-Aa1-Aa1-Aa1-', 'low-entropy'],
    ['abcdefghABCDEFGH12345678abcdefghABCDEFGH12345678', 'low-entropy'],
  ])('refuses %j as a chosen token', (value, problem) => {
    expect(weakTokenProblem(value)).toContain(problem);
  });

  it('takes random tokens of at least 22 base64url characters', () => {
    for (let i = 0; i < 200; i++) {
      expect(weakTokenProblem(randomBytes(24).toString('base64url'))).toBeUndefined();
      expect(weakTokenProblem(randomBytes(32).toString('hex'))).toBeUndefined();
    }
    expect(estimatedBits('A'.repeat(0))).toBe(0);
    expect(Math.round(estimatedBits('aZ3_aZ3_aZ3_aZ3_aZ3_aZ'))).toBe(132);
  });
});
