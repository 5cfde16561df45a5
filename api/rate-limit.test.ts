import { describe, expect, it } from 'vitest';
import { createFailureLimiter } from './rate-limit';

describe('failure limiter', () => {
  const clock = (start = 0) => {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('refuses an address after its limit of failures until the window ends, and no other address', () => {
    const time = clock();
    const limiter = createFailureLimiter({ limit: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 2; i++) limiter.fail('a');
    expect(limiter.retryAfter('a')).toBeUndefined();
    time.advance(10_000);
    limiter.fail('a');
    expect(limiter.retryAfter('a')).toBe(50);
    expect(limiter.retryAfter('b')).toBeUndefined();
    time.advance(49_500);
    expect(limiter.retryAfter('a')).toBe(1);
    time.advance(500);
    expect(limiter.retryAfter('a')).toBeUndefined();
    limiter.fail('a');
    expect(limiter.retryAfter('a')).toBeUndefined();
  });

  it('forgets the oldest addresses when it tracks too many, never the new one', () => {
    const time = clock();
    const limiter = createFailureLimiter({ limit: 1, maxTracked: 3, now: time.now });
    for (const address of ['a', 'b', 'c', 'd']) {
      limiter.fail(address);
      time.advance(1);
    }
    expect(limiter.retryAfter('a')).toBeUndefined();
    expect(['b', 'c', 'd'].map((address) => limiter.retryAfter(address))).toEqual([60, 60, 60]);
  });
});
